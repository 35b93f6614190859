package io.cameliotos.component.iotos;

import io.cameliotos.component.iotos.protocol.Ids;
import io.cameliotos.component.iotos.protocol.IotosTopic;

/**
 * The {@code gatewayId/deviceId[/pointId]} part of an endpoint URI, validated. {@link IotosTopic#ANY} stands for a
 * {@code *}, which only the platform role accepts.
 */
record IotosAddress(long gatewayId, long deviceId, long pointId) {

    static final String EXPECTED = "expected iotos:gatewayId/deviceId[/pointId] with positive integer IDs";

    boolean hasPoint() {
        return pointId != IotosTopic.ANY;
    }

    static IotosAddress parse(String remaining, IotosRole role) {
        String path = remaining == null ? "" : remaining;
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (path.startsWith("//")) {
            path = path.substring(2);
        }
        String[] parts = path.split("/", -1);
        if (path.isEmpty() || parts.length < 2 || parts[1].isEmpty()) {
            throw new IllegalArgumentException("Invalid iotos URI '" + remaining + "': missing device ID; " + EXPECTED
                                               + (role == IotosRole.platform ? " (or * for any)" : ""));
        }
        if (parts.length > 3) {
            throw new IllegalArgumentException("Invalid iotos URI '" + remaining + "': too many parts after the point ID; "
                                               + EXPECTED);
        }
        long gateway = id(parts[0], "gateway ID", remaining, role);
        long device = id(parts[1], "device ID", remaining, role);
        long point = parts.length == 3 ? id(parts[2], "point ID", remaining, role) : IotosTopic.ANY;
        return new IotosAddress(gateway, device, point);
    }

    private static long id(String text, String what, String remaining, IotosRole role) {
        if ("*".equals(text)) {
            if (role == IotosRole.platform) {
                return IotosTopic.ANY;
            }
            throw new IllegalArgumentException("Invalid iotos URI '" + remaining + "': " + what
                                               + " '*' is only allowed with role=platform; a device endpoint names "
                                               + "one gateway and device");
        }
        long id = Ids.parsePositive(text);
        if (id <= 0) {
            throw new IllegalArgumentException("Invalid iotos URI '" + remaining + "': " + what + " '" + text
                                               + "' is not a positive integer; " + EXPECTED);
        }
        return id;
    }
}
