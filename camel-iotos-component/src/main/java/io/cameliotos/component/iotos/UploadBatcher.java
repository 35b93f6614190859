package io.cameliotos.component.iotos;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.cameliotos.component.iotos.protocol.Ids;
import io.cameliotos.component.iotos.protocol.IotosCodec;
import io.cameliotos.component.iotos.protocol.PointResult;
import io.cameliotos.component.iotos.protocol.PointValue;
import io.cameliotos.component.iotos.protocol.Timestamps;
import io.cameliotos.component.iotos.protocol.Upload;
import io.cameliotos.component.iotos.session.ResultsTimeoutException;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges the uploads of one device producer into fewer, larger uploads, in the spirit of Kafka's {@code linger.ms}
 * and {@code batch.size}: an upload waits at most {@code batchLinger} for others, and a merged upload carries at most
 * {@code batchMaxPoints} points. One upload cannot carry two values of the same point, nor two points under one key
 * (the data object is keyed by point: by its key, oid or ID), so such a point starts a new upload: the values of a
 * point are sent in the order they came.
 * Every exchange still completes on its own, when its merged upload was sent (and, with awaitAck, when its points were
 * acknowledged).
 */
final class UploadBatcher {

    private static final Logger LOG = LoggerFactory.getLogger(UploadBatcher.class);

    /** Sends a merged upload: publish, and with awaitAck wait for the listed points. */
    interface Sender {
        /** Calls {@code done} with the results ({@code null} if none are awaited) or the failure. */
        void send(byte[] payload, String requestId, List<Long> awaitedPoints, IotosProducerSupport.SendCallback done);

        /** Ends one exchange of a merged upload, setting its request headers. */
        void complete(Exchange exchange, String requestId, Instant requestTime, List<PointResult> results, Throwable error);
    }

    private record Entry(Exchange exchange, AsyncCallback callback, List<PointValue> points) {
    }

    /**
     * A merged upload that could not be written or was refused before it was sent. Its exchanges are ended once the
     * lock is released: their continuations (the rest of their routes) must not run under it, nor hold up the others.
     */
    private record Refused(List<Entry> batch, String requestId, Instant requestTime, RuntimeException error) {
    }

    private final Sender sender;
    private final IotosCodec codec;
    private final int maxPoints;
    private final long lingerMs;
    private final boolean awaitAck;
    private final ScheduledExecutorService scheduler;

    private List<Entry> entries = new ArrayList<>();
    private final PointIdSet pointsInBatch;
    /** The keys of the batch's points keyed otherwise than by their ID (a key or an oid); usually none. */
    private final Set<String> namedKeysInBatch = new HashSet<>();
    private int pointCount;
    private long batchStartNanos;
    /**
     * At most one linger timer is armed. A batch filled before its linger ends leaves the timer running for the next
     * batch instead of cancelling it: under load that is one timer per linger period, not one per upload.
     */
    private ScheduledFuture<?> lingerTask;
    /** Tells a timer that fired while flush() replaced it that it is no longer the armed one. */
    private long lingerGeneration;

    UploadBatcher(Sender sender, IotosCodec codec, int maxPoints, long lingerMs, boolean awaitAck,
                  ScheduledExecutorService scheduler) {
        this.sender = sender;
        this.codec = codec;
        this.maxPoints = maxPoints;
        // sized for the usual batch, grown when one is larger: batchMaxPoints may be huge to mean "linger only"
        this.pointsInBatch = new PointIdSet(Math.min(maxPoints, 256));
        this.lingerMs = lingerMs;
        this.awaitAck = awaitAck;
        this.scheduler = scheduler;
    }

    /**
     * Adds an exchange's points. Merged uploads are handed to the session while holding the lock, so uploads leave in
     * the order their points came; the session's publish does not block.
     */
    void add(Exchange exchange, AsyncCallback callback, List<PointValue> points) {
        Refused previous = null;
        Refused filled = null;
        try {
            synchronized (this) {
                if (!entries.isEmpty() && (pointCount + points.size() > maxPoints || conflicts(points))) {
                    previous = sendBatch();
                }
                filled = addToBatch(exchange, callback, points);
            }
        } finally {
            // also when the linger timer could not be armed: the upload sent before it must still end
            end(previous);
            end(filled);
        }
    }

    private Refused addToBatch(Exchange exchange, AsyncCallback callback, List<PointValue> points) {
        boolean full = pointCount + points.size() >= maxPoints;
        if (!full && lingerTask == null) {
            // before the entry is taken: if the scheduler refuses, the caller fails the exchange and nothing is queued
            armLinger(TimeUnit.MILLISECONDS.toNanos(lingerMs));
        }
        if (entries.isEmpty()) {
            batchStartNanos = System.nanoTime();
        }
        entries.add(new Entry(exchange, callback, points));
        for (PointValue point : points) {
            pointsInBatch.add(point.id());
            if (isNamed(point)) {
                namedKeysInBatch.add(point.effectiveKey());
            }
        }
        pointCount += points.size();
        return full ? sendBatch() : null;
    }

    /** Sends what is waiting, e.g. when the producer stops. */
    void flush() {
        Refused refused = null;
        synchronized (this) {
            if (lingerTask != null) {
                lingerTask.cancel(false);
                lingerTask = null;
                lingerGeneration++;
            }
            if (!entries.isEmpty()) {
                refused = sendBatch();
            }
        }
        end(refused);
    }

    private void armLinger(long delayNanos) {
        long generation = ++lingerGeneration;
        lingerTask = scheduler.schedule(() -> lingerExpired(generation), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void lingerExpired(long generation) {
        Refused refused = null;
        synchronized (this) {
            if (generation != lingerGeneration) {
                return;
            }
            lingerTask = null;
            if (entries.isEmpty()) {
                return;
            }
            long left = TimeUnit.MILLISECONDS.toNanos(lingerMs) - (System.nanoTime() - batchStartNanos);
            if (left > 0) {
                armLinger(left);
            } else {
                refused = sendBatch();
            }
        }
        end(refused);
    }

    private void end(Refused refused) {
        if (refused != null) {
            refused.batch().forEach(entry -> finish(entry, refused.requestId(), refused.requestTime(), null,
                    refused.error()));
        }
    }

    /**
     * Whether a point repeats one of the batch, or its key does. A named key that reads as a point ID of the batch counts
     * as a repeat even if that point is named otherwise: it only starts a new upload.
     */
    private boolean conflicts(List<PointValue> points) {
        for (PointValue p : points) {
            if (pointsInBatch.contains(p.id())) {
                return true;
            }
            if (isNamed(p)) {
                String key = p.effectiveKey();
                long asId = Ids.parsePositive(key);
                if (namedKeysInBatch.contains(key) || asId > 0 && pointsInBatch.contains(asId)) {
                    return true;
                }
            } else if (!namedKeysInBatch.isEmpty() && namedKeysInBatch.contains(Long.toString(p.id()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isNamed(PointValue point) {
        return point.key() != null || point.oid() != null;
    }

    /** Hands the waiting merged upload to the session; returns it if it was refused, to be ended after the lock. */
    private Refused sendBatch() {
        List<Entry> batch = entries;
        entries = new ArrayList<>();
        pointsInBatch.clear();
        if (!namedKeysInBatch.isEmpty()) {
            namedKeysInBatch.clear();
        }
        pointCount = 0;
        List<PointValue> all = new ArrayList<>();
        batch.forEach(e -> all.addAll(e.points()));
        Instant now = Instant.now();
        Upload upload = new Upload(Ids.newRequestId(), Timestamps.toMillis(now), all);
        byte[] payload;
        try {
            payload = codec.encodeUpload(upload);
        } catch (RuntimeException e) {
            return new Refused(batch, upload.requestId(), now, e);
        }
        List<Long> awaited = awaitAck ? all.stream().map(PointValue::id).toList() : null;
        try {
            sender.send(payload, upload.requestId(), awaited, (results, error) -> {
                for (Entry entry : batch) {
                    if (error instanceof ResultsTimeoutException partial) {
                        finishTimedOut(entry, upload.requestId(), now, partial);
                    } else {
                        finish(entry, upload.requestId(), now,
                                results == null || !awaitAck ? null : resultsOf(entry, results), error);
                    }
                }
            });
            return null;
        } catch (RuntimeException e) {
            // refused before it was sent (e.g. the component is stopping): its exchanges must still end, and the
            // caller that filled it ends only its own
            return new Refused(batch, upload.requestId(), now, e);
        }
    }

    private void finish(Entry entry, String requestId, Instant requestTime, List<PointResult> results, Throwable error) {
        try {
            sender.complete(entry.exchange(), requestId, requestTime, results, error);
        } catch (RuntimeException e) {
            // one exchange's failure must not keep the others of its upload from completing
            entry.exchange().setException(e);
        } finally {
            try {
                entry.callback().done(false);
            } catch (RuntimeException e) {
                // the continuation of one exchange failed: the others of its upload must still be told
                LOG.warn("The continuation of an exchange of a merged upload failed: {}", e.toString(), e);
            }
        }
    }

    /**
     * The results of the merged upload timed out: an exchange whose own points were all answered is acknowledged all
     * the same, and the others fail naming only their own missing points.
     */
    private void finishTimedOut(Entry entry, String requestId, Instant requestTime, ResultsTimeoutException partial) {
        List<Long> mine = entry.points().stream().map(PointValue::id).toList();
        if (partial.missing().stream().noneMatch(mine::contains)) {
            finish(entry, requestId, requestTime, resultsOf(entry, partial.arrived()), null);
        } else {
            finish(entry, requestId, requestTime, null, partial.forPoints(mine));
        }
    }

    private static List<PointResult> resultsOf(Entry entry, List<PointResult> results) {
        Set<Long> mine = new HashSet<>();
        entry.points().forEach(p -> mine.add(p.id()));
        return results.stream().filter(r -> mine.contains(r.id())).toList();
    }
}
