package io.cameliotos.component.iotos.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.ListIterator;

/**
 * Messages that arrived with no listener for them, held for a while in case one subscribes.
 * <p>
 * A message nobody listens to yet would be lost. That happens on every start of a persistent session
 * ({@code cleanSession=false}): the broker sends what it queued right after the connect, before the consumers of a
 * starting CamelContext have subscribed; and to a consumer stopping or suspended while the broker was still
 * delivering to it. Bounded in number, bytes and age: beyond any of them the oldest go. Not thread-safe: the session
 * guards it with its lock.
 */
final class UnclaimedMessages {

    /**
     * One held message, as it arrived.
     *
     * @param messageId      the MQTT packet identifier, to acknowledge it with
     * @param connection     which of the session's connections it came on: only that one can acknowledge it
     * @param unacknowledged whether the broker still waits for its acknowledgement, and so sends it again if it never
     *                       comes
     */
    record Message(String topic, byte[] payload, int qos, boolean duplicate, int messageId, int connection,
            boolean unacknowledged, long arrivedNanos) {
    }

    /** Oldest first; a list, so that a message sent again can take the place of the one held. */
    private final LinkedList<Message> held = new LinkedList<>();
    /**
     * Messages claimed or given up that the broker still waits on but that could not be acknowledged: their connection
     * was gone. The broker sends each again right after the session reconnects; that copy was delivered, or dropped,
     * already. Oldest first, at most the capacity: beyond it the oldest copy would be delivered again, as MQTT's
     * at-least-once allows.
     */
    private final ArrayDeque<ExpectedResend> resendsDue = new ArrayDeque<>();

    /** @param connection the connection the copy is to come on; not resent there, it never comes */
    private record ExpectedResend(Message original, int connection) {
    }
    private final int capacity;
    private final long maxBytes;
    private final long maxAgeNanos;
    private long bytes;

    UnclaimedMessages(int capacity, long maxBytes, long maxAgeNanos) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.maxAgeNanos = maxAgeNanos;
    }

    /**
     * Holds a message.
     *
     * @return the messages dropped to make room, oldest first: the message itself if it is larger than all the room
     *         there is
     */
    List<Message> hold(Message message) {
        if (message.payload().length > maxBytes) {
            return List.of(message);
        }
        List<Message> dropped = new ArrayList<>(0);
        while (held.size() >= capacity || bytes + message.payload().length > maxBytes) {
            dropped.add(poll());
        }
        held.add(message);
        bytes += message.payload().length;
        return dropped;
    }

    /**
     * A held message the broker sent again because it was never acknowledged: after a reconnect, or on the same
     * connection by a broker that retries. The held one keeps its place in line. A packet ID the broker still waits
     * on names one message only, so the ID, topic, payload and QoS together find it.
     *
     * @param  stayUnacknowledged whether a copy sent on a later connection may stay unacknowledged there; if not, it
     *                            counts as acknowledged, and the caller acknowledges it
     * @return                    the held message as it now stands, or {@code null} if none was: then it is a message
     *                            of its own
     */
    Message rebind(String topic, byte[] payload, int qos, int messageId, int connection, boolean stayUnacknowledged) {
        for (ListIterator<Message> it = held.listIterator(); it.hasNext();) {
            Message m = it.next();
            if (m.unacknowledged() && isCopy(m, topic, payload, qos, messageId)) {
                if (m.connection() != connection) {
                    m = new Message(topic, m.payload(), qos, true, messageId, connection, stayUnacknowledged,
                            m.arrivedNanos());
                    it.set(m);
                }
                return m;
            }
        }
        return null;
    }

    /** Whether an arriving message is {@code held} sent again. */
    private static boolean isCopy(Message held, String topic, byte[] payload, int qos, int messageId) {
        return held.messageId() == messageId && held.qos() == qos && held.topic().equals(topic)
               && Arrays.equals(held.payload(), payload);
    }

    /**
     * Remembers a claimed or dropped message the broker will send again, because it could not be acknowledged.
     *
     * @param connection the connection its copy is to come on: the current one, or the next if the session is not
     *                   connected
     */
    void expectResend(Message original, int connection) {
        if (resendsDue.size() >= capacity) {
            resendsDue.poll();
        }
        resendsDue.add(new ExpectedResend(original, connection));
    }

    /**
     * Whether a message the broker sent again is the copy of one claimed or dropped; if so, it is no longer expected.
     *
     * @return {@code true} if it was delivered or dropped already: it is to be acknowledged, not delivered
     */
    boolean takeResend(String topic, byte[] payload, int qos, int messageId) {
        for (Iterator<ExpectedResend> it = resendsDue.iterator(); it.hasNext();) {
            if (isCopy(it.next().original(), topic, payload, qos, messageId)) {
                it.remove();
                return true;
            }
        }
        return false;
    }

    boolean expectsResends() {
        return !resendsDue.isEmpty();
    }

    /**
     * A connection opened. The copies expected on an earlier one never come: a broker resends at the reconnect. A
     * broker that lost the session resends nothing and waits on nothing that arrived before.
     */
    void connected(int connection, boolean sessionPresent) {
        resendsDue.removeIf(expected -> !sessionPresent || expected.connection() < connection);
        if (!sessionPresent) {
            for (ListIterator<Message> it = held.listIterator(); it.hasNext();) {
                Message m = it.next();
                if (m.unacknowledged() && m.connection() < connection) {
                    it.set(new Message(m.topic(), m.payload(), m.qos(), m.duplicate(), m.messageId(), m.connection(),
                            false, m.arrivedNanos()));
                }
            }
        }
    }

    /** Takes out the held messages a new listener's filter matches, oldest first. */
    List<Message> claim(String filter) {
        List<Message> taken = new ArrayList<>();
        for (Iterator<Message> it = held.iterator(); it.hasNext();) {
            Message message = it.next();
            if (TopicFilters.matches(filter, message.topic())) {
                taken.add(message);
                it.remove();
                bytes -= message.payload().length;
            }
        }
        return taken;
    }

    /** Takes out the messages held longer than the maximum age at {@code nowNanos}, oldest first. */
    List<Message> expire(long nowNanos) {
        List<Message> expired = new ArrayList<>();
        while (!held.isEmpty() && nowNanos - held.peek().arrivedNanos() >= maxAgeNanos) {
            expired.add(poll());
        }
        return expired;
    }

    private Message poll() {
        Message oldest = held.poll();
        bytes -= oldest.payload().length;
        return oldest;
    }

    /** Takes out every held message, and forgets the resends expected. */
    List<Message> clear() {
        List<Message> all = new ArrayList<>(held);
        held.clear();
        resendsDue.clear();
        bytes = 0;
        return all;
    }

    /** When the oldest held message expires, in {@link System#nanoTime()} terms; only when not empty. */
    long nextExpiryNanos() {
        return held.peek().arrivedNanos() + maxAgeNanos;
    }

    /** How many held messages that arrived on {@code connection} the broker still waits to have acknowledged. */
    int unacknowledged(int connection) {
        int count = 0;
        for (Message message : held) {
            if (message.unacknowledged() && message.connection() == connection) {
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

    /** The payload bytes held. */
    long bytes() {
        return bytes;
    }
}
