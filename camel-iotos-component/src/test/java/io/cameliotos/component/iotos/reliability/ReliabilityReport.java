package io.cameliotos.component.iotos.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The outcome of one fault-injection scenario, as the platform saw it. Printed, and appended as a Markdown table row
 * to {@code target/reliability/results.md}.
 */
record ReliabilityReport(String scenario, int attempted, int completed, int failed, int received, int lost,
        int duplicates, String note) {

    static final Path RESULTS = Path.of("target", "reliability", "results.md");

    /**
     * @param completed the request IDs of the exchanges that completed successfully (or were stored)
     * @param received  every request ID the platform received, repeats included
     */
    static ReliabilityReport of(String scenario, int attempted, Collection<String> completed, int failed,
            List<String> received, String note) {
        Set<String> distinct = new HashSet<>(received);
        int lost = (int) completed.stream().filter(id -> !distinct.contains(id)).count();
        return new ReliabilityReport(scenario, attempted, completed.size(), failed, distinct.size(), lost,
                received.size() - distinct.size(), note);
    }

    ReliabilityReport write() {
        String row = String.format("| %s | %d | %d | %d | %d | %d | %d | %s |%n", scenario, attempted, completed, lost,
                duplicates, failed, received, note);
        System.out.print("RELIABILITY " + row);
        try {
            Files.createDirectories(RESULTS.getParent());
            if (!Files.exists(RESULTS)) {
                Files.writeString(RESULTS, "| scenario | attempted | completed | lost | duplicates | failed | received "
                                           + "| note |\n|---|---|---|---|---|---|---|---|\n", StandardCharsets.UTF_8);
            }
            Files.writeString(RESULTS, row, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
