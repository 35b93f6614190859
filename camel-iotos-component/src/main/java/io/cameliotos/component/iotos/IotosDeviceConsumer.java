package io.cameliotos.component.iotos;

import java.math.BigDecimal;

import io.cameliotos.component.iotos.protocol.Control;
import io.cameliotos.component.iotos.protocol.IotosProtocolException;
import io.cameliotos.component.iotos.protocol.IotosTopic;
import io.cameliotos.component.iotos.protocol.MessageType;
import io.cameliotos.component.iotos.protocol.PointDefinition;
import io.cameliotos.component.iotos.protocol.PointResult;
import io.cameliotos.component.iotos.protocol.PointTable;
import io.cameliotos.component.iotos.protocol.ResponseCodes;
import io.cameliotos.component.iotos.protocol.Timestamps;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device role consumer: receives controls (flow 3, 设备反控) for one point or every point of the device, and answers
 * each with a control result (flow 4) when its exchange completes.
 */
final class IotosDeviceConsumer extends IotosConsumerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(IotosDeviceConsumer.class);

    private final RecentControls recent;

    IotosDeviceConsumer(IotosEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.recent = new RecentControls(endpoint.getConfiguration().getControlDedupeSize());
        if (endpoint.getConfiguration().getSharedGroup() != null) {
            throw new IllegalArgumentException("Invalid iotos option sharedGroup: it splits uploads between platform "
                                               + "consumers (role=platform); a device receives its own controls");
        }
    }

    @Override
    protected IotosTopic filter() {
        IotosAddress address = endpoint.getAddress();
        return IotosTopic.control(address.gatewayId(), address.deviceId(), address.pointId());
    }

    @Override
    protected void handle(String topicName, IotosTopic topic, byte[] payload, Runnable done) {
        Control control;
        try {
            control = codec.decodeControl(payload);
            if (control.id() != 0 && control.id() != topic.pointId()) {
                throw new IotosProtocolException("'id' " + control.id() + " contradicts the topic's point ID "
                                                 + topic.pointId(), control.requestId());
            }
        } catch (IotosProtocolException e) {
            session.metrics().controlInvalid();
            logInvalid(topicName, e.getMessage(), payload);
            if (e.getRequestId() != null) {
                reject(topic, payload, e.getRequestId(), ResponseCodes.INVALID_REQUEST, e.getMessage());
            }
            done.run();
            return;
        }
        session.metrics().controlReceived();
        Control request = completeFromPointTable(control, topic.pointId());
        if (answeredBefore(topicName, request) || expired(topic, request)) {
            done.run();
            return;
        }
        recent.remember(request.id(), request.requestId(), RecentControls.ANSWERED_BY_ROUTE);
        Exchange exchange = createExchange(false);
        Message message = exchange.getMessage();
        IotosHeaders.setTopicHeaders(message, topicName, topic);
        IotosHeaders.setRequestHeaders(message, request.requestId(), request.requestTime());
        message.setHeader(IotosConstants.POINT_OID, request.oid());
        message.setHeader(IotosConstants.POINT_NAME, request.name());
        message.setHeader(IotosConstants.TIMESTAMP, Timestamps.toInstant(request.ts()));
        message.setBody(request.value());
        // a CONTROL_RESULT the route sends later echoes the control itself, whatever the headers say by then
        exchange.setProperty(IotosHeaders.CONTROL, request);
        run(exchange, completed -> reply(topic, request, completed), done);
    }

    /**
     * The control with the topic's point ID, and oid and name from the point table or the endpoint when the platform
     * left them out, so routes and results always see them. The values the platform sent are kept.
     */
    private Control completeFromPointTable(Control control, long pointId) {
        String oid = control.oid();
        String name = control.name();
        if (oid == null || name == null) {
            PointTable table = endpoint.pointTable();
            PointDefinition known = table == null ? null : table.byId(pointId).orElse(null);
            boolean endpointPoint = endpoint.getAddress().pointId() == pointId;
            if (oid == null) {
                oid = known != null ? known.oid() : endpointPoint ? configuration.getPointOid() : null;
            }
            if (name == null) {
                name = known != null ? known.name() : endpointPoint ? configuration.getPointName() : null;
            }
        }
        if (control.id() == pointId && oid == control.oid() && name == control.name()) {
            return control;
        }
        return new Control(pointId, oid, name, control.value(), control.ts(), control.requestId(),
                control.requestTime());
    }

    /** A control seen before does not run again: it gets the same answer (controls of a point run one at a time). */
    private boolean answeredBefore(String topicName, Control control) {
        return answeredBefore(topicName, control.id(), control.requestId());
    }

    @Override
    protected boolean answeredBefore(String topicName, IotosTopic topic, String requestId) {
        return answeredBefore(topicName, topic.pointId(), requestId);
    }

    private boolean answeredBefore(String topicName, long pointId, String requestId) {
        byte[] previous = recent.previous(pointId, requestId);
        if (previous == null) {
            return false;
        }
        session.metrics().controlDuplicate();
        if (previous == RecentControls.ANSWERED_BY_ROUTE) {
            LOG.info("Duplicate control {} on {} ignored: the route ran it and answers it itself", requestId,
                    topicName);
        } else {
            LOG.info("Duplicate control {} on {} answered again without running the route", requestId,
                    topicName);
            publishResult(IotosTopic.parse(topicName).withType(MessageType.CONTROL_RESULT), previous,
                    requestId);
        }
        return true;
    }

    private boolean expired(IotosTopic topic, Control control) {
        long maxAge = configuration.getControlMaxAge();
        BigDecimal sent = control.requestTime() != null ? control.requestTime() : control.ts();
        if (maxAge <= 0 || sent == null) {
            return false;
        }
        long age = System.currentTimeMillis() - Timestamps.toInstant(sent).toEpochMilli();
        if (age <= maxAge) {
            return false;
        }
        session.metrics().controlExpired();
        String reason = "control is " + age + " ms old, older than controlMaxAge " + maxAge + " ms; not executed";
        LOG.warn("Refused control {} on {}: {}", control.requestId(), topic, reason);
        answer(topic, PointResult.answering(control, control.value(), ResponseCodes.EXPIRED, reason));
        return true;
    }

    private void reply(IotosTopic topic, Control control, Exchange exchange) {
        int code = responseCode(exchange);
        String desc = responseDesc(exchange, code);
        Object value = exchange.getException() == null ? exchange.getMessage().getBody() : control.value();
        PointResult result = PointResult.answering(control, value, code, desc);
        try {
            answer(topic, result);
        } catch (RuntimeException e) {
            answer(topic, PointResult.answering(control, control.value(), ResponseCodes.INTERNAL_ERROR,
                    "the reply value (" + value.getClass().getName() + ") cannot be written as JSON: " + e.getMessage()));
        }
    }

    /** Publishes a control result and remembers it for repeats of the same control. */
    private void answer(IotosTopic topic, PointResult result) {
        byte[] payload = codec.encodeResult(result, MessageType.CONTROL_RESULT);
        recent.remember(result.id(), result.requestId(), payload);
        session.metrics().controlAnswered();
        publishResult(topic.withType(MessageType.CONTROL_RESULT), payload, result.requestId());
    }

    /** Echoes what can be read of the control, for the topic's point; only its request ID if it cannot be read. */
    @Override
    protected void reject(IotosTopic topic, byte[] payload, String requestId, int code, String description) {
        Control read = null;
        if (payload != null) {
            try {
                read = codec.decodeControl(payload);
            } catch (IotosProtocolException e) {
                // unreadable beyond its request ID: answered with that alone
            }
        }
        // a control naming another point than its topic's: its oid and name are that other point's
        boolean samePoint = read != null && (read.id() == 0 || read.id() == topic.pointId());
        Control answered = read == null ? new Control(topic.pointId(), null, null, null, null, requestId, null)
                : new Control(topic.pointId(), samePoint ? read.oid() : null, samePoint ? read.name() : null,
                        read.value(), read.ts(), requestId, read.requestTime());
        PointResult result = PointResult.answering(answered, answered.value(), code, description);
        session.metrics().controlAnswered();
        publishResult(topic.withType(MessageType.CONTROL_RESULT),
                codec.encodeResult(result, MessageType.CONTROL_RESULT), requestId);
    }

    @Override
    protected void refusedUnread() {
        session.metrics().controlInvalid();
    }
}
