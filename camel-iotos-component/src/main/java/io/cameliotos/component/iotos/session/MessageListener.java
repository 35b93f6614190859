package io.cameliotos.component.iotos.session;

/**
 * Receives the messages of one subscription. Called on the MQTT client's delivery thread: implementations must hand
 * work off and return quickly, or they delay every other message of the connection.
 */
@FunctionalInterface
public interface MessageListener {

    void onMessage(String topic, byte[] payload, int qos, boolean duplicate);
}
