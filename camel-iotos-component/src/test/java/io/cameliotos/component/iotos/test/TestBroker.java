package io.cameliotos.component.iotos.test;

/**
 * A real MQTT broker a test talks to over TCP, with one password-protected account.
 */
public interface TestBroker extends AutoCloseable {

    String USERNAME = "iotos";
    String PASSWORD = "s3cret-Pa55";

    /** A short name for test reports, e.g. {@code mosquitto}. */
    String kind();

    /** {@code tcp://127.0.0.1:port}. */
    String url();

    default String username() {
        return USERNAME;
    }

    default String password() {
        return PASSWORD;
    }

    /** Starts the broker, or starts it again on the same port after {@link #stop()}. */
    void start() throws Exception;

    /** Stops the broker; clients see their connection drop. */
    void stop() throws Exception;

    /** How many connections the broker accepted from this client ID so far. */
    int connects(String clientId) throws Exception;

    /**
     * How many connections with this client ID the broker dropped while the client wanted them: a takeover by a second
     * connection with the same ID (a client-ID fight). Brokers that cannot tell count every unrequested drop.
     */
    int takeovers(String clientId) throws Exception;

    @Override
    default void close() throws Exception {
        stop();
    }
}
