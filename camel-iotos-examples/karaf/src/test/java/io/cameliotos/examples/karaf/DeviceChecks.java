package io.cameliotos.examples.karaf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cameliotos.component.iotos.test.BrokerExtension;
import io.cameliotos.component.iotos.test.MosquittoBroker;
import io.cameliotos.component.iotos.test.RawMqttClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the example device must do on the wire, checked with a plain MQTT client in the platform's place: upload the
 * heartbeat, answer numeric set-points with code 0 and anything else with 4002. Topics as in docs/protocol.md.
 */
final class DeviceChecks {

    /** The device account on the test broker; the password only survives in a URI inside RAW(...). */
    static final String USER = "karaf-device";
    static final String PASSWORD = "p&ss+w%rd=1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RawMqttClient platform;
    private final long gatewayId;
    private final long deviceId;
    private final long heartbeatPointId;
    private final long setpointPointId;

    DeviceChecks(RawMqttClient platform, long gatewayId, long deviceId, long heartbeatPointId, long setpointPointId) {
        this.platform = platform;
        this.gatewayId = gatewayId;
        this.deviceId = deviceId;
        this.heartbeatPointId = heartbeatPointId;
        this.setpointPointId = setpointPointId;
    }

    /** A Mosquitto process with the device account, for a test class. */
    static BrokerExtension broker() {
        return BrokerExtension.mosquitto(() -> {
            try {
                return new MosquittoBroker().withUser(USER, PASSWORD);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Waits for {@code count} heartbeat uploads (flow 1) and checks their topic and content. */
    List<JsonNode> awaitHeartbeats(int count, Duration timeout) throws Exception {
        String topic = "$IOTOS/device/platform/update/" + gatewayId + "/" + deviceId;
        List<JsonNode> points = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (points.size() < count) {
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            if (left.isNegative()) {
                throw new AssertionError("only " + points.size() + " of " + count + " heartbeats on " + topic
                        + " within " + timeout);
            }
            RawMqttClient.Received message = platform.poll(left);
            if (message == null || !message.topic().equals(topic)) {
                continue;
            }
            JsonNode upload = JSON.readTree(message.payload());
            assertThat(upload.path("requestId").asText()).matches("[0-9a-f]{32}");
            assertThat(upload.path("data")).hasSize(1);
            JsonNode point = upload.path("data").elements().next();
            assertThat(point.path("id").asLong()).isEqualTo(heartbeatPointId);
            assertThat(point.path("name").asText()).isEqualTo("心跳");
            assertThat(point.path("value").isNumber()).as("numeric heartbeat in %s", message.text()).isTrue();
            points.add(point);
        }
        // the timer's counter: each upload is a new one
        for (int i = 1; i < points.size(); i++) {
            assertThat(points.get(i).path("value").asLong()).isGreaterThan(points.get(i - 1).path("value").asLong());
        }
        return points;
    }

    /** Publishes a control (flow 3) for the set-point and returns the device's result (flow 4). */
    JsonNode control(String value, Duration timeout) throws Exception {
        String requestId = UUID.randomUUID().toString().replace("-", "");
        String topic = "$IOTOS/device/endpoint/update/" + gatewayId + "/" + deviceId + "/" + setpointPointId;
        long now = System.currentTimeMillis();
        String control = JSON.writeValueAsString(JSON.createObjectNode()
                .put("name", "设定温度").put("id", setpointPointId).put("oid", "7be8")
                .put("ts", now).put("value", value).put("requestId", requestId).put("requestTime", now));
        platform.publish(topic, control);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            if (left.isNegative()) {
                throw new AssertionError("no result for control " + requestId + " on " + topic + "/result within "
                        + timeout);
            }
            RawMqttClient.Received message = platform.poll(left);
            if (message != null && message.topic().equals(topic + "/result")) {
                JsonNode result = JSON.readTree(message.payload());
                if (requestId.equals(result.path("requestId").asText())) {
                    return result;
                }
            }
        }
    }
}
