package io.cameliotos.component.iotos.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The sessions of one owner (one component in one CamelContext): at most one per broker URL and client ID, shared
 * by reference count and closed with its last user.
 */
public final class SessionRegistry {

    private final ScheduledExecutorService scheduler;
    private final Executor callbackExecutor;
    private final Map<SessionSettings.SessionKey, Entry> sessions = new HashMap<>();
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
     * Returns the session for the settings' broker and client ID, creating and starting it on first use.
     *
     * @throws IllegalArgumentException if a session for that broker and client ID is already open with other
     *                                  settings: two users cannot both get their way on one connection
     */
    public synchronized IotosSession acquire(SessionSettings settings) {
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
        boolean close = false;
        synchronized (this) {
            Entry entry = sessions.get(session.settings().key());
            if (entry != null && entry.session == session && --entry.users == 0) {
                sessions.remove(session.settings().key());
                close = true;
            }
        }
        if (close) {
            session.close();
            listener.closed(session);
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
        }
        for (IotosSession session : open) {
            session.close();
            listener.closed(session);
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
