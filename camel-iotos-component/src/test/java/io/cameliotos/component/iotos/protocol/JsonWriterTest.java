package io.cameliotos.component.iotos.protocol;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonWriterTest {

    private final ObjectMapper strict = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = { "", "plain", "quote \" and backslash \\", "line\nbreak\r\ttab\b\f", "\u0000\u0001\u001f\u007f",
                             "数据点名称", "é ü ß", "emoji \uD83D\uDE00 after", "€", "\u2028\u2029" })
    void stringsReadBackExactly(String text) throws Exception {
        byte[] json = new JsonWriter(4).beginObject().name(text).string(text).endObject().toByteArray();

        JsonNode node = strict.readTree(json);
        assertThat(node.get(text).textValue()).isEqualTo(text);
    }

    @Test
    void loneSurrogatesAreEscapedNotMangled() throws Exception {
        String text = "a\uD800b\uDC00";
        byte[] json = new JsonWriter(4).beginObject().name("v").string(text).endObject().toByteArray();

        assertThat(new String(json, StandardCharsets.US_ASCII)).isEqualTo("{\"v\":\"a\\uD800b\\uDC00\"}");
    }

    @Test
    void writesCommasAndNesting() {
        byte[] json = new JsonWriter(1).beginObject().name("a").number(1).name("b").beginObject().name("c")
                .nullValue().name("d").bool(true).endObject().name("e").bool(false).endObject().toByteArray();

        assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo("{\"a\":1,\"b\":{\"c\":null,\"d\":true},\"e\":false}");
    }

    @ParameterizedTest
    @ValueSource(longs = { 0, 7, -7, 10, 999, 1000, 1627737953514L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1 })
    void writesLongs(long value) {
        byte[] json = new JsonWriter(1).number(value).toByteArray();

        assertThat(new String(json, StandardCharsets.US_ASCII)).isEqualTo(Long.toString(value));
    }

    @ParameterizedTest
    @ValueSource(strings = { "0", "0.0", "0.001", "-0.001", "-12.50", "1627737953514.123", "1627737953.514", "7E+3",
                             "1.6E9", "123456789012345678901234.5", "999999999999999999", "0.000000001",
                             "-9.87654321" })
    void writesDecimalsAsPlainText(String text) {
        BigDecimal value = new BigDecimal(text);

        byte[] json = new JsonWriter(1).decimal(value).toByteArray();

        assertThat(new String(json, StandardCharsets.US_ASCII)).isEqualTo(value.toPlainString());
    }

    @ParameterizedTest
    @ValueSource(doubles = { 21.5, -21.5, 21.0, 0.1, 0.2, 0.3, 1e-7, 123.456, 1627737953.514, 99999.99999, 1e14 + 0.5,
                             0.0, -0.0, 1e15, 1e20, 1.0 / 3, Math.PI, Double.MIN_VALUE, Double.MAX_VALUE, 4.35, 1.005 })
    void doublesReadBackAsTheSameDoubleInPlainNotation(double value) {
        String text = new String(new JsonWriter(1).number(value).toByteArray(), StandardCharsets.US_ASCII);

        assertThat(text).doesNotContain("E");
        assertThat(Double.parseDouble(text)).isEqualTo(value);
    }

    @Test
    void sensorReadingsAreWrittenAsDoubleToStringWritesThem() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 100_000; i++) {
            int decimals = random.nextInt(7);
            double value = Math.round((random.nextDouble() - 0.5) * 2e6 * Math.pow(10, decimals)) / Math.pow(10, decimals);
            String expected = Double.toString(value);
            if (expected.contains("E")) {
                continue;
            }
            String text = new String(new JsonWriter(1).number(value).toByteArray(), StandardCharsets.US_ASCII);
            assertThat(text).as("value %s", expected).isEqualTo(expected);
        }
    }

    @Test
    void doublesOfAnyMagnitudeReadBackExactlyAndAreNoLongerThanDoubleToString() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 300_000; i++) {
            double value = Double.longBitsToDouble(random.nextLong());
            if (!Double.isFinite(value)) {
                continue;
            }
            String text = new String(new JsonWriter(1).number(value).toByteArray(), StandardCharsets.US_ASCII);
            String reference = new BigDecimal(Double.toString(value)).toPlainString();
            assertThat(Double.parseDouble(text)).as(text).isEqualTo(value);
            assertThat(text).doesNotContain("E");
            assertThat(text.length()).as("%s against %s", text, reference).isLessThanOrEqualTo(
                    Math.max(reference.length(), Double.toString(value).length()));
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = { 8671228.11961921, 8.83321790497369E10, 0.1 + 0.2, 1234.5678, -0.000123 })
    void doublesWithAFewDecimalsAreWrittenAsDoubleToStringWritesThem(double value) {
        String text = new String(new JsonWriter(1).number(value).toByteArray(), StandardCharsets.US_ASCII);

        assertThat(text).isEqualTo(new BigDecimal(Double.toString(value)).toPlainString());
    }

    @Test
    void refusesDecimalsWhosePlainFormWouldBeHuge() {
        JsonWriter writer = new JsonWriter(8);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> writer.decimal(new BigDecimal("1e999999999")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plain notation");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> writer.decimal(new BigDecimal("1e-10000")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new String(writer.decimal(new BigDecimal("1e20")).toByteArray(), StandardCharsets.US_ASCII))
                .isEqualTo("100000000000000000000");
    }

    @Test
    void repeatedDecimalsAndNumericNamesReadTheSame() {
        JsonWriter writer = new JsonWriter(4).beginObject();
        writer.name(1963).decimal(new BigDecimal("1627737953.514"));
        writer.name(1964).decimal(new BigDecimal("1627737953.514"));
        writer.name(1965).decimal(new BigDecimal("-0.05"));
        writer.name(1966).decimal(new BigDecimal("1627737953.514"));
        writer.name(7).decimal(new BigDecimal("1627737953.5140"));

        assertThat(new String(writer.endObject().toByteArray(), StandardCharsets.US_ASCII))
                .isEqualTo("{\"1963\":1627737953.514,\"1964\":1627737953.514,\"1965\":-0.05,"
                           + "\"1966\":1627737953.514,\"7\":1627737953.5140}");
    }

    @Test
    void theThreadsWriterNeverHandsOutItsBufferAndStartsEmptyAfterAnyMessage() {
        JsonWriter first = JsonWriter.forThisThread();
        byte[] one;
        try (first) {
            // exactly as long as the kept buffer: the copy must still be made
            one = first.ascii("x".repeat(512)).toByteArray();
        }
        try (JsonWriter failed = JsonWriter.forThisThread()) {
            failed.beginObject().name("half");
        }
        JsonWriter again = JsonWriter.forThisThread();
        byte[] two;
        try (again) {
            two = again.beginObject().name("a").number(1).endObject().toByteArray();
        }

        assertThat(again).isSameAs(first);
        assertThat(new String(one, StandardCharsets.US_ASCII)).isEqualTo("x".repeat(512));
        assertThat(new String(two, StandardCharsets.US_ASCII)).isEqualTo("{\"a\":1}");
    }

    @Test
    void aWriterAskedForWhileThisThreadsIsLentIsAnotherOne() {
        try (JsonWriter outer = JsonWriter.forThisThread()) {
            try (JsonWriter inner = JsonWriter.forThisThread()) {
                assertThat(inner).isNotSameAs(outer);
            }
            assertThat(JsonWriter.forThisThread()).isNotSameAs(outer);
        }
    }

    @Test
    void aHugeMessageIsWrittenWholeAndTheNextStartsEmpty() {
        byte[] huge;
        try (JsonWriter writer = JsonWriter.forThisThread()) {
            huge = writer.string("v".repeat(200_000)).toByteArray();
        }
        try (JsonWriter next = JsonWriter.forThisThread()) {
            assertThat(huge).hasSize(200_002);
            assertThat(next.beginObject().endObject().toByteArray()).containsExactly('{', '}');
        }
    }
}
