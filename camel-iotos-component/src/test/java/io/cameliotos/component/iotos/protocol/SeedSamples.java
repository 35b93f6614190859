package io.cameliotos.component.iotos.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The JSON samples of the IOTOS protocol page, verbatim (typos and trailing comma included). */
public final class SeedSamples {

    private SeedSamples() {
    }

    public static byte[] upload() {
        return read("upload.json");
    }

    public static byte[] uploadResult() {
        return read("upload-result.json");
    }

    /** Ends with {@code , }} : a trailing comma. */
    public static byte[] control() {
        return read("control.json");
    }

    /** Spells {@code "responseCode,"}. */
    public static byte[] controlResult() {
        return read("control-result.json");
    }

    private static byte[] read(String name) {
        try (InputStream in = SeedSamples.class.getResourceAsStream("/seed/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /seed/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
