package io.cameliotos.examples.karaf;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.cameliotos.component.iotos.test.BrokerExtension;
import io.cameliotos.component.iotos.test.RawMqttClient;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RoutesDefinition;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.xml.io.XmlPullParserException;
import org.apache.camel.xml.in.ModelParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Blueprint file's routes, run in a plain CamelContext against a Mosquitto process: the route logic and the
 * iotos: URIs of the Karaf example, checked on every build without Karaf (KarafDeploymentIT, profile karaf, runs the
 * same file in a real Karaf).
 */
class BlueprintRoutesTest {

    @RegisterExtension
    static final BrokerExtension BROKER = DeviceChecks.broker();

    @Test
    void everyPlaceholderHasADefaultAndTheShippedConfigNamesTheSameKeys() throws Exception {
        Map<String, String> defaults = ExampleFiles.defaults();
        assertThat(ExampleFiles.persistentId()).isEqualTo(ExampleFiles.PID);

        Matcher placeholders = Pattern.compile("\\{\\{([^}]+)}}").matcher(ExampleFiles.routesXml());
        int used = 0;
        while (placeholders.find()) {
            used++;
            assertThat(defaults).as("default for {{%s}}", placeholders.group(1)).containsKey(placeholders.group(1));
        }
        assertThat(used).isGreaterThan(0);

        Properties config = new Properties();
        try (var in = java.nio.file.Files.newBufferedReader(ExampleFiles.CONFIG, StandardCharsets.UTF_8)) {
            config.load(in);
        }
        assertThat(config.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(defaults.keySet());
    }

    @Test
    void uploadsHeartbeatsAndAnswersSetpoints() throws Exception {
        Properties settings = new Properties();
        settings.putAll(ExampleFiles.defaults());
        settings.setProperty("iotos.brokerUrl", BROKER.url());
        settings.setProperty("iotos.username", DeviceChecks.USER);
        settings.setProperty("iotos.password", DeviceChecks.PASSWORD);
        settings.setProperty("iotos.period", "200");

        try (RawMqttClient platform = new RawMqttClient(BROKER.broker(), "platform-checker",
                DeviceChecks.USER, DeviceChecks.PASSWORD);
             CamelContext device = new DefaultCamelContext()) {
            platform.subscribe("$IOTOS/#");
            device.getPropertiesComponent().setInitialProperties(settings);
            ((ModelCamelContext) device).addRouteDefinitions(parseRoutes().getRoutes());
            device.start();
            assertThat(device.getRoutes()).extracting(r -> r.getRouteId())
                    .containsExactlyInAnyOrder("iotos-heartbeat", "iotos-setpoint");

            DeviceChecks checks = new DeviceChecks(platform, 171, 401, 1963, 1965);
            checks.awaitHeartbeats(3, Duration.ofSeconds(20));

            JsonNode ok = checks.control("26.5", Duration.ofSeconds(10));
            assertThat(ok.path("responseCode").asInt()).as(ok.toString()).isZero();
            assertThat(ok.path("value").asText()).isEqualTo("26.5");

            JsonNode refused = checks.control("warm", Duration.ofSeconds(10));
            assertThat(refused.path("responseCode").asInt()).as(refused.toString()).isEqualTo(4002);
            assertThat(refused.path("responseDesc").asText()).isEqualTo("set-point must be a number, not warm");
        }
    }

    private static RoutesDefinition parseRoutes() throws Exception {
        try {
            return new ModelParser(ResourceHelper.fromString("iotos-device-routes.xml", ExampleFiles.routesXml()),
                    ExampleFiles.CAMEL_XML_IO_NS).parseRoutesDefinition().orElseThrow();
        } catch (XmlPullParserException e) {
            throw new AssertionError("routes of " + ExampleFiles.BLUEPRINT + " do not parse", e);
        }
    }
}
