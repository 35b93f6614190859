package io.cameliotos.component.iotos.protocol;

/**
 * A payload or topic that does not follow the protocol. Carries the request ID when it could be read, so the
 * receiver can still answer the request with {@link ResponseCodes#INVALID_REQUEST}.
 */
public class IotosProtocolException extends RuntimeException {

    private final String requestId;

    public IotosProtocolException(String message, String requestId) {
        super(message);
        this.requestId = requestId;
    }

    public IotosProtocolException(String message, String requestId, Throwable cause) {
        super(message, cause);
        this.requestId = requestId;
    }

    /** The request ID read before the error, or {@code null}. */
    public String getRequestId() {
        return requestId;
    }
}
