package io.cameliotos.component.iotos.protocol;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The protocol's time rules. Upload {@code ts} is epoch seconds, control {@code ts} and every
 * {@code requestTime}/{@code responseTime} epoch milliseconds, each with a fraction. Readers cannot trust the unit, so
 * they normalise by magnitude: 1e11 or more is milliseconds (1e11 seconds is the year 5138, 1e11 milliseconds 1973).
 */
public final class Timestamps {

    /** Values at or above this are read as milliseconds, below it as seconds. */
    public static final BigDecimal MILLIS_THRESHOLD = BigDecimal.valueOf(100_000_000_000L);

    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    /** {@link #toInstant} counts microseconds in a long: this many milliseconds either side of 1970. */
    private static final BigDecimal MAX_MILLIS = BigDecimal.valueOf(Long.MAX_VALUE, 3);

    private Timestamps() {
    }

    /** Now as epoch milliseconds with microsecond fraction, e.g. {@code 1627737953514.123}. */
    public static BigDecimal nowMillis() {
        return toMillis(Instant.now());
    }

    /** Now as epoch seconds with millisecond fraction, e.g. {@code 1627737953.514}. */
    public static BigDecimal nowSeconds() {
        return BigDecimal.valueOf(System.currentTimeMillis(), 3);
    }

    /** Epoch milliseconds with microsecond fraction. */
    public static BigDecimal toMillis(Instant instant) {
        long micros = Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
        return BigDecimal.valueOf(micros, 3);
    }

    /** Epoch seconds with millisecond fraction. */
    public static BigDecimal toSeconds(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli(), 3);
    }

    /** Reads a wire timestamp in either unit (normalised by magnitude) as an instant. */
    public static Instant toInstant(BigDecimal value) {
        if (value == null) {
            return null;
        }
        BigDecimal millis = isMillis(value) ? value : value.multiply(THOUSAND);
        BigDecimal micros = millis.movePointRight(3);
        long wholeMicros = micros.longValue();
        return Instant.ofEpochSecond(Math.floorDiv(wholeMicros, 1_000_000L), Math.floorMod(wholeMicros, 1_000_000L) * 1000);
    }

    /** Whether {@link #toInstant} can represent the value (about 292,000 years either side of 1970). */
    public static boolean isRepresentable(BigDecimal value) {
        BigDecimal millis = isMillis(value) ? value : value.multiply(THOUSAND);
        return millis.abs().compareTo(MAX_MILLIS) < 0;
    }

    /** True if the value is read as milliseconds. */
    public static boolean isMillis(BigDecimal value) {
        return value.abs().compareTo(MILLIS_THRESHOLD) >= 0;
    }
}
