package io.cameliotos.component.iotos.session;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.cameliotos.component.iotos.protocol.PointResult;

/**
 * Matches results (flows 2 and 4) to the requests waiting for them, by {@code requestId} and point ID.
 * <p>
 * Every waiting request has a deadline, so the table cannot grow without bound: an entry leaves it when all its
 * results arrived or when it times out. Futures complete on the callback executor, never on the MQTT client's thread.
 */
public final class ResultCorrelator {

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final Executor callbackExecutor;

    ResultCorrelator(ScheduledExecutorService scheduler, Executor callbackExecutor) {
        this.scheduler = scheduler;
        this.callbackExecutor = callbackExecutor;
    }

    /**
     * Starts waiting for one result per point. Register before publishing the request: results can arrive before
     * the publish is confirmed.
     *
     * @param  onTimeout called on the scheduler the moment the wait times out, before anyone is told; returns the
     *                   failure to complete with (the given {@link TimeoutException} or one saying more)
     * @return           completes with the results in arrival order, or exceptionally with what {@code onTimeout}
     *                   returned for the {@link ResultsTimeoutException} that names the results in and the points
     *                   missing
     */
    public CompletableFuture<List<PointResult>> expect(String requestId, Collection<Long> pointIds, long timeoutMs,
            Function<TimeoutException, Throwable> onTimeout) {
        Pending entry = new Pending(requestId, new LinkedHashSet<>(pointIds));
        if (pending.putIfAbsent(requestId, entry) != null) {
            throw new IllegalStateException("already waiting for results of request " + requestId);
        }
        try {
            entry.timeout = scheduler.schedule(() -> entry.timedOut(entry.timeoutAfter(timeoutMs), onTimeout),
                    timeoutMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // without its deadline the entry would wait for ever
            pending.remove(requestId, entry);
            throw e;
        }
        return entry.future;
    }

    /** Stops waiting for every request, e.g. because the session closed and no result can arrive any more. */
    public void failAll(Throwable cause) {
        pending.values().forEach(entry -> entry.fail(cause));
    }

    /** Stops waiting, e.g. because the request could not be published. */
    public void cancel(String requestId, Throwable cause) {
        Pending entry = pending.get(requestId);
        if (entry != null) {
            entry.fail(cause);
        }
    }

    /**
     * Offers an arrived result.
     *
     * @param  pointId the point ID from the result's topic, which is authoritative
     * @return         true if a waiting request took it
     */
    public boolean accept(long pointId, PointResult result) {
        Pending entry = pending.get(result.requestId());
        return entry != null && entry.accept(pointId, result);
    }

    /** How many requests are waiting; for health and leak checks. */
    public int size() {
        return pending.size();
    }

    private final class Pending {
        final String requestId;
        final Set<Long> missing;
        final List<PointResult> results = new ArrayList<>();
        final CompletableFuture<List<PointResult>> future = new CompletableFuture<>();
        volatile ScheduledFuture<?> timeout;

        Pending(String requestId, Set<Long> missing) {
            this.requestId = requestId;
            this.missing = missing;
        }

        synchronized ResultsTimeoutException timeoutAfter(long timeoutMs) {
            return new ResultsTimeoutException(requestId, timeoutMs, results, missing);
        }

        boolean accept(long pointId, PointResult result) {
            List<PointResult> complete;
            synchronized (this) {
                if (!missing.remove(pointId)) {
                    return false;
                }
                // a result without an id, or with another than its topic's, still belongs to its topic's point
                results.add(result.forPoint(pointId));
                if (!missing.isEmpty()) {
                    return true;
                }
                complete = List.copyOf(results);
            }
            finish();
            callbackExecutor.execute(() -> future.complete(complete));
            return true;
        }

        void fail(Throwable cause) {
            if (pending.remove(requestId, this)) {
                cancelTimeout();
                callbackExecutor.execute(() -> future.completeExceptionally(cause));
            }
        }

        void timedOut(TimeoutException timeout, Function<TimeoutException, Throwable> onTimeout) {
            if (pending.remove(requestId, this)) {
                Throwable cause;
                try {
                    cause = onTimeout.apply(timeout);
                } catch (RuntimeException e) {
                    // the wait must still end
                    timeout.addSuppressed(e);
                    cause = timeout;
                }
                Throwable failure = cause;
                callbackExecutor.execute(() -> future.completeExceptionally(failure));
            }
        }

        private void finish() {
            pending.remove(requestId, this);
            cancelTimeout();
        }

        private void cancelTimeout() {
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
        }
    }
}
