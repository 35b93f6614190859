package io.cameliotos.component.iotos.session;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;

import io.cameliotos.component.iotos.protocol.PointResult;

/**
 * A wait for results that timed out with some of them in. A request that carried the values of several callers (a
 * merged upload) lets each caller whose points were all answered succeed, and tells the others which of their own
 * points are missing.
 */
public final class ResultsTimeoutException extends TimeoutException {

    private static final long serialVersionUID = 1L;

    private final String requestId;
    private final long timeoutMs;
    private final transient List<PointResult> arrived;
    private final transient Set<Long> missing;

    ResultsTimeoutException(String requestId, long timeoutMs, List<PointResult> arrived, Set<Long> missing) {
        super("no result for request " + requestId + " within " + timeoutMs + " ms; still missing points " + missing);
        this.requestId = requestId;
        this.timeoutMs = timeoutMs;
        this.arrived = List.copyOf(arrived);
        this.missing = Set.copyOf(missing);
    }

    /** The results that arrived in time, in arrival order. */
    public List<PointResult> arrived() {
        return arrived;
    }

    /** The points still without a result. */
    public Set<Long> missing() {
        return missing;
    }

    /** The same time-out for some of the request's points: those of one caller. */
    public TimeoutException forPoints(Collection<Long> points) {
        Set<Long> stillMissing = new TreeSet<>(points);
        stillMissing.retainAll(missing);
        return new ResultsTimeoutException(requestId, timeoutMs,
                arrived.stream().filter(r -> points.contains(r.id())).toList(), stillMissing);
    }
}
