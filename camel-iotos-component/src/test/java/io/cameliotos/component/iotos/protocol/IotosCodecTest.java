package io.cameliotos.component.iotos.protocol;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IotosCodecTest {

    private static final String REQUEST_ID = "966cb44c30464305bbea98694664b103";
    private final IotosCodec codec = new IotosCodec();
    private final ObjectMapper strict = new ObjectMapper();

    @Test
    void readsTheSeedUploadSample() {
        Upload upload = codec.decodeUpload(SeedSamples.upload());

        assertThat(upload.requestId()).isEqualTo(REQUEST_ID);
        assertThat(upload.requestTime()).isEqualByComparingTo("1627737953514.123");
        assertThat(upload.points()).hasSize(1);
        PointValue point = upload.points().get(0);
        assertThat(point.key()).isEqualTo("179f");
        assertThat(point.id()).isEqualTo(1963L);
        assertThat(point.oid()).isEqualTo("7be6");
        assertThat(point.name()).isEqualTo("数据点名称");
        assertThat(point.ts()).isEqualByComparingTo("1627737953.514");
        assertThat(Timestamps.isMillis(point.ts())).as("upload ts is in seconds").isFalse();
        assertThat(point.value()).isEqualTo(1627737953.514);
    }

    @Test
    void readsTheSeedControlSampleWithItsTrailingComma() {
        byte[] sample = SeedSamples.control();
        assertThat(new String(sample, StandardCharsets.UTF_8).trim()).endsWith(", }");

        Control control = codec.decodeControl(sample);

        assertThat(control.id()).isEqualTo(1963L);
        assertThat(control.oid()).isEqualTo("7be6");
        assertThat(control.name()).isEqualTo("数据点名称");
        assertThat(control.value()).isEqualTo("QWRYGSGSFDGFDS");
        assertThat(control.ts().toPlainString()).isEqualTo("1642502674510.0");
        assertThat(Timestamps.isMillis(control.ts())).as("control ts is in milliseconds").isTrue();
        assertThat(control.requestId()).isEqualTo(REQUEST_ID);
        assertThat(control.requestTime().toPlainString()).isEqualTo("1627737953514.123");
    }

    @Test
    void readsTheSeedUploadResultSample() {
        PointResult result = codec.decodeResult(SeedSamples.uploadResult());

        assertThat(result.id()).isEqualTo(1963L);
        assertThat(result.oid()).isEqualTo("7be6");
        assertThat(result.name()).isEqualTo("数据点名称");
        assertThat(result.ts()).isEqualByComparingTo("1627737953.514");
        assertThat(result.value()).isEqualTo(1627737953.514);
        assertThat(result.requestId()).isEqualTo(REQUEST_ID);
        assertThat(result.requestTime()).isEqualByComparingTo("1627737953514.123");
        assertThat(result.responseId()).isEqualTo(REQUEST_ID);
        assertThat(result.responseTime()).isEqualByComparingTo("1627737953514.123");
        assertThat(result.responseCode()).isZero();
        assertThat(result.responseDesc()).isEqualTo("OK");
        assertThat(result.isOk()).isTrue();
    }

    @Test
    void readsTheSeedControlResultSampleWithItsResponseCodeTypo() {
        assertThat(new String(SeedSamples.controlResult(), StandardCharsets.UTF_8)).contains("\"responseCode,\"");

        PointResult result = codec.decodeResult(SeedSamples.controlResult());

        assertThat(result.id()).isEqualTo(1963L);
        assertThat(result.value()).isEqualTo("QWRYGSGSFDGFDS");
        assertThat(result.ts().toPlainString()).isEqualTo("1642502674510.0");
        assertThat(result.responseCode()).isZero();
        assertThat(result.responseDesc()).isEqualTo("OK");
    }

    @Test
    void writesAnUploadExactlyAsTheProtocolPage() throws Exception {
        Upload upload = new Upload(REQUEST_ID, new BigDecimal("1627737953514.123"), List.of(
                new PointValue("179f", 1963, "7be6", "数据点名称", 1627737953.514, new BigDecimal("1627737953.514"))));

        String json = new String(codec.encodeUpload(upload), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"requestId\":\"966cb44c30464305bbea98694664b103\",\"requestTime\":1627737953514.123,"
                                   + "\"data\":{\"179f\":{\"name\":\"数据点名称\",\"id\":1963,\"oid\":\"7be6\","
                                   + "\"ts\":1627737953.514,\"value\":1627737953.514}}}");
        assertThat(strict.readTree(json)).isEqualTo(strict.readTree(SeedSamples.upload()));
    }

    @Test
    void uploadKeyDefaultsToOidThenPointId() throws Exception {
        Upload upload = new Upload(REQUEST_ID, new BigDecimal("1"), List.of(
                new PointValue(null, 1963, "7be6", null, 1, null),
                new PointValue(null, 1964, null, null, 2, null)));

        JsonNode data = strict.readTree(codec.encodeUpload(upload)).get("data");

        assertThat(data.fieldNames()).toIterable().containsExactly("7be6", "1964");
    }

    @Test
    void writesAControlResultWithTheCorrectKeyAndEchoesTheRequestExactly() throws Exception {
        Control control = codec.decodeControl(SeedSamples.control());
        PointResult result = new PointResult(control.id(), control.oid(), control.name(), control.value(), control.ts(),
                control.requestId(), control.requestTime(), REQUEST_ID, new BigDecimal("1627737953514.123"), 0, "OK");

        String json = new String(codec.encodeResult(result, MessageType.CONTROL_RESULT), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"id\":1963,\"oid\":\"7be6\",\"name\":\"数据点名称\",\"value\":\"QWRYGSGSFDGFDS\","
                                   + "\"ts\":1642502674510.0,\"requestId\":\"966cb44c30464305bbea98694664b103\","
                                   + "\"requestTime\":1627737953514.123,\"responseId\":\"966cb44c30464305bbea98694664b103\","
                                   + "\"responseTime\":1627737953514.123,\"responseCode\":0,\"responseDesc\":\"OK\"}");
        assertThat(json).doesNotContain("responseCode,");
        JsonNode expected = strict.readTree(new String(SeedSamples.controlResult(), StandardCharsets.UTF_8)
                .replace("\"responseCode,\"", "\"responseCode\""));
        assertThat(strict.readTree(json)).isEqualTo(expected);
    }

    @Test
    void writesAnUploadResultLikeTheSeed() throws Exception {
        Upload upload = codec.decodeUpload(SeedSamples.upload());
        PointValue point = upload.points().get(0);
        PointResult result = new PointResult(point.id(), point.oid(), point.name(), point.value(), point.ts(),
                upload.requestId(), upload.requestTime(), REQUEST_ID, new BigDecimal("1627737953514.123"), 0, "OK");

        byte[] json = codec.encodeResult(result, MessageType.UPDATE_RESULT);

        assertThat(strict.readTree(json)).isEqualTo(strict.readTree(SeedSamples.uploadResult()));
    }

    @Test
    void writesAControlLikeTheSeedButAsValidJson() throws Exception {
        Control control = codec.decodeControl(SeedSamples.control());

        String json = new String(codec.encodeControl(control), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"name\":\"数据点名称\",\"id\":1963,\"oid\":\"7be6\",\"ts\":1642502674510.0,"
                                   + "\"value\":\"QWRYGSGSFDGFDS\",\"requestId\":\"966cb44c30464305bbea98694664b103\","
                                   + "\"requestTime\":1627737953514.123}");
        assertThat(codec.decodeControl(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(control);
    }

    @Test
    void writesNumbersInPlainNotation() {
        Upload upload = new Upload(REQUEST_ID, new BigDecimal("1.627737953514123E12"), List.of(
                new PointValue(null, 1, null, null, 1.0e20, new BigDecimal("1.6E9")),
                new PointValue(null, 2, null, null, 0.1f, null),
                new PointValue(null, 3, null, null, 42L, null)));

        String json = new String(codec.encodeUpload(upload), StandardCharsets.UTF_8);

        assertThat(json).contains("\"requestTime\":1627737953514.123")
                .contains("\"value\":100000000000000000000")
                .contains("\"ts\":1600000000")
                .contains("\"value\":0.1}")
                .contains("\"value\":42}")
                .doesNotContain("E");
    }

    @Test
    void writesDecimalsDigitForDigit() {
        Upload upload = new Upload(REQUEST_ID, new BigDecimal("-12.50"), List.of(
                new PointValue(null, 1, null, null, new BigDecimal("0.001"), new BigDecimal("1642502674510.0")),
                new PointValue(null, 2, null, null, new BigDecimal("123456789012345678901234.5"), BigDecimal.ZERO),
                new PointValue(null, 3, null, null, 1e-7, new BigDecimal("7E+3"))));

        String json = new String(codec.encodeUpload(upload), StandardCharsets.UTF_8);

        assertThat(json).contains("\"requestTime\":-12.50,")
                .contains("\"ts\":1642502674510.0,\"value\":0.001}")
                .contains("\"ts\":0,\"value\":123456789012345678901234.5}")
                .contains("\"ts\":7000,\"value\":0.0000001}");
    }

    @Test
    void refusesToWriteNaN() {
        Upload upload = new Upload(REQUEST_ID, BigDecimal.ONE, List.of(PointValue.of(1, Double.NaN)));

        assertThatThrownBy(() -> codec.encodeUpload(upload)).hasMessageContaining("NaN");
    }

    @Test
    void writesStructuredValuesAsJson() throws Exception {
        Upload upload = new Upload(REQUEST_ID, BigDecimal.ONE, List.of(
                PointValue.of(1, Map.of("on", true)), PointValue.of(2, List.of(1, 2)), PointValue.of(3, null)));

        JsonNode data = strict.readTree(codec.encodeUpload(upload)).get("data");

        assertThat(data.get("1").get("value").get("on").asBoolean()).isTrue();
        assertThat(data.get("2").get("value").size()).isEqualTo(2);
        assertThat(data.get("3").get("value").isNull()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"ts\":1e999999999,\"value\":1,\"requestId\":\"r1\"}",
                             "{\"requestTime\":\"1e-999999\",\"value\":1,\"requestId\":\"r1\"}",
                             "{\"value\":1e999,\"requestId\":\"r1\"}",
                             // as an Instant in microseconds it would wrap around to the year 8319
                             "{\"requestTime\":99999999999999999999,\"value\":1,\"requestId\":\"r1\"}",
                             "{\"ts\":-9223372036854776,\"value\":1,\"requestId\":\"r1\"}" })
    void refusesNumbersThatAreShortToSendButHugeToHandle(String control) {
        assertThatThrownBy(() -> codec.decodeControl(control.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IotosProtocolException.class).hasMessageContaining("range")
                .satisfies(e -> assertThat(((IotosProtocolException) e).getRequestId()).isEqualTo("r1"));
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 65, 100_000 })
    void refusesRequestIdsTheProtocolDoesNotAllow(int length) {
        byte[] control = ("{\"value\":1,\"requestId\":\"" + "a".repeat(length) + "\"}").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> codec.decodeControl(control)).isInstanceOf(IotosProtocolException.class)
                .hasMessageContaining("'requestId' must be 1 to 64 characters, was " + length);
        assertThat(codec.decodeControl(("{\"value\":1,\"requestId\":\"" + "a".repeat(64) + "\"}")
                .getBytes(StandardCharsets.UTF_8)).requestId()).hasSize(64);
    }

    @Test
    void acceptsNumericStringsForIdsAndCodes() {
        PointResult result = codec.decodeResult(("{\"id\":\"1963\",\"requestId\":\"r1\",\"responseCode\":\"7\","
                                                 + "\"responseDesc\":\"no\"}").getBytes(StandardCharsets.UTF_8));

        assertThat(result.id()).isEqualTo(1963L);
        assertThat(result.responseCode()).isEqualTo(7);
        assertThat(result.isOk()).isFalse();
    }

    @Test
    void ignoresUnknownFields() {
        Control control = codec.decodeControl(("{\"extra\":{\"deep\":[1,2,{\"x\":1}]},\"value\":true,"
                                               + "\"requestId\":\"r1\",\"more\":null}").getBytes(StandardCharsets.UTF_8));

        assertThat(control.value()).isEqualTo(Boolean.TRUE);
        assertThat(control.id()).as("absent id: the topic decides").isZero();
    }

    @Test
    void rejectsMalformedJsonButKeepsTheRequestId() {
        byte[] payload = "{\"requestId\":\"abc123\",\"value\": [1, 2".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> codec.decodeControl(payload))
                .isInstanceOfSatisfying(IotosProtocolException.class,
                        e -> assertThat(e.getRequestId()).isEqualTo("abc123"))
                .hasMessageStartingWith("malformed payload");
    }

    @Test
    void acceptsWholeNumbersWrittenWithAFraction() {
        // a writer that knows only doubles: 1963.0 and 0.0 are the integers they mean
        assertThat(codec.decodeControl(bytes("{\"id\":1963.0,\"value\":1,\"requestId\":\"r\"}")).id()).isEqualTo(1963);
        assertThat(codec.decodeResult(bytes("{\"id\":1.963e3,\"requestId\":\"r\",\"responseCode\":0.0}")).responseCode())
                .isZero();
        assertThatThrownBy(() -> codec.decodeControl(bytes("{\"id\":1963.5,\"value\":1,\"requestId\":\"r\"}")))
                .hasMessageContaining("'id' must be a positive integer");
        assertThatThrownBy(() -> codec.decodeControl(bytes("{\"id\":1e999999999,\"value\":1,\"requestId\":\"r\"}")))
                .hasMessageContaining("'id' must be a positive integer");
        assertThatThrownBy(() -> codec.decodeResult(bytes("{\"requestId\":\"r\",\"responseCode\":0.5}")))
                .hasMessageContaining("'responseCode' must be an integer");
        // a code may be negative however it is written, as long as it is a whole int
        assertThat(codec.decodeResult(bytes("{\"requestId\":\"r\",\"responseCode\":-1.0}")).responseCode())
                .isEqualTo(-1);
        assertThat(codec.decodeResult(bytes("{\"requestId\":\"r\",\"responseCode\":-1}")).responseCode())
                .isEqualTo(-1);
        assertThatThrownBy(() -> codec.decodeResult(bytes("{\"requestId\":\"r\",\"responseCode\":3e9}")))
                .hasMessageContaining("'responseCode' must be an integer");
        assertThatThrownBy(() -> codec.decodeResult(bytes("{\"requestId\":\"r\",\"responseCode\":1e999999999}")))
                .hasMessageContaining("'responseCode' must be an integer");
    }

    @Test
    void rejectsWrongTypesMissingFieldsAndNonObjects() {
        assertThatThrownBy(() -> codec.decodeControl(bytes("{\"id\":\"abc\",\"value\":1,\"requestId\":\"r\"}")))
                .hasMessageContaining("'id' must be a positive integer");
        assertThatThrownBy(() -> codec.decodeControl(bytes("{\"id\":-3,\"value\":1,\"requestId\":\"r\"}")))
                .hasMessageContaining("'id' must be a positive integer");
        assertThatThrownBy(() -> codec.decodeControl(bytes("{\"value\":1}")))
                .hasMessageContaining("no 'requestId'");
        assertThatThrownBy(() -> codec.decodeControl(bytes("{\"requestId\":\"r\"}")))
                .isInstanceOfSatisfying(IotosProtocolException.class,
                        e -> assertThat(e.getRequestId()).isEqualTo("r"))
                .hasMessageContaining("no 'value'");
        assertThatThrownBy(() -> codec.decodeResult(bytes("{\"requestId\":\"r\",\"responseCode\":\"x\"}")))
                .hasMessageContaining("'responseCode' must be an integer");
        assertThatThrownBy(() -> codec.decodeResult(bytes("{\"requestId\":\"r\"}")))
                .hasMessageContaining("no 'responseCode'");
        assertThatThrownBy(() -> codec.decodeControl(bytes("[1,2]"))).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> codec.decodeControl(bytes(""))).isInstanceOf(IotosProtocolException.class);
        assertThatThrownBy(() -> codec.decodeUpload(bytes("{\"requestId\":\"r\",\"data\":5}")))
                .hasMessageContaining("'data' must be an object");
        assertThatThrownBy(() -> codec.decodeUpload(bytes("{\"requestId\":\"r\",\"data\":{\"k\":{\"value\":1}}}")))
                .hasMessageContaining("no positive 'id'");
    }

    @Test
    void enforcesReadLimits() {
        String deep = "[".repeat(IotosCodec.MAX_NESTING_DEPTH + 10) + "]".repeat(IotosCodec.MAX_NESTING_DEPTH + 10);
        assertThatThrownBy(() -> codec.decodeControl(bytes("{\"requestId\":\"r\",\"value\":" + deep + "}")))
                .isInstanceOf(IotosProtocolException.class).hasMessageContaining("nesting");
        String longNumber = "1".repeat(IotosCodec.MAX_NUMBER_LENGTH + 10);
        assertThatThrownBy(() -> codec.decodeControl(bytes("{\"requestId\":\"r\",\"value\":" + longNumber + "}")))
                .isInstanceOf(IotosProtocolException.class).hasMessageContaining("Number value length");
    }

    @Test
    void findsTheRequestIdOfAnUnreadablePayload() {
        assertThat(codec.findRequestId(bytes("garbage \"requestId\" : \"feed\" more"))).isEqualTo("feed");
        assertThat(codec.findRequestId(bytes("garbage"))).isNull();
        // well-formed but wrong elsewhere, cut short, or broken after the ID
        assertThat(codec.findRequestId(bytes("{\"ts\":\"x\",\"requestId\":\"aa\"}"))).isEqualTo("aa");
        assertThat(codec.findRequestId(bytes("{\"requestId\":\"bb\",\"value\":\"cut sho"))).isEqualTo("bb");
        assertThat(codec.findRequestId(bytes("{\"requestId\":42,\"value\":1}"))).isEqualTo("42");
        assertThat(codec.findRequestId(bytes("{\"value\":1}"))).isNull();
    }

    @Test
    void neverTakesARequestIdInsideAValueForTheRequests() {
        // the platform writes value before requestId: an object value may hold a member of that name
        assertThat(codec.findRequestId(bytes("{\"id\":1965,\"value\":{\"requestId\":\"inner\",\"pos\":3},"
                                             + "\"requestId\":\"real\",\"ts\":\"x\"}"))).isEqualTo("real");
        assertThat(codec.findRequestId(bytes("{\"value\":{\"requestId\":\"inner\"}}"))).isNull();
        // broken inside the value: what follows the break is searched, not what the value held before it
        assertThat(codec.findRequestId(bytes("{\"value\":{\"requestId\":\"inner\",?},\"requestId\":\"real\"}")))
                .isEqualTo("real");
        // a broken limit names no place: the search starts where the parser stood
        String tooLong = "1".repeat(IotosCodec.MAX_NUMBER_LENGTH + 6);
        assertThat(codec.findRequestId(bytes("{\"value\":{\"requestId\":\"inner\",\"n\":" + tooLong
                                             + "},\"requestId\":\"real\"}"))).isEqualTo("real");
        assertThatThrownBy(() -> codec.decodeControl(bytes("{\"value\":{\"requestId\":\"inner\"},\"ts\":\"x\","
                                                           + "\"requestId\":\"real\"}")))
                .isInstanceOfSatisfying(IotosProtocolException.class,
                        e -> assertThat(e.getRequestId()).isEqualTo("real"));
    }

    @Test
    void readsUploadDataGivenAsAnArray() {
        Upload upload = codec.decodeUpload(bytes("{\"requestId\":\"r\",\"requestTime\":1,\"data\":[{\"id\":5,"
                                                 + "\"value\":\"x\"},{\"id\":6,\"value\":2,}],}"));

        assertThat(upload.points()).extracting(PointValue::id).containsExactly(5L, 6L);
    }

    @Test
    void refusesAnArrayOfDataWithAnElementThatIsNoPoint() {
        // stopping at the 2 would have dropped point 3 and answered point 1 alone
        assertThatThrownBy(() -> codec.decodeUpload(bytes("{\"requestId\":\"aa\",\"data\":[{\"id\":1,\"value\":1},2,"
                                                          + "{\"id\":3,\"value\":3}]}")))
                .isInstanceOfSatisfying(IotosProtocolException.class,
                        e -> assertThat(e.getRequestId()).isEqualTo("aa"))
                .hasMessageContaining("an element of 'data' is not an object");
    }

    @Test
    void ignoresMembersOfAnUploadThatFlowOneDoesNotDefine() {
        Upload upload = codec.decodeUpload(bytes("{\"name\":{\"x\":1},\"id\":\"gateway-7\",\"ts\":[1],"
                                                 + "\"responseCode\":\"n/a\",\"requestId\":\"aa\",\"requestTime\":1,"
                                                 + "\"data\":{\"1963\":{\"id\":1963,\"value\":21.5}}}"));

        assertThat(upload.requestId()).isEqualTo("aa");
        assertThat(upload.points()).extracting(PointValue::id).containsExactly(1963L);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
