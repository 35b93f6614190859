package io.cameliotos.component.iotos.protocol;

import java.math.BigDecimal;

/**
 * A control for one point (flow 3, 数据下发 / 设备反控).
 *
 * @param id          the point ID; the topic's point ID is authoritative
 * @param oid         the point's oid, may be {@code null}
 * @param name        the point's name, may be {@code null}
 * @param value       the value to apply
 * @param ts          as sent, normally epoch milliseconds; echoed unchanged in the result
 * @param requestId   the platform's request ID
 * @param requestTime as sent, epoch milliseconds; echoed unchanged in the result
 */
public record Control(long id, String oid, String name, Object value, BigDecimal ts, String requestId,
        BigDecimal requestTime) {
}
