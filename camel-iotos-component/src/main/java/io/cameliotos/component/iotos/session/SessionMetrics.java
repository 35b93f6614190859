package io.cameliotos.component.iotos.session;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one session, kept by the session and the producers and consumers that use it, for consoles and
 * management. Cheap to update from any thread.
 */
public final class SessionMetrics {

    final LongAdder connects = new LongAdder();
    final LongAdder connectionLosses = new LongAdder();
    final LongAdder connectFailures = new LongAdder();
    final LongAdder published = new LongAdder();
    final LongAdder publishFailures = new LongAdder();
    final LongAdder messagesUnclaimed = new LongAdder();
    private final LongAdder uploadsSent = new LongAdder();
    private final LongAdder uploadsAcked = new LongAdder();
    private final LongAdder uploadsFailed = new LongAdder();
    private final LongAdder controlsReceived = new LongAdder();
    private final LongAdder controlsAnswered = new LongAdder();
    private final LongAdder controlsDuplicate = new LongAdder();
    private final LongAdder controlsExpired = new LongAdder();
    private final LongAdder controlsInvalid = new LongAdder();

    /** An upload's exchange completed: sent, and acknowledged when it waited for that. */
    public void uploadSent(boolean acknowledged) {
        uploadsSent.increment();
        if (acknowledged) {
            uploadsAcked.increment();
        }
    }

    public void uploadFailed() {
        uploadsFailed.increment();
    }

    public void controlReceived() {
        controlsReceived.increment();
    }

    public void controlAnswered() {
        controlsAnswered.increment();
    }

    public void controlDuplicate() {
        controlsDuplicate.increment();
    }

    public void controlExpired() {
        controlsExpired.increment();
    }

    public void controlInvalid() {
        controlsInvalid.increment();
    }

    /** The counters by name, in a stable order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> values = new LinkedHashMap<>();
        values.put("connects", connects.sum());
        values.put("connectionLosses", connectionLosses.sum());
        values.put("connectFailures", connectFailures.sum());
        values.put("published", published.sum());
        values.put("publishFailures", publishFailures.sum());
        values.put("messagesUnclaimed", messagesUnclaimed.sum());
        values.put("uploadsSent", uploadsSent.sum());
        values.put("uploadsAcked", uploadsAcked.sum());
        values.put("uploadsFailed", uploadsFailed.sum());
        values.put("controlsReceived", controlsReceived.sum());
        values.put("controlsAnswered", controlsAnswered.sum());
        values.put("controlsDuplicate", controlsDuplicate.sum());
        values.put("controlsExpired", controlsExpired.sum());
        values.put("controlsInvalid", controlsInvalid.sum());
        return values;
    }
}
