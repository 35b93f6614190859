package io.cameliotos.examples.karaf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.cameliotos.component.iotos.test.Ports;

import static org.awaitility.Awaitility.await;

/**
 * A real Apache Karaf, copied fresh from the unpacked distribution, started as {@code bin/karaf server} in a child
 * process and driven through {@code bin/client}. Its ports are free ones, so it never meets another Karaf (or the
 * defaults 8101/1099/44444); it dies with the test JVM.
 */
final class KarafProcess implements AutoCloseable {

    static final String USER = "iotos-it";
    static final String PASSWORD = "iotos-it-secret";

    private final Path home;
    private final int sshPort = Ports.free();
    private Process process;
    private Thread reaper;

    private KarafProcess(Path home) {
        this.home = home;
    }

    /**
     * Copies the distribution to {@code home} and configures it: its own ports, a shell account, and {@code localRepo}
     * (a Maven layout holding this build's artifacts) searched before ~/.m2 and Maven Central, so Karaf installs the
     * bundle just built even where an older one was installed into ~/.m2.
     */
    static KarafProcess prepare(Path distribution, Path home, Path localRepo) throws IOException {
        copyTree(distribution, home);
        KarafProcess karaf = new KarafProcess(home);
        Path etc = home.resolve("etc");
        replace(etc.resolve("org.apache.karaf.shell.cfg"), "(?m)^sshPort\\s*=.*$", "sshPort = " + karaf.sshPort);
        replace(etc.resolve("org.apache.karaf.shell.cfg"), "(?m)^sshHost\\s*=.*$", "sshHost = 127.0.0.1");
        replace(etc.resolve("org.apache.karaf.management.cfg"), "(?m)^rmiRegistryPort\\s*=.*$",
                "rmiRegistryPort = " + Ports.free());
        replace(etc.resolve("org.apache.karaf.management.cfg"), "(?m)^rmiServerPort\\s*=.*$",
                "rmiServerPort = " + Ports.free());
        // the distribution ships without an account; bin/client needs one with the ssh role
        Files.writeString(etc.resolve("users.properties"), USER + " = " + PASSWORD + ",_g_:admingroup\n"
                + "_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh\n", StandardCharsets.UTF_8);
        // file: default repositories come before the local repository (~/.m2) in pax-url-aether's search;
        // remote: Maven Central only (no snapshot repository is asked for our SNAPSHOT), or a mirror given with
        // -Diotos.karaf.remoteRepositories=https://host/path@id=mirror (pax-url syntax, comma-separated)
        replace(etc.resolve("org.ops4j.pax.url.mvn.cfg"), "org\\.ops4j\\.pax\\.url\\.mvn\\.defaultRepositories\\s*=\\s*\\\\\\n",
                "org.ops4j.pax.url.mvn.defaultRepositories=\\\\\n    " + localRepo.toUri() + "@id=camel-iotos.build@snapshots, \\\\\n");
        replace(etc.resolve("org.ops4j.pax.url.mvn.cfg"),
                "(?ms)^org\\.ops4j\\.pax\\.url\\.mvn\\.repositories\\s*=.*?(?=^\\S|\\z)",
                "org.ops4j.pax.url.mvn.repositories = " + System.getProperty("iotos.karaf.remoteRepositories",
                        "https://repo1.maven.org/maven2@id=central") + "\n\n");
        return karaf;
    }

    Path home() {
        return home;
    }

    void start() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("karaf.out").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        process = builder.start();
        // a test JVM ended by a timeout must not leave Karaf running
        reaper = new Thread(this::kill, "karaf-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Waits until the SSH console accepts our account and runs a command. */
    void awaitConsole(Duration timeout) {
        await("Karaf console on port " + sshPort).atMost(timeout).pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions()
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("Karaf exited with " + process.exitValue() + ", see " + home.resolve("karaf.out"));
                    }
                    return run("bundle:list -t 0", Duration.ofSeconds(30)).contains("Active");
                });
    }

    /**
     * Runs console commands through {@code bin/client} in batch mode (commands on stdin: passing them as arguments
     * closes the session before any output with Karaf 4.4.10's client here) and returns what they printed.
     * A command error fails with the output.
     */
    String run(String commands, Duration timeout) throws IOException, InterruptedException {
        Path input = Files.createTempFile(home, "commands", ".txt");
        Files.writeString(input, commands + "\n", StandardCharsets.UTF_8);
        Path output = Files.createTempFile(home, "client", ".out");
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/client").toString(),
                "-h", "127.0.0.1", "-a", Integer.toString(sshPort), "-u", USER, "-p", PASSWORD, "-b")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectInput(input.toFile())
                .redirectOutput(output.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process client = builder.start();
        try {
            if (!client.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("bin/client did not finish '" + commands + "' within " + timeout);
            }
            String text = Files.readString(output, StandardCharsets.UTF_8).replaceAll("\u001B\\[[;\\d]*m", "");
            if (client.exitValue() != 0 || text.contains("Error executing command")) {
                throw new IllegalStateException("'" + commands + "' failed (exit " + client.exitValue() + "):\n" + text);
            }
            return text;
        } finally {
            client.destroyForcibly();
            Files.deleteIfExists(input);
            Files.deleteIfExists(output);
        }
    }

    /** The end of Karaf's own log, for failure messages. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(home.resolve("data/log/karaf.log"), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no data/log/karaf.log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        kill();
        if (reaper != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    /** bin/karaf is a shell script whose child is the Karaf JVM: stop the JVM first, then the script. */
    private void kill() {
        if (process == null) {
            return;
        }
        ProcessHandle root = process.toHandle();
        List<ProcessHandle> tree = root.descendants().toList();
        tree.forEach(ProcessHandle::destroy);
        root.destroy();
        for (ProcessHandle handle : tree) {
            handle.onExit().completeOnTimeout(null, 30, TimeUnit.SECONDS).join();
            handle.destroyForcibly();
        }
        root.onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS).join();
        root.destroyForcibly();
    }

    private static void replace(Path file, String regex, String replacement) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String changed = Pattern.compile(regex).matcher(text).replaceFirst(replacement);
        if (changed.equals(text)) {
            throw new IllegalStateException("no match for " + regex + " in " + file);
        }
        Files.writeString(file, changed, StandardCharsets.UTF_8);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                // keeps the scripts' execute bits
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
