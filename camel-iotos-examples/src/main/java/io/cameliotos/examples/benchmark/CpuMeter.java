package io.cameliotos.examples.benchmark;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The CPU time the JVM and the benchmark's own broker spend during one run. Rates on two shared cores move with the
 * machine; the CPU a message costs moves less, and shows where a run's time went (the broker is one thread).
 */
final class CpuMeter {

    private static final OperatingSystemMXBean OS = ManagementFactory.getOperatingSystemMXBean();

    private final BenchBroker broker;
    private final long jvmStart;
    private final long brokerStart;

    private CpuMeter(BenchBroker broker) {
        this.broker = broker;
        this.jvmStart = jvmCpuNanos();
        this.brokerStart = broker.cpuNanos();
    }

    static CpuMeter start(BenchBroker broker) {
        return new CpuMeter(broker);
    }

    /** Microseconds of CPU per message since the start, of the JVM and of the broker: NaN where not known. */
    double[] perMessage(long messages) {
        long jvm = jvmCpuNanos();
        long brokerNow = broker.cpuNanos();
        return new double[] {
                jvm < 0 || jvmStart < 0 ? Double.NaN : (jvm - jvmStart) / 1e3 / messages,
                brokerNow < 0 || brokerStart < 0 ? Double.NaN : (brokerNow - brokerStart) / 1e3 / messages };
    }

    /** All the JVM's threads, the JIT's and the collector's included; -1 on a JVM that does not tell. */
    private static long jvmCpuNanos() {
        return OS instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }
}
