package io.cameliotos.component.iotos;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import io.cameliotos.component.iotos.protocol.IotosTopic;
import io.cameliotos.component.iotos.protocol.PointResult;
import io.cameliotos.component.iotos.protocol.ResponseCodes;
import io.cameliotos.component.iotos.session.IotosSession;
import io.cameliotos.component.iotos.session.Publication;
import io.cameliotos.component.iotos.session.PublishCallback;
import io.cameliotos.component.iotos.session.ResultListener;
import io.cameliotos.component.iotos.session.Subscription;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultAsyncProducer;

/**
 * What both roles' producers share: a session for their lifetime, an optional subscription for the results they wait
 * for, and asynchronous publish-then-await with failures mapped to {@link IotosResponseException}.
 */
abstract class IotosProducerSupport extends DefaultAsyncProducer {

    /**
     * How long a stopping producer waits for the results of what it sent (at most ackTimeout): a platform answers
     * within milliseconds, and one that does not must not hold up the stop for the whole ackTimeout.
     */
    private static final long STOP_RESULTS_GRACE_MILLIS = 2000;
    /** Stands for a publish the broker accepted: there is nothing to take back. */
    private static final Publication SENT = reason -> false;

    protected final IotosEndpoint endpoint;
    protected final IotosConfiguration configuration;
    protected IotosSession session;
    private Subscription results;
    /** Sends of this producer still waiting for their results: stopping waits for them before it unsubscribes. */
    private int awaiting;

    IotosProducerSupport(IotosEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
        this.configuration = endpoint.getConfiguration();
    }

    /** The filter for the results this producer waits for, or {@code null} if it never waits. */
    protected abstract IotosTopic resultFilter();

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        session = endpoint.acquireSession();
        IotosTopic filter = resultFilter();
        if (filter != null) {
            results = session.subscribe(filter.toFilter(), configuration.getQos(),
                    new ResultListener(session.correlator(), endpoint.codec(), configuration.getMaxPayloadSize()));
            endpoint.awaitSubscribed(session, results);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (results != null) {
            long grace = Math.min(configuration.getAckTimeout(), STOP_RESULTS_GRACE_MILLIS);
            awaitResults(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(grace));
            results.close();
            results = null;
        }
        // the reference stays: late completions then meet a closed session, which fails them cleanly
        endpoint.releaseSession(session);
        super.doStop();
    }

    /**
     * What was sent may still be answered: unsubscribed at once, the results could not arrive, and its exchanges would
     * fail though their requests went out (the last merged upload a stopping producer sends, say). At most until
     * {@code deadlineNanos}; those still waiting then end as the session closes.
     */
    private synchronized void awaitResults(long deadlineNanos) {
        long left;
        try {
            while (awaiting > 0 && (left = deadlineNanos - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            // a stop told to hurry: it must still unsubscribe and give the session back
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void awaitingStarted() {
        awaiting++;
    }

    private synchronized void awaitingEnded() {
        if (--awaiting == 0) {
            notifyAll();
        }
    }

    /**
     * Publishes, then (if {@code pointIds} is not null) waits for one result per point; calls {@code onResults} with
     * the results, or sets the exchange's exception, then completes the exchange.
     */
    protected void publish(Exchange exchange, AsyncCallback callback, String topic, byte[] payload, String requestId,
            Collection<Long> pointIds, BiConsumer<Exchange, List<PointResult>> onResults) {
        send(topic, payload, requestId, pointIds, (results, error) -> {
            try {
                complete(exchange, requestId, results, error, onResults);
            } finally {
                callback.done(false);
            }
        });
    }

    /**
     * Publishes, then (if {@code pointIds} is not null) waits for one result per point. A publish that waits for
     * nothing else is followed by its callback alone, without a future per message.
     *
     * @param done told once, on the callback executor: the results ({@code null} without waiting), or the failure
     *             of the publish, or a {@link TimeoutException}; not told if this throws
     */
    protected void send(String topic, byte[] payload, String requestId, Collection<Long> pointIds,
            SendCallback done) {
        if (pointIds == null) {
            session.publish(topic, payload, configuration.getQos(), done);
            return;
        }
        AtomicReference<Publication> publication = new AtomicReference<>();
        awaitingStarted();
        // registered before the publish: a publish refused at once cancels the results through the session's
        // completions, and done must not run on this thread instead
        try {
            session.correlator().expect(requestId, pointIds, configuration.getAckTimeout(),
                    timeout -> withdrawIfUnsent(publication.get(), timeout)).whenComplete((results, error) -> {
                        try {
                            done.accept(results, error);
                        } finally {
                            awaitingEnded();
                        }
                    });
        } catch (RuntimeException e) {
            awaitingEnded();
            throw e;
        }
        // not done itself: its publish ending does not end a send that awaits results
        try {
            Publication made = session.publish(topic, payload, configuration.getQos(), failure -> {
                if (failure != null) {
                    session.correlator().cancel(requestId, failure);
                } else {
                    // nothing left to take back: the payload need not be kept while the results are awaited
                    publication.set(SENT);
                }
            });
            publication.compareAndSet(null, made);
        } catch (RuntimeException e) {
            // done is already registered: it must end through the results, once, not through the caller too
            session.correlator().cancel(requestId, e);
        }
    }

    /**
     * A request that timed out while it still waited for the connection is taken back: its caller is told it failed,
     * so it must not reach the broker later and be acted on (a control executed, an upload stored twice on a retry).
     */
    private static Throwable withdrawIfUnsent(Publication publication, TimeoutException timeout) {
        if (publication != null && publication.withdraw(timeout)) {
            return new TimeoutException(timeout.getMessage() + "; it was still waiting for the connection and was "
                                        + "taken back: not sent");
        }
        return timeout;
    }

    /**
     * How a {@link #send} ends. It is its publish's callback too, so a send that waits for nothing else costs no
     * object of its own.
     */
    @FunctionalInterface
    interface SendCallback extends PublishCallback, BiConsumer<List<PointResult>, Throwable> {

        /** The publish of a send that awaits no results ended: so did the send. */
        @Override
        default void published(Throwable failure) {
            accept(null, failure);
        }
    }

    /**
     * Ends an exchange with the outcome of {@link #send}: the failure, or (when results were awaited) the response
     * headers and an {@link IotosResponseException} if one of the results is not OK.
     */
    protected void complete(Exchange exchange, String requestId, List<PointResult> results, Throwable error,
            BiConsumer<Exchange, List<PointResult>> onResults) {
        try {
            if (error != null) {
                exchange.setException(toException(error, requestId));
            } else if (results != null) {
                onResults.accept(exchange, results);
                PointResult failed = results.stream().filter(r -> !r.isOk()).findFirst().orElse(null);
                if (failed != null) {
                    exchange.setException(new IotosResponseException(failed.responseCode(), failed.responseDesc(),
                            requestId, failed.id(), null));
                }
            }
        } catch (RuntimeException e) {
            exchange.setException(e);
        }
    }

    private Exception toException(Throwable error, String requestId) {
        if (error instanceof TimeoutException) {
            return new IotosResponseException(ResponseCodes.TIMEOUT, error.getMessage(), requestId, error);
        }
        return error instanceof Exception e ? e : new CompletionException(error);
    }
}
