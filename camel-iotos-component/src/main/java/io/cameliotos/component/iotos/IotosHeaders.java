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

    /**
     * The exchange properties holding the request ID and time the component last wrote into the headers: two plain
     * values, which survive where an exchange is serialized (e.g. {@code transferExchange}).
     */
    static final String WRITTEN_REQUEST_ID = "CamelIotosWrittenRequestId";
    static final String WRITTEN_REQUEST_TIME = "CamelIotosWrittenRequestTime";
    /** The exchange properties holding the response code and description a producer last wrote with a result. */
    static final String WRITTEN_RESPONSE_CODE = "CamelIotosWrittenResponseCode";
    static final String WRITTEN_RESPONSE_DESC = "CamelIotosWrittenResponseDesc";
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
        Exchange exchange = message.getExchange();
        if (exchange != null) {
            exchange.setProperty(WRITTEN_RESPONSE_CODE, result.responseCode());
            exchange.setProperty(WRITTEN_RESPONSE_DESC, result.responseDesc());
        }
    }

    /**
     * Whether the description is the one a producer wrote with a result while the route has since chosen another
     * code: it describes that result, not the route's answer (a failure would read "OK").
     */
    static boolean isStaleResponseDesc(Message message, Object desc, Object code) {
        Exchange exchange = message.getExchange();
        if (desc == null || exchange == null) {
            return false;
        }
        Object writtenDesc = exchange.getProperty(WRITTEN_RESPONSE_DESC);
        return writtenDesc != null && writtenDesc.equals(desc)
               && !String.valueOf(exchange.getProperty(WRITTEN_RESPONSE_CODE)).equals(String.valueOf(code).trim());
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
            exchange.setProperty(WRITTEN_REQUEST_ID, requestId);
            exchange.setProperty(WRITTEN_REQUEST_TIME, requestTime);
        }
    }

    /**
     * Whether the request ID is one the component wrote on the exchange, not one the route gave. Each request header
     * is recognised on its own: a route that removes only one of them still has the other taken for what it is, the
     * header of an earlier request.
     */
    static boolean isWrittenRequestId(Message message, Object requestId) {
        return isWritten(message, WRITTEN_REQUEST_ID, requestId);
    }

    /** Whether the request time is one the component wrote on the exchange (see {@link #isWrittenRequestId}). */
    static boolean isWrittenRequestTime(Message message, Object requestTime) {
        return isWritten(message, WRITTEN_REQUEST_TIME, requestTime);
    }

    private static boolean isWritten(Message message, String property, Object value) {
        Exchange exchange = message.getExchange();
        return value != null && exchange != null && value.equals(exchange.getProperty(property));
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
