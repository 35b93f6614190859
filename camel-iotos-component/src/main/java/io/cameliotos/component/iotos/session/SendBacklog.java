package io.cameliotos.component.iotos.session;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many publishes the MQTT client has queued that its sender has not yet written to the connection, as the
 * connection's socket tells packets apart: it lets the socket hold a written packet back while another is sure to
 * follow.
 * <p>
 * The count never exceeds the publishes truly queued: a publish is counted only after the client accepted it, and
 * counted off when the socket sees it written, which may come first. So a positive count always means the client's
 * sender will write another packet, and the socket will flush then. Should the sender wait for room in the in-flight
 * window first, an acknowledgement is on its way: the socket never holds a whole window. A new connection starts
 * from zero.
 */
final class SendBacklog {

    private final AtomicInteger queued = new AtomicInteger();
    private final int maxInflight;

    /** @param maxInflight the client's in-flight window */
    SendBacklog(int maxInflight) {
        this.maxInflight = maxInflight;
    }

    /**
     * Whether a socket may hold this many publishes: holding the whole in-flight window would leave the client's sender
     * waiting for an acknowledgement that none of them can bring.
     */
    boolean mayHold(int publishes) {
        return publishes < maxInflight;
    }

    /** A publish the client accepted; called after its {@code publish} returned. */
    void accepted() {
        queued.incrementAndGet();
    }

    /**
     * A packet was written.
     *
     * @param  publish whether it was a publish
     * @return         whether the client's sender will write another publish after it
     */
    boolean written(boolean publish) {
        return (publish ? queued.decrementAndGet() : queued.get()) > 0;
    }

    /** A new connection: whatever the last one had queued died with it. */
    void reset() {
        queued.set(0);
    }
}
