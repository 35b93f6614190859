package io.cameliotos.examples.karaf;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.cameliotos.component.iotos.test.BrokerExtension;
import io.cameliotos.component.iotos.test.RawMqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Karaf example end to end in a real Apache Karaf: the user's commands (feature:repo-add, feature:install), the
 * Blueprint file dropped into deploy/ with its settings in etc/, and the device checked on the wire against a Mosquitto
 * process. Karaf fetches Camel Karaf from Maven Central; the component bundle and features file come from this build.
 * Run with {@code mvn -B verify -Pkaraf -pl camel-iotos-examples/karaf -am}.
 */
class KarafDeploymentIT {

    @RegisterExtension
    static final BrokerExtension BROKER = DeviceChecks.broker();

    static final String VERSION = System.getProperty("iotos.version", "1.0.0-SNAPSHOT");

    private final Map<String, Duration> timings = new LinkedHashMap<>();
    private long phaseStart = System.nanoTime();

    @Test
    @Timeout(value = 15, unit = java.util.concurrent.TimeUnit.MINUTES)
    void blueprintDeviceRunsInKaraf() throws Exception {
        Path distribution = Path.of(required("karaf.dist"));
        Path repo = Path.of(required("iotos.karaf.repo"));
        Path home = Path.of("target/karaf-it/run-" + System.currentTimeMillis()).toAbsolutePath();
        long start = System.nanoTime();

        try (KarafProcess karaf = KarafProcess.prepare(distribution, home, repo);
             RawMqttClient platform = new RawMqttClient(BROKER.broker(), "platform-checker",
                DeviceChecks.USER, DeviceChecks.PASSWORD)) {
            platform.subscribe("$IOTOS/#");
            // the settings a user puts in etc/, before the Blueprint file that reads them is deployed
            Files.writeString(home.resolve("etc/" + ExampleFiles.PID + ".cfg"), String.join("\n",
                    "iotos.brokerUrl = " + BROKER.url(),
                    "iotos.username = " + DeviceChecks.USER,
                    "iotos.password = " + DeviceChecks.PASSWORD,
                    "iotos.gatewayId = 172",
                    "iotos.deviceId = 402",
                    "iotos.heartbeatPointId = 2963",
                    "iotos.setpointPointId = 2965",
                    "iotos.period = 1000", ""), StandardCharsets.UTF_8);

            karaf.start();
            try {
                karaf.awaitConsole(Duration.ofMinutes(3));
                phase("Karaf boot to console");

                karaf.run("feature:repo-add mvn:io.cameliotos/camel-iotos/" + VERSION + "/xml/features", Duration.ofMinutes(2));
                karaf.run("feature:install camel-blueprint camel-iotos", Duration.ofMinutes(10));
                phase("feature:install camel-blueprint camel-iotos");
                String bundles = karaf.run("bundle:list -s -t 0", Duration.ofMinutes(1));
                assertThat(bundles).containsPattern("Active\\s*\\|\\s*50\\s*\\|\\s*1\\.0\\.0\\.SNAPSHOT\\s*\\|\\s*io\\.cameliotos\\.camel-iotos");
                assertThat(bundles).containsPattern("Active.*org\\.eclipse\\.paho\\.client\\.mqttv3");

                Files.copy(Path.of(required("karaf.deployFile")), home.resolve("deploy/iotos-device.xml"),
                        StandardCopyOption.REPLACE_EXISTING);
                DeviceChecks checks = new DeviceChecks(platform, 172, 402, 2963, 2965);
                checks.awaitHeartbeats(1, Duration.ofMinutes(2));
                phase("deploy to first upload");
                checks.awaitHeartbeats(3, Duration.ofSeconds(15));

                JsonNode ok = checks.control("26.5", Duration.ofSeconds(15));
                assertThat(ok.path("responseCode").asInt()).as(ok.toString()).isZero();
                assertThat(ok.path("value").asText()).isEqualTo("26.5");
                JsonNode refused = checks.control("warm", Duration.ofSeconds(15));
                assertThat(refused.path("responseCode").asInt()).as(refused.toString()).isEqualTo(4002);
                phase("uploads and controls");

                assertThat(karaf.run("camel:route-list", Duration.ofMinutes(1)))
                        .contains("iotos-heartbeat", "iotos-setpoint");
            } catch (Throwable failure) {
                failure.addSuppressed(new AssertionError("Karaf log (" + home + "/data/log/karaf.log):\n" + karaf.logTail(60)));
                throw failure;
            }
        } finally {
            timings.put("total", Duration.ofNanos(System.nanoTime() - start));
            StringBuilder report = new StringBuilder();
            timings.forEach((name, took) -> report.append(String.format("%-45s %6.1f s%n", name, took.toMillis() / 1000.0)));
            Files.createDirectories(Path.of("target/karaf-it"));
            Files.writeString(Path.of("target/karaf-it/timings.txt"), report.toString(), StandardCharsets.UTF_8);
            System.out.print(report);
        }
    }

    private void phase(String name) {
        long now = System.nanoTime();
        timings.put(name, Duration.ofNanos(now - phaseStart));
        phaseStart = now;
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("system property " + property + " not set: run with -Pkaraf");
        }
        return value;
    }
}
