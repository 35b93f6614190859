package io.cameliotos.examples.quarkus;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cameliotos.component.iotos.test.BrokerExtension;
import io.cameliotos.component.iotos.test.MosquittoBroker;
import io.cameliotos.component.iotos.test.RawMqttClient;
import io.cameliotos.component.iotos.test.TestBroker;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the Quarkus application (application.properties + routes/cold-room.yaml) against a real Mosquitto with an
 * account, and checks on the wire, through a raw MQTT client playing the platform, that it uploads and answers controls.
 */
@QuarkusTest
@WithTestResource(MosquittoResource.class)
// Without Mosquitto the test is skipped, except in CI, where MosquittoResource then fails the run (BrokerExtension's rule).
@EnabledIf(value = "mosquittoAvailableOrRequired", disabledReason = "Mosquitto is not installed at /usr/sbin/mosquitto (apt-get install mosquitto)")
class ColdRoomQuarkusTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final String UPLOAD_TOPIC = "$IOTOS/device/platform/update/171/401";
    private static final String CONTROL_TOPIC = "$IOTOS/device/endpoint/update/171/401/1965";
    private static final ObjectMapper JSON = new ObjectMapper();

    @MosquittoResource.InjectBroker
    TestBroker broker;

    static boolean mosquittoAvailableOrRequired() {
        return MosquittoBroker.isInstalled() || BrokerExtension.mosquittoRequired();
    }

    @Test
    void uploadsTheTemperatureOnTheIotosTopic() throws Exception {
        try (RawMqttClient platform = platform("test-platform-upload")) {
            platform.subscribe(UPLOAD_TOPIC);

            RawMqttClient.Received upload = platform.next(TIMEOUT);
            assertThat(upload.topic()).isEqualTo(UPLOAD_TOPIC);
            JsonNode json = JSON.readTree(upload.payload());
            assertThat(json.get("requestId").asText()).matches("[0-9a-f]{32}");
            // requestTime in epoch milliseconds, the point's ts in epoch seconds (docs/protocol.md)
            double now = Instant.now().toEpochMilli();
            assertThat(json.get("requestTime").asDouble()).isBetween(now - 60_000, now + 1_000);

            JsonNode point = json.get("data").get("7be6");
            assertThat(point).as("data keyed by the point's oid in %s", upload.text()).isNotNull();
            assertThat(point.get("id").asLong()).isEqualTo(1963);
            assertThat(point.get("oid").asText()).isEqualTo("7be6");
            assertThat(point.get("name").asText()).isEqualTo("温度");
            assertThat(point.get("ts").asDouble()).isBetween(now / 1000 - 60, now / 1000 + 1);
            assertThat(point.get("value").isNumber()).as("value is a JSON number in %s", upload.text()).isTrue();
            assertThat(point.get("value").asInt()).isBetween(-20, -16);

            // the timer goes on: a second upload with its own requestId
            JsonNode second = JSON.readTree(platform.next(TIMEOUT).payload());
            assertThat(second.get("requestId").asText()).isNotEqualTo(json.get("requestId").asText());
        }
    }

    @Test
    void answersASetpointControlWithCodeZero() throws Exception {
        String requestId = newRequestId();

        JsonNode result = sendControl(requestId, "-18");

        assertThat(result.get("responseCode").asInt()).isZero();
        assertThat(result.get("responseDesc").asText()).isEqualTo("OK");
        assertThat(result.get("id").asLong()).isEqualTo(1965);
        assertThat(result.get("value").asText()).isEqualTo("-18");
        assertThat(result.get("responseId").asText()).matches("[0-9a-f]{32}");
    }

    @Test
    void refusesASetpointOutOfRangeWithTheRoutesCode() throws Exception {
        JsonNode result = sendControl(newRequestId(), "12");

        assertThat(result.get("responseCode").asInt()).isEqualTo(4001);
        assertThat(result.get("responseDesc").asText()).contains("set-point 12 outside -30 .. 0");
    }

    @Test
    void answersASetpointThatIsNoNumberWithCode500() throws Exception {
        // the route's comparison cannot convert the body: any exception other than IotosResponseException is 500
        JsonNode result = sendControl(newRequestId(), "warm");

        assertThat(result.get("responseCode").asInt()).isEqualTo(500);
        assertThat(result.get("value").asText()).isEqualTo("warm");
    }

    /** Publishes a control as the platform and returns the device's result for it (flow 4). */
    private JsonNode sendControl(String requestId, String value) throws Exception {
        try (RawMqttClient platform = platform("test-platform-" + requestId.substring(0, 8))) {
            platform.subscribe(CONTROL_TOPIC + "/result");
            platform.publish(CONTROL_TOPIC, control(requestId, value));

            JsonNode result = JSON.readTree(platform.next(TIMEOUT).payload());
            assertThat(result.get("requestId").asText()).isEqualTo(requestId);
            return result;
        }
    }

    private RawMqttClient platform(String clientId) throws Exception {
        return new RawMqttClient(broker, clientId, MosquittoResource.USERNAME, MosquittoResource.PASSWORD);
    }

    private static String newRequestId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    /** A control as the platform sends it (flow 3): ts and requestTime in epoch milliseconds. */
    private static String control(String requestId, String value) {
        long now = System.currentTimeMillis();
        return "{\"name\":\"设定温度\",\"id\":1965,\"oid\":\"7be8\",\"ts\":" + now + ".0,\"value\":\"" + value
               + "\",\"requestId\":\"" + requestId + "\",\"requestTime\":" + now + ".5}";
    }
}
