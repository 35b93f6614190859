package io.cameliotos.component.iotos.protocol;

/**
 * The response codes this project produces itself. The platform's own error appendix (错误定义附录) is not public:
 * {@code 0} means OK and anything else a failure; applications may use any other integer.
 */
public final class ResponseCodes {

    /** Success. */
    public static final int OK = 0;
    /** The request could not be read: malformed JSON, a wrong type, a missing field, or an ID contradicting the topic. */
    public static final int INVALID_REQUEST = 400;
    /** No result arrived within the configured timeout (local only, never sent). */
    public static final int TIMEOUT = 408;
    /** The control was older than {@code controlMaxAge} and was not executed. */
    public static final int EXPIRED = 410;
    /** The payload was larger than {@code maxPayloadSize} and was not parsed. */
    public static final int PAYLOAD_TOO_LARGE = 413;
    /** The route failed with an exception that did not choose a code itself. */
    public static final int INTERNAL_ERROR = 500;
    /** The consumer stopped before the request had its turn; it was not executed. */
    public static final int UNAVAILABLE = 503;

    public static final String OK_DESC = "OK";

    private ResponseCodes() {
    }
}
