package io.cameliotos.component.iotos.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

import io.cameliotos.component.iotos.protocol.OfflineBufferFullException;
import io.cameliotos.component.iotos.protocol.OfflineBufferPolicy;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection, shared by everything a CamelContext does for one client ID.
 * <p>
 * IOTOS fixes the client ID per device, and a second connection with the same ID makes the broker drop the first,
 * so all producers and consumers of a device must share this one connection. The session:
 * <ul>
 * <li>connects in the background and reconnects with capped exponential backoff and jitter;</li>
 * <li>publishes asynchronously within an in-flight window, buffering (bounded, in order) while disconnected or while
 * the window is full, and re-sending publishes the connection lost;</li>
 * <li>multiplexes subscriptions to listeners and restores them after every reconnect;</li>
 * <li>correlates results to requests ({@link #correlator()}).</li>
 * </ul>
 * Futures returned here complete on the callback executor, never on the MQTT client's own threads.
 */
public final class IotosSession {

    private static final Logger LOG = LoggerFactory.getLogger(IotosSession.class);
    /** Tells each publish's caller once, whichever paths end it. */
    private static final AtomicIntegerFieldUpdater<PendingPublish> ENDED =
            AtomicIntegerFieldUpdater.newUpdater(PendingPublish.class, "ended");
    private static final AtomicIntegerFieldUpdater<PendingPublish> RELEASED =
            AtomicIntegerFieldUpdater.newUpdater(PendingPublish.class, "released");

    /** Stands for the connect attempt in {@link #onDisconnected} when an open connection was lost. */
    private static final long CONNECTION_LOST = -1;
    /** How long after the connection timeout an unanswered connect is ended; see {@link #watchConnect}. */
    private static final long CONNACK_GRACE_MILLIS = 1000;
    /** How long closing waits for what the client still has to send. */
    private static final long QUIESCE_MILLIS = 1000;
    /** The SUBACK return code of a refused subscription (MQTT 3.1.1 §3.9.3). */
    private static final int SUBSCRIPTION_FAILURE = 0x80;
    /** How many messages without a listener are held for one ({@link UnclaimedMessages}), and in bytes. */
    private static final int UNCLAIMED_CAPACITY = 1000;
    private static final long UNCLAIMED_MAX_BYTES = 16L * 1024 * 1024;
    /**
     * How many held messages a persistent session leaves unacknowledged, so that its broker sends them again if the
     * session closes first. Brokers give a client 10 to 20 messages in flight (Mosquitto 20): a few more held back
     * would stop every other delivery of the connection until they are claimed or given up, so the others are
     * acknowledged at once. Only QoS 1 ones: a QoS 2 message reaches the client after the broker heard it arrived
     * (PUBREC), and the broker then sends again only its release, which the next run's client cannot match.
     */
    private static final int UNACKNOWLEDGED_HOLD_LIMIT = 8;

    private final SessionSettings settings;
    private final ScheduledExecutorService scheduler;
    /** Completes publishes and results on the callback executor. */
    private final CompletionRelay completions;
    private final MqttAsyncClient client;
    private final MqttConnectOptions connectOptions;
    private final ResultCorrelator correlator;
    private final SessionMetrics metrics = new SessionMetrics();
    /** Lets a connection's socket send the packets of a burst together ({@link BufferedSocketFactory}). */
    private final SendBacklog backlog;
    /** Keeps accepted QoS 1/2 publishes on disk until acknowledged, or {@code null} for memory only. */
    private final FilePublishStore store;

    /**
     * Guards the queues, the subscription table and state changes. A publish holds it while handing the message to the
     * client, so acknowledgements must not wait for it: they only count down {@link #inflight} and take the lock when
     * {@link #waiting} says something is buffered.
     */
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<PendingPublish> queue = new ArrayDeque<>();
    /** Publishes the connection lost before completion; sent again, in their original order, before the queue. */
    private final PriorityQueue<PendingPublish> resend = new PriorityQueue<>();
    /**
     * QoS 0 publishes handed to the client and not yet reported, in the order handed over. The client keeps no record
     * of QoS 0 messages: those it still holds when the connection drops, and those whose report it drops with the
     * connection, are never reported, so the loss moves what is left here to {@link #resend}.
     */
    private final ConcurrentLinkedQueue<PendingPublish> unreportedQos0 = new ConcurrentLinkedQueue<>();
    /**
     * QoS 1 and 2 publishes of a persistent session that the lost connection failed: the client sends them again
     * itself after the reconnect, so they wait for its report, not in {@link #resend}.
     */
    private final Set<PendingPublish> heldByClient = ConcurrentHashMap.newKeySet();
    private final SubscriptionTable subscriptions;
    private final UnclaimedMessages unclaimed;
    /** Whether {@link #unclaimed} holds anything: read without the lock for every arriving message. */
    private volatile boolean holding;
    /** Whether {@link #unclaimed} expects a claimed message sent again: read without the lock for every resend. */
    private volatile boolean resendsDue;
    private ScheduledFuture<?> unclaimedExpiry;
    /** Counts connections; a message can be acknowledged only on the one it came on. Written under the lock. */
    private volatile int connection;
    private final AtomicLong sequence = new AtomicLong();
    private final CompletableFuture<Void> firstAttempt = new CompletableFuture<>();
    private final AtomicInteger inflight = new AtomicInteger();
    /** {@code queue.size() + resend.size()}, written under the lock after each change, read without it. */
    private volatile int waiting;
    /** Connect failures and short-lived connections since the last connection that held; sets the backoff. */
    private int failedAttempts;
    private long connectedAtNanos;
    /** Numbers the connect attempts, so that a late report of one is not taken for the next. Written under the lock. */
    private long connectAttempt;
    private ScheduledFuture<?> reconnectTask;

    private volatile SessionState state = SessionState.DISCONNECTED;
    private volatile Throwable lastError;

    IotosSession(SessionSettings settings, ScheduledExecutorService scheduler, Executor callbackExecutor) {
        this.settings = settings;
        this.scheduler = scheduler;
        // a persistent session keeps its broker subscriptions, so that the broker queues for a route while the
        // application is away; what arrives for a stopped route while connected is held for a while
        this.subscriptions = new SubscriptionTable(!settings.cleanSession());
        this.unclaimed = new UnclaimedMessages(UNCLAIMED_CAPACITY, UNCLAIMED_MAX_BYTES,
                TimeUnit.MILLISECONDS.toNanos(settings.unclaimedHoldMs()));
        this.completions = new CompletionRelay(callbackExecutor, scheduler);
        this.correlator = new ResultCorrelator(scheduler, completions);
        try {
            this.client = new MqttAsyncClient(settings.brokerUrl(), settings.clientId(), new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot create an MQTT client for " + settings.key() + ": "
                                               + e.getMessage(), e);
        }
        this.client.setCallback(new Callback());
        // a message no listener took yet is acknowledged once one has it (see UnclaimedMessages)
        this.client.setManualAcks(true);
        this.backlog = new SendBacklog(settings.maxInflight());
        this.connectOptions = connectOptions(settings, backlog);
        this.store = settings.persistenceDirectory() == null
                ? null : new FilePublishStore(settings.persistenceDirectory(), settings.clientId());
    }

    /** Puts the publishes a crashed or stopped earlier run left in the store first in line. */
    private void recoverStored() {
        if (store == null) {
            return;
        }
        try {
            var stored = store.recover();
            for (FilePublishStore.Stored s : stored) {
                PendingPublish p = new PendingPublish(s.sequence(), s.topic(), s.payload(), s.qos(), failure -> {
                    if (failure != null) {
                        LOG.warn("Recovered publish {} to {} failed: {}", s.sequence(), s.topic(), failure.getMessage());
                    }
                });
                p.stored = true;
                resend.add(p);
                sequence.accumulateAndGet(s.sequence(), Math::max);
            }
            updateWaiting();
            if (!stored.isEmpty()) {
                LOG.info("Session {} recovered {} unacknowledged publishes from {}; they are sent first",
                        settings.key(), stored.size(), store.directory());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the persistence directory " + store.directory(), e);
        }
    }

    static MqttConnectOptions connectOptions(SessionSettings settings, SendBacklog backlog) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(settings.cleanSession());
        options.setKeepAliveInterval(settings.keepAliveSeconds());
        options.setConnectionTimeout(settings.connectTimeoutSeconds());
        options.setMaxInflight(settings.maxInflight());
        // reconnects are ours: the client's own only start after a first success, and have no jitter
        options.setAutomaticReconnect(false);
        if (settings.username() != null) {
            options.setUserName(settings.username());
        }
        if (settings.password() != null) {
            options.setPassword(settings.password().toCharArray());
        }
        SocketFactory factory = settings.socketFactory();
        if (factory == null && hasScheme(settings.brokerUrl(), "tcp://")) {
            factory = new BufferedSocketFactory(settings.tcpNoDelay(), backlog);
        } else if (hasScheme(settings.brokerUrl(), "ssl://")
                   && (factory == null || factory instanceof SSLSocketFactory)) {
            factory = new CoalescingSslSocketFactory(
                    factory == null ? (SSLSocketFactory) SSLSocketFactory.getDefault() : (SSLSocketFactory) factory,
                    settings.tcpNoDelay(), backlog);
        }
        if (factory != null) {
            options.setSocketFactory(factory);
        }
        return options;
    }

    private static boolean hasScheme(String brokerUrl, String scheme) {
        return brokerUrl.regionMatches(true, 0, scheme, 0, scheme.length());
    }

    public SessionSettings settings() {
        return settings;
    }

    public SessionState state() {
        return state;
    }

    public boolean isConnected() {
        return state == SessionState.CONNECTED;
    }

    /** Why the session is not connected (the last connect failure or connection loss), or {@code null}. */
    public Throwable lastError() {
        return lastError;
    }

    public ResultCorrelator correlator() {
        return correlator;
    }

    public SessionMetrics metrics() {
        return metrics;
    }

    /** Publishes waiting in the buffer, not yet handed to the connection. */
    public int bufferedCount() {
        return waiting;
    }

    /** Called with the lock held after the queues changed. */
    private void updateWaiting() {
        waiting = queue.size() + resend.size();
    }

    /** Completes when the first connect attempt succeeded or failed; later attempts go on in the background. */
    public CompletableFuture<Void> firstAttempt() {
        return firstAttempt;
    }

    // ---------------------------------------------------------------- lifecycle

    void start() {
        LOG.debug("Starting session {}", settings);
        recoverStored();
        connect();
    }

    void close() {
        IllegalStateException closed;
        lock.lock();
        try {
            if (state == SessionState.CLOSED) {
                return;
            }
            state = SessionState.CLOSED;
            if (reconnectTask != null) {
                reconnectTask.cancel(false);
            }
            closed = new IllegalStateException("session " + settings.key() + " was closed");
            IllegalStateException closedStored = store == null ? closed
                    : new IllegalStateException(closed.getMessage() + "; the message stays in " + store.directory()
                                                + " and is sent when it next starts");
            failAll(queue, closed, closedStored);
            failAll(resend, closed, closedStored);
            for (PendingPublish p : heldByClient) {
                completeExceptionally(p, p.stored ? closedStored : closed);
            }
            heldByClient.clear();
            updateWaiting();
            if (unclaimedExpiry != null) {
                unclaimedExpiry.cancel(false);
            }
            unclaimed.clear().forEach(this::leaveUnclaimed);
            holding = false;
            resendsDue = false;
        } finally {
            lock.unlock();
        }
        firstAttempt.complete(null);
        // unsubscribed with the session, the results they wait for cannot arrive
        correlator.failAll(closed);
        disconnectAndClose();
        // a write the stalled connection still blocks may yet get through
        IllegalStateException unreported = new IllegalStateException(
                "session " + settings.key() + " was closed before the client reported the QoS 0 message written");
        failAll(unreportedQos0, unreported, unreported);
        if (store != null) {
            store.close();
        }
        LOG.info("Closed MQTT session {}", settings.key());
    }

    /**
     * Ends a connection that a connect attempt opened after the session was closed: left open, it would hold the
     * device's client ID at the broker. Not on this thread, the client's callback thread, which a disconnect waits for.
     */
    private void closeLateConnection() {
        try {
            scheduler.execute(() -> {
                disconnectAndClose();
                LOG.info("Closed the connection session {} opened while it was closing", settings.key());
            });
        } catch (RejectedExecutionException e) {
            // the component is stopping: end the connection without waiting for it
            try {
                client.disconnectForcibly(0, 0, false);
            } catch (MqttException e2) {
                LOG.debug("Disconnect of {} failed: {}", settings.key(), e2.getMessage());
            }
        }
    }

    private void disconnectAndClose() {
        try {
            if (client.isConnected()) {
                // the client's disconnect waits for acknowledgements only, and drops the QoS 0 messages it still holds
                awaitQos0Written(QUIESCE_MILLIS);
                client.disconnect(QUIESCE_MILLIS).waitForCompletion(2 * QUIESCE_MILLIS);
            }
        } catch (MqttException e) {
            LOG.debug("Disconnect of {} failed: {}", settings.key(), e.getMessage());
        }
        closeClient();
    }

    private void closeClient() {
        try {
            client.close(true);
        } catch (MqttException e) {
            // while a connect waits for its CONNACK the client refuses: the attempt's watchdog ends it, and
            // onConnected a connection that opens first
            LOG.debug("Close of {} failed: {}", settings.key(), e.getMessage());
        }
    }

    private void awaitQos0Written(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!unreportedQos0.isEmpty() && client.isConnected() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void connect() {
        long attempt;
        lock.lock();
        try {
            if (state == SessionState.CLOSED || state == SessionState.CONNECTED) {
                return;
            }
            state = SessionState.CONNECTING;
            reconnectTask = null;
            attempt = ++connectAttempt;
        } finally {
            lock.unlock();
        }
        String what = "connect to " + settings.brokerUrl() + " failed";
        try {
            client.connect(connectOptions, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    onConnected(token.getSessionPresent());
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    onDisconnected(e, what, attempt);
                }
            });
            watchConnect(attempt);
        } catch (MqttException e) {
            onDisconnected(e, what, attempt);
        }
    }

    /**
     * The client bounds opening the socket by the connection timeout, but then waits for the broker's CONNACK for
     * ever: a broker that hangs after accepting, or a load balancer with no live backend, would keep the session
     * connecting, buffering publishes it never sends, and the client would refuse to close. So an attempt still
     * unanswered a little after the timeout is ended here. Not sooner: the client cannot be stopped while it is still
     * starting its threads (its connect thread would wait for its sender for ever).
     */
    private void watchConnect(long attempt) {
        if (settings.connectTimeoutSeconds() == 0) {
            return;
        }
        try {
            scheduler.schedule(() -> abandonUnansweredConnect(attempt),
                    TimeUnit.SECONDS.toMillis(settings.connectTimeoutSeconds()) + CONNACK_GRACE_MILLIS,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the component is stopping
        }
    }

    private void abandonUnansweredConnect(long attempt) {
        boolean closed;
        lock.lock();
        try {
            closed = state == SessionState.CLOSED;
            if (attempt != connectAttempt || !closed && state != SessionState.CONNECTING) {
                return;
            }
        } finally {
            lock.unlock();
        }
        if (closed) {
            if (!client.isConnected()) {
                // closed while this attempt waited: the client refused to close then. Ending the connection stops its
                // threads; closing the client too could race a CONNACK its receiver is reading (the client's own bug)
                forceDisconnect();
            }
            return;
        }
        // reported first: the client fails the connect too as it ends it, with a reason that says less
        onDisconnected(new TimeoutException("no answer to the CONNECT within connectionTimeout="
                                            + settings.connectTimeoutSeconds() + " s"),
                "connect to " + settings.brokerUrl() + " failed", attempt);
        forceDisconnect();
    }

    private void forceDisconnect() {
        try {
            client.disconnectForcibly(0, 0, false);
        } catch (MqttException e) {
            LOG.debug("Disconnect of {} failed: {}", settings.key(), e.getMessage());
        }
    }

    private void onConnected(boolean sessionPresent) {
        Map<String, Integer> filters;
        boolean closedWhileConnecting;
        lock.lock();
        try {
            closedWhileConnecting = state == SessionState.CLOSED;
            // the client stops its callback thread without waiting for it, so this success may be reported after the
            // connection it opened was lost and a reconnect scheduled: taking it would leave the session "connected"
            // to nothing, refusing that reconnect
            if (closedWhileConnecting || state != SessionState.CONNECTING || !client.isConnected()) {
                filters = null;
            } else {
                state = SessionState.CONNECTED;
                connection++;
                unclaimed.connected(connection, sessionPresent);
                resendsDue = unclaimed.expectsResends();
                metrics.connects.increment();
                lastError = null;
                connectedAtNanos = System.nanoTime();
                filters = subscriptions.brokerFilters();
                // under the lock, so that no subscription change made meanwhile is undone by this older list
                subscribe(filters);
            }
        } finally {
            lock.unlock();
        }
        if (filters == null) {
            if (closedWhileConnecting) {
                // the client refused to close while it was connecting, and now holds a live connection
                closeLateConnection();
            }
            return;
        }
        LOG.info("Connected MQTT session {}", settings.key());
        drain();
        firstAttempt.complete(null);
    }

    /**
     * @param attempt the connect attempt that failed, or {@link #CONNECTION_LOST} when an open connection was lost
     */
    private void onDisconnected(Throwable cause, String what, long attempt) {
        long delay;
        boolean lost = false;
        lock.lock();
        try {
            if (state == SessionState.CLOSED || state == SessionState.DISCONNECTED
                || attempt != CONNECTION_LOST && attempt != connectAttempt) {
                // reported already, with its reconnect scheduled; or a late report of an earlier attempt
                return;
            }
            if (state == SessionState.CONNECTED) {
                lost = true;
                metrics.connectionLosses.increment();
                long heldNanos = System.nanoTime() - connectedAtNanos;
                if (heldNanos >= TimeUnit.MILLISECONDS.toNanos(settings.reconnectMaxDelayMs())) {
                    // only a connection that held counts as a success: one taken over by another client with this
                    // ID (or dropped by its broker) at once would otherwise be retried at the first delay for ever
                    failedAttempts = 0;
                }
            } else {
                metrics.connectFailures.increment();
            }
            state = SessionState.DISCONNECTED;
            lastError = cause;
            resendUnreportedQos0();
            delay = nextReconnectDelay(failedAttempts++);
            reconnectTask = scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        } finally {
            lock.unlock();
        }
        String reason = describe(cause);
        // every lost connection is told, a string of failed connects once
        if (lost || failedAttempts <= 1 || LOG.isDebugEnabled()) {
            LOG.warn("MQTT session {}: {}: {}; retrying in {} ms", settings.key(), what, reason, delay);
        }
        firstAttempt.complete(null);
    }

    /**
     * Called with the lock held when the client reports the connection lost. Its sender or callback thread may still
     * be finishing one report of that connection: such a publish ends then and is not sent again ({@link #drain()}
     * skips it), unless the report comes after the new send, when it arrives twice, as a QoS 1 publish may.
     */
    private void resendUnreportedQos0() {
        PendingPublish p;
        while ((p = unreportedQos0.poll()) != null) {
            p.releaseSlot();
            if (p.ended == 0) {
                resend.add(p);
            }
        }
        updateWaiting();
    }

    /** Capped exponential backoff with jitter (between half and all of the capped delay), so fleets do not sync up. */
    private long nextReconnectDelay(int attempt) {
        long max = settings.reconnectMaxDelayMs();
        long base = settings.reconnectInitialDelayMs() << Math.min(attempt, 30);
        long capped = base <= 0 || base > max ? max : base;
        return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    }

    /** A readable reason, naming the MQTT return code when the broker gave one. */
    public static String describe(Throwable cause) {
        if (cause instanceof MqttException me) {
            String text = me.getMessage() + " (MQTT reason code " + me.getReasonCode() + ")";
            // the client's text names only its reason code: an unknown host or an untrusted certificate is the cause
            Throwable root = me.getCause();
            while (root != null && root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return root == null ? text : text + ": " + root;
        }
        return cause == null ? "unknown" : String.valueOf(cause.getMessage());
    }

    // ---------------------------------------------------------------- publishing

    /**
     * Publishes asynchronously.
     *
     * @return completes when the broker accepted the message (QoS 1 and 2) or it was written (QoS 0); fails at once
     *         with {@link OfflineBufferFullException} when it can neither be sent nor buffered
     */
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        publish(topic, payload, qos, failure -> {
            if (failure == null) {
                future.complete(null);
            } else {
                future.completeExceptionally(failure);
            }
        });
        return future;
    }

    /**
     * Publishes asynchronously, without a future: the callback is told once, on the callback executor, when the
     * broker accepted the message (QoS 1 and 2) or it was written (QoS 0), or why it failed; for a busy producer this
     * spares the future and its stages per message.
     *
     * @return the publish, to take back while it still waits for the connection
     */
    public Publication publish(String topic, byte[] payload, int qos, PublishCallback callback) {
        PendingPublish p = new PendingPublish(sequence.incrementAndGet(), topic, payload, qos, callback);
        if (store != null && qos > 0) {
            try {
                store.save(p.sequence, topic, qos, payload);
                p.stored = true;
            } catch (IOException | RuntimeException e) {
                // never stored, so failing it leaves nothing behind in the store
                fail(p, new UncheckedIOException("cannot store the publish to " + topic + " in " + store.directory()
                                                 + ": " + e.getMessage(),
                        e instanceof IOException io ? io : new IOException(e)));
                return p;
            }
        }
        lock.lock();
        try {
            if (state == SessionState.CLOSED) {
                fail(p, new IllegalStateException("session " + settings.key() + " is closed"));
            } else if (state == SessionState.CONNECTED && waiting == 0 && inflight.get() < settings.maxInflight()) {
                send(p);
            } else if (waiting >= settings.offlineBufferSize()
                    && (settings.offlineBufferPolicy() == OfflineBufferPolicy.FAIL || queue.isEmpty())) {
                fail(p, bufferFull(topic, "refused"));
            } else {
                if (waiting >= settings.offlineBufferSize()) {
                    PendingPublish oldest = queue.poll();
                    fail(oldest, bufferFull(oldest.topic, "dropped to make room for a newer one"));
                }
                queue.add(p);
                updateWaiting();
                // an acknowledgement that freed the window just before this was buffered saw nothing waiting
                if (state == SessionState.CONNECTED && inflight.get() < settings.maxInflight()) {
                    drain();
                }
            }
        } finally {
            lock.unlock();
        }
        return p;
    }

    private boolean withdraw(PendingPublish p, Throwable reason) {
        lock.lock();
        try {
            if (p.sends > 0 || !queue.remove(p)) {
                return false;
            }
            updateWaiting();
        } finally {
            lock.unlock();
        }
        fail(p, reason);
        return true;
    }

    private OfflineBufferFullException bufferFull(String topic, String what) {
        return new OfflineBufferFullException("publish to " + topic + " " + what + ": session " + settings.key()
                                              + " is " + state + " and its buffer of " + settings.offlineBufferSize()
                                              + " messages is full (offlineBufferPolicy="
                                              + settings.offlineBufferPolicy() + ")");
    }

    /**
     * Sends while connected and the window has room. Called with the lock held.
     *
     * @return false if the client refused it for a connection problem and it went back to the buffer: Paho counts a
     *         dropped connection as gone before it reports the loss, so sending more now would only fail the same way
     */
    private boolean send(PendingPublish p) {
        p.takeSlot();
        if (p.qos == 0) {
            // before the hand-over: the client may report it written before publish() returns
            unreportedQos0.add(p);
        }
        try {
            MqttMessage message = new MqttMessage(p.payload);
            message.setQos(p.qos);
            client.publish(p.topic, message, p, publishListener);
            backlog.accepted();
            return true;
        } catch (MqttException | RuntimeException e) {
            // a RuntimeException is a topic or payload the client refuses (wildcards, too long): that publish fails
            p.releaseSlot();
            reported(p);
            if (isConnectionProblem(e)) {
                resend.add(p);
                updateWaiting();
                return false;
            }
            fail(p, e);
            return true;
        }
    }

    private void drain() {
        lock.lock();
        try {
            while (state == SessionState.CONNECTED && inflight.get() < settings.maxInflight()) {
                PendingPublish next = resend.isEmpty() ? queue.poll() : resend.poll();
                if (next == null) {
                    return;
                }
                updateWaiting();
                if (next.ended != 0) {
                    // reported done by the lost connection after all
                    continue;
                }
                if (!send(next)) {
                    // the connection is going: the reconnect drains the buffer
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private final IMqttActionListener publishListener = new IMqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
            PendingPublish p = (PendingPublish) token.getUserContext();
            reported(p);
            p.releaseSlot();
            if (!heldByClient.isEmpty()) {
                heldByClient.remove(p);
            }
            // counted once per publish: a publish sent again may be reported by its old token too
            if (p.end(null, true)) {
                metrics.published.increment();
            }
            // read after the decrement: a publish buffered meanwhile either sees the free slot or is seen here
            if (waiting > 0) {
                drain();
            }
        }

        @Override
        public void onFailure(IMqttToken token, Throwable e) {
            PendingPublish p = (PendingPublish) token.getUserContext();
            reported(p);
            boolean retry = isConnectionProblem(e);
            lock.lock();
            try {
                p.releaseSlot();
                if (retry && state != SessionState.CLOSED) {
                    if (!settings.cleanSession() && p.qos > 0) {
                        // a persistent session's client keeps it and sends it again itself after the reconnect,
                        // reporting on this token: sent by the session too, it would arrive twice
                        heldByClient.add(p);
                    } else {
                        // lost with the connection: send again after reconnect (at least once)
                        resend.add(p);
                        updateWaiting();
                    }
                }
            } finally {
                lock.unlock();
            }
            if (!retry) {
                fail(p, e);
            } else if (state == SessionState.CLOSED) {
                completeExceptionally(p, e);
            }
            drain();
        }
    };

    /** The client reports in the order handed over, so the publish is nearly always the queue's head. */
    private void reported(PendingPublish p) {
        if (p.qos == 0) {
            unreportedQos0.remove(p);
        }
    }

    private static boolean isConnectionProblem(Throwable e) {
        if (e instanceof MqttException me) {
            int code = me.getReasonCode();
            return code == MqttException.REASON_CODE_CONNECTION_LOST
                    || code == MqttException.REASON_CODE_CLIENT_NOT_CONNECTED
                    || code == MqttException.REASON_CODE_CLIENT_DISCONNECTING
                    || code == MqttException.REASON_CODE_MAX_INFLIGHT
                    || code == MqttException.REASON_CODE_CLIENT_TIMEOUT
                    // the client gave up a connection its sender could not write to for two keep-alive intervals
                    || code == MqttException.REASON_CODE_WRITE_TIMEOUT;
        }
        return false;
    }

    /** Fails a publish for good: it leaves the store too. */
    private void fail(PendingPublish p, Throwable e) {
        if (p.end(e, true)) {
            metrics.publishFailures.increment();
        }
    }

    /** Fails the caller's wait but keeps the publish stored, to be sent when the session next starts. */
    private void completeExceptionally(PendingPublish p, Throwable e) {
        p.end(e, false);
    }

    private void unstore(PendingPublish p) {
        if (p.stored) {
            try {
                store.remove(p.sequence);
            } catch (UncheckedIOException e) {
                LOG.warn("Could not remove delivered publish {} from {}: {}", p.sequence, store.directory(),
                        e.getMessage());
            }
        }
    }

    /** Fails what waits; only a stored publish is told it is kept (QoS 0 ones, say, never are). */
    private void failAll(java.util.Queue<PendingPublish> pending, Throwable cause, Throwable causeIfStored) {
        PendingPublish p;
        while ((p = pending.poll()) != null) {
            completeExceptionally(p, p.stored ? causeIfStored : cause);
        }
    }

    // ---------------------------------------------------------------- subscribing

    /**
     * Adds a listener for a topic filter; the broker subscription is shared with other listeners of this session
     * and restored after every reconnect. The listener first gets the held messages it matches, which arrived while
     * no listener had them.
     *
     * @return a handle whose {@link Subscription#ready()} completes once the broker acknowledged a covering
     *         subscription; close it to remove the listener (a clean session then unsubscribes at the broker, a
     *         persistent one keeps the subscription there)
     */
    public Subscription subscribe(String filter, int qos, MessageListener listener) {
        SubscriptionTable.Registration registration = new SubscriptionTable.Registration(filter, qos, listener);
        lock.lock();
        try {
            if (state == SessionState.CLOSED) {
                throw new IllegalStateException("session " + settings.key() + " is closed");
            }
            applyIfConnected(subscriptions.add(registration));
            if (holding) {
                deliverClaimed(registration);
            }
        } finally {
            lock.unlock();
        }
        return new Subscription(registration.ready(), () -> unsubscribe(registration));
    }

    /**
     * Gives a new listener the held messages it matches, under the lock: a message arriving meanwhile waits for the
     * lock ({@link #holding} is still set), so it cannot overtake them.
     */
    private void deliverClaimed(SubscriptionTable.Registration registration) {
        List<UnclaimedMessages.Message> claimed = unclaimed.claim(registration.filter);
        for (UnclaimedMessages.Message m : claimed) {
            try {
                // never refused: the registration is retired only after its removal, which waits for this lock
                registration.deliver(m.topic(), m.payload(), m.qos(), m.duplicate());
            } catch (RuntimeException e) {
                LOG.warn("Listener failed for message on {} at {}", m.topic(), settings.key(), e);
            }
            if (!acknowledge(m)) {
                expectResendOf(m);
            }
        }
        holding = !unclaimed.isEmpty();
        if (!claimed.isEmpty()) {
            LOG.info("Session {} gave {} message(s) that had arrived before any listener to the new subscription {}",
                    settings.key(), claimed.size(), registration.filter);
        }
    }

    /**
     * A message no listener took: held, unless a listener subscribed meanwhile.
     *
     * @return whether it is to be acknowledged later (when claimed or given up) or never (left to the broker)
     */
    private boolean dispatchOrHold(String topic, MqttMessage message) {
        lock.lock();
        try {
            if (message.isDuplicate() && resendsDue
                && unclaimed.takeResend(topic, message.getPayload(), message.getQos(), message.getId())) {
                resendsDue = unclaimed.expectsResends();
                LOG.debug("Message {} on {} at {} sent again was delivered or dropped already", message.getId(), topic,
                        settings.key());
                return false;
            }
            if (subscriptions.dispatch(topic, message.getPayload(), message.getQos(), message.isDuplicate()) > 0) {
                return false;
            }
            boolean acknowledgeLater = message.getQos() == 1 && !settings.cleanSession()
                                       && unclaimed.unacknowledged(connection) < UNACKNOWLEDGED_HOLD_LIMIT;
            UnclaimedMessages.Message heldAlready = message.isDuplicate() ? unclaimed.rebind(topic,
                    message.getPayload(), message.getQos(), message.getId(), connection, acknowledgeLater) : null;
            if (heldAlready != null) {
                // it keeps its place in line, ahead of what arrived after it, and is acknowledged when claimed if the
                // broker still waits for that
                return heldAlready.unacknowledged();
            }
            UnclaimedMessages.Message m = new UnclaimedMessages.Message(topic, message.getPayload(), message.getQos(),
                    message.isDuplicate(), message.getId(), connection, acknowledgeLater, System.nanoTime());
            if (state == SessionState.CLOSED) {
                leaveUnclaimed(m);
                return acknowledgeLater;
            }
            LOG.debug("Holding a message on {} at {} until a listener subscribes to it", topic, settings.key());
            // a dropped message is acknowledged as it goes, this one too
            unclaimed.hold(m).forEach(dropped -> dropUnclaimed(dropped, "more than " + UNCLAIMED_CAPACITY
                                                                        + " messages or " + UNCLAIMED_MAX_BYTES
                                                                        + " bytes were waiting for a listener"));
            holding = !unclaimed.isEmpty();
            scheduleUnclaimedExpiry();
            return acknowledgeLater;
        } finally {
            lock.unlock();
        }
    }

    /** Called with the lock held. */
    private void scheduleUnclaimedExpiry() {
        if (unclaimedExpiry != null || unclaimed.isEmpty()) {
            return;
        }
        try {
            unclaimedExpiry = scheduler.schedule(this::expireUnclaimed,
                    Math.max(0, unclaimed.nextExpiryNanos() - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the component is stopping, and the session closes with it
            LOG.debug("Cannot schedule the expiry of unclaimed messages of {}: {}", settings.key(), e.getMessage());
        }
    }

    private void expireUnclaimed() {
        lock.lock();
        try {
            unclaimedExpiry = null;
            unclaimed.expire(System.nanoTime()).forEach(m -> dropUnclaimed(m, "no listener subscribed to it within "
                                                                             + settings.unclaimedHoldMs()
                                                                             + " ms (unclaimedHoldTime)"));
            holding = !unclaimed.isEmpty();
            scheduleUnclaimedExpiry();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives up a held message for good: acknowledged, since the broker would otherwise send it again; if that cannot
     * be done now, the copy the broker sends is acknowledged and given up in its place.
     */
    private void dropUnclaimed(UnclaimedMessages.Message m, String why) {
        if (!acknowledge(m)) {
            expectResendOf(m);
        }
        metrics.messagesUnclaimed.increment();
        LOG.warn("Dropped a message on {} at {}: {}; payload: {}", m.topic(), settings.key(), why,
                Payloads.preview(m.payload()));
    }

    /** A held message the closing session cannot give to anyone: a persistent session's broker has it still. */
    private void leaveUnclaimed(UnclaimedMessages.Message m) {
        if (m.unacknowledged()) {
            LOG.info("Session {} closed before a listener took the message on {}; left unacknowledged, the broker "
                     + "sends it again when the session next connects", settings.key(), m.topic());
        } else {
            metrics.messagesUnclaimed.increment();
            LOG.warn("Dropped a message on {} at {}: the session closed before a listener subscribed to it; "
                     + "payload: {}", m.topic(), settings.key(), Payloads.preview(m.payload()));
        }
    }

    /**
     * A held message whose acknowledgement failed is sent again by the broker on a later connection than the one it
     * failed on: the next one if that was the current one (its loss not handled yet, or the session disconnected).
     * Called with the lock held.
     */
    private void expectResendOf(UnclaimedMessages.Message m) {
        boolean onThisConnection = state == SessionState.CONNECTED && m.connection() != connection;
        unclaimed.expectResend(m, onThisConnection ? connection : connection + 1);
        resendsDue = true;
    }

    /**
     * Acknowledges a held message the broker still waits on. Only while connected on its own connection: between the
     * client's reconnect and {@link #onConnected} the client is connected again, on a connection whose packet IDs
     * name other messages. Called with the lock held.
     *
     * @return false if it could not be, its connection being gone: a persistent session's broker sends it again
     */
    private boolean acknowledge(UnclaimedMessages.Message m) {
        return !m.unacknowledged()
               || state == SessionState.CONNECTED && m.connection() == connection && acknowledge(m.messageId(), m.qos());
    }

    private boolean acknowledge(int messageId, int qos) {
        if (qos == 0) {
            return true;
        }
        if (!client.isConnected()) {
            // the client would keep the acknowledgement for the next connection, where it stalled the connect; the
            // broker sends the message again instead. A drop between this check and the call is not caught.
            return false;
        }
        try {
            client.messageArrivedComplete(messageId, qos);
            return true;
        } catch (MqttException e) {
            LOG.debug("Acknowledgement of message {} on {} failed: {}", messageId, settings.key(), e.getMessage());
            return false;
        }
    }

    /** Messages received with no listener for them, held in case one subscribes soon. */
    public int heldCount() {
        lock.lock();
        try {
            return unclaimed.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes a listener; once this returns, it gets no more messages, not even from a dispatch that began before
     * the removal (a message that dispatch then finds no other listener for is held, as if it had arrived after).
     */
    private void unsubscribe(SubscriptionTable.Registration registration) {
        lock.lock();
        try {
            if (state != SessionState.CLOSED) {
                applyIfConnected(subscriptions.remove(registration));
            }
        } finally {
            lock.unlock();
        }
        registration.retire();
    }

    /**
     * Sends a table change to the broker. Called under the lock: changes from two endpoints sharing a filter then
     * reach the client in the order the table made them, and a subscribe can never be overtaken by the unsubscribe
     * that preceded it. The client only queues these requests, so holding the lock is brief.
     */
    private void applyIfConnected(SubscriptionTable.Change change) {
        if (state == SessionState.CONNECTED) {
            apply(change);
        }
    }

    private void apply(SubscriptionTable.Change change) {
        subscribe(change.subscribe());
        for (String filter : change.unsubscribe()) {
            try {
                client.unsubscribe(filter);
            } catch (MqttException e) {
                LOG.debug("Unsubscribe {} on {} failed: {}", filter, settings.key(), e.getMessage());
            }
        }
    }

    private void subscribe(Map<String, Integer> filters) {
        filters.forEach((filter, qos) -> {
            try {
                client.subscribe(filter, qos, null, new IMqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                        int[] granted = token.getGrantedQos();
                        boolean refused = granted != null && granted.length > 0 && granted[0] == SUBSCRIPTION_FAILURE;
                        if (refused) {
                            LOG.warn("Broker refused subscription {} for {}", filter, settings.key());
                        }
                        lock.lock();
                        try {
                            if (refused) {
                                applyIfConnected(subscriptions.refused(filter, new SubscriptionRefusedException(
                                        "broker " + settings.brokerUrl() + " refused the subscription " + filter
                                        + " of client " + settings.clientId()
                                        + " (SUBACK 0x80): is the account allowed to read it?")));
                            } else {
                                subscriptions.acknowledged(filter);
                            }
                        } finally {
                            lock.unlock();
                        }
                    }

                    @Override
                    public void onFailure(IMqttToken token, Throwable e) {
                        LOG.warn("Subscription {} for {} failed: {}", filter, settings.key(), describe(e));
                    }
                });
            } catch (MqttException e) {
                LOG.warn("Subscription {} for {} failed: {}", filter, settings.key(), describe(e));
            }
        });
    }

    // ---------------------------------------------------------------- callbacks

    private final class Callback implements MqttCallbackExtended {
        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            // handled by the connect action listener
        }

        @Override
        public void connectionLost(Throwable cause) {
            onDisconnected(cause, "connection lost", CONNECTION_LOST);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            boolean acknowledgeLater = false;
            try {
                // while messages are held, this one takes the lock too, so that held ones reach a new listener first;
                // so does a copy that may be of one claimed already, which a claim running meanwhile may record
                boolean underLock = holding || message.isDuplicate() && resendsDue;
                acknowledgeLater = (underLock || subscriptions.dispatch(topic, message.getPayload(), message.getQos(),
                        message.isDuplicate()) == 0)
                       && dispatchOrHold(topic, message);
            } catch (RuntimeException e) {
                // a listener's failure must never reach the client, which would drop the connection
                LOG.warn("Listener failed for message on {} at {}", topic, settings.key(), e);
            }
            if (!acknowledgeLater) {
                // a listener has it: from here on, losing it is the listener's business, as without manual acks
                acknowledge(message.getId(), message.getQos());
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // completion is reported per publish through its action listener
        }
    }

    /** A publish until it ends; then also the task that tells its caller, run by the relay. */
    private final class PendingPublish implements Comparable<PendingPublish>, Runnable, Publication {
        final long sequence;
        final String topic;
        final byte[] payload;
        final int qos;
        final PublishCallback callback;
        boolean stored;
        private Throwable failure;
        private boolean forget;
        /** 1 once ended: a publish the closing session fails may also be failed by a connection loss racing it. */
        volatile int ended;
        /** Times handed to the client; written under the session's lock. */
        volatile int sends;
        /** In-flight slots given back; one per send, however many callbacks its tokens bring. */
        volatile int released;

        PendingPublish(long sequence, String topic, byte[] payload, int qos, PublishCallback callback) {
            this.sequence = sequence;
            this.topic = topic;
            this.payload = payload;
            this.qos = qos;
            this.callback = callback;
        }

        /** Takes an in-flight slot for a send; called with the session's lock held. */
        void takeSlot() {
            inflight.incrementAndGet();
            sends++;
        }

        /**
         * Gives back the in-flight slot of one send. A publish re-sent after a lost connection has a token per send,
         * and the client may report the old one too (failed with the connection, then acknowledged once the client
         * re-sent its own copy): without the bound each such report would widen the window for good.
         */
        void releaseSlot() {
            int r;
            while ((r = released) < sends) {
                if (RELEASED.compareAndSet(this, r, r + 1)) {
                    inflight.decrementAndGet();
                    return;
                }
            }
        }

        /**
         * Tells the caller on the callback executor.
         *
         * @param forget whether the publish also leaves the store: false keeps it for the session's next start
         * @return whether this ended it: false if it had ended already
         */
        boolean end(Throwable failure, boolean forget) {
            if (ENDED.compareAndSet(this, 0, 1)) {
                this.failure = failure;
                this.forget = forget;
                completions.execute(this);
                return true;
            }
            return false;
        }

        @Override
        public void run() {
            if (forget) {
                unstore(this);
            }
            callback.published(failure);
        }

        @Override
        public boolean withdraw(Throwable reason) {
            return IotosSession.this.withdraw(this, reason);
        }

        @Override
        public int compareTo(PendingPublish other) {
            return Long.compare(sequence, other.sequence);
        }
    }

    @Override
    public String toString() {
        return "IotosSession[" + settings.key() + ", " + state + "]";
    }
}
