package io.cameliotos.component.iotos.protocol;

/** A publish was refused because the session's buffer of waiting messages is full. Nothing was sent. */
public class OfflineBufferFullException extends IllegalStateException {

    public OfflineBufferFullException(String message) {
        super(message);
    }
}
