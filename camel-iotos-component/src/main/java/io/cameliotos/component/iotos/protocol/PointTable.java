package io.cameliotos.component.iotos.protocol;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The data points of a device, looked up by ID, oid or name. Lets routes address points the way people know them
 * (e.g. {@code "温度"}) and fills in {@code oid} and {@code name} of uploads.
 * <p>
 * Loads from a CSV or JSON export of the console's point list. Columns (CSV header) or fields (JSON objects) are
 * recognised by name, case-insensitively: ID as {@code id}, {@code data_id}, {@code 数据点ID}, {@code ID};
 * oid as {@code oid}; name as {@code name}, {@code 名称}, {@code 数据点名称}. Other columns are ignored. JSON may be an
 * array of objects, or an object holding such an array under {@code data}, {@code points} or {@code results}.
 */
public final class PointTable {

    private static final List<String> ID_COLUMNS = List.of("id", "data_id", "dataid", "数据点id", "point_id", "pointid");
    private static final List<String> OID_COLUMNS = List.of("oid", "数据点oid");
    private static final List<String> NAME_COLUMNS = List.of("name", "名称", "数据点名称", "point_name");

    private final List<PointDefinition> points;
    private final Map<Long, PointDefinition> byId = new HashMap<>();
    private final Map<String, PointDefinition> byOid = new HashMap<>();
    private final Map<String, PointDefinition> byName = new HashMap<>();

    public PointTable(Collection<PointDefinition> points) {
        this.points = List.copyOf(points);
        for (PointDefinition p : this.points) {
            if (byId.put(p.id(), p) != null) {
                throw new IllegalArgumentException("point ID " + p.id() + " appears twice in the point table");
            }
            if (p.oid() != null) {
                byOid.putIfAbsent(p.oid(), p);
            }
            if (p.name() != null) {
                byName.putIfAbsent(p.name(), p);
            }
        }
    }

    public static PointTable of(PointDefinition... points) {
        return new PointTable(List.of(points));
    }

    public List<PointDefinition> points() {
        return points;
    }

    public Optional<PointDefinition> byId(long id) {
        return Optional.ofNullable(byId.get(id));
    }

    public Optional<PointDefinition> byOid(String oid) {
        return Optional.ofNullable(byOid.get(oid));
    }

    public Optional<PointDefinition> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Resolves a key the way users write it: a point ID, else an oid, else a name. */
    public Optional<PointDefinition> resolve(String key) {
        long id = Ids.parsePositive(key);
        if (id > 0 && byId.containsKey(id)) {
            return Optional.of(byId.get(id));
        }
        PointDefinition p = byOid.get(key);
        return Optional.ofNullable(p != null ? p : byName.get(key));
    }

    @Override
    public String toString() {
        return "PointTable" + points;
    }

    // ---------------------------------------------------------------- loading

    /** Loads by file name: {@code .json} as JSON, anything else as CSV. */
    public static PointTable load(String fileName, InputStream in) throws IOException {
        return fileName.toLowerCase(Locale.ROOT).endsWith(".json") ? parseJson(in) : parseCsv(in);
    }

    public static PointTable parseJson(InputStream in) throws IOException {
        JsonNode root = new ObjectMapper().readTree(in);
        JsonNode array = root;
        if (root != null && root.isObject()) {
            for (String field : List.of("data", "points", "results")) {
                if (root.path(field).isArray()) {
                    array = root.get(field);
                    break;
                }
            }
        }
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("point table JSON must be an array of points, or hold one under "
                                               + "'data', 'points' or 'results'");
        }
        List<PointDefinition> points = new ArrayList<>();
        int index = 0;
        for (JsonNode node : array) {
            Map<String, String> row = new HashMap<>();
            node.fields().forEachRemaining(e -> row.put(normalise(e.getKey()),
                    e.getValue().isNull() ? null : e.getValue().asText()));
            points.add(toPoint(row, "entry " + index++));
        }
        return new PointTable(points);
    }

    public static PointTable parseCsv(InputStream in) throws IOException {
        return parseCsv(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    public static PointTable parseCsv(Reader reader) throws IOException {
        BufferedReader lines = new BufferedReader(reader);
        String header = lines.readLine();
        if (header == null) {
            throw new IllegalArgumentException("point table CSV is empty");
        }
        if (header.startsWith("\uFEFF")) {
            header = header.substring(1);
        }
        List<String> columns = splitCsv(header);
        columns.replaceAll(PointTable::normalise);
        List<PointDefinition> points = new ArrayList<>();
        String line;
        int lineNumber = 1;
        while ((line = lines.readLine()) != null) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            List<String> cells = splitCsv(line);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < columns.size() && i < cells.size(); i++) {
                row.put(columns.get(i), cells.get(i).isEmpty() ? null : cells.get(i));
            }
            points.add(toPoint(row, "line " + lineNumber));
        }
        return new PointTable(points);
    }

    private static PointDefinition toPoint(Map<String, String> row, String where) {
        String idText = first(row, ID_COLUMNS);
        long id = idText == null ? -1 : Ids.parsePositive(idText.trim());
        if (id <= 0) {
            throw new IllegalArgumentException("point table " + where + ": missing or invalid point ID '" + idText
                                               + "' (expected a column id, data_id or 数据点ID)");
        }
        return new PointDefinition(id, first(row, OID_COLUMNS), first(row, NAME_COLUMNS));
    }

    private static String first(Map<String, String> row, List<String> names) {
        for (String name : names) {
            String value = row.get(name);
            if (value != null) {
                return value.trim();
            }
        }
        return null;
    }

    private static String normalise(String column) {
        return column.trim().toLowerCase(Locale.ROOT);
    }

    /** Splits one CSV line: commas, double-quoted cells with doubled quotes inside. */
    private static List<String> splitCsv(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString().trim());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString().trim());
        return cells;
    }

}
