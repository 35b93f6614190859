package io.cameliotos.component.iotos;

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

/**
 * Device role consumer: receives controls (flow 3, 设备反控) for one point or every point of the device, and answers
 * each with a control result (flow 4) when its exchange completes.
 */
final class IotosDeviceConsumer extends IotosConsumerSupport {

    IotosDeviceConsumer(IotosEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
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
            logInvalid(topicName, e.getMessage(), payload);
            if (e.getRequestId() != null && configuration.isAutoReply()) {
                reject(topic, e.getRequestId(), ResponseCodes.INVALID_REQUEST, e.getMessage());
            }
            done.run();
            return;
        }
        Control request = completeFromPointTable(control, topic.pointId());
        Exchange exchange = createExchange(false);
        Message message = exchange.getMessage();
        IotosHeaders.setTopicHeaders(message, topicName, topic);
        IotosHeaders.setRequestHeaders(message, request.requestId(), request.requestTime());
        message.setHeader(IotosConstants.POINT_OID, request.oid());
        message.setHeader(IotosConstants.POINT_NAME, request.name());
        message.setHeader(IotosConstants.TIMESTAMP, Timestamps.toInstant(request.ts()));
        message.setBody(request.value());
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

    private void reply(IotosTopic topic, Control control, Exchange exchange) {
        int code = responseCode(exchange);
        String desc = responseDesc(exchange, code);
        Object value = exchange.getException() == null ? exchange.getMessage().getBody() : control.value();
        PointResult result = PointResult.answering(control, value, code, desc);
        byte[] payload;
        try {
            payload = codec.encodeResult(result, MessageType.CONTROL_RESULT);
        } catch (RuntimeException e) {
            result = PointResult.answering(control, control.value(), ResponseCodes.INTERNAL_ERROR,
                    "the reply value (" + value.getClass().getName() + ") cannot be written as JSON: " + e.getMessage());
            payload = codec.encodeResult(result, MessageType.CONTROL_RESULT);
        }
        publishResult(topic.withType(MessageType.CONTROL_RESULT), payload, result);
    }

    @Override
    protected void reject(IotosTopic topic, String requestId, int code, String description) {
        Control unknown = new Control(topic.pointId(), null, null, null, null, requestId, null);
        PointResult result = PointResult.answering(unknown, null, code, description);
        publishResult(topic.withType(MessageType.CONTROL_RESULT),
                codec.encodeResult(result, MessageType.CONTROL_RESULT), result);
    }
}
