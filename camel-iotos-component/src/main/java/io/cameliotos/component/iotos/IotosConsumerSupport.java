package io.cameliotos.component.iotos;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.cameliotos.component.iotos.protocol.IotosCodec;
import io.cameliotos.component.iotos.protocol.IotosTopic;
import io.cameliotos.component.iotos.protocol.ResponseCodes;
import io.cameliotos.component.iotos.session.IotosSession;
import io.cameliotos.component.iotos.session.Payloads;
import io.cameliotos.component.iotos.session.SerialLanes;
import io.cameliotos.component.iotos.session.Subscription;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Processor;
import org.apache.camel.ShutdownRunningTask;
import org.apache.camel.Suspendable;
import org.apache.camel.spi.ShutdownAware;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both roles' consumers share: one subscription on the endpoint's session, messages handed off the MQTT
 * client's thread and processed in arrival order per topic, oversized and malformed input rejected without ever
 * stopping the consumer, and replies published when the exchange completes.
 * <p>
 * Stopping is graceful: Camel's shutdown strategy first suspends the consumer, which takes its subscription away (a
 * persistent session keeps the filter at the broker), then waits until every message it had received has run and its
 * answer has gone out (they count as pending), and only then stops it, giving the session back. A message handed to
 * the consumer is acknowledged to the broker then, so dropping it would lose it.
 */
abstract class IotosConsumerSupport extends DefaultConsumer implements Suspendable, ShutdownAware {

    private static final Logger LOG = LoggerFactory.getLogger(IotosConsumerSupport.class);
    /** How much of an oversized payload is searched for a request ID to answer; the rest is never read. */
    private static final int OVERSIZED_SCAN_BYTES = 4096;
    /** How far a failure's causes are searched: a cause chain can loop. */
    private static final int MAX_CAUSES = 32;

    protected final IotosEndpoint endpoint;
    protected final IotosConfiguration configuration;
    protected final IotosCodec codec;
    protected IotosSession session;
    /** Whether this consumer still has its share of the session: given back once. */
    private boolean sessionHeld;
    /** Answers handed to the session and not yet sent. */
    private final AtomicInteger unsentAnswers = new AtomicInteger();
    private Subscription subscription;
    private ExecutorService executor;
    /** One lane per topic as parsed, so that one point's controls run in turn however its IDs were written. */
    private SerialLanes<IotosTopic> lanes;

    IotosConsumerSupport(IotosEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.configuration = endpoint.getConfiguration();
        this.codec = endpoint.codec();
    }

    /** The MQTT filter this consumer subscribes to. */
    protected abstract IotosTopic filter();

    /**
     * Handles one message in its lane; must call {@code done} exactly once, when the message is finished with.
     */
    protected abstract void handle(String topicName, IotosTopic topic, byte[] payload, Runnable done);

    /**
     * Answers a request that cannot be processed, if the protocol has a reply for it.
     *
     * @param payload the request, to echo what it says; {@code null} where it must not be read (too large)
     */
    protected abstract void reject(IotosTopic topic, byte[] payload, String requestId, int code, String description);

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        // Up to `threads` lanes run at once, the others wait in the pool's queue: a full pool must never make the MQTT
        // client's thread run a route (Camel's default for a full pool). A queue-backed pool never grows past its core
        // size, so the core size is the parallelism; idle threads go away.
        ThreadPoolProfile profile = new ThreadPoolProfile("IotosConsumer");
        int threads = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
        profile.setPoolSize(threads);
        profile.setMaxPoolSize(threads);
        profile.setAllowCoreThreadTimeOut(true);
        profile.setMaxQueueSize(Integer.MAX_VALUE);
        executor = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newThreadPool(this, "IotosConsumer[" + filter().toFilter() + "]", profile);
        lanes = new SerialLanes<>(executor);
        session = endpoint.acquireSession();
        sessionHeld = true;
        subscribe();
    }

    private void subscribe() {
        String group = configuration.getSharedGroup();
        String filter = group == null ? filter().toFilter() : "$share/" + group + "/" + filter().toFilter();
        subscription = session.subscribe(filter, configuration.getQos(), this::onMessage);
        endpoint.awaitSubscribed(session, subscription);
    }

    private void unsubscribe() {
        if (subscription != null) {
            subscription.close();
            subscription = null;
        }
    }

    /** Takes no new messages; those already received still run and are answered. */
    @Override
    protected void doSuspend() {
        unsubscribe();
    }

    @Override
    protected void doResume() throws Exception {
        try {
            subscribe();
        } catch (RuntimeException e) {
            // Camel regards a consumer whose resume failed as stopped and never stops it: give back what it holds
            release();
            throw e;
        }
    }

    @Override
    protected void doStop() throws Exception {
        release();
        super.doStop();
    }

    /** Everything stopping does but Camel's own part; once only, however often it is called. */
    private void release() throws InterruptedException {
        unsubscribe();
        // Camel's shutdown waited for the pending messages; what is still queued now (a stop that timed out, or one
        // without the shutdown strategy) is answered as not executed, while the session can carry the answers
        if (lanes != null) {
            lanes.close();
        }
        if (executor != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownGraceful(executor);
            executor = null;
        }
        awaitAnswersSent();
        // the reference stays: late completions then meet a closed session, which fails them cleanly
        if (sessionHeld) {
            sessionHeld = false;
            endpoint.releaseSession(session);
        }
    }

    /**
     * Gives answers the session still holds (e.g. while reconnecting) up to {@code connectionTimeout} to go out: the
     * session may close with this consumer, and with it what it holds. Not part of the pending count, which would
     * hold a suspend, too, for as long as the broker is away.
     */
    private void awaitAnswersSent() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(configuration.getConnectionTimeout());
        synchronized (unsentAnswers) {
            long left;
            while (unsentAnswers.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(unsentAnswers, left);
            }
        }
    }

    @Override
    public boolean deferShutdown(ShutdownRunningTask shutdownRunningTask) {
        // suspending is enough to take no new messages; the strategy then waits for the pending ones
        return false;
    }

    /** Messages received and not yet finished, including those waiting for their lane. */
    @Override
    public int getPendingExchangesSize() {
        SerialLanes<IotosTopic> current = lanes;
        return current == null ? 0 : current.unfinished();
    }

    @Override
    public void prepareShutdown(boolean suspendOnly, boolean forced) {
        // nothing to prepare: suspending already stopped new messages
    }

    /** Called on the MQTT client's thread: checks cheaply, then hands off. */
    private void onMessage(String topicName, byte[] payload, int qos, boolean duplicate) {
        IotosTopic topic;
        try {
            topic = IotosTopic.parse(topicName);
        } catch (IllegalArgumentException e) {
            LOG.warn("Ignoring message on unexpected topic {}: {}", topicName, e.getMessage());
            return;
        }
        if (payload.length > configuration.getMaxPayloadSize()) {
            byte[] head = Arrays.copyOf(payload, Math.min(payload.length, OVERSIZED_SCAN_BYTES));
            String requestId = codec.findRequestId(head);
            LOG.warn("Rejected {} bytes on {} unparsed: larger than maxPayloadSize {}{}", payload.length, topicName,
                    configuration.getMaxPayloadSize(), requestId == null ? "" : " (request " + requestId + ")");
            refusedUnread();
            if (requestId != null) {
                reject(topic, null, requestId, ResponseCodes.PAYLOAD_TOO_LARGE,
                        "payload of " + payload.length + " bytes exceeds " + configuration.getMaxPayloadSize());
            }
            return;
        }
        lanes.submit(topic, new SerialLanes.Task() {
            @Override
            public void run(Runnable done) {
                try {
                    handle(topicName, topic, payload, done);
                } catch (RuntimeException e) {
                    LOG.warn("Failed to handle message on {}: {}; payload: {}", topicName, e.getMessage(),
                            Payloads.preview(payload), e);
                    done.run();
                }
            }

            @Override
            public void abandon() {
                abandoned(topicName, topic, payload);
            }
        });
    }

    /** A message received but never run, because the consumer stopped first: answered, so the sender knows. */
    private void abandoned(String topicName, IotosTopic topic, byte[] payload) {
        String requestId = codec.findRequestId(payload);
        LOG.warn("Not handled: the consumer stopped before the message on {}{} had its turn", topicName,
                requestId == null ? "" : " (request " + requestId + ")");
        if (requestId != null && !answeredBefore(topicName, topic, requestId)) {
            reject(topic, payload, requestId, ResponseCodes.UNAVAILABLE, "the route stopped before this request had its turn; "
                                                                + "not executed");
        }
    }

    /**
     * Whether a repeat of this request ran, or runs, already: then it gets that answer, or none, never a "not
     * executed" that contradicts it.
     */
    protected boolean answeredBefore(String topicName, IotosTopic topic, String requestId) {
        return false;
    }

    /** Counts a message refused unread, as too large, in the session's metrics of what this consumer takes. */
    protected void refusedUnread() {
        // uploads have no counter of their own for it: the warning is all
    }

    /** Logs an unreadable request once, with a cut payload. */
    protected void logInvalid(String topicName, String reason, byte[] payload) {
        LOG.warn("Rejected invalid message on {}: {}; payload: {}", topicName, reason, Payloads.preview(payload));
    }

    /**
     * Runs the route for an InOut exchange, then calls {@code onComplete} (the reply) and {@code done}. Failures are
     * answered by the reply when autoReply is on, else reported to the exception handler.
     */
    protected void run(Exchange exchange, Consumer<Exchange> onComplete, Runnable done) {
        exchange.setPattern(ExchangePattern.InOut);
        getAsyncProcessor().process(exchange, doneSync -> {
            try {
                if (configuration.isAutoReply()) {
                    onComplete.accept(exchange);
                } else if (exchange.getException() != null) {
                    getExceptionHandler().handleException("Error processing " + exchange.getMessage()
                            .getHeader(IotosConstants.TOPIC), exchange, exchange.getException());
                }
            } catch (RuntimeException e) {
                getExceptionHandler().handleException("Failed to reply", exchange, e);
            } finally {
                releaseExchange(exchange, false);
                done.run();
            }
        });
    }

    /** The outcome of a completed exchange as a response code and description. */
    protected static int responseCode(Exchange exchange) {
        IotosResponseException response = responseException(exchange);
        if (response != null) {
            return response.getResponseCode();
        }
        if (exchange.getException() != null) {
            return ResponseCodes.INTERNAL_ERROR;
        }
        Object code = exchange.getMessage().getHeader(IotosConstants.RESPONSE_CODE);
        if (code == null) {
            return ResponseCodes.OK;
        }
        Integer given = integer(code);
        return given != null ? given : ResponseCodes.INTERNAL_ERROR;
    }

    /** A code the route set, as a number or its text; {@code null} if it is neither. */
    private static Integer integer(Object code) {
        if (code instanceof Number n) {
            return n.intValue();
        }
        try {
            return Integer.valueOf(code.toString().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The outermost {@link IotosResponseException} of the failure's causes: Camel wraps a route's exception on some
     * paths (a split that stops on an exception, a template called from a processor), and a route that throws one of
     * its own around another's (a timed-out upload) means its own. Camel's own look-up starts at the innermost cause.
     */
    private static IotosResponseException responseException(Exchange exchange) {
        Throwable failure = exchange.getException();
        for (int depth = 0; failure != null && depth < MAX_CAUSES; depth++, failure = failure.getCause()) {
            if (failure instanceof IotosResponseException response) {
                return response;
            }
        }
        return null;
    }

    protected static String responseDesc(Exchange exchange, int code) {
        IotosResponseException response = responseException(exchange);
        if (response != null) {
            return response.getResponseDesc();
        }
        Exception failure = exchange.getException();
        if (failure != null) {
            return failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
        }
        Object givenCode = exchange.getMessage().getHeader(IotosConstants.RESPONSE_CODE);
        if (givenCode != null && integer(givenCode) == null) {
            // answered all the same: unanswered, the control would look to the platform as never received
            return "the route set " + IotosConstants.RESPONSE_CODE + " to '" + givenCode + "', not an integer";
        }
        String desc = exchange.getMessage().getHeader(IotosConstants.RESPONSE_DESC, String.class);
        if (desc != null && !IotosHeaders.isStaleResponseDesc(exchange.getMessage(), desc, givenCode)) {
            return desc;
        }
        return code == ResponseCodes.OK
                ? ResponseCodes.OK_DESC : "FAILED";
    }

    /** Publishes a result; a failure to publish is logged, since nobody else is waiting for it. */
    protected void publishResult(IotosTopic resultTopic, byte[] payload, String requestId) {
        String topicName = resultTopic.toTopicName();
        unsentAnswers.incrementAndGet();
        CompletableFuture<Void> sent;
        try {
            sent = session.publish(topicName, payload, configuration.getQos());
        } catch (RuntimeException e) {
            answerEnded();
            throw e;
        }
        sent.whenComplete((v, e) -> {
            answerEnded();
            if (e != null) {
                LOG.warn("Could not publish result for request {} to {}: {}", requestId, topicName, e.getMessage());
            }
        });
    }

    private void answerEnded() {
        synchronized (unsentAnswers) {
            unsentAnswers.decrementAndGet();
            unsentAnswers.notifyAll();
        }
    }
}
