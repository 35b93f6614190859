package io.cameliotos.examples.demo;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.cameliotos.component.iotos.IotosConstants;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's live log of the four flows, seen from the devices, and their counts; and which devices had their uploads
 * acknowledged and their answers received by the platform simulator. Bound as bean {@code demoLog} so the Java and
 * the YAML routes both call it.
 */
public final class DemoLog {

    private static final Logger LOG = LoggerFactory.getLogger("iotos.demo");

    private final AtomicLong uploads = new AtomicLong();
    private final AtomicLong acks = new AtomicLong();
    private final AtomicLong controls = new AtomicLong();
    private final AtomicLong results = new AtomicLong();
    /** {@code gatewayId/deviceId} of the devices whose uploads were acknowledged. */
    private final Set<String> acknowledgedDevices = ConcurrentHashMap.newKeySet();
    /** {@code gatewayId/deviceId} of the devices whose control results reached the platform with code 0. */
    private final Set<String> answeredDevices = ConcurrentHashMap.newKeySet();

    /** After an upload with awaitAck: logs the upload and the platform's acknowledgement. */
    public void uploaded(Exchange exchange) {
        Message m = exchange.getMessage();
        uploads.incrementAndGet();
        LOG.info("UPLOAD   数据上报  {}  {}  req {}", device(m), values(m.getBody()), shortId(m));
        acks.incrementAndGet();
        acknowledgedDevices.add(device(m));
        LOG.info("ACK      上报结果  {}  code {} {}", device(m), m.getHeader(IotosConstants.RESPONSE_CODE),
                m.getHeader(IotosConstants.RESPONSE_DESC));
    }

    /** An upload the platform did not acknowledge: sent, but no ack. */
    public void uploadFailed(Exchange exchange) {
        Message m = exchange.getMessage();
        uploads.incrementAndGet();
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        LOG.info("UPLOAD   数据上报  {}  {}  req {}  NOT ACKNOWLEDGED: {}", device(m), values(m.getBody()),
                shortId(m), cause == null ? "?" : cause.getMessage());
    }

    /** A control arrived at a device. */
    public void controlReceived(Exchange exchange) {
        Message m = exchange.getMessage();
        controls.incrementAndGet();
        LOG.info("CONTROL  设备反控  {}/{} {}  value {}  req {}", device(m), m.getHeader(IotosConstants.POINT_ID),
                nameOf(m), m.getBody(), shortId(m));
    }

    /** The device answers the control with the current body. */
    public void answering(Exchange exchange) {
        Message m = exchange.getMessage();
        results.incrementAndGet();
        LOG.info("RESULT   反控结果  {}/{}  code 0  value {}  req {}", device(m), m.getHeader(IotosConstants.POINT_ID),
                m.getBody(), shortId(m));
    }

    /** The platform simulator received a device's answer to its control (flow 4, InOut). */
    public void resultReceived(Exchange exchange) {
        Message m = exchange.getMessage();
        if (Integer.valueOf(0).equals(m.getHeader(IotosConstants.RESPONSE_CODE, Integer.class))) {
            answeredDevices.add(m.getHeader(IotosConstants.GATEWAY_ID) + "/" + m.getHeader(IotosConstants.DEVICE_ID));
        }
    }

    /**
     * Whether every one of {@code devices} ({@code gatewayId/deviceId}) had an upload acknowledged and, where the
     * platform is simulated, answered a control that the platform received.
     */
    boolean everyFlowSeen(Collection<String> devices, boolean platformSimulated) {
        return acknowledgedDevices.containsAll(devices) && (!platformSimulated || answeredDevices.containsAll(devices));
    }

    long uploads() {
        return uploads.get();
    }

    long acks() {
        return acks.get();
    }

    long controls() {
        return controls.get();
    }

    long results() {
        return results.get();
    }

    String summary(long seconds) {
        return String.format("""
                ---- camel-iotos demo summary (%d s) ----
                uploads   数据上报  %5d
                acks      上报结果  %5d
                controls  设备反控  %5d
                results   反控结果  %5d""", seconds, uploads(), acks(), controls(), results());
    }

    private static String device(Message m) {
        String topic = m.getHeader(IotosConstants.TOPIC, "", String.class);
        String[] levels = topic.split("/");
        return levels.length >= 6 ? levels[4] + "/" + levels[5] : topic;
    }

    private static String nameOf(Message m) {
        String name = m.getHeader(IotosConstants.POINT_NAME, String.class);
        return name == null ? "" : name;
    }

    private static String shortId(Message m) {
        String id = m.getHeader(IotosConstants.REQUEST_ID, "", String.class);
        return id.length() > 8 ? id.substring(0, 8) : id;
    }

    private static String values(Object body) {
        if (body instanceof Map<?, ?> map) {
            StringJoiner joiner = new StringJoiner(" ");
            map.forEach((k, v) -> joiner.add(k + "=" + v));
            return joiner.toString();
        }
        return String.valueOf(body);
    }
}
