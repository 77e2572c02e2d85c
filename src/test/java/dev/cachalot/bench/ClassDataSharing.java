package dev.cachalot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes the class-data-sharing archive a launcher names ({@code -XX:SharedArchiveFile=…}) the way the .deb's postinst
 * writes it (installer/linux/deb/postinst): a training run ({@code cachalot selftest}) lists the classes it loads, then
 * {@code -Xshare:dump} writes a static archive of them, so the benchmark starts Cachalot the way an installed copy
 * starts. JDK 17 ties the archive to the jar it was made with; it is written afresh on every run. Why static rather
 * than the dynamic archive of {@code -XX:ArchiveClassesAtExit}: docs/decisions/0025-startup.md.
 */
final class ClassDataSharing {

    private static final String OPTION = "-XX:SharedArchiveFile=";

    private ClassDataSharing() {
    }

    /**
     * Trains the app image's archive ({@code lib/app/cachalot.jsa}) with its own runtime, as the .deb's postinst does
     * for {@code /opt/cachalot}: static, and tied to the image's path.
     */
    static void trainAppImage(Path image) {
        Path app = image.resolve("lib").resolve("app");
        train(List.of(BenchConfig.imageJava(image).toString(), OPTION + app.resolve("cachalot.jsa"), "-Xmx256m", "-cp",
                app.resolve("cachalot.jar").toString(), "dev.cachalot.Main"));
    }

    /** Trains the launcher's archive, if it names one; throws when the training run or the dump fails. */
    static void train(List<String> launcher) {
        Path archive = null;
        List<String> options = new ArrayList<>();
        for (String part : launcher) {
            if (part.startsWith(OPTION)) {
                archive = Path.of(part.substring(OPTION.length()));
            } else if (!part.startsWith("-Xshare:")) {
                options.add(part);
            }
        }
        if (archive == null) {
            return;
        }
        try {
            Files.deleteIfExists(archive);
            Path classList = Files.createTempFile("cachalot-bench-cds-", ".classlist");
            try {
                // options ends with how the launcher names the jar (-jar PATH or -cp PATH MAIN): the dump needs the same
                // class path, and runs no main class.
                List<String> training = new ArrayList<>(options);
                training.add(1, "-XX:DumpLoadedClassList=" + classList);
                training.add("selftest");
                run(training, "class-data-sharing training");
                List<String> dump = new ArrayList<>(options);
                dump.addAll(1, List.of("-Xshare:dump", "-XX:SharedClassListFile=" + classList, OPTION + archive));
                run(dump, "class-data-sharing dump");
            } finally {
                Files.deleteIfExists(classList);
            }
            if (!Files.isRegularFile(archive)) {
                throw new IllegalStateException("class-data-sharing dump wrote no archive at " + archive);
            }
        } catch (IOException e) {
            throw new IllegalStateException("class-data-sharing training failed: " + e.getMessage(), e);
        }
        Benchmark.log("class-data-sharing archive " + archive + " (" + sizeMib(archive) + " MiB, static) from `selftest`");
    }

    private static void run(List<String> command, String what) throws IOException {
        Path log = Files.createTempFile("cachalot-bench-cds-", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " did not finish in 120 s: " + command);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed (" + command + "):\n" + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + what, e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static long sizeMib(Path file) {
        try {
            return Files.size(file) >> 20;
        } catch (IOException e) {
            return -1;
        }
    }
}
