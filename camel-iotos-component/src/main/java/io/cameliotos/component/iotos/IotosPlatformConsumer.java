package io.cameliotos.component.iotos;

import io.cameliotos.component.iotos.protocol.IotosProtocolException;
import io.cameliotos.component.iotos.protocol.IotosTopic;
import io.cameliotos.component.iotos.protocol.MessageType;
import io.cameliotos.component.iotos.protocol.PointResult;
import io.cameliotos.component.iotos.protocol.PointValue;
import io.cameliotos.component.iotos.protocol.Upload;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Platform role consumer: receives uploads (flow 1), one exchange per upload with the list of
 * {@link PointValue}s as body, and answers each point with an upload result (flow 2) when the exchange completes.
 */
final class IotosPlatformConsumer extends IotosConsumerSupport {

    IotosPlatformConsumer(IotosEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        IotosAddress address = endpoint.getAddress();
        if (address.hasPoint() && endpoint.getConfiguration().getSharedGroup() != null) {
            // uploads carry no point in their topic: the broker would hand an upload for another point to this
            // member, which leaves it unanswered, and no other member of the group gets it
            throw new IllegalArgumentException("Invalid iotos option sharedGroup with point " + address.pointId()
                                               + " in the URI: a shared group splits a device's uploads by message, "
                                               + "not by point; leave the point out and read the points from the body");
        }
    }

    @Override
    protected IotosTopic filter() {
        IotosAddress address = endpoint.getAddress();
        return IotosTopic.upload(address.gatewayId(), address.deviceId());
    }

    @Override
    protected void handle(String topicName, IotosTopic topic, byte[] payload, Runnable done) {
        Upload upload;
        try {
            upload = codec.decodeUpload(payload);
        } catch (IotosProtocolException e) {
            // without readable points there is no result topic to answer on
            logInvalid(topicName, e.getMessage(), payload);
            done.run();
            return;
        }
        long pointFilter = endpoint.getAddress().pointId();
        if (pointFilter != IotosTopic.ANY && upload.points().stream().noneMatch(p -> p.id() == pointFilter)) {
            done.run();
            return;
        }
        Exchange exchange = createExchange(false);
        Message message = exchange.getMessage();
        IotosHeaders.setTopicHeaders(message, topicName, topic);
        IotosHeaders.setRequestHeaders(message, upload.requestId(), upload.requestTime());
        message.setBody(upload.points());
        run(exchange, completed -> reply(topic, upload, pointFilter, completed), done);
    }

    /** Answers every point, or with a point in the URI that point only: the other points are other routes' to answer. */
    private void reply(IotosTopic topic, Upload upload, long pointFilter, Exchange exchange) {
        int code = responseCode(exchange);
        String desc = responseDesc(exchange, code);
        for (PointValue point : upload.points()) {
            if (pointFilter != IotosTopic.ANY && point.id() != pointFilter) {
                continue;
            }
            PointResult result = PointResult.answering(upload, point, code, desc);
            publishResult(IotosTopic.uploadResult(topic.gatewayId(), topic.deviceId(), point.id()),
                    codec.encodeResult(result, MessageType.UPDATE_RESULT), result.requestId());
        }
    }

    @Override
    protected void reject(IotosTopic topic, byte[] payload, String requestId, int code, String description) {
        // an upload too large to read has no points to answer for
    }
}
