package io.cameliotos.examples.demo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Properties;

import io.moquette.broker.Server;
import io.moquette.broker.config.IConfig;
import io.moquette.broker.config.MemoryConfig;

/**
 * The demo's own MQTT broker, embedded in the JVM: port 1883 when it is free, else any free port (machines often
 * run a broker of their own on 1883). Password-protected like the real platform.
 */
final class DemoBroker implements AutoCloseable {

    private final Server server = new Server();
    private final int port;

    private DemoBroker(int port) {
        this.port = port;
    }

    /** Starts on the given port, or on 1883 if free, else on a free port when {@code port} is 0. */
    static DemoBroker start(int port, String username, String password) throws IOException {
        int chosen = port != 0 ? port : isFree(1883) ? 1883 : freePort();
        DemoBroker broker = new DemoBroker(chosen);
        Properties props = new Properties();
        props.setProperty(IConfig.PORT_PROPERTY_NAME, Integer.toString(chosen));
        props.setProperty(IConfig.HOST_PROPERTY_NAME, "127.0.0.1");
        props.setProperty(IConfig.ALLOW_ANONYMOUS_PROPERTY_NAME, "false");
        props.setProperty(IConfig.PERSISTENCE_ENABLED_PROPERTY_NAME, "false");
        props.setProperty(IConfig.ENABLE_TELEMETRY_NAME, "false");
        broker.server.startServer(new MemoryConfig(props), List.of(), null,
                (clientId, user, pass) -> username.equals(user) && pass != null && password.equals(new String(pass)),
                null);
        return broker;
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        server.stopServer();
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }
}
