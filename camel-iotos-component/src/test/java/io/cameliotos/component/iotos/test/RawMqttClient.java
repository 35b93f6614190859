package io.cameliotos.component.iotos.test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A plain Paho client for tests: sees the exact topics and bytes on the wire, and publishes raw payloads.
 */
public final class RawMqttClient implements AutoCloseable {

    /** One received message. */
    public record Received(String topic, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final MqttClient client;
    private final MqttConnectOptions options;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final List<String> filters = new ArrayList<>();

    public RawMqttClient(TestBroker broker, String clientId) throws MqttException {
        this(broker, clientId, broker.username(), broker.password(), true);
    }

    public RawMqttClient(TestBroker broker, String clientId, String username, String password) throws MqttException {
        this(broker, clientId, username, password, true);
    }

    /** With {@code cleanSession=false} the broker keeps the subscriptions and queues messages while disconnected. */
    public RawMqttClient(TestBroker broker, String clientId, String username, String password, boolean cleanSession)
            throws MqttException {
        client = new MqttClient(broker.url(), clientId, new MemoryPersistence());
        options = new MqttConnectOptions();
        options.setUserName(username);
        options.setPassword(password.toCharArray());
        options.setCleanSession(cleanSession);
        options.setAutomaticReconnect(!cleanSession);
        options.setMaxInflight(1000);
        try {
            client.connect(options);
        } catch (MqttException e) {
            retryAfterADroppedConnection(e);
        }
    }

    /** Subscribes and waits for the broker's acknowledgement. */
    public RawMqttClient subscribe(String filter) throws MqttException {
        try {
            subscribeOnce(filter);
        } catch (MqttException e) {
            retryAfterADroppedConnection(e);
            for (String earlier : filters) {
                subscribeOnce(earlier);
            }
            subscribeOnce(filter);
        }
        filters.add(filter);
        return this;
    }

    private void subscribeOnce(String filter) throws MqttException {
        client.subscribe(filter, 1, (topic, message) -> received.add(new Received(topic, message.getPayload())));
    }

    /**
     * This observer connects once more if the broker dropped its connection while it was setting up (seen once with
     * the embedded broker, EOF before the CONNACK or SUBACK); it is a test's eyes, not what the test checks. Any other
     * failure is rethrown.
     */
    private void retryAfterADroppedConnection(MqttException e) throws MqttException {
        if (e.getReasonCode() != MqttException.REASON_CODE_CONNECTION_LOST || client.isConnected()) {
            throw e;
        }
        System.err.println("raw client " + client.getClientId() + ": the broker dropped the connection while setting "
                           + "up (" + e + "); connecting once more");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            try {
                client.connect(options);
                return true;
            } catch (MqttException again) {
                if (again.getReasonCode() == MqttException.REASON_CODE_CLIENT_DISCONNECTING) {
                    // the client is still winding the lost connection down
                    return false;
                }
                throw again;
            }
        });
    }

    public void publish(String topic, String payload) throws MqttException {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8));
    }

    public void publish(String topic, byte[] payload) throws MqttException {
        publish(topic, payload, 1);
    }

    public void publish(String topic, byte[] payload, int qos) throws MqttException {
        client.publish(topic, payload, qos, false);
    }

    /** The next message, or fails after the timeout. */
    public Received next(Duration timeout) throws InterruptedException {
        Received message = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            throw new AssertionError("no message within " + timeout);
        }
        return message;
    }

    /** The next message if one arrives within the timeout, else null. */
    public Received poll(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public int pending() {
        return received.size();
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect(1000);
        }
        client.close(true);
    }
}
