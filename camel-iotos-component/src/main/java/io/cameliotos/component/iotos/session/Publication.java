package io.cameliotos.component.iotos.session;

/**
 * A publish the session accepted, until it ends.
 */
public interface Publication {

    /**
     * Takes the publish back if it still waits in the offline buffer, never handed to the connection: it then ends
     * with {@code reason} and leaves the store. A publish the connection has had once may have reached the broker, so
     * it is not taken back.
     *
     * @return whether it was taken back, and so is certain never to be sent
     */
    boolean withdraw(Throwable reason);
}
