package io.cameliotos.component.iotos.test;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.moquette.broker.Server;
import io.moquette.broker.config.IConfig;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptConnectMessage;
import io.moquette.interception.messages.InterceptConnectionLostMessage;

/**
 * An embedded Java broker (Moquette) in the test's JVM, on a free loopback port, with password authentication.
 * Nobody may subscribe to the topics under {@link #UNREADABLE} with a wildcard: such a subscription is refused (SUBACK
 * 0x80), which Mosquitto never does for MQTT 3.1.1 clients (its ACL only filters what it delivers). Single points there
 * may be subscribed.
 */
public final class EmbeddedBroker implements TestBroker {

    /** The controls of device 171/999, which no account may read all at once. */
    public static final String UNREADABLE = "$IOTOS/device/endpoint/update/171/999/";

    private final int port;
    private final Map<String, AtomicInteger> connects = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> takeovers = new ConcurrentHashMap<>();
    private Server server;
    private volatile Throwable sessionLoopError;

    public EmbeddedBroker() {
        this(Ports.free());
    }

    public EmbeddedBroker(int port) {
        this.port = port;
    }

    @Override
    public String kind() {
        return "embedded";
    }

    @Override
    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public synchronized void start() throws Exception {
        if (server != null) {
            return;
        }
        Properties props = new Properties();
        props.setProperty(IConfig.PORT_PROPERTY_NAME, Integer.toString(port));
        props.setProperty(IConfig.HOST_PROPERTY_NAME, "127.0.0.1");
        props.setProperty(IConfig.ALLOW_ANONYMOUS_PROPERTY_NAME, "false");
        props.setProperty(IConfig.PERSISTENCE_ENABLED_PROPERTY_NAME, "false");
        props.setProperty(IConfig.ENABLE_TELEMETRY_NAME, "false");
        Server s = new Server();
        s.startServer(new MemoryConfig(props), List.of(new Counter()), null,
                (clientId, username, password) -> USERNAME.equals(username) && password != null
                                                   && PASSWORD.equals(new String(password)),
                new IAuthorizatorPolicy() {
                    @Override
                    public boolean canWrite(Topic topic, String user, String client) {
                        return true;
                    }

                    @Override
                    public boolean canRead(Topic topic, String user, String client) {
                        String filter = topic.toString();
                        return !(filter.startsWith(UNREADABLE) && (filter.contains("+") || filter.contains("#")));
                    }
                });
        server = s;
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.stopServer();
            server = null;
        }
        sessionLoopError = null;
    }

    /**
     * The error that stopped one of Moquette's session loops, or {@code null}. Moquette 0.17 can lose a loop to a PUBACK
     * that races a closing session ({@code IllegalReferenceCountException}); every later connection routed to that loop
     * then hangs, so the broker must be restarted before it is used again.
     */
    public Throwable sessionLoopError() {
        return sessionLoopError;
    }

    @Override
    public int connects(String clientId) {
        return connects.getOrDefault(clientId, new AtomicInteger()).get();
    }

    @Override
    public int takeovers(String clientId) {
        return takeovers.getOrDefault(clientId, new AtomicInteger()).get();
    }

    private final class Counter extends AbstractInterceptHandler {
        @Override
        public String getID() {
            return "iotos-test-counter";
        }

        @Override
        public void onConnect(InterceptConnectMessage msg) {
            connects.computeIfAbsent(msg.getClientID(), k -> new AtomicInteger()).incrementAndGet();
        }

        /**
         * Moquette reports the connection it drops for a takeover as lost; its interceptors run asynchronously, so
         * counting open connections would race. A clean client disconnect is reported as a disconnect instead.
         */
        @Override
        public void onConnectionLost(InterceptConnectionLostMessage msg) {
            takeovers.computeIfAbsent(msg.getClientID(), k -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void onSessionLoopError(Throwable error) {
            sessionLoopError = error;
        }
    }

    @Override
    public String toString() {
        return "embedded broker on " + url();
    }
}
