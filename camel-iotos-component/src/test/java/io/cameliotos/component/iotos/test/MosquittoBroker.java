package io.cameliotos.component.iotos.test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A Mosquitto process on a free loopback port, with its own config, password file and log in a temporary directory.
 * The log (all message types) tells which clients connected and which client IDs fought.
 */
public final class MosquittoBroker implements TestBroker {

    public static final String BINARY = System.getProperty("mosquitto.binary", "/usr/sbin/mosquitto");
    private static final String PASSWD_BINARY = "/usr/bin/mosquitto_passwd";

    private final Path dir;
    private final int port;
    private final List<String> extraConfig = new ArrayList<>();
    private final List<String[]> extraUsers = new ArrayList<>();
    private Process process;
    private boolean persistent;

    public MosquittoBroker() throws IOException {
        this.dir = Files.createTempDirectory("mosquitto-test");
        this.port = Ports.free();
    }

    public static boolean isInstalled() {
        return new File(BINARY).canExecute() && new File(PASSWD_BINARY).canExecute();
    }

    /** Adds an account besides the default one, before the first start. */
    public MosquittoBroker withUser(String username, String password) {
        extraUsers.add(new String[] { username, password });
        return this;
    }

    /** Adds config lines (listeners, ACLs, TLS) before the first start. */
    public MosquittoBroker withConfig(String... lines) {
        extraConfig.addAll(List.of(lines));
        return this;
    }

    /** Keeps sessions and queued QoS 1 messages of clean-session=false clients across restarts. */
    public MosquittoBroker withPersistence() {
        persistent = true;
        return this;
    }

    /** Freezes the broker process (SIGSTOP): connections stay open but nothing is answered. */
    public void freeze() throws IOException, InterruptedException {
        run("kill", "-STOP", Long.toString(pid()));
    }

    /** Resumes a frozen broker (SIGCONT). */
    public void thaw() throws IOException, InterruptedException {
        run("kill", "-CONT", Long.toString(pid()));
    }

    public Path directory() {
        return dir;
    }

    public int port() {
        return port;
    }

    @Override
    public String kind() {
        return "mosquitto";
    }

    @Override
    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public synchronized void start() throws Exception {
        if (process != null && process.isAlive()) {
            return;
        }
        Path passwd = dir.resolve("passwd");
        if (!Files.exists(passwd)) {
            run(PASSWD_BINARY, "-b", "-c", passwd.toString(), USERNAME, PASSWORD);
            for (String[] user : extraUsers) {
                run(PASSWD_BINARY, "-b", passwd.toString(), user[0], user[1]);
            }
        }
        List<String> config = new ArrayList<>(List.of(
                "listener " + port + " 127.0.0.1",
                "allow_anonymous false",
                "password_file " + passwd,
                "persistence " + persistent,
                "persistence_location " + dir + "/",
                "autosave_interval 1",
                "log_dest file " + log(),
                "log_type all",
                "connection_messages true",
                "max_inflight_messages 0",
                "max_queued_messages 100000"));
        if ("root".equals(System.getProperty("user.name"))) {
            // started as root, Mosquitto drops to user 'mosquitto', who cannot read our files
            config.add("user root");
        }
        config.addAll(extraConfig);
        Path conf = dir.resolve("mosquitto.conf");
        Files.write(conf, config, StandardCharsets.UTF_8);
        process = new ProcessBuilder(BINARY, "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
                .start();
        // a test JVM stopped by a timeout must not leave its brokers running
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "mosquitto-" + port + "-cleanup"));
        try {
            Ports.awaitOpen(port, Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            throw new IllegalStateException("Mosquitto did not open port " + port + "; its output: "
                                            + Files.readString(dir.resolve("stdout.log")), e);
        }
    }

    @Override
    public synchronized void stop() throws Exception {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            process = null;
        }
    }

    /** The broker's process ID, e.g. to freeze it with SIGSTOP. */
    public synchronized long pid() {
        return process.pid();
    }

    public Path log() {
        return dir.resolve("mosquitto.log");
    }

    public String logText() throws IOException {
        return Files.exists(log()) ? Files.readString(log(), StandardCharsets.UTF_8) : "";
    }

    @Override
    public int connects(String clientId) throws IOException {
        return count("New client connected from .* as " + Pattern.quote(clientId) + " \\(");
    }

    @Override
    public int takeovers(String clientId) throws IOException {
        return count("Client " + Pattern.quote(clientId) + " already connected, closing old connection");
    }

    private int count(String regex) throws IOException {
        Pattern pattern = Pattern.compile(regex);
        return (int) logText().lines().filter(line -> pattern.matcher(line).find()).count();
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    @Override
    public String toString() {
        return "mosquitto on " + url();
    }
}
