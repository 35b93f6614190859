package io.cameliotos.examples.benchmark;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.HotSpotDiagnosticMXBean;
import io.cameliotos.component.iotos.IotosComponent;
import io.cameliotos.component.iotos.IotosConstants;
import io.cameliotos.component.iotos.IotosEndpoint;
import io.cameliotos.component.iotos.protocol.Control;
import io.cameliotos.component.iotos.protocol.Ids;
import io.cameliotos.component.iotos.protocol.IotosCodec;
import io.cameliotos.component.iotos.protocol.PointValue;
import io.cameliotos.component.iotos.protocol.Timestamps;
import io.cameliotos.component.iotos.protocol.Upload;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Measures the iotos: component side by side with the raw Paho client and with a hand-written camel-paho route, in
 * one process, on one broker, with the same payloads and windows; then batching, memory and the codec. Writes
 * target/bench/report.json and prints a table. See docs/performance.md.
 */
public final class IotosBenchmark {

    static final int MESSAGES = Integer.getInteger("bench.messages", 100_000);
    /**
     * Points per batching run, on both sides of that comparison. A batched run of 0.2 s was moved by a quarter by one
     * hiccup of the machine; ten times the uploads make it last about a second on a machine that merges 900,000
     * points a second.
     */
    static final int BATCHING_POINTS = Integer.getInteger("bench.batchingPoints", 10 * MESSAGES);
    static final int WINDOW = Integer.getInteger("bench.window", 1000);
    static final int RATE = Integer.getInteger("bench.rate", 1000);
    static final int RTT_SECONDS = Integer.getInteger("bench.rttSeconds", 20);
    static final boolean JMH = !Boolean.getBoolean("bench.skipJmh");
    /** Each throughput scenario runs this often, taking turns with the others; the report keeps the median run. */
    static final int REPEATS = Integer.getInteger("bench.repeats", 7);
    static final int MAX_WARMUP_ROUNDS = 8;
    /** Prints each repetition's figures as it ends. */
    static final boolean VERBOSE = Boolean.getBoolean("bench.verbose");
    static final String BATCHING = "&batchLinger=20&batchMaxPoints=10";
    static final String UPLOAD_TOPIC = "$IOTOS/device/platform/update/171/401";
    static final String CONTROL_TOPIC = "$IOTOS/device/endpoint/update/171/401/1963";

    private final BenchBroker broker;
    private final String url;
    private final IotosCodec codec = new IotosCodec();

    private IotosBenchmark(BenchBroker broker) {
        this.broker = broker;
        this.url = broker.url();
    }

    public static void main(String[] args) throws Exception {
        try (BenchBroker broker = BenchBroker.startOrUse(System.getProperty("bench.brokerUrl"))) {
            IotosBenchmark bench = new IotosBenchmark(broker);
            String machine = String.format(Locale.ROOT, "%d cores, JDK %s, %s", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"), broker.version());
            System.out.println("camel-iotos benchmark: " + MESSAGES + " messages, window " + WINDOW + "; " + machine);
            bench.run(machine);
        }
        System.exit(0);
    }

    /**
     * Sets how much of the heap may stay free before G1 gives memory back; 100 keeps the size it has grown to. Every
     * throughput run starts after a forced collection (see {@link #settle()}), after which G1 gives memory back until
     * at most 70 % of the heap is free; the next run to allocate fast then paid for growing it again, faults on fresh
     * pages included. In a run with the collector's log, each of the three slow QoS 0 repetitions of the component
     * (0.50 to 0.74 of the raw client) was one during which the heap grew, and none of the four others. The memory
     * figures are taken with the setting as it was: after the throughput runs on a heap kept large, 50 sessions read
     * 364 and 446 KiB each in two runs, where the default gives 36.
     *
     * @return the value before, or {@code null} on a JVM without the setting
     */
    private static String setMaxHeapFreeRatio(String percent) {
        if (percent == null) {
            return null;
        }
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (vm == null) {
            System.out.println("not a HotSpot JVM: the heap may shrink and grow between runs");
            return null;
        }
        String before = vm.getVMOption("MaxHeapFreeRatio").getValue();
        vm.setVMOption("MaxHeapFreeRatio", percent);
        return before;
    }

    private void run(String machine) throws Exception {
        String only = System.getProperty("bench.only");
        if ("rtt".equals(only)) {
            // the round trips alone, in the full run's order: the raw echo first
            Scenario rawEcho = rawRoundTrips();
            System.out.println(rawEcho.row());
            System.out.println(iotosRoundTrips(false).against(rawEcho).row());
            System.out.println(iotosRoundTrips(true).against(rawEcho).row());
            return;
        }
        if ("memory".equals(only)) {
            // alone, the heap per session is not blurred by what earlier scenarios left in a long-running JVM
            System.out.println("memory: " + memory());
            return;
        }
        if (only != null) {
            // one scenario alone, for profiling
            Scenario alone = switch (only) {
                case "qos0" -> iotosUploads(0, MESSAGES);
                case "qos1" -> iotosUploads(1, MESSAGES);
                case "points" -> iotosPointUploads(BATCHING_POINTS, "");
                case "batched" -> iotosPointUploads(BATCHING_POINTS, BATCHING);
                case "raw-qos0" -> rawUploads(0, MESSAGES);
                case "raw-qos1" -> rawUploads(1, MESSAGES);
                default -> throw new IllegalArgumentException(
                        "bench.only is qos0, qos1, points, batched, raw-qos0, raw-qos1, rtt or memory, not " + only);
            };
            System.out.println(alone.row());
            return;
        }
        List<Scenario> scenarios = new ArrayList<>();
        String heapFreeRatio = setMaxHeapFreeRatio("100");
        warmUp();
        for (int qos = 0; qos <= 1; qos++) {
            // the contenders take turns within each repetition, so a slow moment of the machine hits all of them
            List<Scenario> raws = new ArrayList<>();
            List<Scenario> iotoses = new ArrayList<>();
            List<Scenario> hands = new ArrayList<>();
            List<Scenario> singles = new ArrayList<>();
            List<Scenario> batches = new ArrayList<>();
            for (int i = 0; i < REPEATS; i++) {
                raws.add(rawUploads(qos, MESSAGES));
                iotoses.add(iotosUploads(qos, MESSAGES));
                hands.add(handwrittenUploads(qos, MESSAGES));
                if (qos == 1) {
                    singles.add(iotosPointUploads(BATCHING_POINTS, ""));
                    batches.add(iotosPointUploads(BATCHING_POINTS, BATCHING));
                }
                if (VERBOSE) {
                    System.out.printf(Locale.ROOT, "repetition %d, QoS %d: raw %.0f, iotos %.0f (%.3f), hand-written %.0f%s%n",
                            i + 1, qos, raws.get(i).msgPerSec(), iotoses.get(i).msgPerSec(),
                            iotoses.get(i).msgPerSec() / raws.get(i).msgPerSec(), hands.get(i).msgPerSec(),
                            qos == 0 ? " uploads/s" : String.format(Locale.ROOT,
                                    " uploads/s; points single %.0f, batched %.0f (%.2f) points/s; CPU per point, JVM and"
                                    + " broker: single %.2f and %.2f, batched %.2f and %.2f µs", singles.get(i).msgPerSec(),
                                    batches.get(i).msgPerSec(), batches.get(i).msgPerSec() / singles.get(i).msgPerSec(),
                                    singles.get(i).jvmCpuUs(), singles.get(i).brokerCpuUs(), batches.get(i).jvmCpuUs(),
                                    batches.get(i).brokerCpuUs()));
                }
            }
            Scenario raw = median(raws);
            Scenario iotos = median(iotoses).against(raw);
            Scenario hand = median(hands).against(raw);
            scenarios.add(raw);
            scenarios.add(iotos);
            scenarios.add(hand);
            scenarios.add(rename(iotos, iotos.name() + "-vs-handwritten").against(hand));
            if (qos == 1) {
                Scenario single = median(singles);
                scenarios.add(single);
                scenarios.add(median(batches).against(single));
            }
        }

        Scenario rawEcho = rawRoundTrips();
        scenarios.add(rawEcho);
        scenarios.add(iotosRoundTrips(false).against(rawEcho));
        scenarios.add(iotosRoundTrips(true).against(rawEcho));

        setMaxHeapFreeRatio(heapFreeRatio);
        Map<String, Object> memory = memory();
        Map<String, double[]> codecFigures = JMH ? codec() : Map.of();
        write(scenarios, memory, codecFigures, machine);
    }

    /**
     * Runs every contender until the JIT has compiled what they use: rounds go on while compiling took more than a
     * twentieth of the round's time (at most {@link #MAX_WARMUP_ROUNDS}). The component's path is longer than the raw
     * client's; measured before its compilation settled, it ran up to a fifth slower in the first repetitions.
     */
    private void warmUp() throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        for (int round = 1; round <= MAX_WARMUP_ROUNDS; round++) {
            long compiledBefore = jit.getTotalCompilationTime();
            long start = System.nanoTime();
            for (int qos = 0; qos <= 1; qos++) {
                rawUploads(qos, MESSAGES / 2);
                iotosUploads(qos, MESSAGES / 2);
                handwrittenUploads(qos, MESSAGES / 2);
            }
            iotosPointUploads(MESSAGES / 2, "");
            iotosPointUploads(MESSAGES / 2, BATCHING);
            long roundMillis = (System.nanoTime() - start) / 1_000_000;
            long compileMillis = jit.getTotalCompilationTime() - compiledBefore;
            System.out.printf(Locale.ROOT, "warm-up round %d: %d ms, of which the JIT compiled for %d ms%n", round,
                    roundMillis, compileMillis);
            if (compileMillis * 20 < roundMillis) {
                return;
            }
        }
    }

    /** The run of median throughput: one hiccup does not decide. */
    private static Scenario median(List<Scenario> runs) {
        List<Scenario> sorted = new ArrayList<>(runs);
        sorted.sort(java.util.Comparator.comparingDouble(Scenario::msgPerSec));
        return sorted.get(sorted.size() / 2);
    }

    private static Scenario rename(Scenario s, String name) {
        return new Scenario(name, s.messages(), s.seconds(), s.p50Ms(), s.p99Ms(), null, Double.NaN, s.unit(),
                s.jvmCpuUs(), s.brokerCpuUs());
    }

    // ------------------------------------------------------------ uploads

    private byte[] uploadPayload() {
        return codec.encodeUpload(new Upload(Ids.newRequestId(), Timestamps.nowMillis(),
                List.of(new PointValue(null, 1963, null, null, 21.5, Timestamps.nowSeconds()))));
    }

    private Scenario rawUploads(int qos, int count) throws Exception {
        MqttAsyncClient client = connect("bench-raw-" + qos, null);
        byte[] payload = uploadPayload();
        Semaphore window = new Semaphore(WINDOW);
        CountDownLatch done = new CountDownLatch(count);
        IMqttActionListener listener = new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                window.release();
                done.countDown();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                throw new IllegalStateException("raw publish failed", e);
            }
        };
        settle();
        CpuMeter cpu = CpuMeter.start(broker);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            window.acquire();
            client.publish(UPLOAD_TOPIC, payload, qos, false, null, listener);
        }
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] cpuPerMessage = cpu.perMessage(count);
        disconnect(client);
        return Scenario.throughput("upload-qos" + qos + "-raw-paho", count, seconds, "uploads", cpuPerMessage);
    }

    /** The same single-point uploads as the raw client's: a reading for the point the URI names. */
    private Scenario iotosUploads(int qos, int count) throws Exception {
        return iotosUploads("iotos:171/401/1963?qos=" + qos, count, (exchange, n) -> exchange.getMessage().setBody(21.5),
                "upload-qos" + qos + "-iotos", "uploads");
    }

    /**
     * Single-point uploads for ten points of one device, named by the {@code CamelIotosPointId} header, at QoS 1: the
     * input batching merges; with {@code options} empty, the same exchanges without batching.
     */
    private Scenario iotosPointUploads(int count, String options) throws Exception {
        return iotosUploads("iotos:171/401?qos=1" + options, count, (exchange, n) -> {
            exchange.getMessage().setHeader(IotosConstants.POINT_ID, 1963 + n % 10);
            exchange.getMessage().setBody(21.5);
        }, options.isEmpty() ? "points-qos1-single-point-uploads" : "points-qos1-batched-10-per-upload", "points");
    }

    private Scenario iotosUploads(String uri, int count, java.util.function.ObjIntConsumer<Exchange> fill, String name,
            String unit) throws Exception {
        try (CamelContext context = context()) {
            Endpoint endpoint = context.getEndpoint(uri);
            AsyncProducer producer = endpoint.createAsyncProducer();
            producer.start();
            settle();
            CpuMeter cpu = CpuMeter.start(broker);
            long start = System.nanoTime();
            int failed = drive(endpoint, producer, count, fill);
            double seconds = (System.nanoTime() - start) / 1e9;
            double[] cpuPerMessage = cpu.perMessage(count);
            producer.stop();
            if (failed > 0) {
                throw new IllegalStateException(failed + " uploads failed");
            }
            return Scenario.throughput(name, count, seconds, unit, cpuPerMessage);
        }
    }

    /** What a user would write without the component: Jackson and a topic built by hand, sent by camel-paho. */
    private Scenario handwrittenUploads(int qos, int count) throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            ObjectMapper mapper = new ObjectMapper();
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    // as a careful user would, once bitten: Paho now and then refuses a publish as "too many in
                    // progress" (32202) with the window far from full (eclipse-paho/paho.mqtt.java issue 551)
                    errorHandler(defaultErrorHandler().maximumRedeliveries(5).redeliveryDelay(10));
                    from("direct:hand")
                            .process(e -> {
                                long id = 1963;
                                Map<String, Object> point = new LinkedHashMap<>();
                                point.put("name", null);
                                point.put("id", id);
                                point.put("oid", null);
                                point.put("ts", System.currentTimeMillis() / 1000.0);
                                point.put("value", e.getMessage().getBody());
                                Map<String, Object> upload = new LinkedHashMap<>();
                                upload.put("requestId", java.util.UUID.randomUUID().toString().replace("-", ""));
                                upload.put("requestTime", System.currentTimeMillis() + 0.0);
                                upload.put("data", Map.of(Long.toString(id), point));
                                e.getMessage().setBody(mapper.writeValueAsBytes(upload));
                                e.getMessage().setHeader("CamelPahoOverrideTopic",
                                        "$IOTOS/device/platform/update/" + 171 + "/" + 401);
                            })
                            // as a careful user would: camel-paho allows only 10 publishes in flight by default
                            .to("paho:iotos?brokerUrl=" + url + "&clientId=bench-hand-" + qos + "&qos=" + qos
                                + "&maxInflight=" + WINDOW + "&persistence=MEMORY");
                }
            });
            context.start();
            ProducerTemplate template = context.createProducerTemplate();
            Semaphore window = new Semaphore(WINDOW);
            CountDownLatch done = new CountDownLatch(count);
            AtomicInteger failed = new AtomicInteger();
            settle();
            CpuMeter cpu = CpuMeter.start(broker);
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                window.acquire();
                template.asyncSend("direct:hand", e -> e.getMessage().setBody(21.5)).whenComplete((e, error) -> {
                    if (error != null || e.getException() != null) {
                        failed.incrementAndGet();
                    }
                    window.release();
                    done.countDown();
                });
            }
            done.await();
            double seconds = (System.nanoTime() - start) / 1e9;
            double[] cpuPerMessage = cpu.perMessage(count);
            if (failed.get() > 0) {
                throw new IllegalStateException(failed.get() + " hand-written uploads failed");
            }
            return Scenario.throughput("upload-qos" + qos + "-handwritten-route", count, seconds, "uploads",
                    cpuPerMessage);
        }
    }

    // ------------------------------------------------------------ control round trips

    private Scenario rawRoundTrips() throws Exception {
        int count = RATE * RTT_SECONDS;
        long[] latency = new long[count];
        Map<String, long[]> started = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(count);
        MqttAsyncClient[] echo = new MqttAsyncClient[1];
        echo[0] = connect("bench-echo", new Callback((topic, message) ->
                echo[0].publish(topic + "/result", message.getPayload(), 1, false)));
        echo[0].subscribe(CONTROL_TOPIC, 1).waitForCompletion();
        MqttAsyncClient platform = connect("bench-platform", new Callback((topic, message) -> {
            String text = new String(message.getPayload(), StandardCharsets.UTF_8);
            int at = text.indexOf("\"requestId\":\"") + 13;
            long[] slot = started.remove(text.substring(at, at + 32));
            if (slot != null) {
                latency[(int) slot[1]] = System.nanoTime() - slot[0];
                done.countDown();
            }
        }));
        platform.subscribe(CONTROL_TOPIC + "/result", 1).waitForCompletion();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            pace(start, i);
            String requestId = Ids.newRequestId();
            byte[] payload = codec.encodeControl(new Control(1963, null, null, i, Timestamps.nowMillis(), requestId,
                    Timestamps.nowMillis()));
            started.put(requestId, new long[] { System.nanoTime(), i });
            platform.publish(CONTROL_TOPIC, payload, 1, false);
        }
        awaitRoundTrips(done);
        double seconds = (System.nanoTime() - start) / 1e9;
        disconnect(platform);
        disconnect(echo[0]);
        return Scenario.latency("control-roundtrip-latency-raw-echo", count, seconds, latency);
    }

    /** A round trip still unanswered would count as 0 ms and pull the percentiles down: it fails the run instead. */
    private static void awaitRoundTrips(CountDownLatch done) throws InterruptedException {
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(done.getCount() + " round trips unanswered after 60 s");
        }
    }

    /**
     * @param tcpNoDelay both sides send every packet at once instead of holding small ones back for the broker's TCP
     *                   acknowledgement, the component's option for control latency
     */
    private Scenario iotosRoundTrips(boolean tcpNoDelay) throws Exception {
        int count = RATE * RTT_SECONDS;
        String noDelay = tcpNoDelay ? "tcpNoDelay=true" : "tcpNoDelay=false";
        long[] latency = new long[count];
        try (CamelContext device = context(); CamelContext platformContext = context()) {
            device.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("iotos:171/401/1963?" + noDelay).setBody(constant("ok"));
                }
            });
            Endpoint endpoint = platformContext.getEndpoint(
                    "iotos:171/401/1963?role=platform&ackTimeout=30s&" + noDelay);
            AsyncProducer producer = endpoint.createAsyncProducer();
            producer.start();
            CountDownLatch done = new CountDownLatch(count);
            AtomicInteger failed = new AtomicInteger();
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                pace(start, i);
                Exchange exchange = endpoint.createExchange(ExchangePattern.InOut);
                exchange.getMessage().setBody(i);
                int n = i;
                long sent = System.nanoTime();
                producer.process(exchange, doneSync -> {
                    latency[n] = System.nanoTime() - sent;
                    if (exchange.getException() != null) {
                        failed.incrementAndGet();
                    }
                    done.countDown();
                });
            }
            awaitRoundTrips(done);
            double seconds = (System.nanoTime() - start) / 1e9;
            producer.stop();
            if (failed.get() > 0) {
                throw new IllegalStateException(failed.get() + " controls failed");
            }
            String name = "control-roundtrip-latency-iotos" + (tcpNoDelay ? "-tcpnodelay" : "");
            return Scenario.latency(name, count, seconds, latency);
        }
    }

    private static void pace(long start, int i) {
        long due = start + TimeUnit.SECONDS.toNanos(1) * i / RATE;
        while (System.nanoTime() < due) {
            LockSupport.parkNanos(due - System.nanoTime());
        }
    }

    // ------------------------------------------------------------ memory

    private Map<String, Object> memory() throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        try (CamelContext platform = context(); CamelContext device = context()) {
            platform.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("iotos:*/*?role=platform").log(org.apache.camel.LoggingLevel.TRACE, "ack");
                }
            });
            Endpoint endpoint = device.getEndpoint("iotos:171/401/1963?awaitAck=true&ackTimeout=30s");
            AsyncProducer producer = endpoint.createAsyncProducer();
            producer.start();
            runAwaitAck(endpoint, producer, 2_000);
            long before = usedHeapAfterGc();
            runAwaitAck(endpoint, producer, MESSAGES);
            long after = usedHeapAfterGc();
            figures.put("awaitAckUploads", MESSAGES);
            figures.put("heapBeforeMiB", mib(before));
            figures.put("heapAfterMiB", mib(after));
            figures.put("heapGrowthMiB", mib(after - before));
            figures.put("pendingAcksAfter", ((IotosEndpoint) endpoint).getPendingResults());
            producer.stop();
        }
        int sessions = 50;
        try (CamelContext context = context()) {
            int threadsBefore = Thread.activeCount();
            long heapBefore = usedHeapAfterGc();
            List<AsyncProducer> producers = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                AsyncProducer producer = context.getEndpoint("iotos:171/" + (1000 + i) + "/1").createAsyncProducer();
                producer.start();
                producers.add(producer);
            }
            long heapAfter = usedHeapAfterGc();
            figures.put("sessions", sessions);
            figures.put("threadsPerSession", (Thread.activeCount() - threadsBefore) / (double) sessions);
            figures.put("heapPerSessionKiB", (heapAfter - heapBefore) / 1024.0 / sessions);
            for (AsyncProducer producer : producers) {
                producer.stop();
            }
        }
        return figures;
    }

    private static void runAwaitAck(Endpoint endpoint, AsyncProducer producer, int count) throws InterruptedException {
        int failed = drive(endpoint, producer, count, (exchange, n) -> exchange.getMessage().setBody(n));
        if (failed > 0) {
            throw new IllegalStateException(failed + " awaitAck uploads failed");
        }
    }

    /** Sends {@code count} exchanges through a producer, at most the window at a time; returns how many failed. */
    private static int drive(Endpoint endpoint, AsyncProducer producer, int count,
            java.util.function.ObjIntConsumer<Exchange> fill) throws InterruptedException {
        Semaphore window = new Semaphore(WINDOW);
        CountDownLatch done = new CountDownLatch(count);
        AtomicInteger failed = new AtomicInteger();
        for (int i = 0; i < count; i++) {
            window.acquire();
            Exchange exchange = endpoint.createExchange();
            fill.accept(exchange, i);
            producer.process(exchange, doneSync -> {
                if (exchange.getException() != null) {
                    failed.incrementAndGet();
                }
                window.release();
                done.countDown();
            });
        }
        done.await();
        return failed.get();
    }

    /**
     * Every throughput run starts on a collected heap: the garbage of the run before (the hand-written route's is the
     * most) would otherwise be collected during the next contender's run and counted against it.
     */
    private static void settle() {
        System.gc();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static double mib(long bytes) {
        return Math.round(bytes / 1024.0 / 1024.0 * 100) / 100.0;
    }

    // ------------------------------------------------------------ codec (JMH)

    private static Map<String, double[]> codec() throws Exception {
        Options options = new OptionsBuilder()
                .include(CodecBenchmark.class.getName())
                .forks(0)
                .warmupIterations(3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                .addProfiler(GCProfiler.class)
                .build();
        Map<String, double[]> figures = new LinkedHashMap<>();
        for (RunResult result : new Runner(options).run()) {
            String name = result.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            double nsPerOp = result.getPrimaryResult().getScore();
            var alloc = result.getSecondaryResults().get("gc.alloc.rate.norm");
            figures.put(name, new double[] { nsPerOp, alloc == null ? Double.NaN : alloc.getScore() });
        }
        return figures;
    }

    // ------------------------------------------------------------ plumbing

    private CamelContext context() throws Exception {
        CamelContext context = new DefaultCamelContext();
        IotosComponent iotos = context.getComponent("iotos", IotosComponent.class);
        iotos.getConfiguration().setBrokerUrl(url);
        iotos.getConfiguration().setMaxInflight(WINDOW);
        iotos.getConfiguration().setOfflineBufferSize(Math.max(10_000, WINDOW * 2));
        context.start();
        return context;
    }

    private MqttAsyncClient connect(String clientId, MqttCallback callback) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        if (callback != null) {
            client.setCallback(callback);
        }
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setMaxInflight(WINDOW);
        client.connect(options).waitForCompletion();
        return client;
    }

    private static void disconnect(MqttAsyncClient client) throws Exception {
        client.disconnect().waitForCompletion();
        client.close();
    }

    private record Callback(MessageHandler handler) implements MqttCallback {
        @Override
        public void connectionLost(Throwable cause) {
            System.err.println("connection lost: " + cause);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) throws Exception {
            handler.handle(topic, message);
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // not needed
        }
    }

    @FunctionalInterface
    private interface MessageHandler {
        void handle(String topic, MqttMessage message) throws Exception;
    }

    private void write(List<Scenario> scenarios, Map<String, Object> memory, Map<String, double[]> codecFigures,
            String machine) throws Exception {
        StringBuilder json = new StringBuilder("{\n  \"machine\": \"").append(machine).append("\",\n  \"scenarios\": [\n");
        for (int i = 0; i < scenarios.size(); i++) {
            json.append(scenarios.get(i).json()).append(i + 1 < scenarios.size() ? ",\n" : "\n");
        }
        json.append("  ],\n  \"memory\": {");
        List<String> entries = new ArrayList<>();
        memory.forEach((k, v) -> entries.add("\"" + k + "\": " + v));
        json.append(String.join(", ", entries)).append("},\n  \"codec\": {");
        entries.clear();
        codecFigures.forEach((k, v) -> entries.add(String.format(Locale.ROOT,
                "\"%s\": {\"nsPerOp\": %.1f, \"bytesPerOp\": %.1f}", k, v[0], v[1])));
        json.append(String.join(", ", entries)).append("}\n}\n");
        Path report = Path.of("target", "bench", "report.json");
        Files.createDirectories(report.getParent());
        Files.writeString(report, json.toString());

        System.out.println();
        System.out.println("| scenario                                     |  messages | seconds |   msg/s    |  p50 ms |  p99 ms | baseline                     |  ratio | JVM µs  | broker µs |");
        System.out.println("|----------------------------------------------|-----------|---------|------------|---------|---------|------------------------------|--------|---------|-----------|");
        scenarios.forEach(s -> System.out.println(s.row()));
        System.out.println();
        System.out.println("memory: " + memory);
        codecFigures.forEach((k, v) -> System.out.printf(Locale.ROOT, "codec %-24s %8.1f ns/op %8.1f B/op%n", k, v[0],
                v[1]));
        System.out.println("report: " + report.toAbsolutePath());
    }

}
