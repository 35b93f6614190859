package io.cameliotos.component.iotos.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Messages that arrived with no listener for them, held for a while in case one subscribes.
 * <p>
 * A message nobody listens to yet would be lost. That happens on every start of a persistent session
 * ({@code cleanSession=false}): the broker sends what it queued right after the connect, before the consumers of a
 * starting CamelContext have subscribed; and to a consumer stopping or suspended while the broker was still
 * delivering to it. Bounded in number and age: beyond either the oldest go. Not thread-safe: the session guards it
 * with its lock.
 */
final class UnclaimedMessages {

    /**
     * One held message, as it arrived.
     *
     * @param messageId    the MQTT packet identifier, to acknowledge it with
     * @param connection   which of the session's connections it came on: only that one can acknowledge it
     * @param acknowledged whether the broker was told already
     */
    record Message(String topic, byte[] payload, int qos, boolean duplicate, int messageId, int connection,
            boolean acknowledged, long arrivedNanos) {

        /** Whether the broker still waits for this message's acknowledgement, and so sends it again if it never comes. */
        boolean unacknowledged() {
            return !acknowledged && qos > 0;
        }
    }

    private final ArrayDeque<Message> held = new ArrayDeque<>();
    private final int capacity;
    private final long maxAgeNanos;

    UnclaimedMessages(int capacity, long maxAgeNanos) {
        this.capacity = capacity;
        this.maxAgeNanos = maxAgeNanos;
    }

    /**
     * Holds a message.
     *
     * @return the oldest message, dropped to make room, or {@code null}
     */
    Message hold(Message message) {
        Message dropped = held.size() >= capacity ? held.poll() : null;
        held.add(message);
        return dropped;
    }

    /** Takes out the held messages a new listener's filter matches, oldest first. */
    List<Message> claim(String filter) {
        return takeIf(message -> TopicFilters.matches(filter, message.topic()));
    }

    /** Takes out the held messages that pass the test, oldest first. */
    List<Message> takeIf(Predicate<Message> test) {
        List<Message> taken = new ArrayList<>();
        for (Iterator<Message> it = held.iterator(); it.hasNext();) {
            Message message = it.next();
            if (test.test(message)) {
                taken.add(message);
                it.remove();
            }
        }
        return taken;
    }

    /** Takes out the messages held longer than the maximum age at {@code nowNanos}, oldest first. */
    List<Message> expire(long nowNanos) {
        List<Message> expired = new ArrayList<>();
        while (!held.isEmpty() && nowNanos - held.peek().arrivedNanos() >= maxAgeNanos) {
            expired.add(held.poll());
        }
        return expired;
    }

    /** Takes out every held message. */
    List<Message> clear() {
        List<Message> all = new ArrayList<>(held);
        held.clear();
        return all;
    }

    /** When the oldest held message expires, in {@link System#nanoTime()} terms; only when not empty. */
    long nextExpiryNanos() {
        return held.peek().arrivedNanos() + maxAgeNanos;
    }

    /** How many held messages the broker still waits to have acknowledged. */
    int unacknowledged() {
        int count = 0;
        for (Message message : held) {
            if (message.unacknowledged()) {
                count++;
            }
        }
        return count;
    }

    boolean isEmpty() {
        return held.isEmpty();
    }

    int size() {
        return held.size();
    }
}
