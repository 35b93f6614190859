package io.cameliotos.component.iotos.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import io.cameliotos.component.iotos.IotosComponent;
import io.cameliotos.component.iotos.IotosConfiguration;
import io.cameliotos.component.iotos.IotosConstants;
import io.cameliotos.component.iotos.IotosResponseException;
import io.cameliotos.component.iotos.IotosTestSupport;
import io.cameliotos.component.iotos.protocol.Ids;
import io.cameliotos.component.iotos.protocol.IotosCodec;
import io.cameliotos.component.iotos.session.FilePublishStore;
import io.cameliotos.component.iotos.session.IotosSession;
import io.cameliotos.component.iotos.test.BrokerExtension;
import io.cameliotos.component.iotos.test.MosquittoBroker;
import io.cameliotos.component.iotos.test.Ports;
import io.cameliotos.component.iotos.test.RawMqttClient;
import io.cameliotos.component.iotos.test.TestBroker;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Breaks a real Mosquitto on purpose while a device uploads, and checks with a persistent platform subscriber that
 * every upload whose exchange completed arrives. Scenarios run {@code iotos.faults.seconds} seconds (8 by default;
 * the {@code soak} Maven profile runs them longer) and report their figures to target/reliability/results.md.
 */
class MosquittoFaultInjectionTest extends IotosTestSupport {

    static final String UPLOAD_TOPIC = "$IOTOS/device/platform/update/171/401";
    private static final int SECONDS = Integer.getInteger("iotos.faults.seconds", 8);
    private static final int RATE_PER_SECOND = 100;
    private static final Duration DRAIN = Duration.ofSeconds(60);
    /** The component's default unclaimedHoldTime, for tests that do not wait for held messages to expire. */
    private static final long DEFAULT_HOLD_MILLIS = 60_000;

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.mosquitto(() -> {
        try {
            return new MosquittoBroker().withPersistence();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    });

    private final IotosCodec codec = new IotosCodec();
    private final List<String> received = Collections.synchronizedList(new ArrayList<>());
    private RawMqttClient platform;

    @Override
    protected TestBroker broker() {
        return BROKER.broker();
    }

    private MosquittoBroker mosquitto() {
        return (MosquittoBroker) broker();
    }

    /** A platform that keeps its subscription and queued messages across broker restarts (clean session off). */
    @BeforeEach
    void persistentPlatform() throws Exception {
        platform = new RawMqttClient(broker(), "reliability-platform-" + System.nanoTime(), TestBroker.USERNAME,
                TestBroker.PASSWORD, false);
        platform.subscribe(UPLOAD_TOPIC);
        Thread collector = new Thread(() -> {
            try {
                while (true) {
                    RawMqttClient.Received message = platform.poll(Duration.ofSeconds(1));
                    if (message != null) {
                        received.add(JSON.readTree(message.payload()).get("requestId").asText());
                    }
                }
            } catch (Exception e) {
                // the test is over
            }
        }, "reliability-collector");
        collector.setDaemon(true);
        collector.start();
    }

    @org.junit.jupiter.api.AfterEach
    void closePlatform() throws Exception {
        if (mosquittoIsRunning()) {
            platform.close();
        }
    }

    private boolean mosquittoIsRunning() {
        return Ports.isOpen(mosquitto().port());
    }

    private CamelContext device() throws Exception {
        return startUploader(config -> {
            config.setKeepAliveInterval(2);
            config.setConnectionTimeout(2);
            config.setReconnectDelay(100);
            config.setMaxReconnectDelay(1000);
        });
    }

    /** Uploads at a steady rate for the scenario's duration, running {@code fault} a third of the way in. */
    private ReliabilityReport uploadThrough(String scenario, CamelContext context, FaultAction fault, String note)
            throws Exception {
        ProducerTemplate template = context.createProducerTemplate();
        Set<String> completed = ConcurrentHashMap.newKeySet();
        AtomicInteger failed = new AtomicInteger();
        List<CompletableFuture<Exchange>> pending = new ArrayList<>();
        int total = SECONDS * RATE_PER_SECOND;
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            if (i == total / 3) {
                fault.run();
            }
            long due = start + TimeUnit.SECONDS.toNanos(1) * i / RATE_PER_SECOND;
            while (System.nanoTime() < due) {
                java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
            }
            String id = Ids.newRequestId();
            int n = i;
            pending.add(template.asyncSend("direct:upload", e -> {
                e.getMessage().setHeader(IotosConstants.REQUEST_ID, id);
                e.getMessage().setBody(n);
            }).whenComplete((e, error) -> {
                if (error == null && e.getException() == null) {
                    completed.add(id);
                } else {
                    failed.incrementAndGet();
                }
            }));
        }
        CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])).get(DRAIN.toSeconds(), TimeUnit.SECONDS);
        await("every completed upload at the platform").atMost(DRAIN)
                .until(() -> new HashSet<>(received).containsAll(completed));
        return ReliabilityReport.of(scenario, total, completed, failed.get(), new ArrayList<>(received), note)
                .write();
    }

    @FunctionalInterface
    interface FaultAction {
        void run() throws Exception;
    }

    @Test
    void qos1UploadsThroughAGracefulBrokerRestart() throws Exception {
        CamelContext context = device();
        IotosSession session = onlySession(context);

        ReliabilityReport report = uploadThrough("graceful broker restart", context, () -> {
            mosquitto().stop();
            await().atMost(DRAIN).until(() -> !session.isConnected());
            mosquitto().start();
        }, "SIGTERM, restart as soon as the device noticed");

        assertThat(report.lost()).isZero();
        assertThat(report.failed()).isZero();
        assertThat(report.completed()).isEqualTo(report.attempted());
    }

    @Test
    void qos1UploadsThroughAFrozenBroker() throws Exception {
        CamelContext context = device();
        IotosSession session = onlySession(context);

        ReliabilityReport report = uploadThrough("frozen broker", context, () -> {
            mosquitto().freeze();
            try {
                // past the keep-alive (2 s): the device declares the connection lost and buffers
                await().atMost(DRAIN).until(() -> !session.isConnected());
            } finally {
                mosquitto().thaw();
            }
        }, "SIGSTOP until the device dropped the connection (keep-alive 2 s), then SIGCONT");

        assertThat(report.lost()).isZero();
        assertThat(report.failed()).isZero();
    }

    /**
     * An upload that waits for its results and times out while still in the offline buffer has failed for its
     * caller: sent after the reconnect all the same, a retry would store it twice (and a platform's control would run
     * though its sender was told it failed).
     */
    @Test
    void anAwaitedUploadThatTimedOutWhileBufferedIsNeverSent() throws Exception {
        CamelContext context = startUploader(config -> {
            config.setReconnectDelay(100);
            config.setMaxReconnectDelay(500);
            config.setAwaitAck(true);
            config.setAckTimeout(300);
        });
        IotosSession session = onlySession(context);
        ProducerTemplate template = context.createProducerTemplate();
        mosquitto().stop();
        await().atMost(WAIT).until(() -> !session.isConnected());

        String withdrawn = Ids.newRequestId();
        Exchange failed = template.send("direct:upload", e -> {
            e.getMessage().setHeader(IotosConstants.REQUEST_ID, withdrawn);
            e.getMessage().setBody(1);
        });
        assertThat(failed.getException()).isInstanceOf(IotosResponseException.class)
                .hasMessageContaining("taken back: not sent");

        mosquitto().start();
        await().atMost(WAIT).until(session::isConnected);
        // no platform answers: this one times out too, but only after it was sent, behind where the first would be
        String marker = Ids.newRequestId();
        template.asyncSend("direct:upload", e -> {
            e.getMessage().setHeader(IotosConstants.REQUEST_ID, marker);
            e.getMessage().setBody(2);
        });
        await().atMost(WAIT).until(() -> received.contains(marker));
        assertThat(received).doesNotContain(withdrawn);
    }

    @Test
    void aControlRedeliveredAfterAReconnectRunsOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CamelContext context = newContext();
        IotosConfiguration config = context.getComponent("iotos", IotosComponent.class).getConfiguration();
        config.setReconnectDelay(100);
        config.setMaxReconnectDelay(500);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("iotos:171/401/1963").process(e -> e.getMessage().setBody("run " + runs.incrementAndGet()));
            }
        });
        context.start();
        IotosSession session = onlySession(context);
        String control = "{\"id\":1963,\"value\":\"open\",\"requestId\":\"redelivered-1\",\"requestTime\":1.5}";
        String resultTopic = "$IOTOS/device/endpoint/update/171/401/1963/result";

        try (RawMqttClient before = new RawMqttClient(broker(), "raw-control-1")) {
            before.subscribe(resultTopic);
            before.publish("$IOTOS/device/endpoint/update/171/401/1963", control);
            JsonNode first = JSON.readTree(before.next(WAIT).payload());
            assertThat(first.get("value").asText()).isEqualTo("run 1");
        }
        platform.close();
        mosquitto().stop();
        await().atMost(WAIT).until(() -> !session.isConnected());
        mosquitto().start();
        await().atMost(WAIT).until(session::isConnected);

        try (RawMqttClient after = new RawMqttClient(broker(), "raw-control-2")) {
            after.subscribe(resultTopic);
            // the platform retries the same control: it may take a moment until the re-subscription is in place
            await().atMost(WAIT).until(() -> {
                after.publish("$IOTOS/device/endpoint/update/171/401/1963", control);
                return after.poll(Duration.ofMillis(300)) != null;
            });
        }
        assertThat(runs.get()).as("the route ran the control once").isEqualTo(1);
        new ReliabilityReport("control redelivered after reconnect", 1, 1, 0, 1, 0, 0,
                "same requestId sent again after a broker restart; route runs: " + runs.get()).write();
    }

    @Test
    void controlsHeldUnacknowledgedThroughABrokerRestartRunOnceInArrivalOrder() throws Exception {
        String controlTopic = "$IOTOS/device/endpoint/update/171/401/1963";
        String resultTopic = controlTopic + "/result";
        int queued = 30;
        CamelContext device = deviceHoldingControlsQueuedWhileAway(queued, DEFAULT_HOLD_MILLIS);
        IotosSession session = onlySession(device);

        stopBrokerUnder(session);
        mosquitto().start();
        await().atMost(WAIT).until(session::isConnected);
        // the broker kept the session: it sends the unacknowledged ones again, then what is new
        RawMqttClient after = new RawMqttClient(broker(), "raw-control-after");
        after.subscribe(resultTopic);
        after.publish(controlTopic, controlFor("after-restart"));
        await().atMost(WAIT).until(() -> session.heldCount() > queued);
        device.addRoutes(controlsRoute());

        List<String> answered = new ArrayList<>();
        while (!answered.contains("after-restart")) {
            answered.add(JSON.readTree(after.next(WAIT).payload()).get("requestId").asText());
        }
        after.close();
        List<String> expected = awayThenAfterRestart(queued);
        int distinct = new HashSet<>(answered).size();
        new ReliabilityReport("controls held through a broker restart", expected.size(), distinct, 0, answered.size(),
                expected.size() - distinct, answered.size() - distinct, "persistent session and broker; " + queued
                + " held with no route, the broker restarted; answered in order: " + answered.equals(expected)).write();
        assertThat(answered).as("each once, in the order they first arrived").isEqualTo(expected);
    }

    /**
     * A listener that claims held messages while the broker is down takes the unacknowledged ones too; they cannot be
     * acknowledged on a connection that is gone, so the broker sends them again after the restart. Those copies must
     * not reach the listener a second time.
     */
    @Test
    void messagesClaimedWhileTheBrokerIsDownAreNotDeliveredAgainByItsResend() throws Exception {
        String controlTopic = "$IOTOS/device/endpoint/update/171/401/1963";
        int queued = 12;
        IotosSession session = onlySession(deviceHoldingControlsQueuedWhileAway(queued, DEFAULT_HOLD_MILLIS));

        stopBrokerUnder(session);
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        session.subscribe(controlTopic, 1, (topic, payload, qos, duplicate) -> delivered.add(requestIdOf(payload)));
        assertThat(delivered).as("the held messages, claimed while disconnected").hasSize(queued);

        mosquitto().start();
        await().atMost(WAIT).until(session::isConnected);
        // the broker sends what it still waits to have acknowledged before anything new
        try (RawMqttClient after = new RawMqttClient(broker(), "raw-claim-after")) {
            after.publish(controlTopic, controlFor("after-restart"));
        }
        await().atMost(WAIT).until(() -> delivered.contains("after-restart"));
        assertThat(delivered).as("each once, in the order they first arrived").isEqualTo(awayThenAfterRestart(queued));
    }

    @Test
    void messagesDroppedWhileTheBrokerIsDownAreNotHeldAgainWhenItResendsThem() throws Exception {
        String controlTopic = "$IOTOS/device/endpoint/update/171/401/1963";
        int queued = 12;
        IotosSession session = onlySession(deviceHoldingControlsQueuedWhileAway(queued, 3000));

        stopBrokerUnder(session);
        assertThat(session.metrics().snapshot()).as("still held when the broker went away")
                .containsEntry("messagesUnclaimed", 0L);
        // the hold time passes while disconnected: the first of them cannot be acknowledged as they are dropped
        await().atMost(WAIT).until(() -> session.metrics().snapshot().get("messagesUnclaimed") == queued);
        assertThat(session.isConnected()).isFalse();

        mosquitto().start();
        await().atMost(WAIT).until(session::isConnected);
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        session.subscribe(controlTopic, 1, (topic, payload, qos, duplicate) -> delivered.add(requestIdOf(payload)));
        // the broker sends what it still waits to have acknowledged before anything new
        try (RawMqttClient after = new RawMqttClient(broker(), "raw-drop-after")) {
            after.publish(controlTopic, controlFor("after-restart"));
        }
        await().atMost(WAIT).until(() -> delivered.contains("after-restart"));
        assertThat(delivered).as("the dropped ones' copies, given up too").containsExactly("after-restart");
        assertThat(session.heldCount()).isZero();
        assertThat(session.metrics().snapshot()).as("each dropped once").containsEntry("messagesUnclaimed", (long) queued);
    }

    /**
     * A persistent device that was away while {@code queued} controls were sent to it, started again with no route
     * for them: they are held, for {@code holdMillis}, the first of them unacknowledged.
     */
    private CamelContext deviceHoldingControlsQueuedWhileAway(int queued, long holdMillis) throws Exception {
        persistentDevice(true, DEFAULT_HOLD_MILLIS).stop();
        try (RawMqttClient away = new RawMqttClient(broker(), "raw-control-away")) {
            for (int i = 1; i <= queued; i++) {
                away.publish("$IOTOS/device/endpoint/update/171/401/1963", controlFor("away-" + i));
            }
        }
        CamelContext device = persistentDevice(false, holdMillis);
        IotosSession session = onlySession(device);
        await().atMost(WAIT).until(() -> session.heldCount() == queued);
        return device;
    }

    private void stopBrokerUnder(IotosSession session) throws Exception {
        platform.close();
        mosquitto().stop();
        await().atMost(WAIT).until(() -> !session.isConnected());
    }

    private static List<String> awayThenAfterRestart(int queued) {
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= queued; i++) {
            expected.add("away-" + i);
        }
        expected.add("after-restart");
        return expected;
    }

    private static String requestIdOf(byte[] payload) {
        try {
            return JSON.readTree(payload).get("requestId").asText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A started device with a persistent session, with or without a route for the controls of point 1963, holding
     * messages no route takes for {@code holdMillis}.
     */
    private CamelContext persistentDevice(boolean withControls, long holdMillis) throws Exception {
        return startUploader(config -> {
            config.setCleanSession(false);
            config.setUnclaimedHoldTime(holdMillis);
            config.setReconnectDelay(100);
            config.setMaxReconnectDelay(500);
        }, withControls ? new RouteBuilder[] { controlsRoute() } : new RouteBuilder[0]);
    }

    private static RouteBuilder controlsRoute() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("iotos:171/401/1963").routeId("controls").setBody(simple("ran ${body}"));
            }
        };
    }

    private static String controlFor(String requestId) {
        return "{\"id\":1963,\"value\":\"open\",\"requestId\":\"" + requestId + "\",\"requestTime\":1.5}";
    }

    @Test
    void uploadsBufferedByAKilledJvmAreSentAfterItsRestart(@TempDir Path store) throws Exception {
        int count = 50;
        String unreachable = "tcp://127.0.0.1:" + Ports.free();
        Child buffering = Child.start("buffer", unreachable, store, Integer.toString(count));
        buffering.awaitLine("BUFFERED " + count, WAIT);
        buffering.kill();
        Set<String> stored = storedRequestIds(store);
        assertThat(stored).as("stored at the crash").hasSize(count).isEqualTo(new HashSet<>(buffering.ids("SENT")));

        Child recovering = Child.start("recover", broker().url(), store);
        recovering.awaitLine("DRAINED", DRAIN);
        recovering.awaitExit();

        await().atMost(DRAIN).until(() -> new HashSet<>(received).containsAll(stored));
        ReliabilityReport report = ReliabilityReport.of("JVM killed with uploads buffered (broker unreachable)", count,
                stored, 0, new ArrayList<>(received), "SIGKILL, restart with persistence=file").write();
        assertThat(report.lost()).isZero();
    }

    @Test
    void uploadsOfAJvmKilledMidStreamAreNotLost(@TempDir Path store) throws Exception {
        Child streaming = Child.start("stream", broker().url(), store, "200");
        streaming.awaitCount("COMPLETED", 300, WAIT);
        streaming.kill();
        List<String> completed = streaming.ids("COMPLETED");
        Set<String> stored = storedRequestIds(store);
        Set<String> accepted = new HashSet<>(completed);
        accepted.addAll(stored);

        Child recovering = Child.start("recover", broker().url(), store);
        recovering.awaitLine("DRAINED", DRAIN);
        recovering.awaitExit();

        await().atMost(DRAIN).until(() -> new HashSet<>(received).containsAll(accepted));
        ReliabilityReport report = ReliabilityReport.of("JVM killed mid-stream", streaming.ids("SENT").size(),
                accepted, 0, new ArrayList<>(received),
                "SIGKILL after 300 completed; " + stored.size() + " stored at the crash, sent after restart").write();
        assertThat(report.lost()).isZero();
    }

    private Set<String> storedRequestIds(Path store) throws IOException {
        Set<String> ids = new HashSet<>();
        FilePublishStore files = new FilePublishStore(store, "device_171_401");
        try {
            for (FilePublishStore.Stored stored : files.recover()) {
                ids.add(codec.decodeUpload(stored.payload()).requestId());
            }
        } finally {
            // the restarted device takes the directory next
            files.close();
        }
        return ids;
    }

    /** A {@link CrashingDevice} in its own JVM, its stdout collected line by line. */
    private static final class Child {
        private final Process process;
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        private Child(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process died
                }
            }, "child-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    "-Dlog4j2.configurationFile=log4j2-child.properties",
                    CrashingDevice.class.getName()));
            for (Object arg : args) {
                command.add(arg.toString());
            }
            return new Child(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start());
        }

        static Child start(String mode, String url, Path store, String... more) throws IOException {
            List<String> args = new ArrayList<>(List.of(mode, url, store.toString()));
            args.addAll(List.of(more));
            return start(args.toArray(new String[0]));
        }

        void awaitLine(String line, Duration timeout) {
            await(line).atMost(timeout).until(() -> lines.contains(line) || !process.isAlive() && !lines.contains(line)
                    && failNoLine(line));
        }

        private boolean failNoLine(String line) {
            throw new AssertionError("child exited with " + process.exitValue() + " before printing " + line);
        }

        void awaitCount(String prefix, int count, Duration timeout) {
            await(count + " " + prefix).atMost(timeout).until(() -> ids(prefix).size() >= count);
        }

        List<String> ids(String prefix) {
            List<String> ids = new ArrayList<>();
            synchronized (lines) {
                for (String line : lines) {
                    if (line.startsWith(prefix + " ")) {
                        ids.add(line.substring(prefix.length() + 1));
                    }
                }
            }
            return ids;
        }

        /** SIGKILL: no shutdown hook, no flush, like a crash. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        void awaitExit() throws InterruptedException {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("child exits").isTrue();
        }
    }
}
