package io.cameliotos.component.iotos.session;

import java.util.concurrent.CompletableFuture;

/** A listener's subscription on a session. Closing it removes the listener (and the broker subscription if unused). */
public final class Subscription implements AutoCloseable {

    private final CompletableFuture<Void> ready;
    private final Runnable remover;
    private boolean closed;

    Subscription(CompletableFuture<Void> ready, Runnable remover) {
        this.ready = ready;
        this.remover = remover;
    }

    /** Completes when the broker acknowledged a subscription that delivers this listener's messages. */
    public CompletableFuture<Void> ready() {
        return ready;
    }

    /** Removes the listener: once this returns, it gets no more messages, a delivery under way having ended. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            remover.run();
        }
    }
}
