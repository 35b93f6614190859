package io.cameliotos.component.iotos.session;

import io.cameliotos.component.iotos.protocol.IotosCodec;
import io.cameliotos.component.iotos.protocol.IotosProtocolException;
import io.cameliotos.component.iotos.protocol.IotosTopic;
import io.cameliotos.component.iotos.protocol.PointResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds results (flows 2 and 4) arriving on a subscription into a session's {@link ResultCorrelator}. Decoding is
 * cheap and non-blocking, so it runs on the delivery thread; the correlator completes waiters elsewhere.
 */
public final class ResultListener implements MessageListener {

    private static final Logger LOG = LoggerFactory.getLogger(ResultListener.class);

    private final ResultCorrelator correlator;
    private final IotosCodec codec;
    private final int maxPayloadSize;

    public ResultListener(ResultCorrelator correlator, IotosCodec codec, int maxPayloadSize) {
        this.correlator = correlator;
        this.codec = codec;
        this.maxPayloadSize = maxPayloadSize;
    }

    @Override
    public void onMessage(String topic, byte[] payload, int qos, boolean duplicate) {
        if (payload.length > maxPayloadSize) {
            LOG.warn("Ignoring result on {}: {} bytes exceed maxPayloadSize {}", topic, payload.length, maxPayloadSize);
            return;
        }
        try {
            IotosTopic address = IotosTopic.parse(topic);
            PointResult result = codec.decodeResult(payload);
            if (!correlator.accept(address.pointId(), result)) {
                LOG.debug("Result on {} for request {} matches no waiting request", topic, result.requestId());
            }
        } catch (IotosProtocolException | IllegalArgumentException e) {
            LOG.warn("Ignoring malformed result on {}: {}; payload: {}", topic, e.getMessage(), Payloads.preview(payload));
        }
    }
}
