package dev.cachalot.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Sizes and repetitions of one run. Defaults are issue 6's (1 GiB blobs, 32 streams, 10,000 manifests); the
 * smoke test shrinks everything so the harness runs in seconds.
 *
 * @param blobMib size of the big incompressible layer (workloads 1, 2, 3, 6)
 * @param limitsMib bytes moved by each machine-limit probe
 * @param rounds measured rounds per workload and subject
 * @param warmups unmeasured rounds before them
 * @param manifestMillis how long each manifest cell (method, reference kind, concurrency) runs per round
 * @param manifestClients concurrencies for the manifest workload
 * @param skopeoLayers layers in the multi-layer image pulled with skopeo
 * @param rssStreams concurrent warm streams while peak RSS is watched
 * @param fullManifests manifests cached before the "full data folder" start
 * @param subjects which registries to run: {@code peer}, {@code cachalot} or both
 * @param launcher how to run Cachalot's CLI (e.g. {@code java -jar target/cachalot.jar})
 * @param output folder for {@code latest.json} and {@code latest.md} (null: none written)
 * @param workloads which workloads to run, by number (1-10); all by default
 * @param hungClients tag pulls left waiting on the hung upstream (workload 10)
 * @param preTouchMib memory to touch once before measuring ({@link MemoryPreTouch}); -1: most of the free memory
 */
record BenchConfig(int blobMib, int limitsMib, int rounds, int warmups, long manifestMillis,
                   List<Integer> manifestClients, int skopeoLayers, int rssStreams, int fullManifests,
                   List<String> subjects, List<String> launcher, Path output, List<Integer> workloads,
                   int hungClients, long preTouchMib) {

    static final int LAST_WORKLOAD = 10;

    static BenchConfig defaults() {
        return new BenchConfig(1024, 1024, 5, 1, 3_000, List.of(1, 16, 64), 12, 32, 10_000,
                List.of("peer", "cachalot"), jarLauncher("target/cachalot.jar"),
                Path.of("bench", "results"), List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 300, -1);
    }

    boolean runsWorkload(int number) {
        return workloads.contains(number);
    }

    /** The memory {@link MemoryPreTouch} touches: {@link #preTouchMib}, or its default when that is -1. */
    long preTouchMibResolved() {
        return preTouchMib < 0 ? MemoryPreTouch.defaultMib() : preTouchMib;
    }

    /** The smaller blob that peak RSS is compared with, to see it stays flat in blob size. */
    int smallBlobMib() {
        return Math.max(1, blobMib / 4);
    }

    boolean runs(String subject) {
        return subjects.contains(subject);
    }

    /**
     * {@code java <the packaged launcher's JVM options> -jar jar}: Cachalot as installed runs with the options of
     * {@code installer/launcher.args} (heap bound, class-data sharing). The app image's archive
     * ({@code $APPDIR/cachalot.jsa}) becomes one beside the jar, which {@link ClassDataSharing#train} writes the
     * way the packages do; other options naming {@code $APPDIR} only exist in an app image and are left out.
     */
    static List<String> jarLauncher(String jar) {
        Path jarPath = Path.of(jar);
        String name = jarPath.getFileName().toString().replaceFirst("\\.jar$", "");
        Path archive = jarPath.toAbsolutePath().resolveSibling(name + ".jsa");
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(productJvmOptions(Path.of("installer", "launcher.args"), archive));
        command.add("-jar");
        command.add(jar);
        return List.copyOf(command);
    }

    /**
     * The launcher of an app image ({@code mvn -Pdist package} builds {@code target/dist/app-image/cachalot}):
     * {@code bin/cachalot} with the image's bundled runtime and JVM options, as the .deb installs it.
     */
    static List<String> appImageLauncher(String image) {
        Path root = Path.of(image).toAbsolutePath();
        Path launcher = root.resolve("bin").resolve("cachalot");
        if (!Files.isExecutable(launcher) || !Files.isExecutable(imageJava(root))) {
            throw new IllegalArgumentException("--app-image " + image + ": no app image there (bin/cachalot and "
                    + "lib/runtime/bin/java; mvn -Pdist package -DskipTests builds target/dist/app-image/cachalot)");
        }
        return List.of(launcher.toString());
    }

    /** The app image this configuration runs, when it runs one (its launcher alone, ending in bin/cachalot). */
    Optional<Path> appImage() {
        if (launcher.size() != 1) {
            return Optional.empty();
        }
        Path bin = Path.of(launcher.get(0)).getParent();
        return bin != null && bin.getFileName().toString().equals("bin") ? Optional.of(bin.getParent())
                : Optional.empty();
    }

    static Path imageJava(Path image) {
        return image.resolve("lib").resolve("runtime").resolve("bin").resolve("java");
    }

    /** How the report names the way Cachalot runs, ending before the subcommand. */
    String launcherDescription() {
        if (appImage().isPresent()) {
            return "`" + launcher.get(0) + " serve` (the app image's launcher: its bundled runtime and JVM options, "
                    + "with a static class-data archive written as the .deb's postinst writes it)";
        }
        return "`" + String.join(" ", launcher.subList(1, launcher.size()))
                + " serve` (the packaged launcher's JVM options, on the JDK running the benchmark)";
    }

    static List<String> productJvmOptions(Path launcherArgs, Path archive) {
        List<String> options = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(launcherArgs)) {
                String trimmed = line.trim();
                if (!trimmed.startsWith("--java-options ")) {
                    continue;
                }
                String option = trimmed.substring("--java-options ".length()).trim();
                if (option.equals("-XX:SharedArchiveFile=$APPDIR/cachalot.jsa")) {
                    options.add("-XX:SharedArchiveFile=" + archive);
                } else if (!option.contains("$APPDIR")) {
                    options.add(option);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the launcher's JVM options from " + launcherArgs, e);
        }
        return options;
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Parses {@code --name value} options over the defaults; unknown options are an error. */
    static BenchConfig parse(String... args) {
        BenchConfig d = defaults();
        int blobMib = d.blobMib;
        int limitsMib = d.limitsMib;
        int rounds = d.rounds;
        int warmups = d.warmups;
        long manifestMillis = d.manifestMillis;
        List<Integer> manifestClients = d.manifestClients;
        int skopeoLayers = d.skopeoLayers;
        int rssStreams = d.rssStreams;
        int fullManifests = d.fullManifests;
        List<String> subjects = d.subjects;
        List<String> launcher = d.launcher;
        Path output = d.output;
        List<Integer> workloads = d.workloads;
        int hungClients = d.hungClients;
        long preTouchMib = d.preTouchMib;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--help") || i + 1 >= args.length) {
                throw new IllegalArgumentException((name.equals("--help") ? "" : "missing value for " + name + "\n")
                        + usage());
            }
            String value = args[++i];
            switch (name) {
                case "--blob-mib" -> blobMib = Integer.parseInt(value);
                case "--limits-mib" -> limitsMib = Integer.parseInt(value);
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--warmups" -> warmups = Integer.parseInt(value);
                case "--manifest-millis" -> manifestMillis = Long.parseLong(value);
                case "--manifest-clients" -> manifestClients = ints(value);
                case "--skopeo-layers" -> skopeoLayers = Integer.parseInt(value);
                case "--rss-streams" -> rssStreams = Integer.parseInt(value);
                case "--full-manifests" -> fullManifests = Integer.parseInt(value);
                case "--subjects" -> subjects = List.of(value.split(","));
                case "--jar" -> launcher = jarLauncher(value);
                case "--app-image" -> launcher = appImageLauncher(value);
                case "--output" -> output = value.equals("none") ? null : Path.of(value);
                case "--workloads" -> workloads = ints(value);
                case "--hung-clients" -> hungClients = Integer.parseInt(value);
                case "--pretouch-mib" -> preTouchMib = Long.parseLong(value);
                default -> throw new IllegalArgumentException("unknown option " + name + "\n" + usage());
            }
        }
        for (String subject : subjects) {
            if (!subject.equals("peer") && !subject.equals("cachalot")) {
                throw new IllegalArgumentException("--subjects takes peer, cachalot or peer,cachalot");
            }
        }
        if (workloads.isEmpty() || workloads.stream().anyMatch(w -> w < 1 || w > LAST_WORKLOAD)) {
            throw new IllegalArgumentException("--workloads takes numbers from 1 to " + LAST_WORKLOAD + ", e.g. 2,3");
        }
        if (rounds < 1 || blobMib < 1 || limitsMib < 1) {
            throw new IllegalArgumentException("--rounds, --blob-mib and --limits-mib must be at least 1");
        }
        return new BenchConfig(blobMib, limitsMib, rounds, warmups, manifestMillis, manifestClients, skopeoLayers,
                rssStreams, fullManifests, subjects, launcher, output, workloads, hungClients, preTouchMib);
    }

    BenchConfig withLauncher(List<String> newLauncher) {
        return new BenchConfig(blobMib, limitsMib, rounds, warmups, manifestMillis, manifestClients, skopeoLayers,
                rssStreams, fullManifests, subjects, List.copyOf(newLauncher), output, workloads, hungClients, preTouchMib);
    }

    private static List<Integer> ints(String csv) {
        List<Integer> values = new ArrayList<>();
        Arrays.stream(csv.split(",")).map(String::trim).map(Integer::parseInt).forEach(values::add);
        return List.copyOf(values);
    }

    static String usage() {
        return String.join("\n",
                "options (defaults in brackets):",
                "  --blob-mib N           big layer size [1024]",
                "  --limits-mib N         bytes per machine-limit probe [1024]",
                "  --rounds N             measured rounds [5]",
                "  --warmups N            unmeasured rounds first [1]",
                "  --manifest-millis N    duration of each manifest cell [3000]",
                "  --manifest-clients L   concurrencies [1,16,64]",
                "  --skopeo-layers N      layers of the skopeo image [12]",
                "  --rss-streams N        concurrent warm streams for peak RSS [32]",
                "  --full-manifests N     cached manifests for the full start [10000]",
                "  --subjects L           peer,cachalot [both]",
                "  --jar PATH             Cachalot jar [target/cachalot.jar], run as java <launcher.args> -jar",
                "  --app-image DIR        run Cachalot by this app image's launcher instead (mvn -Pdist package)",
                "  --output DIR|none      where latest.json/latest.md go [bench/results]",
                "  --workloads L          which workloads, by number [1,2,3,4,5,6,7,8,9,10]",
                "  --hung-clients N       tag pulls waiting on the hung upstream [300]",
                "  --pretouch-mib N       memory touched once before measuring [-1: free memory less 3 GiB]");
    }
}
