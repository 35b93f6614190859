package io.cameliotos.component.iotos;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.catalog.CamelCatalog;
import org.apache.camel.catalog.DefaultCamelCatalog;
import org.apache.camel.catalog.EndpointValidationResult;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.tooling.model.ComponentModel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated catalogue metadata is complete, the generated configurers are used, and the component page documents
 * every option and header with its default.
 */
class ComponentMetadataTest {

    private static JsonNode metadata() throws Exception {
        try (InputStream in = ComponentMetadataTest.class
                .getResourceAsStream("/META-INF/io/cameliotos/component/iotos/iotos.json")) {
            assertThat(in).as("generated iotos.json on the classpath").isNotNull();
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void everyOptionAndHeaderHasADescription() throws Exception {
        JsonNode json = metadata();
        List<String> missing = new ArrayList<>();
        for (String section : List.of("componentProperties", "properties", "headers")) {
            json.get(section).fields().forEachRemaining(e -> {
                if (e.getValue().path("description").asText().isBlank()) {
                    missing.add(section + "." + e.getKey());
                }
            });
        }
        assertThat(missing).isEmpty();
        assertThat(json.get("headers").size()).isEqualTo(15);
        assertThat(json.get("component").get("scheme").asText()).isEqualTo("iotos");
        assertThat(json.get("properties").get("password").get("secret").asBoolean()).isTrue();
    }

    /** The endpoint warns about an option of the other side by these sets: they must follow the options' labels. */
    @Test
    void theOptionsTheEndpointKnowsAsOneSidesAreThoseLabelledSo() throws Exception {
        Map<String, List<String>> bySide = new LinkedHashMap<>();
        metadata().get("componentProperties").fields().forEachRemaining(e -> {
            String label = e.getValue().path("label").asText();
            if ((label.equals("producer") || label.equals("consumer"))
                && e.getValue().has("configurationField")) {
                bySide.computeIfAbsent(label, k -> new ArrayList<>()).add(e.getKey());
            }
        });

        assertThat(bySide.get("producer")).containsExactlyInAnyOrderElementsOf(IotosEndpoint.PRODUCER_OPTIONS);
        assertThat(bySide.get("consumer")).containsExactlyInAnyOrderElementsOf(IotosEndpoint.CONSUMER_OPTIONS);
    }

    @Test
    void camelsCatalogReadsTheMetadataAndValidatesUrisWithIt() throws Exception {
        CamelCatalog catalog = new DefaultCamelCatalog();
        String json;
        try (InputStream in = ComponentMetadataTest.class
                .getResourceAsStream("/META-INF/io/cameliotos/component/iotos/iotos.json")) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catalog.addComponent("iotos", IotosComponent.class.getName(), json);

        ComponentModel model = catalog.componentModel("iotos");
        assertThat(model.getSyntax()).isEqualTo("iotos:gatewayId/deviceId/pointId");
        List<String> incomplete = new ArrayList<>();
        for (var option : model.getEndpointOptions()) {
            if (option.getType() == null || option.getJavaType() == null || option.getGroup() == null
                || option.getDisplayName() == null) {
                incomplete.add(option.getName());
            }
        }
        assertThat(incomplete).as("endpoint options without type, Java type, group or display name").isEmpty();
        assertThat(model.getEndpointOptions()).filteredOn(o -> o.getName().equals("qos")).singleElement()
                .satisfies(qos -> {
                    assertThat(String.valueOf(qos.getDefaultValue())).isEqualTo("1");
                    assertThat(qos.getEnums()).containsExactly("0", "1", "2");
                });

        EndpointValidationResult valid = catalog.validateEndpointProperties(
                "iotos:171/401/1963?qos=0&awaitAck=true&ackTimeout=5s&offlineBufferPolicy=DROP_OLDEST");
        assertThat(valid.isSuccess()).as(valid.summaryErrorMessage(false)).isTrue();
        EndpointValidationResult invalid = catalog.validateEndpointProperties(
                "iotos:171/401/1963?qos=7&awaitAk=true&offlineBufferPolicy=KEEP_ALL");
        assertThat(invalid.isSuccess()).isFalse();
        assertThat(invalid.getUnknown()).containsExactly("awaitAk");
        assertThat(invalid.getInvalidEnum()).containsOnlyKeys("qos", "offlineBufferPolicy");

        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("gatewayId", "171");
        properties.put("deviceId", "401");
        properties.put("pointId", "1963");
        properties.put("qos", "0");
        assertThat(catalog.asEndpointUri("iotos", properties, false)).isEqualTo("iotos:171/401/1963?qos=0");
    }

    @Test
    void theComponentPageListsEveryOptionAndHeaderWithItsDefault() throws Exception {
        String page = Files.readString(Path.of("..", "docs", "iotos-component.adoc"), StandardCharsets.UTF_8);
        JsonNode json = metadata();
        List<String> missing = new ArrayList<>();
        for (String section : List.of("componentProperties", "properties", "headers")) {
            json.get(section).fields().forEachRemaining(e -> {
                String row = page.lines().filter(l -> l.startsWith("| *" + e.getKey() + "*")).findFirst().orElse(null);
                String def = e.getValue().path("defaultValue").asText();
                if (row == null || !def.isEmpty() && !row.contains("| " + def + " |")) {
                    missing.add(section + "." + e.getKey() + (row == null ? "" : " (default " + def + ")"));
                }
            });
        }
        assertThat(missing).as("options and headers missing from docs/iotos-component.adoc").isEmpty();
    }

    @Test
    void endpointOptionsAreSetThroughTheGeneratedConfigurer() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.start();
            IotosEndpoint endpoint = context.getEndpoint(
                    "iotos:171/401/1963?qos=0&awaitAck=true&ackTimeout=2s&pointOid=7be6&autoReply=false",
                    IotosEndpoint.class);

            assertThat(endpoint.getConfiguration().getQos()).isZero();
            assertThat(endpoint.getConfiguration().isAwaitAck()).isTrue();
            assertThat(endpoint.getConfiguration().getAckTimeout()).isEqualTo(2000L);
            assertThat(endpoint.getConfiguration().getPointOid()).isEqualTo("7be6");
            assertThat(endpoint.getConfiguration().isAutoReply()).isFalse();
            assertThat(org.apache.camel.support.PluginHelper.getConfigurerResolver(context)
                    .resolvePropertyConfigurer("iotos-endpoint", context)).isInstanceOf(IotosEndpointConfigurer.class);
        }
    }

    @Test
    void componentLevelSettingsAreEveryEndpointsDefaultAndTheUriOverridesThem() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            IotosComponent component = context.getComponent("iotos", IotosComponent.class);
            component.getConfiguration().setBrokerUrl("tcp://broker.example:1883");
            component.getConfiguration().setQos(2);
            context.start();

            IotosEndpoint inherits = context.getEndpoint("iotos:1/3", IotosEndpoint.class);
            IotosEndpoint overrides = context.getEndpoint("iotos:1/2?qos=0", IotosEndpoint.class);

            assertThat(inherits.getConfiguration().getBrokerUrl()).isEqualTo("tcp://broker.example:1883");
            assertThat(inherits.getConfiguration().getQos()).isEqualTo(2);
            assertThat(overrides.getConfiguration().getQos()).isZero();
            assertThat(component.getConfiguration().getQos()).as("the component's own copy is untouched").isEqualTo(2);
        }
    }

    @Test
    void thePasswordNeverShowsInTheEndpointUri() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.start();
            IotosEndpoint endpoint = context.getEndpoint("iotos:1/2?username=alice&password=Top5ecret",
                    IotosEndpoint.class);

            assertThat(endpoint.toString()).doesNotContain("Top5ecret");
            assertThat(endpoint.sessionSettings().toString()).doesNotContain("Top5ecret").contains("alice");
        }
    }
}
