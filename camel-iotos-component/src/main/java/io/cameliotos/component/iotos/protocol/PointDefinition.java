package io.cameliotos.component.iotos.protocol;

/**
 * A data point as configured on the platform.
 *
 * @param id   the data point ID (数据点ID)
 * @param oid  the point's short object ID, may be {@code null}
 * @param name the point's display name (数据点名称), may be {@code null}
 */
public record PointDefinition(long id, String oid, String name) {

    public PointDefinition {
        if (id <= 0) {
            throw new IllegalArgumentException("point ID must be positive, was " + id);
        }
    }
}
