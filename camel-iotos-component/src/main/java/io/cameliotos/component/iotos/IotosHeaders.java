package io.cameliotos.component.iotos;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Date;

import io.cameliotos.component.iotos.protocol.Ids;
import io.cameliotos.component.iotos.protocol.IotosTopic;
import io.cameliotos.component.iotos.protocol.MessageType;
import io.cameliotos.component.iotos.protocol.PointResult;
import io.cameliotos.component.iotos.protocol.Timestamps;
import org.apache.camel.Message;

/**
 * Reading and writing the {@code CamelIotos*} headers.
 */
final class IotosHeaders {

    private IotosHeaders() {
    }

    /** Sets the headers every consumed message gets from its topic. */
    static void setTopicHeaders(Message message, String topicName, IotosTopic topic) {
        message.setHeader(IotosConstants.TOPIC, topicName);
        message.setHeader(IotosConstants.MESSAGE_TYPE, topic.type());
        message.setHeader(IotosConstants.GATEWAY_ID, topic.gatewayId());
        message.setHeader(IotosConstants.DEVICE_ID, topic.deviceId());
        if (topic.pointId() != IotosTopic.ANY) {
            message.setHeader(IotosConstants.POINT_ID, topic.pointId());
        }
    }

    /** Sets the response headers from a received result. */
    static void setResultHeaders(Message message, PointResult result) {
        message.setHeader(IotosConstants.RESPONSE_ID, result.responseId());
        message.setHeader(IotosConstants.RESPONSE_TIME, Timestamps.toInstant(result.responseTime()));
        message.setHeader(IotosConstants.RESPONSE_CODE, result.responseCode());
        message.setHeader(IotosConstants.RESPONSE_DESC, result.responseDesc());
    }

    static void setRequestHeaders(Message message, String requestId, BigDecimal requestTime) {
        message.setHeader(IotosConstants.REQUEST_ID, requestId);
        message.setHeader(IotosConstants.REQUEST_TIME, Timestamps.toInstant(requestTime));
    }

    /** The message type header as an enum, accepting its name as text; {@code null} if absent. */
    static MessageType messageType(Message message) {
        Object value = message.getHeader(IotosConstants.MESSAGE_TYPE);
        if (value == null || value instanceof MessageType) {
            return (MessageType) value;
        }
        try {
            return MessageType.valueOf(value.toString().trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Header " + IotosConstants.MESSAGE_TYPE + " has unknown value '" + value
                                               + "'; expected UPDATE, UPDATE_RESULT, CONTROL or CONTROL_RESULT");
        }
    }

    /** A point ID from a header, accepting numbers and numeric text; 0 if absent. */
    static long pointId(Message message, String header) {
        Object value = message.getHeader(header);
        if (value == null) {
            return IotosTopic.ANY;
        }
        long id = value instanceof Number n ? n.longValue() : Ids.parsePositive(value.toString().trim());
        if (id <= 0) {
            throw new IllegalArgumentException("Header " + header + " must be a positive integer, was '" + value + "'");
        }
        return id;
    }

    /** A request ID header, checked for what the protocol allows (at most 64 characters, no blanks). */
    static String requestId(Message message) {
        Object value = message.getHeader(IotosConstants.REQUEST_ID);
        if (value == null) {
            return null;
        }
        String id = value.toString();
        if (id.isBlank() || id.length() > 64) {
            throw new IllegalArgumentException("Header " + IotosConstants.REQUEST_ID
                                               + " must be 1 to 64 characters (normally 32 lowercase hex), was '"
                                               + id + "'");
        }
        return id;
    }

    /** A time header: Instant, Date, epoch seconds or milliseconds (by magnitude) as number or text, or ISO-8601. */
    static Instant instant(Message message, String header) {
        Object value = message.getHeader(header);
        try {
            return toInstant(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Header " + header + ": " + e.getMessage(), e);
        }
    }

    static Instant toInstant(Object value) {
        if (value == null || value instanceof Instant) {
            return (Instant) value;
        }
        if (value instanceof Date date) {
            return date.toInstant();
        }
        if (value instanceof BigDecimal bd) {
            return Timestamps.toInstant(bd);
        }
        if (value instanceof Number n) {
            return Timestamps.toInstant(n instanceof Double || n instanceof Float
                    ? BigDecimal.valueOf(n.doubleValue()) : BigDecimal.valueOf(n.longValue()));
        }
        String text = value.toString().trim();
        try {
            return Timestamps.toInstant(new BigDecimal(text));
        } catch (NumberFormatException e) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException("'" + text + "' is not a time: expected an Instant, a Date, epoch "
                                                   + "seconds or milliseconds, or ISO-8601");
            }
        }
    }
}
