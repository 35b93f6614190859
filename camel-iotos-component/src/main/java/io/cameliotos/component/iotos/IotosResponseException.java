package io.cameliotos.component.iotos;

import org.apache.camel.CamelException;

/**
 * A result with a non-zero response code.
 * <p>
 * Thrown by a consumer route to answer a control (or, in the platform role, an upload) with its own code and
 * description: {@code throw new IotosResponseException(4001, "valve is locked")}. Raised by producers when the other
 * side answered with a non-zero code, or nothing arrived in time ({@code ResponseCodes.TIMEOUT}).
 */
public class IotosResponseException extends CamelException {

    private final int responseCode;
    private final String responseDesc;
    private final String requestId;
    private final Long pointId;

    public IotosResponseException(int responseCode, String responseDesc) {
        this(responseCode, responseDesc, null, null);
    }

    public IotosResponseException(int responseCode, String responseDesc, String requestId, Throwable cause) {
        this(responseCode, responseDesc, requestId, null, cause);
    }

    /**
     * @param pointId the point whose result failed, when one did: an upload of several points is answered per point
     */
    public IotosResponseException(int responseCode, String responseDesc, String requestId, Long pointId,
                                  Throwable cause) {
        super(message(responseCode, responseDesc, requestId, pointId), cause);
        if (responseCode == 0) {
            throw new IllegalArgumentException("response code 0 means OK and cannot be a failure");
        }
        this.responseCode = responseCode;
        this.responseDesc = responseDesc;
        this.requestId = requestId;
        this.pointId = pointId;
    }

    private static String message(int code, String desc, String requestId, Long pointId) {
        String about = (requestId == null ? "" : "request " + requestId)
                       + (pointId == null ? "" : (requestId == null ? "" : ", ") + "point " + pointId);
        return (about.isEmpty() ? "" : about + ": ") + "response code " + code + (desc == null ? "" : ": " + desc);
    }

    /** The non-zero response code. */
    public int getResponseCode() {
        return responseCode;
    }

    /** The response description, as sent or as the route chose it. */
    public String getResponseDesc() {
        return responseDesc;
    }

    /** The request this result answers, when known. */
    public String getRequestId() {
        return requestId;
    }

    /** The point whose result this is, when a producer raised it for one; else {@code null}. */
    public Long getPointId() {
        return pointId;
    }
}
