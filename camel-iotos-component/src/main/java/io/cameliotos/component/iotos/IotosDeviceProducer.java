package io.cameliotos.component.iotos;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.cameliotos.component.iotos.protocol.Control;
import io.cameliotos.component.iotos.protocol.Ids;
import io.cameliotos.component.iotos.protocol.IotosTopic;
import io.cameliotos.component.iotos.protocol.MessageType;
import io.cameliotos.component.iotos.protocol.PointResult;
import io.cameliotos.component.iotos.protocol.PointValue;
import io.cameliotos.component.iotos.protocol.ResponseCodes;
import io.cameliotos.component.iotos.protocol.Timestamps;
import io.cameliotos.component.iotos.protocol.Upload;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Device role producer: uploads data points (flow 1), optionally waiting for the platform's per-point results
 * (flow 2); or, with {@code CamelIotosMessageType=CONTROL_RESULT}, publishes a control result (flow 4).
 */
final class IotosDeviceProducer extends IotosProducerSupport {

    private final IotosAddress address;
    private final String uploadTopic;
    private UploadBuilder uploads;
    private UploadBatcher batcher;

    IotosDeviceProducer(IotosEndpoint endpoint) {
        super(endpoint);
        this.address = endpoint.getAddress();
        this.uploadTopic = IotosTopic.upload(address.gatewayId(), address.deviceId()).toTopicName();
    }

    @Override
    protected IotosTopic resultFilter() {
        return configuration.isAwaitAck()
                ? IotosTopic.uploadResult(address.gatewayId(), address.deviceId(), IotosTopic.ANY) : null;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        uploads = new UploadBuilder(address, configuration, endpoint.pointTable());
        if (configuration.getBatchLinger() > 0) {
            batcher = new UploadBatcher(new UploadBatcher.Sender() {
                @Override
                public void send(byte[] payload, String requestId, List<Long> points, SendCallback done) {
                    IotosDeviceProducer.this.send(uploadTopic, payload, requestId, points, done);
                }

                @Override
                public void complete(Exchange exchange, String requestId, Instant requestTime, List<PointResult> results,
                        Throwable error) {
                    setUploadHeaders(exchange.getMessage(), requestId, requestTime);
                    IotosDeviceProducer.this.complete(exchange, requestId, results, error, IotosDeviceProducer::onAcks);
                }
            }, endpoint.codec(), configuration.getBatchMaxPoints(), configuration.getBatchLinger(),
                    configuration.isAwaitAck(), endpoint.getComponent().scheduler());
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (batcher != null) {
            batcher.flush();
            batcher = null;
        }
        super.doStop();
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        boolean upload = false;
        try {
            ProducerHeaders headers = ProducerHeaders.of(exchange.getMessage());
            MessageType type = headers.messageType();
            if (type == MessageType.CONTROL_RESULT) {
                sendControlResult(exchange, headers, callback);
            } else if (type == MessageType.UPDATE_RESULT) {
                throw new IllegalArgumentException("A device endpoint sends UPDATE or CONTROL_RESULT messages, not "
                                                   + type + " (that is the platform's; use role=platform)");
            } else {
                upload = true;
                sendUpload(exchange, headers, callback, type == null || type == MessageType.UPDATE);
            }
            return false;
        } catch (Exception e) {
            if (upload) {
                // refused before it was handed on (a body that is no upload): counted here, as nothing else will
                session.metrics().uploadFailed();
            }
            exchange.setException(e);
            callback.done(true);
            return true;
        }
    }

    /**
     * @param ownRequest false when the headers describe a consumed message (a control being handled), whose request
     *                   ID and times must not be reused for the upload
     */
    private void sendUpload(Exchange exchange, ProducerHeaders headers, AsyncCallback callback, boolean ownRequest) {
        Message message = exchange.getMessage();
        headers.forgetThoseOfAnotherPoint(address.pointId(), exchange);
        UploadBatcher batching = batcher;
        if (batching != null && !(message.getBody() instanceof Upload)
            && (!ownRequest || headers.givenRequestId() == null && headers.givenRequestTime() == null)) {
            List<PointValue> points = uploads.points(message, headers, ownRequest);
            for (PointValue point : points) {
                // here, not when the merged upload is written: a value JSON cannot carry fails its own exchange only
                endpoint.codec().requireWritable(point.value());
            }
            markAsUpload(message, ownRequest);
            batching.add(exchange, counting(exchange, callback, null, null), points);
            return;
        }
        if (batching != null) {
            // an upload of its own must not overtake values of its points still lingering
            batching.flush();
        }
        UploadBuilder.Request request = uploads.build(message, headers, ownRequest);
        Upload upload = request.upload();
        byte[] payload = endpoint.codec().encodeUpload(upload);
        markAsUpload(message, ownRequest);
        List<Long> pointIds = null;
        if (configuration.isAwaitAck()) {
            pointIds = new ArrayList<>(upload.points().size());
            for (PointValue point : upload.points()) {
                pointIds.add(point.id());
            }
        }
        publish(exchange, counting(exchange, callback, upload.requestId(), request.time()), uploadTopic, payload,
                upload.requestId(), pointIds, IotosDeviceProducer::onAcks);
    }

    /** A message that described a control (or another flow) now describes the upload it became. */
    private static void markAsUpload(Message message, boolean ownRequest) {
        if (!ownRequest) {
            message.setHeader(IotosConstants.MESSAGE_TYPE, MessageType.UPDATE);
        }
    }

    /**
     * The request and topic headers are set when the exchange completes, on the completing thread rather than the
     * caller's: the caller's thread is what limits a busy route.
     */
    private void setUploadHeaders(Message message, String requestId, Instant requestTime) {
        IotosHeaders.setRequestHeaders(message, requestId, requestTime);
        message.setHeader(IotosConstants.TOPIC, uploadTopic);
    }

    /**
     * Counts the upload in the session's metrics when its exchange completes, after setting its request headers (if
     * {@code requestId} is given; the batcher sets them itself).
     */
    private AsyncCallback counting(Exchange exchange, AsyncCallback callback, String requestId, Instant requestTime) {
        return doneSync -> {
            if (requestId != null) {
                setUploadHeaders(exchange.getMessage(), requestId, requestTime);
            }
            if (exchange.getException() == null) {
                session.metrics().uploadSent(configuration.isAwaitAck());
            } else {
                session.metrics().uploadFailed();
            }
            callback.done(doneSync);
        };
    }

    private static void onAcks(Exchange exchange, List<PointResult> results) {
        if (!results.isEmpty()) {
            IotosHeaders.setResultHeaders(exchange.getMessage(), firstFailureOrLast(results));
        }
    }

    private static PointResult firstFailureOrLast(List<PointResult> results) {
        return results.stream().filter(r -> !r.isOk()).findFirst().orElse(results.get(results.size() - 1));
    }

    private void sendControlResult(Exchange exchange, ProducerHeaders headers, AsyncCallback callback) {
        Message message = exchange.getMessage();
        String requestId = headers.requestId();
        int code = headers.responseCode(ResponseCodes.OK);
        String desc = headers.responseDesc(code == ResponseCodes.OK ? ResponseCodes.OK_DESC : "FAILED");
        Control received = exchange.getProperty(IotosHeaders.CONTROL, Control.class);
        long target = address.hasPoint() ? address.pointId() : headers.pointId();
        if (received != null && (target == IotosTopic.ANY || target == received.id())
            && (requestId == null || requestId.equals(received.requestId())
                || IotosHeaders.isWrittenRequestId(message, requestId))) {
            // the control this exchange came with, echoed as it arrived: an upload made meanwhile rewrote the
            // request headers, and times read back from headers lose the platform's own digits
            publishControlResult(exchange, callback, PointResult.answering(received, message.getBody(), code, desc));
            return;
        }
        if (requestId == null) {
            throw new IllegalArgumentException("A CONTROL_RESULT needs the " + IotosConstants.REQUEST_ID
                                               + " header of the control it answers");
        }
        if (target == IotosTopic.ANY) {
            throw new IllegalArgumentException("A CONTROL_RESULT needs a point: give it in the URI or the "
                                               + IotosConstants.POINT_ID + " header");
        }
        headers.forgetThoseOfAnotherPoint(address.pointId(), exchange);
        publishControlResult(exchange, callback, new PointResult(target,
                headers.pointOid(configuration.getPointOid()), headers.pointName(configuration.getPointName()),
                message.getBody(), millis(headers.timestamp()), requestId, millis(headers.requestTime()),
                Ids.newRequestId(), Timestamps.nowMillis(), code, desc));
    }

    private void publishControlResult(Exchange exchange, AsyncCallback callback, PointResult result) {
        Message message = exchange.getMessage();
        String topic = IotosTopic.controlResult(address.gatewayId(), address.deviceId(), result.id()).toTopicName();
        byte[] payload = endpoint.codec().encodeResult(result, MessageType.CONTROL_RESULT);
        message.setHeader(IotosConstants.TOPIC, topic);
        message.setHeader(IotosConstants.RESPONSE_ID, result.responseId());
        publish(exchange, doneSync -> {
            if (exchange.getException() == null) {
                session.metrics().controlAnswered();
            }
            callback.done(doneSync);
        }, topic, payload, result.requestId(), null, null);
    }

    private static BigDecimal millis(Instant instant) {
        return instant == null ? null : Timestamps.toMillis(instant);
    }
}
