package io.cameliotos.component.iotos.protocol;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Gateway, device and point IDs, and request/response IDs.
 */
public final class Ids {

    /** The longest request ID the protocol allows; generated ones are 32 lowercase hex characters. */
    public static final int MAX_REQUEST_ID_LENGTH = 64;

    /** The digits of {@link Long#MAX_VALUE}. */
    private static final int MAX_LONG_DIGITS = 19;

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private Ids() {
    }

    /** Whether a request ID has the protocol's form: 32 lowercase hex characters, a UUID without its dashes. */
    public static boolean isProtocolRequestId(CharSequence id) {
        if (id.length() != 32) {
            return false;
        }
        for (int i = 0; i < 32; i++) {
            char c = id.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses a positive decimal integer ID without allocating.
     *
     * @return the ID, or -1 if the text is not a positive integer that fits in a long
     */
    public static long parsePositive(CharSequence text) {
        int length = text == null ? 0 : text.length();
        if (length == 0 || length > MAX_LONG_DIGITS) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < length; i++) {
            int digit = text.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            // only the longest numbers can overflow; shorter ones skip the division
            if (length == MAX_LONG_DIGITS && value > (Long.MAX_VALUE - digit) / 10) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value > 0 ? value : -1;
    }

    /**
     * A new request or response ID: 32 lowercase hex characters, like a UUID without dashes. IDs only need to be
     * unique, not secret, so a thread-local generator avoids the contention of {@link java.util.UUID#randomUUID()}.
     */
    public static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] hex = new byte[32];
        writeHex(random.nextLong(), hex, 0);
        writeHex(random.nextLong(), hex, 16);
        // Latin-1 bytes become the string's own bytes in one copy
        return new String(hex, StandardCharsets.ISO_8859_1);
    }

    private static void writeHex(long bits, byte[] out, int offset) {
        for (int i = 15; i >= 0; i--) {
            out[offset + i] = HEX[(int) (bits & 0xF)];
            bits >>>= 4;
        }
    }
}
