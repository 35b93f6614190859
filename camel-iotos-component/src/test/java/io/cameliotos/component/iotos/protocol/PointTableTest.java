package io.cameliotos.component.iotos.protocol;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PointTableTest {

    @Test
    void loadsAConsoleCsvExportWithChineseHeaders() throws Exception {
        String csv = "\uFEFF数据点ID,oid,名称,单位\n1963,7be6,温度,℃\n1964,7be7,\"湿度, 相对\",%\n\n";

        PointTable table = PointTable.load("points.csv", in(csv));

        assertThat(table.points()).containsExactly(new PointDefinition(1963, "7be6", "温度"),
                new PointDefinition(1964, "7be7", "湿度, 相对"));
    }

    @Test
    void loadsJsonAsAnArrayOrWrapped() throws Exception {
        PointTable plain = PointTable.load("p.json", in("[{\"data_id\":1963,\"oid\":\"7be6\",\"name\":\"温度\"}]"));
        PointTable wrapped = PointTable.load("p.JSON", in("{\"results\":[{\"id\":\"1963\",\"name\":\"温度\"}]}"));

        assertThat(plain.byId(1963)).contains(new PointDefinition(1963, "7be6", "温度"));
        assertThat(wrapped.byName("温度")).contains(new PointDefinition(1963, null, "温度"));
    }

    @Test
    void resolvesIdsOidsAndNames() {
        PointTable table = PointTable.of(new PointDefinition(1963, "7be6", "温度"));

        assertThat(table.resolve("1963")).isPresent();
        assertThat(table.resolve("7be6")).isPresent();
        assertThat(table.resolve("温度")).isPresent();
        assertThat(table.resolve("湿度")).isEmpty();
    }

    @Test
    void reportsBadRowsWithTheirLine() {
        assertThatThrownBy(() -> PointTable.load("p.csv", in("id,name\n12,a\nx,b\n")))
                .hasMessageContaining("line 3").hasMessageContaining("'x'");
        assertThatThrownBy(() -> PointTable.load("p.csv", in("id\n5\n5\n"))).hasMessageContaining("appears twice");
        assertThatThrownBy(() -> PointTable.load("p.json", in("{\"x\":1}"))).hasMessageContaining("array");
    }

    private static ByteArrayInputStream in(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
