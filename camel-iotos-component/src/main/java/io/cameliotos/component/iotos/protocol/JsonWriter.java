package io.cameliotos.component.iotos.protocol;

import java.math.BigDecimal;
import java.util.Arrays;

/**
 * Writes the protocol's small, flat JSON objects as UTF-8 straight into one array. A streaming Jackson generator
 * needs an I/O context, recycled buffers and an output stream per message; for a 200-byte upload that set-up cost more
 * than the writing. Values that are not scalars are left to Jackson by the caller ({@link #raw}).
 * <p>
 * Not thread-safe; one instance writes one message at a time. {@link #forThisThread()} lends each thread one writer
 * whose buffer is kept between messages, so a message costs only its exact-size copy.
 */
final class JsonWriter implements AutoCloseable {

    /** A buffer the first messages fit in; one grown beyond {@link #MAX_KEPT_BUFFER} is not kept. */
    private static final int THREAD_BUFFER = 512;
    private static final int MAX_KEPT_BUFFER = 64 * 1024;
    private static final ThreadLocal<JsonWriter> THREAD_WRITER = ThreadLocal.withInitial(() -> new JsonWriter(THREAD_BUFFER));

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] NULL = { 'n', 'u', 'l', 'l' };
    private static final byte[] TRUE = { 't', 'r', 'u', 'e' };
    private static final byte[] FALSE = { 'f', 'a', 'l', 's', 'e' };
    private static final int MAX_DEPTH = 8;
    /** The scale Jackson also refuses to write plainly beyond. */
    private static final int MAX_PLAIN_SCALE = 9999;

    private byte[] buffer;
    private int length;
    /** Per open object: whether a member was written, so the next one needs a comma. */
    private final boolean[] hasMember = new boolean[MAX_DEPTH];
    private int depth = -1;
    /** The decimal written last and where its text is, for {@link #decimal(BigDecimal)}. */
    private BigDecimal lastDecimal;
    private int lastDecimalStart;
    private int lastDecimalLength;
    private boolean lent;

    JsonWriter(int expectedLength) {
        this.buffer = new byte[expectedLength];
    }

    /**
     * This thread's writer, empty; {@link #close()} it when the message is written. While it is lent (a value
     * written by Jackson that writes a message of its own), a new writer is made.
     */
    static JsonWriter forThisThread() {
        JsonWriter writer = THREAD_WRITER.get();
        if (writer.lent) {
            return new JsonWriter(THREAD_BUFFER);
        }
        writer.lent = true;
        return writer;
    }

    /** Ends a message started with {@link #forThisThread()}, written or not, and gives the writer back. */
    @Override
    public void close() {
        length = 0;
        depth = -1;
        lastDecimal = null;
        lent = false;
        if (buffer.length > MAX_KEPT_BUFFER) {
            buffer = new byte[THREAD_BUFFER];
        }
    }

    JsonWriter beginObject() {
        ensure(1);
        buffer[length++] = '{';
        if (++depth == MAX_DEPTH) {
            throw new IllegalStateException("objects nested deeper than " + MAX_DEPTH);
        }
        hasMember[depth] = false;
        return this;
    }

    JsonWriter endObject() {
        ensure(1);
        buffer[length++] = '}';
        depth--;
        return this;
    }

    /** A member name written once, as its quoted UTF-8 bytes and the colon, for {@link #name(byte[])}. */
    static byte[] encodeName(String name) {
        return new JsonWriter(name.length() + 3).string(name).ascii(":").toByteArray();
    }

    /** Starts a member: a comma if needed, the name, a colon. */
    JsonWriter name(String name) {
        comma();
        string(name);
        ensure(1);
        buffer[length++] = ':';
        return this;
    }

    /** Starts a member whose name was written by {@link #encodeName(String)}. */
    JsonWriter name(byte[] encodedName) {
        comma();
        return raw(encodedName);
    }

    private void comma() {
        if (hasMember[depth]) {
            ensure(1);
            buffer[length++] = ',';
        }
        hasMember[depth] = true;
    }

    JsonWriter nullValue() {
        return raw(NULL);
    }

    JsonWriter bool(boolean value) {
        return raw(value ? TRUE : FALSE);
    }

    JsonWriter number(long value) {
        ensure(20);
        if (value < 0) {
            if (value == Long.MIN_VALUE) {
                return ascii(Long.toString(value));
            }
            buffer[length++] = '-';
            value = -value;
        }
        int digits = digits(value);
        writeDigits(value, length + digits);
        length += digits;
        return this;
    }

    /** A member name that is a number, e.g. a point ID as the key of an upload's entry, without making it a string. */
    JsonWriter name(long number) {
        comma();
        ensure(22);
        buffer[length++] = '"';
        number(number);
        buffer[length++] = '"';
        buffer[length++] = ':';
        return this;
    }

    /**
     * A decimal in plain notation, never {@code 1.6E12}. Timestamps are small-scale decimals of a long (e.g.
     * 1627737953514.123): their digits are placed directly, without {@link BigDecimal#toPlainString()}.
     */
    JsonWriter decimal(BigDecimal value) {
        if (value == null) {
            return nullValue();
        }
        if (value.equals(lastDecimal)) {
            // the points of one upload usually share their time stamp: copy its text instead of writing it again
            ensure(lastDecimalLength);
            System.arraycopy(buffer, lastDecimalStart, buffer, length, lastDecimalLength);
            length += lastDecimalLength;
            return this;
        }
        int start = length;
        writeDecimal(value);
        lastDecimal = value;
        lastDecimalStart = start;
        lastDecimalLength = length - start;
        return this;
    }

    private void writeDecimal(BigDecimal value) {
        int scale = value.scale();
        if (scale < 0 || scale > 9 || value.precision() > 18) {
            if (Math.abs(scale) > MAX_PLAIN_SCALE) {
                // 1e999999999 is 11 characters, its plain form a billion digits
                throw new IllegalArgumentException("number " + value + " is too large or too small to write in plain "
                                                   + "notation (exponent beyond " + MAX_PLAIN_SCALE + ")");
            }
            ascii(value.toPlainString());
            return;
        }
        // moving the point gives the digits as a long without inflating a BigInteger
        plain(value.movePointRight(scale).longValueExact(), scale);
    }

    /**
     * A finite double as a plain decimal that reads back as exactly the same double, like {@code 21.5} or {@code 21.0}.
     * Sensor values usually have a few decimals: the fewest decimals (up to nine) that read back exactly are found by
     * scaling by powers of ten, which costs a fraction of {@link Double#toString(double)}; other values go through it.
     */
    JsonWriter number(double value) {
        double magnitude = Math.abs(value);
        if (magnitude > 0 && magnitude < 1e15) {
            for (int scale = 0; scale < POWERS_OF_TEN.length; scale++) {
                double scaled = magnitude * POWERS_OF_TEN[scale];
                if (scaled >= EXACT_LONG_LIMIT) {
                    break;
                }
                long digits = Math.round(scaled);
                // digits / 10^scale is correctly rounded, exactly as parsing the decimal text would round it
                if (digits / POWERS_OF_TEN[scale] == magnitude) {
                    return plainWithFraction(value < 0 ? -digits : digits, scale);
                }
            }
        }
        String text = Double.toString(value);
        return ascii(text.indexOf('E') < 0 ? text : new BigDecimal(text).toPlainString());
    }

    private static final double[] POWERS_OF_TEN = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
    /** 2^53: every long below it is exactly a double. */
    private static final double EXACT_LONG_LIMIT = 9007199254740992.0;

    /** Like {@link Double#toString(double)}: trailing zeros dropped, but at least one digit after the point. */
    private JsonWriter plainWithFraction(long unscaled, int scale) {
        while (scale > 0 && unscaled % 10 == 0) {
            unscaled /= 10;
            scale--;
        }
        if (scale > 0) {
            return plain(unscaled, scale);
        }
        plain(unscaled, 0);
        return ascii(".0");
    }

    /** The decimal {@code unscaled × 10^-scale}, digit by digit. */
    private JsonWriter plain(long unscaled, int scale) {
        long rest = Math.abs(unscaled);
        int digits = Math.max(digits(rest), scale + 1);
        ensure(digits + 2);
        if (unscaled < 0) {
            buffer[length++] = '-';
        }
        int end = length + digits + (scale > 0 ? 1 : 0);
        if (scale > 0) {
            long unit = LONG_POWERS_OF_TEN[scale];
            // the fraction with its leading zeros, then the point, then the whole part
            writeDigitsPadded(rest % unit, end, scale);
            buffer[end - scale - 1] = '.';
            writeDigits(rest / unit, end - scale - 1);
        } else {
            writeDigits(rest, end);
        }
        length = end;
        return this;
    }

    /** The decimal digits of a non-negative value, ending just before {@code end}, two at a time. */
    private void writeDigits(long value, int end) {
        int pos = end;
        while (value >= 100) {
            int pair = (int) (value % 100);
            value /= 100;
            buffer[--pos] = DIGIT_ONES[pair];
            buffer[--pos] = DIGIT_TENS[pair];
        }
        int last = (int) value;
        buffer[--pos] = DIGIT_ONES[last];
        if (last >= 10) {
            buffer[--pos] = DIGIT_TENS[last];
        }
    }

    /** Exactly {@code count} digits of a non-negative value below 10^count, ending just before {@code end}. */
    private void writeDigitsPadded(long value, int end, int count) {
        for (int pos = end - 1; pos >= end - count; pos--) {
            buffer[pos] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    private static final byte[] DIGIT_TENS = new byte[100];
    private static final byte[] DIGIT_ONES = new byte[100];
    private static final long[] LONG_POWERS_OF_TEN = { 1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L,
                                                       10_000_000L, 100_000_000L, 1_000_000_000L };

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_TENS[i] = (byte) ('0' + i / 10);
            DIGIT_ONES[i] = (byte) ('0' + i % 10);
        }
    }

    /** Text that is known to be a JSON number, e.g. from {@link Double#toString(double)}. */
    JsonWriter ascii(String text) {
        int n = text.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buffer[length++] = (byte) text.charAt(i);
        }
        return this;
    }

    /** Bytes that already are a JSON value. */
    JsonWriter raw(byte[] json) {
        ensure(json.length);
        System.arraycopy(json, 0, buffer, length, json.length);
        length += json.length;
        return this;
    }

    /** A string value (or {@code null}), escaped as JSON requires, encoded as UTF-8. */
    JsonWriter string(String text) {
        if (text == null) {
            return nullValue();
        }
        int n = text.length();
        // room for the whole text while every char takes one byte; a wider char makes room for itself and the rest
        ensure(n + 2);
        buffer[length++] = '"';
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                buffer[length++] = (byte) c;
                continue;
            }
            ensure(6 + (n - i));
            if (c < 0x80) {
                escape(c);
            } else if (c < 0x800) {
                buffer[length++] = (byte) (0xC0 | c >> 6);
                buffer[length++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                buffer[length++] = (byte) (0xF0 | cp >> 18);
                buffer[length++] = (byte) (0x80 | cp >> 12 & 0x3F);
                buffer[length++] = (byte) (0x80 | cp >> 6 & 0x3F);
                buffer[length++] = (byte) (0x80 | cp & 0x3F);
            } else if (Character.isSurrogate(c)) {
                // a lone surrogate has no UTF-8 form; the escape keeps the text as it was
                unicodeEscape(c);
            } else {
                buffer[length++] = (byte) (0xE0 | c >> 12);
                buffer[length++] = (byte) (0x80 | c >> 6 & 0x3F);
                buffer[length++] = (byte) (0x80 | c & 0x3F);
            }
        }
        ensure(1);
        buffer[length++] = '"';
        return this;
    }

    byte[] toByteArray() {
        // a lent writer keeps its buffer for the next message
        return !lent && length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
    }

    private void escape(char c) {
        char shortForm = switch (c) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '\n' -> 'n';
            case '\r' -> 'r';
            case '\t' -> 't';
            case '\b' -> 'b';
            case '\f' -> 'f';
            default -> 0;
        };
        if (shortForm != 0) {
            buffer[length++] = '\\';
            buffer[length++] = (byte) shortForm;
        } else {
            unicodeEscape(c);
        }
    }

    private void unicodeEscape(char c) {
        buffer[length++] = '\\';
        buffer[length++] = 'u';
        buffer[length++] = HEX[c >> 12 & 0xF];
        buffer[length++] = HEX[c >> 8 & 0xF];
        buffer[length++] = HEX[c >> 4 & 0xF];
        buffer[length++] = HEX[c & 0xF];
    }

    private static int digits(long value) {
        int digits = 1;
        for (long limit = 10; digits < 19 && value >= limit; limit *= 10) {
            digits++;
        }
        return digits;
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }
}
