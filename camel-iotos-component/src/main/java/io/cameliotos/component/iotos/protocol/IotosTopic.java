package io.cameliotos.component.iotos.protocol;

/**
 * An IOTOS topic or topic filter: the flow and the gateway, device and point IDs it addresses.
 * <p>
 * An ID of {@link #ANY} stands for "any" and becomes the MQTT single-level wildcard {@code +} in a filter. Uploads
 * ({@link MessageType#UPDATE}) address a device, never a point, so their point ID is always {@link #ANY}.
 */
public record IotosTopic(MessageType type, long gatewayId, long deviceId, long pointId) {

    /** The ID that matches every gateway, device or point in a filter. Real IDs are positive. */
    public static final long ANY = 0;

    static final String UPLOAD_PREFIX = "$IOTOS/device/platform/update/";
    static final String CONTROL_PREFIX = "$IOTOS/device/endpoint/update/";
    static final String RESULT_SUFFIX = "/result";

    public IotosTopic {
        if (type == null) {
            throw new IllegalArgumentException("message type is required");
        }
        requireIdOrAny("gateway", gatewayId);
        requireIdOrAny("device", deviceId);
        requireIdOrAny("point", pointId);
        if (type == MessageType.UPDATE && pointId != ANY) {
            throw new IllegalArgumentException("an upload topic addresses a device, not point " + pointId);
        }
    }

    public static IotosTopic upload(long gatewayId, long deviceId) {
        return new IotosTopic(MessageType.UPDATE, gatewayId, deviceId, ANY);
    }

    public static IotosTopic uploadResult(long gatewayId, long deviceId, long pointId) {
        return new IotosTopic(MessageType.UPDATE_RESULT, gatewayId, deviceId, pointId);
    }

    public static IotosTopic control(long gatewayId, long deviceId, long pointId) {
        return new IotosTopic(MessageType.CONTROL, gatewayId, deviceId, pointId);
    }

    public static IotosTopic controlResult(long gatewayId, long deviceId, long pointId) {
        return new IotosTopic(MessageType.CONTROL_RESULT, gatewayId, deviceId, pointId);
    }

    /** The same address in another flow, e.g. the result topic that answers a control. */
    public IotosTopic withType(MessageType newType) {
        return new IotosTopic(newType, gatewayId, deviceId, newType == MessageType.UPDATE ? ANY : pointId);
    }

    /** True when every ID is concrete, so the topic can be published to. */
    public boolean isConcrete() {
        return gatewayId != ANY && deviceId != ANY && (type == MessageType.UPDATE || pointId != ANY);
    }

    /** The topic name to publish to; fails if an ID is {@link #ANY}. */
    public String toTopicName() {
        if (!isConcrete()) {
            throw new IllegalStateException("cannot publish to a wildcard address: " + toFilter());
        }
        return toFilter();
    }

    /** The MQTT topic filter, with {@code +} for every {@link #ANY} ID. */
    public String toFilter() {
        StringBuilder sb = new StringBuilder(64);
        boolean upload = type == MessageType.UPDATE || type == MessageType.UPDATE_RESULT;
        sb.append(upload ? UPLOAD_PREFIX : CONTROL_PREFIX);
        appendLevel(sb, gatewayId).append('/');
        appendLevel(sb, deviceId);
        if (type != MessageType.UPDATE) {
            appendLevel(sb.append('/'), pointId);
        }
        if (type == MessageType.UPDATE_RESULT || type == MessageType.CONTROL_RESULT) {
            sb.append(RESULT_SUFFIX);
        }
        return sb.toString();
    }

    /**
     * Parses a concrete IOTOS topic name.
     *
     * @throws IllegalArgumentException if the topic is not one of the four IOTOS flows with positive integer IDs
     */
    public static IotosTopic parse(String topic) {
        if (topic == null) {
            throw new IllegalArgumentException("topic is null");
        }
        boolean upload;
        String rest;
        if (topic.startsWith(UPLOAD_PREFIX)) {
            upload = true;
            rest = topic.substring(UPLOAD_PREFIX.length());
        } else if (topic.startsWith(CONTROL_PREFIX)) {
            upload = false;
            rest = topic.substring(CONTROL_PREFIX.length());
        } else {
            throw new IllegalArgumentException("not an IOTOS topic: " + topic);
        }
        boolean result = rest.endsWith(RESULT_SUFFIX);
        if (result) {
            rest = rest.substring(0, rest.length() - RESULT_SUFFIX.length());
        }
        String[] ids = rest.split("/", -1);
        int expected = upload && !result ? 2 : 3;
        if (ids.length != expected) {
            throw new IllegalArgumentException("not an IOTOS topic (expected " + expected + " ID levels): " + topic);
        }
        long gw = parseId(ids[0], "gateway", topic);
        long dev = parseId(ids[1], "device", topic);
        long pt = expected == 3 ? parseId(ids[2], "point", topic) : ANY;
        MessageType type;
        if (upload) {
            type = result ? MessageType.UPDATE_RESULT : MessageType.UPDATE;
        } else {
            type = result ? MessageType.CONTROL_RESULT : MessageType.CONTROL;
        }
        return new IotosTopic(type, gw, dev, pt);
    }

    @Override
    public String toString() {
        return toFilter();
    }

    private static StringBuilder appendLevel(StringBuilder sb, long id) {
        return id == ANY ? sb.append('+') : sb.append(id);
    }

    private static long parseId(String level, String what, String topic) {
        long id = Ids.parsePositive(level);
        if (id <= 0) {
            throw new IllegalArgumentException("invalid " + what + " ID '" + level + "' in topic " + topic);
        }
        return id;
    }

    private static void requireIdOrAny(String what, long id) {
        if (id < 0) {
            throw new IllegalArgumentException(what + " ID must be positive, was " + id);
        }
    }
}
