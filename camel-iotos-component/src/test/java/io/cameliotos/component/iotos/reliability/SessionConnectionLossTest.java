package io.cameliotos.component.iotos.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.cameliotos.component.iotos.protocol.OfflineBufferPolicy;
import io.cameliotos.component.iotos.session.IotosSession;
import io.cameliotos.component.iotos.session.SessionRegistry;
import io.cameliotos.component.iotos.session.SessionSettings;
import io.cameliotos.component.iotos.session.SessionState;
import io.cameliotos.component.iotos.test.BrokerExtension;
import io.cameliotos.component.iotos.test.LogCapture;
import io.cameliotos.component.iotos.test.MosquittoBroker;
import io.cameliotos.component.iotos.test.RawMqttClient;
import io.cameliotos.component.iotos.test.TestBroker;
import org.apache.logging.log4j.Level;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A connection lost with publishes in flight, at the session level. Paho counts the connection as gone before it
 * reports the loss, and first fails the in-flight publishes: sending the buffer again in that moment must not spin,
 * and everything must go out after the reconnect. Also what must not cost the connection or the window: a publish the
 * client refuses.
 */
class SessionConnectionLossTest {

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.mosquitto();

    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
    private final ExecutorService callbacks = Executors.newCachedThreadPool();

    /**
     * These tests close clients on a frozen broker. Such a client's receiver may throw a NullPointerException of the
     * MQTT client's own when the broker wakes and writes to the closed client (its state is gone), long after the test
     * that closed it. Awaitility would report that thread's exception as the failure of whatever await runs then; what
     * the tests check comes from the sessions' futures and state, not from the client's threads.
     */
    @BeforeAll
    static void ignoreTheClientsOwnThreadFailures() {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    @AfterAll
    static void restoreAwaitility() {
        Awaitility.reset();
    }

    @AfterEach
    void stopExecutors() {
        scheduler.shutdownNow();
        callbacks.shutdownNow();
    }

    /**
     * Even the window of 5 is more than the loopback sockets' buffers hold (4 MiB to send, by default), so the client's
     * sender blocks with publishes queued behind it, at QoS 1 as at QoS 0.
     */
    private static final int LARGE_PUBLISHES = 20;
    private static final int LARGE_PAYLOAD = 1024 * 1024;

    private final SessionRegistry registry = new SessionRegistry(scheduler, callbacks, new SessionRegistry.Listener() {
        @Override
        public void opened(IotosSession session) {
        }

        @Override
        public void closed(IotosSession session) {
        }
    });

    /** Keep-alive 2 s finds the frozen broker quickly; a window of 5 keeps publishes both in flight and buffered. */
    private IotosSession acquireSession(MosquittoBroker broker) {
        return registry.acquire(new SessionSettings(broker.url(), "loss-" + System.nanoTime(), TestBroker.USERNAME,
                TestBroker.PASSWORD, true, 2, 2, 5, 1000, OfflineBufferPolicy.FAIL, 100, 1000, false, null, null,
                60_000));
    }

    /** Releases the session bounded: one stuck holding its lock must fail the test, not hang it. */
    private void release(IotosSession session) throws Exception {
        CompletableFuture.runAsync(() -> registry.release(session)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void publishesInFlightWhenTheBrokerStopsAnsweringAreAllDeliveredAfterTheReconnect() throws Exception {
        MosquittoBroker broker = (MosquittoBroker) BROKER.broker();
        IotosSession session = acquireSession(broker);
        try (RawMqttClient platform = new RawMqttClient(broker, "loss-platform").subscribe("loss/#")) {
            session.firstAttempt().get(10, TimeUnit.SECONDS);
            assertThat(session.isConnected()).isTrue();

            broker.freeze();
            List<CompletableFuture<Void>> published = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                published.add(session.publish("loss/test", ("m" + i).getBytes(StandardCharsets.UTF_8), 1));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> !session.isConnected());
            broker.thaw();

            CompletableFuture.allOf(published.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
            assertThat(session.state()).isEqualTo(SessionState.CONNECTED);
            assertThat(session.bufferedCount()).isZero();
            // at least once: what the frozen broker had half-read may arrive twice
            Set<String> received = new HashSet<>();
            while (received.size() < 20) {
                received.add(platform.next(Duration.ofSeconds(10)).text());
            }
            assertThat(received).allMatch(text -> text.matches("m(1?[0-9])"));
        } finally {
            broker.thaw();
            release(session);
        }
    }

    /**
     * A persistent session's client keeps the QoS 1 and 2 publishes a lost connection failed and sends them again
     * itself after the reconnect, with their packet IDs: the session must not send them too, with new ones, which the
     * broker takes for new messages. At QoS 2 each then arrives exactly once (before the fix each of the 20 arrived
     * twice).
     */
    @Test
    void aPersistentSessionsQos2PublishesInFlightWhenTheBrokerStopsAnsweringArriveOnce() throws Exception {
        MosquittoBroker broker = (MosquittoBroker) BROKER.broker();
        IotosSession session = registry.acquire(new SessionSettings(broker.url(), "persistent-" + System.nanoTime(),
                TestBroker.USERNAME, TestBroker.PASSWORD, false, 2, 2, 20, 1000, OfflineBufferPolicy.FAIL, 100, 1000,
                false, null, null, 60_000));
        try (RawMqttClient platform = new RawMqttClient(broker, "persistent-platform").subscribe("persistent/#")) {
            session.firstAttempt().get(10, TimeUnit.SECONDS);
            broker.freeze();
            List<CompletableFuture<Void>> published = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                published.add(session.publish("persistent/test", ("m" + i).getBytes(StandardCharsets.UTF_8), 2));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> !session.isConnected());
            broker.thaw();

            CompletableFuture.allOf(published.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
            List<String> received = new ArrayList<>();
            while (received.size() < 20) {
                received.add(platform.next(Duration.ofSeconds(10)).text());
            }
            // the publish after the 20 arrives after any copy of them: the broker keeps the order of one client's
            session.publish("persistent/test", "last".getBytes(StandardCharsets.UTF_8), 2).get(10, TimeUnit.SECONDS);
            String next;
            while (!"last".equals(next = platform.next(Duration.ofSeconds(10)).text())) {
                received.add(next);
            }
            assertThat(received).doesNotHaveDuplicates().hasSize(20);
        } finally {
            broker.thaw();
            release(session);
        }
    }

    /**
     * A session closed while its connect waits for a broker that does not answer yet: the client refuses to close while
     * connecting, and once the broker answers it holds a live connection, which the session must end (else it keeps
     * the device's client ID at the broker, and its threads, for ever).
     */
    @Test
    void aConnectionThatOpensAfterItsSessionClosedIsEndedToo() throws Exception {
        MosquittoBroker broker = (MosquittoBroker) BROKER.broker();
        String clientId;
        try (LogCapture logs = new LogCapture(Level.INFO)) {
            broker.freeze();
            try {
                IotosSession session = acquireSession(broker);
                clientId = session.settings().clientId();
                release(session);
            } finally {
                broker.thaw();
            }
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> logs.text().contains("Closed the connection session " + clientId));
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                .as("threads of the client %s", clientId).noneMatch(thread -> thread.getName().endsWith(": " + clientId)));
    }

    /**
     * A listener that takes the connection and never answers the CONNECT: a broker that hangs after accepting, a load
     * balancer with no live backend, a port of another service. The client itself waits for the CONNACK for ever (its
     * connectionTimeout covers opening the socket only), so the session must end each attempt after its
     * connectionTimeout and try again, and still leave no thread behind when it closes.
     */
    @Test
    void aConnectTheBrokerNeverAnswersFailsAfterTheConnectionTimeoutAndIsRetried() throws Exception {
        try (SilentListener silent = new SilentListener()) {
            IotosSession session = registry.acquire(silent.settings(1));
            try {
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                    assertThat(session.metrics().snapshot().get("connectFailures")).isGreaterThanOrEqualTo(2);
                    assertThat(silent.accepted).hasSizeGreaterThanOrEqualTo(2);
                });
                assertThat(session.isConnected()).isFalse();
                assertThat(IotosSession.describe(session.lastError())).contains("no answer to the CONNECT within connectionTimeout=1 s");
            } finally {
                release(session);
            }
            awaitNoThreadsOf(session.settings().clientId());
        }
    }

    /** The client refuses to close while it waits for a CONNACK: the attempt must be ended all the same. */
    @Test
    void aSessionClosedWhileItsConnectWaitsForAnAnswerLeavesNoThreads() throws Exception {
        try (SilentListener silent = new SilentListener()) {
            IotosSession session = registry.acquire(silent.settings(3));
            await().atMost(Duration.ofSeconds(10)).until(() -> !silent.accepted.isEmpty());
            assertThat(session.state()).isEqualTo(SessionState.CONNECTING);
            release(session);
            awaitNoThreadsOf(session.settings().clientId());
        }
    }

    /**
     * With a window of one, each publish is sent from the report of the one before. Were the client to refuse it as one
     * too many (its own in-flight count freed after that report), the session would take that for a lost connection and
     * wait for a reconnect that a healthy connection never makes.
     */
    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = { 0, 1 })
    void aWindowOfOneSendsEveryPublishOnAHealthyConnection(int qos) throws Exception {
        MosquittoBroker broker = (MosquittoBroker) BROKER.broker();
        IotosSession session = registry.acquire(new SessionSettings(broker.url(), "window-" + System.nanoTime(),
                TestBroker.USERNAME, TestBroker.PASSWORD, true, 60, 2, 1, 10_000, OfflineBufferPolicy.FAIL, 100, 1000,
                false, null, null, 60_000));
        try {
            session.firstAttempt().get(10, TimeUnit.SECONDS);
            List<CompletableFuture<Void>> published = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                published.add(session.publish("window/test", ("m" + i).getBytes(StandardCharsets.UTF_8), qos));
            }
            CompletableFuture.allOf(published.toArray(new CompletableFuture[0])).get(20, TimeUnit.SECONDS);
            assertThat(session.metrics().snapshot().get("connectionLosses")).isZero();
        } finally {
            release(session);
        }
    }

    /**
     * Two processes running the same device take the client ID from each other: each connect succeeds and is lost at
     * once. Such connections must not reset the backoff, or both retry at the first delay for ever, each throwing the
     * other out several times a second.
     */
    @Test
    void connectionsTakenOverAtOnceBackOffLikeFailedConnects() throws Exception {
        MosquittoBroker broker = (MosquittoBroker) BROKER.broker();
        SessionRegistry other = new SessionRegistry(scheduler, callbacks, new SessionRegistry.Listener() {
            @Override
            public void opened(IotosSession session) {
            }

            @Override
            public void closed(IotosSession session) {
            }
        });
        SessionSettings settings = new SessionSettings(broker.url(), "takeover-" + System.nanoTime(), TestBroker.USERNAME,
                TestBroker.PASSWORD, true, 60, 2, 5, 100, OfflineBufferPolicy.FAIL, 200, 4000, false, null, null,
                60_000);
        Pattern retry = Pattern.compile(
                Pattern.quote(settings.clientId()) + ".*: connection lost: .*; retrying in (\\d+) ms");
        try (LogCapture logs = new LogCapture(Level.DEBUG)) {
            IotosSession first = registry.acquire(settings);
            IotosSession second = other.acquire(settings);
            try {
                // at the first delay a lost connection is retried within 200 ms; the fourth in a row after 800 ms or more
                await().atMost(Duration.ofSeconds(30)).until(() -> retry.matcher(logs.text()).results()
                        .mapToLong(delay -> Long.parseLong(delay.group(1))).max().orElse(0) >= 800);
            } finally {
                release(first);
                CompletableFuture.runAsync(() -> other.release(second)).get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void awaitNoThreadsOf(String clientId) {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                .as("threads of the client %s", clientId)
                .noneMatch(thread -> thread.getName().endsWith(": " + clientId)));
    }

    /** Accepts connections and never says a word. */
    private static final class SilentListener implements AutoCloseable {

        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();

        SilentListener() throws IOException {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(server.accept());
                    }
                } catch (IOException closed) {
                    // the test ended
                }
            }, "silent-broker");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        SessionSettings settings(int connectTimeoutSeconds) {
            return new SessionSettings("tcp://127.0.0.1:" + server.getLocalPort(), "silent-" + System.nanoTime(), null,
                    null, true, 60, connectTimeoutSeconds, 5, 1000, OfflineBufferPolicy.FAIL, 100, 200, false, null,
                    null, 60_000);
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    /**
     * Large publishes fill the sockets' buffers, so the client's sender blocks on the frozen broker and gives the
     * connection up after two keep-alive intervals (a write time-out), holding publishes it has not written. At QoS 0
     * the client keeps no record of them and neither sends nor reports them; at QoS 1 it fails them with the write
     * time-out. Either way the session sends them again after the reconnect: every publish completes, and every one not
     * yet written (QoS 0) or acknowledged (QoS 1) when the connection dropped arrives.
     */
    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = { 0, 1 })
    void publishesTheClientHeldWhenItsSenderBlockedAreSentAfterTheReconnect(int qos) throws Exception {
        MosquittoBroker broker = (MosquittoBroker) BROKER.broker();
        IotosSession session = acquireSession(broker);
        String topic = "blocked" + qos + "/test";
        try (RawMqttClient platform = new RawMqttClient(broker, "blocked-platform-" + qos).subscribe(topic)) {
            session.firstAttempt().get(10, TimeUnit.SECONDS);
            assertThat(session.isConnected()).isTrue();

            broker.freeze();
            List<CompletableFuture<Void>> published = publishLarge(session, topic, qos);
            await().atMost(Duration.ofSeconds(20)).until(() -> !session.isConnected());
            // those reported written (QoS 0) went into the lost connection, which QoS 0 does not repeat
            Set<Integer> unwritten = notDone(published);
            assertThat(unwritten).as("publishes left when the connection dropped (the sockets' buffers took all?)")
                    .isNotEmpty();
            broker.thaw();

            CompletableFuture.allOf(published.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
            assertThat(session.bufferedCount()).isZero();
            while (!unwritten.isEmpty()) {
                RawMqttClient.Received message = platform.next(Duration.ofSeconds(10));
                assertThat(message.topic()).isEqualTo(topic);
                int index = indexOf(message);
                assertThat(index).isBetween(0, LARGE_PUBLISHES - 1);
                unwritten.remove(index);
            }
            // no slot of the window is held by a publish that was lost: one more goes out at once
            session.publish(topic, payload(LARGE_PUBLISHES), qos).get(10, TimeUnit.SECONDS);
        } finally {
            broker.thaw();
            release(session);
        }
    }

    @Test
    void qos0PublishesTheClientStillHoldsWhenTheSessionClosesFailInsteadOfHanging() throws Exception {
        MosquittoBroker broker = (MosquittoBroker) BROKER.broker();
        IotosSession session = acquireSession(broker);
        try {
            session.firstAttempt().get(10, TimeUnit.SECONDS);
            broker.freeze();
            List<CompletableFuture<Void>> published = publishLarge(session, "closing0/test", 0);
            awaitSenderBlocked(published);
            release(session);

            List<Throwable> failures = new ArrayList<>();
            for (CompletableFuture<Void> future : published) {
                Throwable failure = future.handle((ok, error) -> error).get(10, TimeUnit.SECONDS);
                if (failure != null) {
                    failures.add(failure);
                }
            }
            // the window the client held, not only what waited in the session
            assertThat(failures).anyMatch(f -> String.valueOf(f.getMessage()).contains("before the client reported"));
        } finally {
            broker.thaw();
        }
    }

    @Test
    void aTopicTheClientRefusesFailsThatPublishAndGivesItsSlotBack() throws Exception {
        MosquittoBroker broker = (MosquittoBroker) BROKER.broker();
        IotosSession session = acquireSession(broker);
        try (RawMqttClient platform = new RawMqttClient(broker, "refused-platform").subscribe("refused/#")) {
            session.firstAttempt().get(10, TimeUnit.SECONDS);
            // twice the window: a slot kept by each refused publish would leave none for the last one
            for (int i = 0; i < 10; i++) {
                CompletableFuture<Void> refused = session.publish("refused/+/test", payload(i), 1);
                assertThat(refused).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                        .havingRootCause().isInstanceOf(IllegalArgumentException.class);
            }
            session.publish("refused/test", "after".getBytes(StandardCharsets.UTF_8), 1).get(10, TimeUnit.SECONDS);
            assertThat(platform.next(Duration.ofSeconds(10)).text()).isEqualTo("after");
            assertThat(session.state()).isEqualTo(SessionState.CONNECTED);
        } finally {
            release(session);
        }
    }

    /** Waits until no publish completed for half a second: the client's sender is blocked on the frozen broker. */
    private static void awaitSenderBlocked(List<CompletableFuture<Void>> published) {
        int[] last = { -1 };
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500)).until(() -> {
            int done = LARGE_PUBLISHES - notDone(published).size();
            boolean stable = done == last[0];
            last[0] = done;
            return stable;
        });
    }

    private static Set<Integer> notDone(List<CompletableFuture<Void>> published) {
        Set<Integer> open = new HashSet<>();
        for (int i = 0; i < published.size(); i++) {
            if (!published.get(i).isDone()) {
                open.add(i);
            }
        }
        return open;
    }

    private static List<CompletableFuture<Void>> publishLarge(IotosSession session, String topic, int qos) {
        List<CompletableFuture<Void>> published = new ArrayList<>();
        for (int i = 0; i < LARGE_PUBLISHES; i++) {
            published.add(session.publish(topic, payload(i), qos));
        }
        return published;
    }

    /** The index in the first four bytes, then filler. */
    private static byte[] payload(int index) {
        return ByteBuffer.allocate(LARGE_PAYLOAD).putInt(index).array();
    }

    private static int indexOf(RawMqttClient.Received message) {
        return ByteBuffer.wrap(message.payload()).getInt();
    }
}
