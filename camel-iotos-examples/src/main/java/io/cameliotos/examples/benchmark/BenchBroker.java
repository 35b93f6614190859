package io.cameliotos.examples.benchmark;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's broker: a Mosquitto process of its own on a free port, or a broker given by URL.
 */
final class BenchBroker implements AutoCloseable {

    private static final String MOSQUITTO = "/usr/sbin/mosquitto";

    private final String url;
    private final Process process;

    private BenchBroker(String url, Process process) {
        this.url = url;
        this.process = process;
    }

    static BenchBroker startOrUse(String givenUrl) throws IOException, InterruptedException {
        if (givenUrl != null) {
            return new BenchBroker(givenUrl, null);
        }
        if (!new File(MOSQUITTO).canExecute()) {
            throw new IllegalStateException("The benchmark starts its own Mosquitto (" + MOSQUITTO + ": apt-get install "
                                            + "mosquitto), or give one with -Dbench.brokerUrl=tcp://host:port");
        }
        int port;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            port = socket.getLocalPort();
        }
        Path dir = Files.createTempDirectory("iotos-bench");
        Path conf = dir.resolve("mosquitto.conf");
        List<String> lines = new java.util.ArrayList<>(List.of(
                "listener " + port + " 127.0.0.1", "allow_anonymous true", "persistence false",
                "max_inflight_messages 0", "max_queued_messages 0", "log_type error"));
        if ("root".equals(System.getProperty("user.name"))) {
            lines.add("user root");
        }
        Files.write(conf, lines);
        Process process = new ProcessBuilder(MOSQUITTO, "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!isOpen(port)) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                process.destroyForcibly();
                throw new IllegalStateException("Mosquitto did not start; see " + dir.resolve("mosquitto.log"));
            }
            Thread.sleep(20);
        }
        return new BenchBroker("tcp://127.0.0.1:" + port, process);
    }

    String url() {
        return url;
    }

    String version() {
        if (process == null) {
            return "given broker " + url;
        }
        try {
            Process p = new ProcessBuilder(MOSQUITTO, "-h").redirectErrorStream(true).start();
            String first = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("mosquitto");
            p.waitFor();
            return first.trim();
        } catch (IOException | InterruptedException e) {
            return "mosquitto";
        }
    }

    /**
     * The CPU time the broker this benchmark started has used, from the scheduler's accounting of each of its
     * threads ({@code /proc/<pid>/task/<tid>/schedstat}, Linux); -1 for a given broker or where that is not readable.
     */
    long cpuNanos() {
        if (process == null) {
            return -1;
        }
        try (var tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            long sum = 0;
            for (Path task : (Iterable<Path>) tasks::iterator) {
                sum += Long.parseLong(Files.readString(task.resolve("schedstat")).trim().split(" ")[0]);
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static boolean isOpen(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroy();
        }
    }
}
