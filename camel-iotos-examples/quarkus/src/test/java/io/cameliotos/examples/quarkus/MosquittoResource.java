package io.cameliotos.examples.quarkus;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

import io.cameliotos.component.iotos.test.MosquittoBroker;
import io.cameliotos.component.iotos.test.TestBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts a Mosquitto process with an account on a free port before the application starts, and points the application
 * at it through config overrides (the same keys a user sets in application.properties or as IOTOS_* variables).
 */
public class MosquittoResource implements QuarkusTestResourceLifecycleManager {

    static final String USERNAME = "cold-room";
    static final String PASSWORD = "s3cret-for-tests";

    /** Marks the test's {@link TestBroker} field that receives the running broker. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectBroker {
    }

    private MosquittoBroker broker;

    @Override
    public Map<String, String> start() {
        // reached only where Mosquitto is installed or required (the test's @EnabledIf): say what is missing
        if (!MosquittoBroker.isInstalled()) {
            throw new IllegalStateException("Mosquitto is not installed at " + MosquittoBroker.BINARY
                                            + " (apt-get install mosquitto); it is required in CI");
        }
        try {
            broker = new MosquittoBroker().withUser(USERNAME, PASSWORD);
            broker.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start Mosquitto (" + MosquittoBroker.BINARY + ")", e);
        }
        return Map.of(
                "iotos.broker-url", broker.url(),
                "iotos.username", USERNAME,
                "iotos.password", PASSWORD,
                // the test plays the platform only for controls; unacknowledged uploads would fail after ackTimeout
                "iotos.await-ack", "false",
                // a reading every 300 ms, so the test needs not wait 5 s for the first upload
                "cold-room.period", "300");
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(broker,
                new TestInjector.AnnotatedAndMatchesType(InjectBroker.class, TestBroker.class));
    }

    @Override
    public void stop() {
        if (broker != null) {
            try {
                broker.stop();
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop Mosquitto", e);
            }
        }
    }
}
