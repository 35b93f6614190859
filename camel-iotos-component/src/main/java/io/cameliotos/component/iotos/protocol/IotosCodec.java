package io.cameliotos.component.iotos.protocol;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Writes and reads the JSON of the four IOTOS flows.
 * <p>
 * <b>Writes strictly</b>: valid JSON, the protocol's key order, the key {@code responseCode} spelled correctly, numbers
 * in plain notation (never {@code 1.6E12}). <b>Reads leniently</b>: trailing commas, the platform's
 * {@code "responseCode,"} typo, numeric strings for IDs and codes, unknown fields ignored. A message costs one pass and
 * no intermediate tree: the flat objects are written by {@link JsonWriter}, structured values by Jackson, and reading
 * uses Jackson's streaming parser. Instances are immutable and thread-safe.
 */
public final class IotosCodec {

    /** Read limits that keep a hostile payload from costing more than a bounded amount of work. */
    public static final int MAX_NESTING_DEPTH = 64;
    public static final int MAX_NUMBER_LENGTH = 64;
    public static final int MAX_STRING_LENGTH = 1024 * 1024;
    /** Time stamps have at most this many digits before the point (epoch milliseconds have 13) and after it. */
    private static final int MAX_TIME_DIGITS = 20;
    private static final int MAX_TIME_SCALE = 20;

    private static final Pattern REQUEST_ID_PATTERN =
            Pattern.compile("\"requestId\"\\s*:\\s*\"([^\"\\\\]{1," + Ids.MAX_REQUEST_ID_LENGTH + "})\"");

    /** The members' names, encoded once. */
    private static final byte[] REQUEST_ID = JsonWriter.encodeName("requestId");
    private static final byte[] REQUEST_TIME = JsonWriter.encodeName("requestTime");
    private static final byte[] DATA = JsonWriter.encodeName("data");
    private static final byte[] NAME = JsonWriter.encodeName("name");
    private static final byte[] ID = JsonWriter.encodeName("id");
    private static final byte[] OID = JsonWriter.encodeName("oid");
    private static final byte[] TS = JsonWriter.encodeName("ts");
    private static final byte[] VALUE = JsonWriter.encodeName("value");
    private static final byte[] RESPONSE_ID = JsonWriter.encodeName("responseId");
    private static final byte[] RESPONSE_TIME = JsonWriter.encodeName("responseTime");
    private static final byte[] RESPONSE_CODE = JsonWriter.encodeName("responseCode");
    private static final byte[] RESPONSE_DESC = JsonWriter.encodeName("responseDesc");

    private final JsonFactory factory;
    private final ObjectMapper mapper;

    public IotosCodec() {
        this.factory = JsonFactory.builder()
                .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
                .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxNumberLength(MAX_NUMBER_LENGTH)
                        .maxStringLength(MAX_STRING_LENGTH)
                        .build())
                .build();
        this.mapper = new ObjectMapper(factory);
    }

    // ---------------------------------------------------------------- writing

    /** Flow 1: {@code {"requestId","requestTime","data":{key:{name,id,oid,ts,value}}}}. */
    public byte[] encodeUpload(Upload upload) {
        try (JsonWriter out = JsonWriter.forThisThread()) {
            out.beginObject()
                    .name(REQUEST_ID).string(upload.requestId())
                    .name(REQUEST_TIME).decimal(upload.requestTime())
                    .name(DATA).beginObject();
            for (PointValue point : upload.points()) {
                if (point.key() == null && point.oid() == null) {
                    out.name(point.id());
                } else {
                    out.name(point.effectiveKey());
                }
                out.beginObject()
                        .name(NAME).string(point.name())
                        .name(ID).number(point.id())
                        .name(OID).string(point.oid())
                        .name(TS).decimal(point.ts())
                        .name(VALUE);
                writeValue(out, point.value());
                out.endObject();
            }
            return out.endObject().endObject().toByteArray();
        }
    }

    /** Flow 3: {@code {name,id,oid,ts,value,requestId,requestTime}}. */
    public byte[] encodeControl(Control control) {
        try (JsonWriter out = JsonWriter.forThisThread()) {
            out.beginObject()
                    .name(NAME).string(control.name())
                    .name(ID).number(control.id())
                    .name(OID).string(control.oid())
                    .name(TS).decimal(control.ts())
                    .name(VALUE);
            writeValue(out, control.value());
            return out.name(REQUEST_ID).string(control.requestId())
                    .name(REQUEST_TIME).decimal(control.requestTime())
                    .endObject().toByteArray();
        }
    }

    /**
     * Flows 2 and 4. The key order follows the protocol page: an upload result has {@code ts} before {@code value}, a
     * control result {@code value} before {@code ts}.
     */
    public byte[] encodeResult(PointResult result, MessageType type) {
        if (type != MessageType.UPDATE_RESULT && type != MessageType.CONTROL_RESULT) {
            throw new IllegalArgumentException("not a result type: " + type);
        }
        try (JsonWriter out = JsonWriter.forThisThread()) {
            out.beginObject()
                    .name(ID).number(result.id())
                    .name(OID).string(result.oid())
                    .name(NAME).string(result.name());
            if (type == MessageType.UPDATE_RESULT) {
                out.name(TS).decimal(result.ts()).name(VALUE);
                writeValue(out, result.value());
            } else {
                out.name(VALUE);
                writeValue(out, result.value());
                out.name(TS).decimal(result.ts());
            }
            return out.name(REQUEST_ID).string(result.requestId())
                    .name(REQUEST_TIME).decimal(result.requestTime())
                    .name(RESPONSE_ID).string(result.responseId())
                    .name(RESPONSE_TIME).decimal(result.responseTime())
                    .name(RESPONSE_CODE).number(result.responseCode())
                    .name(RESPONSE_DESC).string(result.responseDesc())
                    .endObject().toByteArray();
        }
    }

    /**
     * Fails as writing {@code value} would, without writing it: a caller that merges values into one message finds a
     * value JSON cannot carry before it spoils the others.
     *
     * @throws IllegalArgumentException if the value cannot be written as JSON
     */
    public void requireWritable(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
            || value instanceof Long || value instanceof Short || value instanceof Byte || value instanceof BigDecimal
            || value instanceof BigInteger) {
            return;
        }
        if (value instanceof Double || value instanceof Float) {
            requireFinite(((Number) value).doubleValue());
            return;
        }
        writeObject(value);
    }

    private static void requireFinite(double d) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("value " + d + " cannot be written as JSON");
        }
    }

    private byte[] writeObject(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("value of type " + value.getClass().getName()
                                               + " cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    private void writeValue(JsonWriter out, Object value) {
        if (value == null) {
            out.nullValue();
        } else if (value instanceof String s) {
            out.string(s);
        } else if (value instanceof Boolean b) {
            out.bool(b);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte) {
            out.number(((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            requireFinite(d);
            if (value instanceof Float f) {
                // the float's own shortest form, not the longer one of the double it widens to
                String text = Float.toString(f);
                out.ascii(text.indexOf('E') < 0 ? text : new BigDecimal(text).toPlainString());
            } else {
                out.number(d);
            }
        } else if (value instanceof BigDecimal bd) {
            out.decimal(bd);
        } else if (value instanceof BigInteger bi) {
            out.ascii(bi.toString());
        } else {
            out.raw(writeObject(value));
        }
    }

    // ---------------------------------------------------------------- reading

    /** Reads flow 1. The {@code data} object's keys are kept; an array of point objects is accepted too. */
    public Upload decodeUpload(byte[] payload) {
        Fields fields = new Fields();
        List<PointValue> points = new ArrayList<>();
        try (JsonParser p = open(payload)) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = fieldName(p);
                p.nextToken();
                if ("data".equals(name)) {
                    readUploadData(p, points, fields);
                } else if ("requestId".equals(name) || "requestTime".equals(name)) {
                    fields.read(name, p, this);
                } else {
                    // flow 1 defines no other member here: one a device adds, of whatever type, is ignored
                    p.skipChildren();
                }
            }
        } catch (IOException | RuntimeException e) {
            throw invalid(payload, fields, e);
        }
        fields.requireRequestId(payload);
        return new Upload(fields.requestId, fields.requestTime, points);
    }

    /** Reads flow 3. {@code requestId} and {@code value} are required; {@code id} may be absent (the topic decides). */
    public Control decodeControl(byte[] payload) {
        Fields f = readFlat(payload);
        f.requireRequestId(payload);
        if (!f.hasValue) {
            throw new IotosProtocolException("control has no 'value'", f.requestId);
        }
        return new Control(f.id, f.oid, f.name, f.value, f.ts, f.requestId, f.requestTime);
    }

    /** Reads flows 2 and 4. {@code requestId} and {@code responseCode} are required. */
    public PointResult decodeResult(byte[] payload) {
        Fields f = readFlat(payload);
        f.requireRequestId(payload);
        if (f.responseCode == null) {
            throw new IotosProtocolException("result has no 'responseCode'", f.requestId);
        }
        return new PointResult(f.id, f.oid, f.name, f.value, f.ts, f.requestId, f.requestTime,
                f.responseId, f.responseTime, f.responseCode, f.responseDesc);
    }

    /**
     * Best effort: the request ID of a payload that could not be read as a whole (or only its start), or {@code null}.
     * Its top level is read as far as it is well-formed, so that a {@code requestId} inside a value is not taken for
     * the request's. Where the JSON breaks first, the first {@code "requestId":"..."} written after that point stands
     * in: the members before it had none.
     */
    public String findRequestId(byte[] payload) {
        int searchFrom = 0;
        JsonParser p = null;
        try {
            p = factory.createParser(payload);
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    boolean isRequestId = "requestId".equals(fieldName(p));
                    JsonToken value = p.nextToken();
                    if (isRequestId) {
                        String id = value == JsonToken.VALUE_STRING || value.isNumeric() ? p.getText() : null;
                        return id != null && !id.isEmpty() && id.length() <= Ids.MAX_REQUEST_ID_LENGTH ? id : null;
                    }
                    p.skipChildren();
                }
                return null;
            }
        } catch (IOException | RuntimeException e) {
            // a broken syntax names where it broke; a broken limit (a number too long, too deep) does not, but the
            // parser stands there
            long at = e instanceof JsonProcessingException j && j.getLocation() != null
                    ? j.getLocation().getByteOffset() : -1;
            if (at < 0 && p != null) {
                at = p.currentLocation().getByteOffset();
            }
            searchFrom = (int) Math.max(0, Math.min(at, payload.length));
        } finally {
            closeQuietly(p);
        }
        int length = Math.min(payload.length - searchFrom, 64 * 1024);
        Matcher m = REQUEST_ID_PATTERN.matcher(new String(payload, searchFrom, length, StandardCharsets.UTF_8));
        return m.find() ? m.group(1) : null;
    }

    private Fields readFlat(byte[] payload) {
        Fields fields = new Fields();
        try (JsonParser p = open(payload)) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = fieldName(p);
                p.nextToken();
                fields.read(name, p, this);
            }
        } catch (IOException | RuntimeException e) {
            throw invalid(payload, fields, e);
        }
        return fields;
    }

    private static void closeQuietly(JsonParser p) {
        if (p != null) {
            try {
                p.close();
            } catch (IOException e) {
                // a parser over an array holds nothing to release
            }
        }
    }

    private JsonParser open(byte[] payload) throws IOException {
        JsonParser p = factory.createParser(payload);
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new IotosProtocolException("payload is not a JSON object", null);
        }
        return p;
    }

    private void readUploadData(JsonParser p, List<PointValue> points, Fields upload) throws IOException {
        JsonToken token = p.currentToken();
        if (token == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                p.nextToken();
                points.add(readUploadPoint(p, key, upload));
            }
        } else if (token == JsonToken.START_ARRAY) {
            // every element must be a point: stopping at the first other one would drop the points after it
            while (p.nextToken() != JsonToken.END_ARRAY) {
                points.add(readUploadPoint(p, null, upload));
            }
        } else {
            throw new IotosProtocolException("'data' must be an object of points", upload.requestId);
        }
    }

    private PointValue readUploadPoint(JsonParser p, String key, Fields upload) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new IotosProtocolException((key == null ? "an element of 'data'" : "point '" + key + "'")
                                             + " is not an object", upload.requestId);
        }
        Fields point = new Fields();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = fieldName(p);
            p.nextToken();
            point.read(name, p, this);
        }
        if (point.id <= 0) {
            throw new IotosProtocolException("point '" + key + "' has no positive 'id'", upload.requestId);
        }
        return new PointValue(key, point.id, point.oid, point.name, point.value, point.ts);
    }

    /** The field name with the platform's stray trailing comma removed ({@code "responseCode,"}). */
    private static String fieldName(JsonParser p) throws IOException {
        String name = p.currentName();
        int end = name.length();
        while (end > 0 && (name.charAt(end - 1) == ',' || name.charAt(end - 1) == ' ')) {
            end--;
        }
        return end == name.length() ? name : name.substring(0, end);
    }

    private IotosProtocolException invalid(byte[] payload, Fields fields, Exception e) {
        if (e instanceof IotosProtocolException ipe) {
            // found wrong before the request ID was read: look for it, so the request can still be answered
            return ipe.getRequestId() != null ? ipe
                    : new IotosProtocolException(ipe.getMessage(), findRequestId(payload), ipe.getCause());
        }
        String requestId = fields.requestId != null ? fields.requestId : findRequestId(payload);
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : firstLine(e.getMessage());
        return new IotosProtocolException("malformed payload: " + reason, requestId, e);
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** The fields of one flat message, read leniently as they come. */
    private static final class Fields {
        long id;
        String oid;
        String name;
        Object value;
        boolean hasValue;
        BigDecimal ts;
        String requestId;
        BigDecimal requestTime;
        String responseId;
        BigDecimal responseTime;
        Integer responseCode;
        String responseDesc;

        void read(String field, JsonParser p, IotosCodec codec) throws IOException {
            switch (field) {
                case "id" -> id = readId(p);
                case "oid" -> oid = readText(p, field);
                case "name" -> name = readText(p, field);
                case "value" -> {
                    value = codec.readValue(p);
                    if (value instanceof Double d && d.isInfinite()) {
                        throw new IotosProtocolException("'value' " + p.getText() + " is beyond the range of a double",
                                requestId);
                    }
                    hasValue = true;
                }
                case "ts" -> ts = readDecimal(p, field);
                case "requestId" -> requestId = readRequestId(p);
                case "requestTime" -> requestTime = readDecimal(p, field);
                case "responseId" -> responseId = readText(p, field);
                case "responseTime" -> responseTime = readDecimal(p, field);
                case "responseCode" -> responseCode = readCode(p);
                case "responseDesc" -> responseDesc = readText(p, field);
                default -> p.skipChildren();
            }
        }

        void requireRequestId(byte[] payload) {
            if (requestId == null || requestId.isBlank()) {
                throw new IotosProtocolException("payload has no 'requestId'", null);
            }
        }

        private long readId(JsonParser p) throws IOException {
            JsonToken t = p.currentToken();
            long parsed = -1;
            if (t == JsonToken.VALUE_NUMBER_INT) {
                parsed = p.getLongValue();
            } else if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                parsed = wholeId(p.getDecimalValue());
            } else if (t == JsonToken.VALUE_STRING) {
                parsed = Ids.parsePositive(p.getText().trim());
            } else if (t == JsonToken.VALUE_NULL) {
                return 0;
            }
            if (parsed <= 0) {
                throw new IotosProtocolException("'id' must be a positive integer, was " + describe(p), requestId);
            }
            return parsed;
        }

        private Integer readCode(JsonParser p) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NUMBER_INT) {
                return p.getIntValue();
            }
            if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                // a writer that knows only doubles sends -1.0 for -1; the digits are checked before an exponent is
                // expanded
                BigDecimal code = p.getDecimalValue();
                if (code.precision() - code.scale() <= 10) {
                    try {
                        return code.intValueExact();
                    } catch (ArithmeticException e) {
                        // not whole, or beyond an int: reported below
                    }
                }
            }
            if (t == JsonToken.VALUE_STRING) {
                try {
                    return Integer.valueOf(p.getText().trim());
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
            throw new IotosProtocolException("'responseCode' must be an integer, was " + describe(p), requestId);
        }

        /**
         * An ID written with a fraction that is a whole one, as a writer that knows only doubles sends
         * {@code 1963.0}; -1 if it is not whole, negative, or beyond a long. Its exponent is checked before any digits
         * are made.
         */
        private static long wholeId(BigDecimal value) {
            if (value.signum() < 0 || value.precision() - value.scale() > 19) {
                return -1;
            }
            try {
                return value.longValueExact();
            } catch (ArithmeticException e) {
                return -1;
            }
        }

        /** The protocol's IDs are 32 hex characters; a longer one is refused, as consumers remember answered IDs. */
        private String readRequestId(JsonParser p) throws IOException {
            String id = readText(p, "requestId");
            if (id != null && (id.isEmpty() || id.length() > Ids.MAX_REQUEST_ID_LENGTH)) {
                throw new IotosProtocolException("'requestId' must be 1 to " + Ids.MAX_REQUEST_ID_LENGTH
                                                 + " characters, was " + id.length(), null);
            }
            return id;
        }

        private String readText(JsonParser p, String field) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_STRING || t.isNumeric()) {
                return p.getText();
            }
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            throw new IotosProtocolException("'" + field + "' must be a string, was " + describe(p), requestId);
        }

        /** A time stamp: a number, or a number in a string, of sane size. */
        private BigDecimal readDecimal(JsonParser p, String field) throws IOException {
            JsonToken t = p.currentToken();
            BigDecimal value = null;
            if (t.isNumeric()) {
                value = p.getDecimalValue();
            } else if (t == JsonToken.VALUE_NULL) {
                return null;
            } else if (t == JsonToken.VALUE_STRING) {
                try {
                    value = new BigDecimal(p.getText().trim());
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
            if (value == null) {
                throw new IotosProtocolException("'" + field + "' must be a number, was " + describe(p), requestId);
            }
            // a short text like 1e999999999 must not become a billion digits when echoed or converted, and a long
            // one must not wrap around when it becomes an Instant
            if (value.scale() > MAX_TIME_SCALE || value.precision() - value.scale() > MAX_TIME_DIGITS
                || !Timestamps.isRepresentable(value)) {
                throw new IotosProtocolException("'" + field + "' " + describe(p) + " is out of range for a time stamp",
                        requestId);
            }
            return value;
        }

        private static String describe(JsonParser p) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                return t == JsonToken.START_OBJECT ? "an object" : "an array";
            }
            String text = p.getText();
            return text.length() > 40 ? text.substring(0, 40) + "..." : text;
        }
    }

    private Object readValue(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getNumberValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> mapper.readValue(p, Object.class);
        };
    }
}
