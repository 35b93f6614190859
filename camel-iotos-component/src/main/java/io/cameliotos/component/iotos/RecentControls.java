package io.cameliotos.component.iotos;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The controls a consumer handled recently, by point and request ID, with the result each was answered with, so that
 * a control delivered again (QoS 1 redelivery, a platform retry) is answered with the same result instead of running
 * the route twice. Bounded: the oldest entries are forgotten first.
 */
final class RecentControls {

    /** Marks a control whose route ran but whose answer the route sends itself (autoReply=false). */
    static final byte[] ANSWERED_BY_ROUTE = new byte[0];

    private final int capacity;
    private final Map<String, byte[]> results;

    RecentControls(int capacity) {
        this.capacity = capacity;
        this.results = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
                return size() > RecentControls.this.capacity;
            }
        };
    }

    boolean enabled() {
        return capacity > 0;
    }

    /** The stored answer of an earlier delivery, {@link #ANSWERED_BY_ROUTE}, or {@code null} if this one is new. */
    synchronized byte[] previous(long pointId, String requestId) {
        return results.get(key(pointId, requestId));
    }

    synchronized void remember(long pointId, String requestId, byte[] answer) {
        if (capacity > 0) {
            results.put(key(pointId, requestId), answer);
        }
    }

    private static String key(long pointId, String requestId) {
        return pointId + "/" + requestId;
    }
}
