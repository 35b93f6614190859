package io.cameliotos.component.iotos.session;

import java.nio.charset.StandardCharsets;

/** Payloads as they may appear in logs. */
public final class Payloads {

    /** Bytes of a payload shown in a log line; the rest is cut so a hostile payload cannot flood the log. */
    public static final int PREVIEW_BYTES = 200;

    private Payloads() {
    }

    /** The start of a payload as text, control characters escaped, with the total size when cut. */
    public static String preview(byte[] payload) {
        int length = Math.min(payload.length, PREVIEW_BYTES);
        String text = new String(payload, 0, length, StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(text.length() + 32);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (payload.length > length) {
            sb.append("... (").append(payload.length).append(" bytes)");
        }
        return sb.toString();
    }
}
