package io.cameliotos.component.iotos;

import java.time.Instant;
import java.util.List;

import io.cameliotos.component.iotos.protocol.Control;
import io.cameliotos.component.iotos.protocol.Ids;
import io.cameliotos.component.iotos.protocol.IotosTopic;
import io.cameliotos.component.iotos.protocol.MessageType;
import io.cameliotos.component.iotos.protocol.PointDefinition;
import io.cameliotos.component.iotos.protocol.PointResult;
import io.cameliotos.component.iotos.protocol.PointTable;
import io.cameliotos.component.iotos.protocol.Timestamps;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Platform role producer: sends a control (flow 3, 设备反控) and, for InOut exchanges, waits for the device's control
 * result (flow 4). IDs given as {@code *} in the URI come from the headers.
 */
final class IotosPlatformProducer extends IotosProducerSupport {

    private final IotosAddress address;

    IotosPlatformProducer(IotosEndpoint endpoint) {
        super(endpoint);
        this.address = endpoint.getAddress();
    }

    @Override
    protected IotosTopic resultFilter() {
        return IotosTopic.controlResult(address.gatewayId(), address.deviceId(), address.pointId());
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        try {
            Message message = exchange.getMessage();
            ProducerHeaders headers = ProducerHeaders.of(message);
            MessageType type = headers.messageType();
            // a CONTROL_RESULT is the answer to a control this route sent before: the new control is a request of its own
            if (type == MessageType.UPDATE_RESULT) {
                throw new IllegalArgumentException("A platform endpoint sends CONTROL messages, not " + type);
            }
            boolean ownRequest = type == null || type == MessageType.CONTROL;
            IotosTopic topic = IotosTopic.control(
                    id(address.gatewayId(), headers.gatewayId(), IotosConstants.GATEWAY_ID, "gateway"),
                    id(address.deviceId(), headers.deviceId(), IotosConstants.DEVICE_ID, "device"),
                    id(address.pointId(), headers.pointId(), IotosConstants.POINT_ID, "point"));
            Control control = control(message, headers, topic.pointId(), ownRequest);
            byte[] payload = endpoint.codec().encodeControl(control);
            String topicName = topic.toTopicName();
            IotosHeaders.setRequestHeaders(message, control.requestId(), control.requestTime());
            message.setHeader(IotosConstants.TOPIC, topicName);
            message.setHeader(IotosConstants.MESSAGE_TYPE, MessageType.CONTROL);
            boolean awaitResult = configuration.isAwaitAck() || exchange.getPattern().isOutCapable();
            List<Long> await = awaitResult ? List.of(topic.pointId()) : null;
            publish(exchange, callback, topicName, payload, control.requestId(), await, this::onResult);
            return false;
        } catch (Exception e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
    }

    private void onResult(Exchange exchange, List<PointResult> results) {
        PointResult result = results.get(0);
        Message message = exchange.getMessage();
        IotosHeaders.setResultHeaders(message, result);
        message.setHeader(IotosConstants.MESSAGE_TYPE, MessageType.CONTROL_RESULT);
        message.setBody(result.value());
    }

    private Control control(Message message, ProducerHeaders headers, long pointId, boolean ownRequest) {
        PointTable table = endpoint.pointTable();
        PointDefinition known = table == null ? null : table.byId(pointId).orElse(null);
        String oid = headers.pointOid(known != null ? known.oid() : configuration.getPointOid());
        String name = headers.pointName(known != null ? known.name() : configuration.getPointName());
        String requestId = ownRequest ? headers.givenRequestId() : null;
        Instant ts = ownRequest ? headers.timestamp() : null;
        Instant requestTime = ownRequest ? headers.givenRequestTime() : null;
        return new Control(pointId, oid, name, message.getBody(),
                Timestamps.toMillis(ts == null ? Instant.now() : ts),
                requestId == null ? Ids.newRequestId() : requestId,
                requestTime == null ? Timestamps.nowMillis() : Timestamps.toMillis(requestTime));
    }

    private static long id(long fromUri, long fromHeader, String header, String what) {
        if (fromUri != IotosTopic.ANY) {
            return fromUri;
        }
        long id = fromHeader;
        if (id == IotosTopic.ANY) {
            throw new IllegalArgumentException("The URI gives * for the " + what + " ID: set the " + header
                                               + " header to the " + what + " to control");
        }
        return id;
    }
}
