package io.cameliotos.component.iotos.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The sessions of one owner (one component in one CamelContext): at most one per broker URL and client ID, shared
 * by reference count and closed with its last user. A new session for a key starts only once the previous one has
 * closed, so two connections never hold one client ID (the broker would drop one) nor read one store directory.
 */
public final class SessionRegistry {

    private final ScheduledExecutorService scheduler;
    private final Executor callbackExecutor;
    private final Map<SessionSettings.SessionKey, Entry> sessions = new HashMap<>();
    /** Keys whose session is closing, completed when it closed. */
    private final Map<SessionSettings.SessionKey, CompletableFuture<Void>> closing = new HashMap<>();
    private final Listener listener;

    /** Told when a session opens and when it closes, e.g. to register health checks. */
    public interface Listener {
        void opened(IotosSession session);

        void closed(IotosSession session);
    }

    /**
     * @param scheduler        runs reconnects and timeouts; its tasks are short
     * @param callbackExecutor completes futures and so continues callers' work; must not be the MQTT client's thread
     * @param listener         told about sessions opening and closing
     */
    public SessionRegistry(ScheduledExecutorService scheduler, Executor callbackExecutor, Listener listener) {
        this.scheduler = scheduler;
        this.callbackExecutor = callbackExecutor;
        this.listener = listener;
    }

    /**
     * Returns the session for the settings' broker and client ID, creating and starting it on first use. When the
     * key's previous session is still closing, waits until it closed.
     *
     * @throws IllegalArgumentException if a session for that broker and client ID is already open with other
     *                                  settings: two users cannot both get their way on one connection
     */
    public IotosSession acquire(SessionSettings settings) {
        while (true) {
            CompletableFuture<Void> previous;
            synchronized (this) {
                previous = closing.get(settings.key());
                if (previous == null) {
                    return acquireOpen(settings);
                }
            }
            previous.join();
        }
    }

    /** Called holding this registry's lock, with no session of the key closing. */
    private IotosSession acquireOpen(SessionSettings settings) {
        Entry entry = sessions.get(settings.key());
        if (entry != null) {
            if (!entry.session.settings().equals(settings)) {
                throw new IllegalArgumentException("connection " + settings.key()
                                                   + " is already open with different settings: "
                                                   + entry.session.settings() + " versus requested " + settings
                                                   + "; endpoints sharing a client ID must agree on connection options");
            }
            entry.users++;
            return entry.session;
        }
        IotosSession session = new IotosSession(settings, scheduler, callbackExecutor);
        sessions.put(settings.key(), new Entry(session));
        listener.opened(session);
        try {
            session.start();
        } catch (RuntimeException e) {
            // the next user must start a session of its own, not share one that never started
            sessions.remove(settings.key());
            session.close();
            listener.closed(session);
            throw e;
        }
        return session;
    }

    /** Gives back one use; the session closes when its last user released it. */
    public void release(IotosSession session) {
        SessionSettings.SessionKey key = session.settings().key();
        synchronized (this) {
            Entry entry = sessions.get(key);
            if (entry == null || entry.session != session || --entry.users > 0) {
                return;
            }
            sessions.remove(key);
            closing.put(key, new CompletableFuture<>());
        }
        close(session);
    }

    /**
     * Closes a session already taken out of the registry and marked closing. Not under the lock: closing waits for
     * the client, and users of other keys must not wait with it.
     */
    private void close(IotosSession session) {
        try {
            session.close();
            listener.closed(session);
        } finally {
            CompletableFuture<Void> closed;
            synchronized (this) {
                closed = closing.remove(session.settings().key());
            }
            closed.complete(null);
        }
    }

    /** The open sessions, for health checks and management. */
    public synchronized List<IotosSession> sessions() {
        List<IotosSession> list = new ArrayList<>();
        sessions.values().forEach(e -> list.add(e.session));
        return list;
    }

    /** Closes every session, whoever still uses it. */
    public void closeAll() {
        List<IotosSession> open;
        synchronized (this) {
            open = sessions();
            sessions.clear();
            open.forEach(session -> closing.put(session.settings().key(), new CompletableFuture<>()));
        }
        RuntimeException first = null;
        for (IotosSession session : open) {
            try {
                close(session);
            } catch (RuntimeException e) {
                // the others still close, and those waiting for their keys are let go
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static final class Entry {
        final IotosSession session;
        int users = 1;

        Entry(IotosSession session) {
            this.session = session;
        }
    }
}
