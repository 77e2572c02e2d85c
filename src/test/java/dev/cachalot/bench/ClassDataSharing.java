package dev.cachalot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes the class-data-sharing archive a launcher names ({@code -XX:SharedArchiveFile=…}) with the same training
 * run the packages use ({@code cachalot selftest}, see installer/DistBuild.java), so the benchmark starts Cachalot
 * the way an installed copy starts. JDK 17 ties the archive to the jar it was made with; it is written afresh on
 * every run.
 */
final class ClassDataSharing {

    private static final String OPTION = "-XX:SharedArchiveFile=";

    private ClassDataSharing() {
    }

    /** Trains the launcher's archive, if it names one; throws when the training run fails. */
    static void train(List<String> launcher) {
        Path archive = null;
        List<String> command = new ArrayList<>();
        for (String part : launcher) {
            if (part.startsWith(OPTION)) {
                archive = Path.of(part.substring(OPTION.length()));
                command.add("-XX:ArchiveClassesAtExit=" + archive);
            } else {
                command.add(part);
            }
        }
        if (archive == null) {
            return;
        }
        command.add("selftest");
        try {
            Files.deleteIfExists(archive);
            Path log = Files.createTempFile("cachalot-bench-cds-", ".log");
            try {
                Process training = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                        .start();
                if (!training.waitFor(120, TimeUnit.SECONDS)) {
                    training.destroyForcibly();
                    throw new IllegalStateException("class-data-sharing training did not finish in 120 s: " + command);
                }
                if (training.exitValue() != 0 || !Files.isRegularFile(archive)) {
                    throw new IllegalStateException("class-data-sharing training failed (" + command + "):\n"
                            + Files.readString(log));
                }
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new IllegalStateException("class-data-sharing training failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training class-data sharing", e);
        }
        Benchmark.log("class-data-sharing archive " + archive + " (" + sizeMib(archive) + " MiB) from `selftest`");
    }

    private static long sizeMib(Path file) {
        try {
            return Files.size(file) >> 20;
        } catch (IOException e) {
            return -1;
        }
    }
}
