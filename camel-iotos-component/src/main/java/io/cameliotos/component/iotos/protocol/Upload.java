package io.cameliotos.component.iotos.protocol;

import java.math.BigDecimal;
import java.util.List;

/**
 * A data upload (flow 1, 数据上报).
 *
 * @param requestId   32 lowercase hex characters chosen by the device
 * @param requestTime epoch milliseconds with a fraction
 * @param points      the point values, in the order they are written
 */
public record Upload(String requestId, BigDecimal requestTime, List<PointValue> points) {

    public Upload {
        points = List.copyOf(points);
    }
}
