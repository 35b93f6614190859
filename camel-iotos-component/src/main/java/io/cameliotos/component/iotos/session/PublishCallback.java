package io.cameliotos.component.iotos.session;

/**
 * Told once how a publish ended, on the session's callback executor.
 */
@FunctionalInterface
public interface PublishCallback {

    /**
     * @param failure why the publish failed, or {@code null} when the broker accepted it (QoS 1 and 2) or it was
     *                written (QoS 0)
     */
    void published(Throwable failure);
}
