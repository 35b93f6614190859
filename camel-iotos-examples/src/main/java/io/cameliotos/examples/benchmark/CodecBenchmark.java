package io.cameliotos.examples.benchmark;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.cameliotos.component.iotos.protocol.Control;
import io.cameliotos.component.iotos.protocol.IotosCodec;
import io.cameliotos.component.iotos.protocol.PointValue;
import io.cameliotos.component.iotos.protocol.Upload;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** JMH micro-benchmarks of the codec: one upload of one point, one of ten points, and reading a control. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {

    private final IotosCodec codec = new IotosCodec();
    private final Upload onePoint = new Upload("966cb44c30464305bbea98694664b103", new BigDecimal("1627737953514.123"),
            List.of(new PointValue(null, 1963, "7be6", "温度", 21.5, new BigDecimal("1627737953.514"))));
    private final Upload tenPoints;
    private final byte[] control = ("{\"name\":\"设定温度\",\"id\":1965,\"oid\":\"7be8\",\"ts\":1642502674510.0,"
                                    + "\"value\":\"26.5\",\"requestId\":\"966cb44c30464305bbea98694664b103\","
                                    + "\"requestTime\":1627737953514.123}").getBytes(StandardCharsets.UTF_8);

    public CodecBenchmark() {
        PointValue[] points = new PointValue[10];
        for (int i = 0; i < 10; i++) {
            points[i] = new PointValue(null, 1963 + i, "p" + i, "点" + i, 20.0 + i / 10.0,
                    new BigDecimal("1627737953.514"));
        }
        tenPoints = new Upload("966cb44c30464305bbea98694664b103", new BigDecimal("1627737953514.123"), List.of(points));
    }

    @Benchmark
    public byte[] encodeUploadOnePoint() {
        return codec.encodeUpload(onePoint);
    }

    @Benchmark
    public byte[] encodeUploadTenPoints() {
        return codec.encodeUpload(tenPoints);
    }

    @Benchmark
    public Control decodeControl() {
        return codec.decodeControl(control);
    }
}
