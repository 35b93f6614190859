package io.cameliotos.component.iotos;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;

import io.cameliotos.component.iotos.protocol.Control;
import io.cameliotos.component.iotos.protocol.Ids;
import io.cameliotos.component.iotos.protocol.IotosTopic;
import io.cameliotos.component.iotos.protocol.MessageType;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The {@code CamelIotos*} headers a producer reads, taken from the message in one pass: Camel's headers are a
 * case-insensitive sorted map, and a dozen separate look-ups per exchange cost more than the upload's JSON.
 */
final class ProducerHeaders {

    private static final String PREFIX = "CamelIotos";

    private Object gatewayId;
    private Object deviceId;
    private Object pointId;
    private Object pointOid;
    private Object pointName;
    private Object pointKey;
    private Object timestamp;
    private Object requestId;
    private Object requestTime;
    private Object responseCode;
    private Object responseDesc;
    private Object messageType;
    /** Whether the request ID is that of a request an earlier iotos: endpoint of the route sent or received. */
    private boolean requestIdWritten;
    /** Likewise for the request time. */
    private boolean requestTimeWritten;

    static ProducerHeaders of(Message message) {
        ProducerHeaders headers = new ProducerHeaders();
        if (message.hasHeaders()) {
            for (Map.Entry<String, Object> header : message.getHeaders().entrySet()) {
                String name = header.getKey();
                if (name.length() > PREFIX.length()
                    && (name.startsWith(PREFIX) || name.regionMatches(true, 0, PREFIX, 0, PREFIX.length()))) {
                    headers.take(name, header.getValue());
                }
            }
            headers.requestIdWritten = IotosHeaders.isWrittenRequestId(message, headers.requestId);
            headers.requestTimeWritten = IotosHeaders.isWrittenRequestTime(message, headers.requestTime);
            if (IotosHeaders.isStaleResponseDesc(message, headers.responseDesc, headers.responseCode)) {
                headers.responseDesc = null;
            }
        }
        return headers;
    }

    /** Names are usually spelled as the constants: that case is a string switch, without allocating. */
    private void take(String name, Object value) {
        switch (name) {
            case IotosConstants.GATEWAY_ID -> gatewayId = value;
            case IotosConstants.DEVICE_ID -> deviceId = value;
            case IotosConstants.POINT_ID -> pointId = value;
            case IotosConstants.POINT_OID -> pointOid = value;
            case IotosConstants.POINT_NAME -> pointName = value;
            case IotosConstants.POINT_KEY -> pointKey = value;
            case IotosConstants.TIMESTAMP -> timestamp = value;
            case IotosConstants.REQUEST_ID -> requestId = value;
            case IotosConstants.REQUEST_TIME -> requestTime = value;
            case IotosConstants.RESPONSE_CODE -> responseCode = value;
            case IotosConstants.RESPONSE_DESC -> responseDesc = value;
            case IotosConstants.MESSAGE_TYPE -> messageType = value;
            default -> {
                // Camel header names are case-insensitive; other CamelIotos headers are outputs only
                for (String known : INPUTS) {
                    if (known.equalsIgnoreCase(name)) {
                        take(known, value);
                        return;
                    }
                }
            }
        }
    }

    private static final String[] INPUTS = {
            IotosConstants.GATEWAY_ID, IotosConstants.DEVICE_ID, IotosConstants.POINT_ID, IotosConstants.POINT_OID,
            IotosConstants.POINT_NAME, IotosConstants.POINT_KEY, IotosConstants.TIMESTAMP, IotosConstants.REQUEST_ID,
            IotosConstants.REQUEST_TIME, IotosConstants.RESPONSE_CODE, IotosConstants.RESPONSE_DESC,
            IotosConstants.MESSAGE_TYPE };

    /** The message type, accepting its name as text; {@code null} if absent. */
    MessageType messageType() {
        if (messageType == null || messageType instanceof MessageType) {
            return (MessageType) messageType;
        }
        try {
            return MessageType.valueOf(messageType.toString().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Header " + IotosConstants.MESSAGE_TYPE + " has unknown value '"
                                               + messageType + "'; expected UPDATE, UPDATE_RESULT, CONTROL or CONTROL_RESULT");
        }
    }

    /** The request ID, checked for what the protocol allows (1 to 64 characters, normally 32 lowercase hex). */
    String requestId() {
        if (requestId == null) {
            return null;
        }
        // a UUID is the protocol's form once its dashes are gone
        String id = requestId instanceof java.util.UUID uuid ? uuid.toString().replace("-", "") : requestId.toString();
        if (id.isBlank() || id.length() > Ids.MAX_REQUEST_ID_LENGTH) {
            throw new IllegalArgumentException("Header " + IotosConstants.REQUEST_ID
                                               + " must be 1 to 64 characters (normally 32 lowercase hex), was '"
                                               + id + "'");
        }
        return id;
    }

    Instant requestTime() {
        return instant(requestTime, IotosConstants.REQUEST_TIME);
    }

    /**
     * The request ID the route gave for a new request, or {@code null}: one the component wrote, of a request sent or
     * received earlier in the route, is not repeated.
     */
    String givenRequestId() {
        String id = requestIdWritten ? null : requestId();
        if (id != null && !Ids.isProtocolRequestId(id)) {
            // the writer is strict: a platform may refuse or mismatch another form, and the upload is then lost
            throw new IllegalArgumentException("Header " + IotosConstants.REQUEST_ID + " '" + id + "' is not a request "
                                               + "ID of the protocol: 32 lowercase hex characters (a UUID without "
                                               + "dashes); leave it out to have one generated");
        }
        return id;
    }

    /** The request time the route gave for a new request, or {@code null} (see {@link #givenRequestId()}). */
    Instant givenRequestTime() {
        return requestTimeWritten ? null : requestTime();
    }

    Instant timestamp() {
        return instant(timestamp, IotosConstants.TIMESTAMP);
    }

    long gatewayId() {
        return id(gatewayId, IotosConstants.GATEWAY_ID);
    }

    long deviceId() {
        return id(deviceId, IotosConstants.DEVICE_ID);
    }

    /** The point ID, or {@link IotosTopic#ANY} if absent. */
    long pointId() {
        return id(pointId, IotosConstants.POINT_ID);
    }

    /**
     * Forgets the oid and name a device consumer set for the control the exchange came with when the message goes to
     * another point: they describe the control's point, and would pair its oid or name with the other point's ID.
     *
     * @param uriPoint the endpoint's point, or {@link IotosTopic#ANY} when the message names its own
     */
    void forgetThoseOfAnotherPoint(long uriPoint, Exchange exchange) {
        if (pointOid == null && pointName == null) {
            return;
        }
        Control received = exchange.getProperty(IotosHeaders.CONTROL, Control.class);
        long target = uriPoint != IotosTopic.ANY ? uriPoint : pointId();
        if (received == null || target == IotosTopic.ANY || target == received.id()) {
            return;
        }
        if (pointOid != null && pointOid.toString().equals(received.oid())) {
            pointOid = null;
        }
        if (pointName != null && pointName.toString().equals(received.name())) {
            pointName = null;
        }
    }

    String pointOid(String fallback) {
        return pointOid == null ? fallback : pointOid.toString();
    }

    String pointName(String fallback) {
        return pointName == null ? fallback : pointName.toString();
    }

    String pointKey() {
        return pointKey == null ? null : pointKey.toString();
    }

    int responseCode(int fallback) {
        if (responseCode == null) {
            return fallback;
        }
        if (responseCode instanceof Number n) {
            return n.intValue();
        }
        try {
            return Integer.parseInt(responseCode.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Header " + IotosConstants.RESPONSE_CODE + " must be an integer, was '"
                                               + responseCode + "'");
        }
    }

    String responseDesc(String fallback) {
        return responseDesc == null ? fallback : responseDesc.toString();
    }

    private static long id(Object value, String header) {
        if (value == null) {
            return IotosTopic.ANY;
        }
        long id = value instanceof Number n ? n.longValue() : Ids.parsePositive(value.toString().trim());
        if (id <= 0) {
            throw new IllegalArgumentException("Header " + header + " must be a positive integer, was '" + value + "'");
        }
        return id;
    }

    private static Instant instant(Object value, String header) {
        try {
            return IotosHeaders.toInstant(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Header " + header + ": " + e.getMessage(), e);
        }
    }
}
