package io.cameliotos.component.iotos.test;

import java.util.function.Supplier;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a test class a running real broker, started before its first test and stopped after its last.
 * <p>
 * Where Mosquitto is not installed its tests are skipped with the reason, except when {@code CI} is set or
 * {@code -Diotos.requireMosquitto=true}: then a missing Mosquitto fails the run.
 */
public final class BrokerExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerExtension.class);

    private final String kind;
    private final Supplier<TestBroker> factory;
    private TestBroker broker;

    private BrokerExtension(String kind, Supplier<TestBroker> factory) {
        this.kind = kind;
        this.factory = factory;
    }

    public static BrokerExtension mosquitto() {
        return mosquitto(() -> {
            try {
                return new MosquittoBroker();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** A Mosquitto broker built by the test, e.g. with extra config. */
    public static BrokerExtension mosquitto(Supplier<TestBroker> factory) {
        return new BrokerExtension("mosquitto", factory);
    }

    public static BrokerExtension embedded() {
        return new BrokerExtension("embedded", EmbeddedBroker::new);
    }

    public static boolean mosquittoRequired() {
        return System.getenv("CI") != null || Boolean.getBoolean("iotos.requireMosquitto");
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if ("mosquitto".equals(kind) && !MosquittoBroker.isInstalled()) {
            String reason = "Mosquitto is not installed at " + MosquittoBroker.BINARY
                            + " (apt-get install mosquitto)";
            if (mosquittoRequired()) {
                throw new IllegalStateException(reason + "; it is required in CI");
            }
            Assumptions.abort(reason);
        }
        broker = factory.get();
        broker.start();
    }

    /** An embedded broker whose session loop died in an earlier test is restarted, so that test's failure stays its own. */
    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (broker instanceof EmbeddedBroker embedded && embedded.sessionLoopError() != null) {
            LOG.warn("Restarting the embedded broker before {}: a session loop died ({})", context.getDisplayName(),
                    embedded.sessionLoopError().toString());
            embedded.stop();
            embedded.start();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (broker != null) {
            broker.stop();
        }
    }

    public TestBroker broker() {
        return broker;
    }

    public String url() {
        return broker.url();
    }
}
