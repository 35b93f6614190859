package io.cameliotos.component.iotos.session;

/** Where a session's connection stands. */
public enum SessionState {
    /** A connect attempt is under way. */
    CONNECTING,
    /** Connected; publishes go out at once. */
    CONNECTED,
    /** Not connected; a reconnect is scheduled and publishes are buffered. */
    DISCONNECTED,
    /** Closed by its last user; nothing more happens. */
    CLOSED
}
