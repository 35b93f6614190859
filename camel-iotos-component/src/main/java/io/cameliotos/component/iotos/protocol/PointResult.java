package io.cameliotos.component.iotos.protocol;

import java.math.BigDecimal;

/**
 * The result for one point: an upload result (flow 2) or a control result (flow 4). Both echo the request's
 * {@code id}, {@code oid}, {@code name}, {@code ts}, {@code requestId} and {@code requestTime}.
 */
public record PointResult(
        long id, String oid, String name, Object value, BigDecimal ts,
        String requestId, BigDecimal requestTime,
        String responseId, BigDecimal responseTime, int responseCode, String responseDesc) {

    public boolean isOk() {
        return responseCode == ResponseCodes.OK;
    }

    /** The same result for the point {@code pointId}: the one its topic names, which decides over the JSON's. */
    public PointResult forPoint(long pointId) {
        return pointId == id ? this : new PointResult(pointId, oid, name, value, ts, requestId, requestTime, responseId,
                responseTime, responseCode, responseDesc);
    }

    /** The answer to a control: echoes the control, carries the given value, a new response ID and now. */
    public static PointResult answering(Control control, Object value, int code, String desc) {
        return new PointResult(control.id(), control.oid(), control.name(), value, control.ts(),
                control.requestId(), control.requestTime(),
                Ids.newRequestId(), Timestamps.nowMillis(), code, desc);
    }

    /** The platform's answer for one point of an upload. */
    public static PointResult answering(Upload upload, PointValue point, int code, String desc) {
        return new PointResult(point.id(), point.oid(), point.name(), point.value(), point.ts(),
                upload.requestId(), upload.requestTime(),
                Ids.newRequestId(), Timestamps.nowMillis(), code, desc);
    }
}
