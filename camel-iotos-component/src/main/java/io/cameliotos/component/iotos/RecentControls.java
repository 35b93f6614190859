package io.cameliotos.component.iotos;

import java.util.Iterator;
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

    /**
     * Answers echo the control's value, up to maxPayloadSize each: the count alone would let 10,000 large controls
     * hold gigabytes. Beyond this many bytes of keys and answers the oldest are forgotten too.
     */
    static final long MAX_BYTES = 16L * 1024 * 1024;

    private final int capacity;
    private final Map<String, byte[]> results = new LinkedHashMap<>();
    private long bytes;

    RecentControls(int capacity) {
        this.capacity = capacity;
    }

    boolean enabled() {
        return capacity > 0;
    }

    /** The stored answer of an earlier delivery, {@link #ANSWERED_BY_ROUTE}, or {@code null} if this one is new. */
    synchronized byte[] previous(long pointId, String requestId) {
        return results.get(key(pointId, requestId));
    }

    synchronized void remember(long pointId, String requestId, byte[] answer) {
        if (capacity <= 0) {
            return;
        }
        String key = key(pointId, requestId);
        byte[] before = results.put(key, answer);
        bytes += cost(key, answer) - (before == null ? 0 : cost(key, before));
        Iterator<Map.Entry<String, byte[]>> oldest = results.entrySet().iterator();
        while ((results.size() > capacity || bytes > MAX_BYTES) && oldest.hasNext()) {
            Map.Entry<String, byte[]> entry = oldest.next();
            if (entry.getKey().equals(key)) {
                // the one just remembered stays, however large
                break;
            }
            bytes -= cost(entry.getKey(), entry.getValue());
            oldest.remove();
        }
    }

    /** Bytes held for one entry: a key's characters and its answer. */
    private static long cost(String key, byte[] answer) {
        return 2L * key.length() + answer.length;
    }

    private static String key(long pointId, String requestId) {
        return pointId + "/" + requestId;
    }
}
