package io.cameliotos.component.iotos;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Date;

import io.cameliotos.component.iotos.protocol.IotosTopic;
import io.cameliotos.component.iotos.protocol.PointResult;
import io.cameliotos.component.iotos.protocol.Timestamps;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Reading and writing the {@code CamelIotos*} headers.
 */
final class IotosHeaders {

    /** The exchange property holding the request ID and time the component last wrote into the headers. */
    static final String WRITTEN_REQUEST = "CamelIotosWrittenRequest";
    /** The exchange property holding the control a device consumer received, as it arrived, for a later answer. */
    static final String CONTROL = "CamelIotosControl";

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
        setRequestHeaders(message, requestId, Timestamps.toInstant(requestTime));
    }

    /**
     * Sets the request headers of a message the component sent or received, and marks them as written by the
     * component: a producer the exchange reaches next makes a request of its own instead of repeating this one.
     */
    static void setRequestHeaders(Message message, String requestId, Instant requestTime) {
        message.setHeader(IotosConstants.REQUEST_ID, requestId);
        message.setHeader(IotosConstants.REQUEST_TIME, requestTime);
        Exchange exchange = message.getExchange();
        if (exchange != null) {
            exchange.setProperty(WRITTEN_REQUEST, new WrittenRequest(requestId, requestTime));
        }
    }

    /** The request headers the component last wrote on the message's exchange, or {@code null}. */
    static WrittenRequest writtenRequest(Message message) {
        Exchange exchange = message.getExchange();
        return exchange == null ? null : exchange.getProperty(WRITTEN_REQUEST, WrittenRequest.class);
    }

    /** Whether the request ID is one the component wrote on the exchange, not one the route gave. */
    static boolean isWrittenRequestId(Message message, Object requestId) {
        WrittenRequest written = writtenRequest(message);
        return written != null && written.isId(requestId);
    }

    /**
     * Request headers the component wrote. Each is recognised on its own: a route that removes only one of them still
     * has the other taken for what it is, the header of an earlier request.
     */
    record WrittenRequest(String requestId, Instant requestTime) {
        boolean isId(Object id) {
            return id != null && id.equals(requestId);
        }

        boolean isTime(Object time) {
            return time != null && time.equals(requestTime);
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
