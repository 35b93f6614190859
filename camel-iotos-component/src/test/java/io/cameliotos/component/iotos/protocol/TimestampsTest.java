package io.cameliotos.component.iotos.protocol;

import java.math.BigDecimal;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TimestampsTest {

    @Test
    void normalisesSecondsAndMillisecondsByMagnitude() {
        Instant expected = Instant.parse("2021-07-31T13:25:53.514Z");

        assertThat(Timestamps.toInstant(new BigDecimal("1627737953.514"))).isEqualTo(expected);
        assertThat(Timestamps.toInstant(new BigDecimal("1627737953514"))).isEqualTo(expected);
        assertThat(Timestamps.toInstant(new BigDecimal("1627737953514.123")))
                .isEqualTo(expected.plusNanos(123_000));
    }

    @Test
    void representsTimesWhoseMicrosecondsFitALong() {
        assertThat(Timestamps.isRepresentable(new BigDecimal("9223372036854775.806"))).isTrue();
        assertThat(Timestamps.isRepresentable(new BigDecimal("9223372036854775.807"))).isFalse();
        assertThat(Timestamps.isRepresentable(new BigDecimal("-9223372036854775.807"))).isFalse();
        // seconds below the threshold are always within range
        assertThat(Timestamps.isRepresentable(new BigDecimal("99999999999.999"))).isTrue();
        assertThat(Timestamps.toInstant(new BigDecimal("9223372036854775.806")).toEpochMilli())
                .isEqualTo(9_223_372_036_854_775L);
    }

    @Test
    void thresholdSeparatesTheUnits() {
        assertThat(Timestamps.isMillis(new BigDecimal("99999999999.9"))).isFalse();
        assertThat(Timestamps.isMillis(new BigDecimal("100000000000"))).isTrue();
    }

    @Test
    void writesMillisecondsWithMicrosAndSecondsWithMillis() {
        Instant instant = Instant.parse("2021-07-31T13:25:53.514123Z");

        assertThat(Timestamps.toMillis(instant).toPlainString()).isEqualTo("1627737953514.123");
        assertThat(Timestamps.toSeconds(instant).toPlainString()).isEqualTo("1627737953.514");
    }

    @Test
    void nowIsNow() {
        long before = System.currentTimeMillis();
        BigDecimal millis = Timestamps.nowMillis();
        BigDecimal seconds = Timestamps.nowSeconds();
        long after = System.currentTimeMillis();

        assertThat(millis.longValue()).isBetween(before, after);
        assertThat(seconds.movePointRight(3).longValue()).isBetween(before, after);
    }

    @Test
    void requestIdsAre32LowercaseHexAndDistinct() {
        String a = Ids.newRequestId();
        String b = Ids.newRequestId();

        assertThat(a).matches("[0-9a-f]{32}");
        assertThat(b).matches("[0-9a-f]{32}").isNotEqualTo(a);
    }

    @Test
    void parsesOnlyPositiveIds() {
        assertThat(Ids.parsePositive("1963")).isEqualTo(1963L);
        assertThat(Ids.parsePositive("0")).isEqualTo(-1L);
        assertThat(Ids.parsePositive("-1")).isEqualTo(-1L);
        assertThat(Ids.parsePositive("1e3")).isEqualTo(-1L);
        assertThat(Ids.parsePositive("")).isEqualTo(-1L);
        assertThat(Ids.parsePositive("9999999999999999999")).isEqualTo(-1L);
        assertThat(Ids.parsePositive("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(Ids.parsePositive("9223372036854775808")).isEqualTo(-1L);
        assertThat(Ids.parsePositive("1000000000000000000")).isEqualTo(1_000_000_000_000_000_000L);
    }
}
