package io.cameliotos.examples.benchmark;

import java.util.Arrays;
import java.util.Locale;

/**
 * One benchmark scenario's figures, as written to report.json.
 *
 * @param jvmCpuUs    the JVM's CPU per message (point, for the batching scenarios) in microseconds, NaN if not measured
 * @param brokerCpuUs the benchmark's own broker's CPU per message, NaN if not measured (a given broker)
 */
record Scenario(String name, long messages, double seconds, double p50Ms, double p99Ms, String baseline,
        double ratioToBaseline, String unit, double jvmCpuUs, double brokerCpuUs) {

    double msgPerSec() {
        return messages / seconds;
    }

    /** @param cpu the JVM's and the broker's CPU per message, as {@link CpuMeter#perMessage} gives them */
    static Scenario throughput(String name, long messages, double seconds, String unit, double[] cpu) {
        return new Scenario(name, messages, seconds, Double.NaN, Double.NaN, null, Double.NaN, unit, cpu[0], cpu[1]);
    }

    static Scenario latency(String name, long messages, double seconds, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Scenario(name, messages, seconds, percentile(sorted, 0.50), percentile(sorted, 0.99), null,
                Double.NaN, "round trips", Double.NaN, Double.NaN);
    }

    /** Throughput scenarios compare rates (higher is better), latency ones p99 (lower is better). */
    Scenario against(Scenario base) {
        double ratio = name.contains("latency") ? p99Ms / base.p99Ms : msgPerSec() / base.msgPerSec();
        return new Scenario(name, messages, seconds, p50Ms, p99Ms, base.name, ratio, unit, jvmCpuUs, brokerCpuUs);
    }

    String json() {
        StringBuilder sb = new StringBuilder("    {\"name\": \"").append(name).append('"')
                .append(", \"messages\": ").append(messages)
                .append(", \"seconds\": ").append(fmt(seconds))
                .append(", \"msgPerSec\": ").append(fmt(msgPerSec()));
        if (!Double.isNaN(p50Ms)) {
            sb.append(", \"p50Ms\": ").append(fmt(p50Ms)).append(", \"p99Ms\": ").append(fmt(p99Ms));
        }
        sb.append(", \"ratioToBaseline\": ").append(Double.isNaN(ratioToBaseline) ? "1.0" : fmt(ratioToBaseline));
        if (baseline != null) {
            sb.append(", \"baseline\": \"").append(baseline).append('"');
        }
        if (!Double.isNaN(jvmCpuUs)) {
            sb.append(", \"jvmCpuUsPerMessage\": ").append(fmt(jvmCpuUs));
        }
        if (!Double.isNaN(brokerCpuUs)) {
            sb.append(", \"brokerCpuUsPerMessage\": ").append(fmt(brokerCpuUs));
        }
        return sb.append(", \"unit\": \"").append(unit).append("\"}").toString();
    }

    String row() {
        return String.format(Locale.ROOT, "| %-44s | %9d | %7.2f | %10.0f | %7s | %7s | %-28s | %6s | %7s | %9s |", name,
                messages, seconds, msgPerSec(), Double.isNaN(p50Ms) ? "" : fmt(p50Ms), Double.isNaN(p99Ms) ? "" : fmt(p99Ms),
                baseline == null ? "(baseline)" : baseline, Double.isNaN(ratioToBaseline) ? "1.00" : fmt(ratioToBaseline),
                Double.isNaN(jvmCpuUs) ? "" : fmt(jvmCpuUs), Double.isNaN(brokerCpuUs) ? "" : fmt(brokerCpuUs));
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(index, 0)] / 1e6;
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, value >= 100 ? "%.1f" : "%.3f", value);
    }
}
