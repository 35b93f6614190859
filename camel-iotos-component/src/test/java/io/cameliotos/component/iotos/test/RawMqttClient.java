package io.cameliotos.component.iotos.test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

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
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName(username);
        options.setPassword(password.toCharArray());
        options.setCleanSession(cleanSession);
        options.setAutomaticReconnect(!cleanSession);
        options.setMaxInflight(1000);
        client.connect(options);
    }

    /** Subscribes and waits for the broker's acknowledgement. */
    public RawMqttClient subscribe(String filter) throws MqttException {
        client.subscribe(filter, 1, (topic, message) -> received.add(new Received(topic, message.getPayload())));
        return this;
    }

    public void publish(String topic, String payload) throws MqttException {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8));
    }

    public void publish(String topic, byte[] payload) throws MqttException {
        client.publish(topic, payload, 1, false);
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
