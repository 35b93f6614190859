package io.cameliotos.component.iotos;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.cameliotos.component.iotos.protocol.Ids;
import io.cameliotos.component.iotos.protocol.IotosTopic;
import io.cameliotos.component.iotos.protocol.PointDefinition;
import io.cameliotos.component.iotos.protocol.PointTable;
import io.cameliotos.component.iotos.protocol.PointValue;
import io.cameliotos.component.iotos.protocol.Timestamps;
import io.cameliotos.component.iotos.protocol.Upload;
import org.apache.camel.Message;

/**
 * Turns a device producer's message into an {@link Upload}: the accepted body types, points named by ID, oid or name,
 * and {@code oid}/{@code name} filled in from the point table or the endpoint.
 */
final class UploadBuilder {

    static final String ACCEPTED = "accepted bodies: a scalar value (String, Number, Boolean) for the point named by "
                                   + "the URI, the CamelIotosPointId header, or pointOid/pointName; a List of PointValue "
                                   + "or of Map with id|oid|name, value and optional ts; a Map keyed by point ID, oid or "
                                   + "name (oid and name need a point table); a PointValue; or an Upload";

    private final IotosAddress address;
    private final IotosConfiguration configuration;
    private final PointTable table;

    UploadBuilder(IotosAddress address, IotosConfiguration configuration, PointTable table) {
        this.address = address;
        this.configuration = configuration;
        this.table = table;
    }

    /** An upload, and its request time as the instant set on the exchange. */
    record Request(Upload upload, Instant time) {
    }

    /**
     * @param ownRequest whether the request and time headers belong to this upload; false when they describe a
     *                   consumed message, e.g. the control a route is handling
     */
    Request build(Message message, ProducerHeaders headers, boolean ownRequest) {
        Object body = message.getBody();
        if (body instanceof Upload upload) {
            requireDistinct(upload.points());
            if (!Ids.isProtocolRequestId(upload.requestId())) {
                throw new IllegalArgumentException("The Upload body's request ID '" + upload.requestId() + "' is not "
                                                   + "one of the protocol: 32 lowercase hex characters");
            }
            // an Upload that was read (a platform consumer's) or built by hand is written as the protocol wants it
            BigDecimal given = upload.requestTime();
            Instant time = given == null ? Instant.now() : Timestamps.toInstant(given);
            BigDecimal requestTime = given == null ? Timestamps.toMillis(time)
                    : Timestamps.isMillis(given) ? given : given.movePointRight(3);
            List<PointValue> points = new ArrayList<>(upload.points().size());
            for (PointValue point : upload.points()) {
                points.add(complete(point, Timestamps.toSeconds(time)));
            }
            return new Request(new Upload(upload.requestId(), requestTime, points), time);
        }
        String requestId = ownRequest ? headers.givenRequestId() : null;
        Instant given = ownRequest ? headers.givenRequestTime() : null;
        Instant time = given != null ? given : Instant.now();
        List<PointValue> points = points(body, headers, Timestamps.toSeconds(time), ownRequest);
        if (points.isEmpty()) {
            throw new IllegalArgumentException("The upload has no points; " + ACCEPTED);
        }
        return new Request(new Upload(requestId == null ? Ids.newRequestId() : requestId, Timestamps.toMillis(time),
                points), time);
    }

    /**
     * The points of a message, for uploads merged by the batcher: no request ID or time of their own.
     *
     * @param ownRequest as for {@link #build}: false when the point's time stamp header describes a consumed message
     */
    List<PointValue> points(Message message, ProducerHeaders headers, boolean ownRequest) {
        List<PointValue> points = points(message.getBody(), headers, Timestamps.nowSeconds(), ownRequest);
        if (points.isEmpty()) {
            throw new IllegalArgumentException("The upload has no points; " + ACCEPTED);
        }
        return points;
    }

    private List<PointValue> points(Object body, ProducerHeaders headers, BigDecimal defaultTs, boolean ownRequest) {
        if (body == null) {
            throw new IllegalArgumentException("The message body is null; " + ACCEPTED);
        }
        if (body instanceof PointValue point) {
            return List.of(complete(point, defaultTs));
        }
        if (body instanceof Collection<?> list) {
            List<PointValue> points = new ArrayList<>(list.size());
            int index = 0;
            for (Object element : list) {
                points.add(complete(fromElement(element, index++), defaultTs));
            }
            return requireDistinct(points);
        }
        if (body instanceof Map<?, ?> map) {
            List<PointValue> points = new ArrayList<>(map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                PointDefinition point = resolve(entry.getKey(), "map key");
                points.add(complete(new PointValue(null, point.id(), point.oid(), point.name(), entry.getValue(), null),
                        defaultTs));
            }
            return requireDistinct(points);
        }
        if (body instanceof String || body instanceof Number || body instanceof Boolean) {
            return List.of(scalar(body, headers, defaultTs, ownRequest));
        }
        throw new IllegalArgumentException("Unsupported body type " + body.getClass().getName() + "; " + ACCEPTED);
    }

    private PointValue scalar(Object value, ProducerHeaders headers, BigDecimal defaultTs, boolean ownRequest) {
        String oid = headers.pointOid(configuration.getPointOid());
        String name = headers.pointName(configuration.getPointName());
        long id = address.hasPoint() ? address.pointId() : headers.pointId();
        if (id == IotosTopic.ANY) {
            PointDefinition byMeta = lookup(oid, name);
            if (byMeta == null) {
                throw new IllegalArgumentException("No point for the scalar body: give the point ID in the URI "
                                                   + "(iotos:gw/dev/pointId) or the CamelIotosPointId header, or a "
                                                   + "pointOid/pointName found in the point table");
            }
            id = byMeta.id();
        }
        Instant ts = ownRequest ? headers.timestamp() : null;
        String key = headers.pointKey();
        return complete(new PointValue(key, id, oid, name, value, ts == null ? null : Timestamps.toSeconds(ts)),
                defaultTs);
    }

    private PointDefinition lookup(String oid, String name) {
        if (table == null) {
            return null;
        }
        if (oid != null && table.byOid(oid).isPresent()) {
            return table.byOid(oid).get();
        }
        return name == null ? null : table.byName(name).orElse(null);
    }

    private PointValue fromElement(Object element, int index) {
        if (element instanceof PointValue point) {
            return point;
        }
        if (!(element instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("List element " + index + " is a "
                                               + (element == null ? "null" : element.getClass().getName())
                                               + ", not a PointValue or Map; " + ACCEPTED);
        }
        if (!map.containsKey("value")) {
            throw new IllegalArgumentException("List element " + index + " has no 'value'; " + ACCEPTED);
        }
        Object idValue = map.get("id");
        String oid = text(map.get("oid"));
        String name = text(map.get("name"));
        PointDefinition point;
        if (idValue != null) {
            point = resolve(idValue, "list element " + index + " id");
        } else if (oid != null || name != null) {
            point = lookup(oid, name);
            if (point == null) {
                throw new IllegalArgumentException("List element " + index + ": no point with oid '" + oid
                                                   + "' or name '" + name + "' in the point table");
            }
        } else {
            throw new IllegalArgumentException("List element " + index + " names no point: give id, oid or name");
        }
        Object ts = map.get("ts");
        Instant tsInstant = IotosHeaders.toInstant(ts);
        return new PointValue(text(map.get("key")), point.id(), oid != null ? oid : point.oid(),
                name != null ? name : point.name(), map.get("value"),
                tsInstant == null ? null : Timestamps.toSeconds(tsInstant));
    }

    /**
     * A point from an ID (number or numeric text), an oid or a name. Text is looked up in the point table first: an
     * oid or name made of digits names its point, not a point of that ID.
     */
    private PointDefinition resolve(Object key, String what) {
        long id = key instanceof Number n ? n.longValue() : Ids.parsePositive(String.valueOf(key).trim());
        if (table != null) {
            Optional<PointDefinition> known = key instanceof Number
                    ? table.byId(id) : table.resolve(String.valueOf(key));
            if (known.isPresent()) {
                return known.get();
            }
        }
        if (id > 0) {
            return new PointDefinition(id, null, null);
        }
        if (table == null) {
            throw new IllegalArgumentException("The " + what + " '" + key + "' is not a point ID, and no point table is "
                                               + "set to look up oids and names (pointTable or pointTableFile)");
        }
        return table.resolve(String.valueOf(key)).orElseThrow(() -> new IllegalArgumentException(
                "The " + what + " '" + key + "' is neither a point ID nor an oid or name in the point table"));
    }

    /** Fills oid and name from the point table or the endpoint, and ts with the upload time. */
    private PointValue complete(PointValue point, BigDecimal defaultTs) {
        String oid = point.oid();
        String name = point.name();
        if (oid == null || name == null) {
            PointDefinition known = table == null ? null : table.byId(point.id()).orElse(null);
            boolean endpointPoint = address.hasPoint() && address.pointId() == point.id();
            if (oid == null) {
                oid = known != null ? known.oid() : endpointPoint ? configuration.getPointOid() : null;
            }
            if (name == null) {
                name = known != null ? known.name() : endpointPoint ? configuration.getPointName() : null;
            }
        }
        // flow 1 carries seconds: a time in milliseconds (as some devices send it, and as it was read) is converted
        BigDecimal ts = point.ts() == null ? defaultTs
                : Timestamps.isMillis(point.ts()) ? point.ts().movePointLeft(3) : point.ts();
        if (oid == point.oid() && name == point.name() && ts == point.ts()) {
            return point;
        }
        return new PointValue(point.key(), point.id(), oid, name, point.value(), ts);
    }

    /**
     * One upload carries one value per point, under one key each: the data object is keyed by point, and a reader
     * keeps one of two members with the same key, losing the other point's value.
     */
    private static List<PointValue> requireDistinct(List<PointValue> points) {
        if (points.size() < 2) {
            return points;
        }
        Map<String, PointValue> byKey = new HashMap<>();
        Map<Long, PointValue> byId = new HashMap<>();
        for (PointValue point : points) {
            PointValue sameKey = byKey.put(point.effectiveKey(), point);
            PointValue samePoint = byId.put(point.id(), point);
            if (sameKey != null || samePoint != null) {
                PointValue other = sameKey != null ? sameKey : samePoint;
                throw new IllegalArgumentException("The upload has two values "
                                                   + (samePoint != null ? "of point " + point.id()
                                                           : "under the key '" + point.effectiveKey() + "' (points "
                                                             + other.id() + " and " + point.id() + ")")
                                                   + "; one upload carries one value per point and key: send them "
                                                   + "in two uploads");
            }
        }
        return points;
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
