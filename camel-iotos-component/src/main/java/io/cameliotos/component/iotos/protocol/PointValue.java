package io.cameliotos.component.iotos.protocol;

import java.math.BigDecimal;

/**
 * One data point's value in an upload (flow 1).
 *
 * @param key   the key of this entry in the upload's {@code data} object; {@code null} means the default: the
 *              {@code oid} when known, else the point ID
 * @param id    the data point ID (数据点ID), positive
 * @param oid   the point's short object ID, may be {@code null}
 * @param name  the point's display name, may be {@code null}
 * @param value the value: a string, number, boolean, {@code null}, or a JSON-like map or list
 * @param ts    the sample time, written as epoch seconds with a fraction, may be {@code null} (then the upload time is
 *              used); in an upload that was read, as the device sent it, which may be milliseconds:
 *              {@link Timestamps#toInstant} reads either
 */
public record PointValue(String key, long id, String oid, String name, Object value, BigDecimal ts) {

    public PointValue {
        if (id <= 0) {
            throw new IllegalArgumentException("point ID must be positive, was " + id);
        }
    }

    public static PointValue of(long id, Object value) {
        return new PointValue(null, id, null, null, value, null);
    }

    /** The key this entry gets in the upload's {@code data} object. */
    public String effectiveKey() {
        if (key != null) {
            return key;
        }
        return oid != null ? oid : Long.toString(id);
    }
}
