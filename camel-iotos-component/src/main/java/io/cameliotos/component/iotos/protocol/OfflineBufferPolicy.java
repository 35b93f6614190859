package io.cameliotos.component.iotos.protocol;

/** What a session does with a new publish when its offline buffer is full. */
public enum OfflineBufferPolicy {
    /** Refuse the new publish at once with {@link OfflineBufferFullException}; nothing buffered is lost. */
    FAIL,
    /** Accept the new publish and drop (fail) the oldest buffered one: the freshest readings win. */
    DROP_OLDEST
}
