package io.cameliotos.component.iotos.session;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.cameliotos.component.iotos.protocol.OfflineBufferPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SessionRegistryTest {

    /** Nothing listens there: sessions start, try to connect in the background, and close. */
    private static final String NO_BROKER = "tcp://127.0.0.1:1";

    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
    private final ExecutorService callbacks = Executors.newCachedThreadPool();
    /** Threads of the test's own: the common pool may have one thread only, and a blocked task would hold it. */
    private final ExecutorService tasks = Executors.newCachedThreadPool();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final CountDownLatch closingEntered = new CountDownLatch(1);
    private final CountDownLatch finishClosing = new CountDownLatch(1);

    private final SessionRegistry registry = new SessionRegistry(scheduler, callbacks, new SessionRegistry.Listener() {
        @Override
        public void opened(IotosSession session) {
            events.add("opened " + name(session));
        }

        @Override
        public void closed(IotosSession session) {
            closingEntered.countDown();
            try {
                // stands for a close that takes a while, as one waiting for the client does
                finishClosing.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            events.add("closed " + name(session));
        }
    });

    @AfterEach
    void stop() {
        finishClosing.countDown();
        registry.closeAll();
        scheduler.shutdownNow();
        callbacks.shutdownNow();
        tasks.shutdownNow();
    }

    private static String name(IotosSession session) {
        return session.settings().clientId() + "#" + Integer.toHexString(System.identityHashCode(session));
    }

    private static SessionSettings settings(String clientId) {
        return settings(clientId, null);
    }

    private static SessionSettings settings(String clientId, Path persistenceDirectory) {
        return new SessionSettings(NO_BROKER, clientId, null, null, true, 60, 1, 10, 100, OfflineBufferPolicy.FAIL,
                1000, 1000, false, null, persistenceDirectory, 60_000);
    }

    @Test
    void aSessionForAKeyOpensOnlyAfterThePreviousOneOfThatKeyClosed() throws Exception {
        IotosSession first = registry.acquire(settings("device_1_2"));
        CompletableFuture<Void> released = CompletableFuture.runAsync(() -> registry.release(first), tasks);
        assertThat(closingEntered.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<IotosSession> second = new CompletableFuture<>();
        Thread acquirer = new Thread(() -> second.complete(registry.acquire(settings("device_1_2"))));
        acquirer.start();
        IotosSession otherKey = CompletableFuture.supplyAsync(() -> registry.acquire(settings("device_1_3")), tasks)
                .get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> second.isDone() || acquirer.getState() == Thread.State.WAITING);
        assertThat(second).as("the same key waits while its session closes").isNotDone();

        finishClosing.countDown();
        IotosSession reopened = second.get(10, TimeUnit.SECONDS);
        released.get(10, TimeUnit.SECONDS);

        assertThat(reopened).isNotSameAs(first);
        assertThat(events).containsExactly("opened " + name(first), "opened " + name(otherKey),
                "closed " + name(first), "opened " + name(reopened));
    }

    @Test
    void closeAllClosesEverySessionEvenWhenClosingOneFails() throws Exception {
        List<IotosSession> closed = new CopyOnWriteArrayList<>();
        SessionRegistry failing = new SessionRegistry(scheduler, callbacks, new SessionRegistry.Listener() {
            @Override
            public void opened(IotosSession session) {
            }

            @Override
            public void closed(IotosSession session) {
                closed.add(session);
                throw new IllegalStateException("listener of " + session.settings().clientId() + " failed");
            }
        });
        IotosSession first = failing.acquire(settings("device_1_2"));
        IotosSession second = failing.acquire(settings("device_1_3"));

        org.assertj.core.api.Assertions.assertThatThrownBy(failing::closeAll)
                .isInstanceOf(IllegalStateException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));

        assertThat(closed).containsExactlyInAnyOrder(first, second);
        assertThat(first.state()).isEqualTo(SessionState.CLOSED);
        assertThat(second.state()).isEqualTo(SessionState.CLOSED);
        IotosSession again = CompletableFuture.supplyAsync(() -> failing.acquire(settings("device_1_3")), tasks)
                .get(5, TimeUnit.SECONDS);
        assertThat(again).as("no key is left closing").isNotSameAs(second);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> failing.release(again)).hasMessageContaining("device_1_3");
        assertThat(again.state()).isEqualTo(SessionState.CLOSED);
    }

    @Test
    void aSessionThatFailedToStartIsNotHandedToTheNextUser(@TempDir Path base) throws Exception {
        finishClosing.countDown();
        // a stored publish that cannot be read, and cannot be set aside either: recovering the store fails
        Path store = base.resolve("device_1_2");
        Files.createDirectories(store.resolve("7.msg"));
        Path blocker = Files.createDirectories(store.resolve("7.msg.bad"));
        Files.writeString(blocker.resolve("keep"), "x");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> registry.acquire(settings("device_1_2", base)))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(store.toString());
        assertThat(registry.sessions()).as("the failed session is not registered").isEmpty();
        assertThat(events).hasSize(2);
        assertThat(events.get(1)).as("the listener is told it closed, as it was told it opened")
                .isEqualTo("closed" + events.get(0).substring("opened".length()));

        Files.delete(blocker.resolve("keep"));
        Files.delete(blocker);
        IotosSession next = registry.acquire(settings("device_1_2", base));
        assertThat(next.state()).isNotEqualTo(SessionState.CLOSED);
        assertThat(events).hasSize(3);
        assertThat(events.get(2)).as("a session of its own").isNotEqualTo(events.get(0)).startsWith("opened device_1_2#");
    }

    @Test
    void closingTellsOnlyTheStoredPublishesThatTheyAreKept(@TempDir Path base) throws Exception {
        finishClosing.countDown();
        IotosSession session = registry.acquire(settings("device_1_3", base));
        CompletableFuture<Void> qos0 = session.publish("closing/test", new byte[] { 0 }, 0);
        CompletableFuture<Void> qos1 = session.publish("closing/test", new byte[] { 1 }, 1);

        registry.release(session);

        assertThat(failureOf(qos1)).hasMessageContaining("was closed; the message stays in " + base);
        assertThat(failureOf(qos0)).hasMessageContaining("was closed").hasMessageNotContaining("stays in");
    }

    private static Throwable failureOf(CompletableFuture<Void> publish) throws Exception {
        return publish.handle((ok, error) -> error).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aConnectFailureNamesItsCauseNotOnlyTheClientsReasonCode() {
        org.eclipse.paho.client.mqttv3.MqttException failure = new org.eclipse.paho.client.mqttv3.MqttException(
                new java.io.IOException("wrapped", new java.net.UnknownHostException("no-such-host.invalid")));

        assertThat(IotosSession.describe(failure)).contains("MQTT reason code 0")
                .endsWith("java.net.UnknownHostException: no-such-host.invalid");
    }

    /** One client ID on two brokers is two connections: with FILE persistence they must not share the files. */
    @Test
    void aSecondConnectionWithTheClientIdOfAStoredOneIsRefusedItsDirectory(@TempDir Path base) throws Exception {
        finishClosing.countDown();
        IotosSession first = registry.acquire(settings("device_1_4", base));
        SessionSettings otherBroker = new SessionSettings("tcp://localhost:1", "device_1_4", null, null, true, 60, 1, 10,
                100, OfflineBufferPolicy.FAIL, 1000, 1000, false, null, base, 60_000);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> registry.acquire(otherBroker))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is in use by another connection (client ID device_1_4 on another broker");
        registry.release(first);
        registry.release(registry.acquire(otherBroker));
    }
}
