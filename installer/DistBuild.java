import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Builds Cachalot's distributables on the OS it runs on: a trimmed runtime (jlink), the app image
 * (jpackage, everywhere) and each native package whose tools are installed; prints their sizes.
 *
 * <p>A single-file program (run with {@code java installer/DistBuild.java ...}, Java 11+) so the
 * same logic works on Linux, Windows and macOS without shell scripts; Maven's {@code dist}
 * profile calls it after the shaded jar is built. Every jlink/jpackage option lives in the
 * {@code installer/**.args} files, passed as {@code @argfiles}; this program only decides which
 * files apply and which native tools are present.
 *
 * <p>Arguments: {@code --os linux|windows|macos --version X.Y.Z [--jar target/cachalot.jar]
 * [--dest target/dist]}. Run from the project root.
 */
public final class DistBuild {

    private record NativeType(String type, List<String> tools, String why) {
    }

    public static void main(String[] args) throws Exception {
        String os = option(args, "--os", detectOs());
        // jpackage wants a plain numeric version: 0.1.0-SNAPSHOT packages as 0.1.0
        String version = option(args, "--version", "0.1.0").replaceFirst("-.*$", "");
        Path jar = Path.of(option(args, "--jar", "target/cachalot.jar"));
        Path dest = Path.of(option(args, "--dest", "target/dist"));
        if (!Files.isRegularFile(jar)) {
            fail("missing " + jar + ": build the shaded jar first (mvn -Pdist package does)");
        }

        Path javaHome = Path.of(System.getProperty("java.home"));
        Path jlink = tool(javaHome, "jlink");
        Path jpackage = tool(javaHome, "jpackage");

        deleteTree(dest);
        Path input = Files.createDirectories(dest.resolve("input"));
        Files.copy(jar, input.resolve("cachalot.jar"), StandardCopyOption.REPLACE_EXISTING);

        Path runtime = dest.resolve("runtime");
        run(List.of(jlink.toString(), "@installer/jlink.args", "--output", runtime.toString()));
        System.out.printf("runtime     %s  %s%n", mib(sizeOf(runtime)), runtime);

        Path images = dest.resolve("app-image");
        List<String> appImage = new ArrayList<>(List.of(jpackage.toString(), "--type", "app-image",
                "@installer/common.args", "@installer/launcher.args", "@installer/" + os + "/app-image.args",
                "--app-version", version, "--input", input.toString(),
                "--runtime-image", runtime.toString(), "--dest", images.toString()));
        run(appImage);
        Path image = onlyChild(images);
        trainClassDataSharing(os, image);
        System.out.printf("app image   %s  %s%n", mib(sizeOf(image)), image);

        Path packages = Files.createDirectories(dest.resolve("packages"));
        for (NativeType nativeType : nativeTypes(os)) {
            List<String> missing = nativeType.tools().stream().filter(t -> !onPath(t)).toList();
            if (!missing.isEmpty()) {
                System.out.printf("skipping %s: %s not found (%s)%n",
                        nativeType.type(), String.join(", ", missing), nativeType.why());
                continue;
            }
            List<String> command = new ArrayList<>(List.of(jpackage.toString(), "--type", nativeType.type(),
                    "@installer/common.args", "@installer/" + os + "/" + nativeType.type() + ".args",
                    "--app-version", version, "--app-image", image.toString(),
                    "--dest", packages.toString()));
            if (Files.isRegularFile(Path.of("LICENSE"))) {
                command.addAll(List.of("--license-file", "LICENSE"));
            }
            run(command);
        }
        try (Stream<Path> built = Files.list(packages)) {
            for (Path p : built.sorted().toList()) {
                System.out.printf("package     %s  %s%n", mib(Files.size(p)), p);
            }
        }
    }

    /**
     * Writes the application class-data-sharing archive {@code cachalot.jsa} next to the jar (the launcher's
     * {@code -XX:SharedArchiveFile=$APPDIR/cachalot.jsa}, see launcher.args): a training run of {@code selftest} on
     * the image's own runtime (two engines on loopback, an image pushed to one and pulled through the other), after
     * which the JVM dumps the classes it loaded. Starting from the archive skips loading and verifying those classes
     * again: about a third of the start to ready, and most of a fresh process's first pull.
     *
     * <p>JDK 17 ties a dynamic archive to the absolute path of the jar: it serves this app image where it was built;
     * an installed package regenerates it in its postinst (linux/resources/postinst). Where the archive does not
     * match or is missing, {@code -Xshare:auto} quietly starts without it.
     */
    private static void trainClassDataSharing(String os, Path image) throws IOException, InterruptedException {
        Path appDir = switch (os) {
            case "macos" -> image.resolve("Contents/app");
            case "windows" -> image.resolve("app");
            default -> image.resolve("lib/app");
        };
        Path javaLauncher = switch (os) {
            case "macos" -> image.resolve("Contents/runtime/Contents/Home/bin/java");
            case "windows" -> image.resolve("runtime/bin/java.exe");
            default -> image.resolve("lib/runtime/bin/java");
        };
        Path archive = appDir.resolve("cachalot.jsa");
        List<String> command = List.of(javaLauncher.toString(), "-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off",
                "-Xlog:cds+dynamic=off", "-cp", appDir.resolve("cachalot.jar").toString(), "dev.cachalot.Main",
                "selftest");
        System.out.println("+ " + String.join(" ", command));
        Path log = Files.createTempFile("cachalot-cds-training-", ".log");
        try {
            Process training = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!training.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                training.destroyForcibly();
                System.out.println("skipping the class-data-sharing archive: the training run did not finish in 120 s");
                return;
            }
            if (training.exitValue() != 0) {
                System.out.println("skipping the class-data-sharing archive: the training run failed:");
                Files.readAllLines(log).forEach(line -> System.out.println("   | " + line));
                Files.deleteIfExists(archive);
                return;
            }
        } finally {
            Files.deleteIfExists(log);
        }
        if (Files.isRegularFile(archive)) {
            System.out.printf("cds archive %s  %s%n", mib(Files.size(archive)), archive);
        } else {
            System.out.println("no class-data-sharing archive written (the JVM dumps it only on a normal exit)");
        }
    }

    /** The native package types per OS and the external tools jpackage needs for each. */
    private static List<NativeType> nativeTypes(String os) {
        return switch (os) {
            case "linux" -> List.of(
                    new NativeType("deb", List.of("dpkg-deb", "fakeroot"), "apt-get install dpkg-dev fakeroot"),
                    new NativeType("rpm", List.of("rpmbuild"), "install rpm / rpm-build"));
            case "windows" -> List.of(
                    new NativeType("msi", List.of("candle", "light"), "install WiX Toolset 3.x and put its bin on PATH"));
            case "macos" -> List.of(
                    new NativeType("dmg", List.of("hdiutil"), "part of macOS"),
                    new NativeType("pkg", List.of("pkgbuild", "productbuild"), "part of macOS"));
            default -> throw new IllegalArgumentException("unknown --os " + os + " (linux, windows, macos)");
        };
    }

    private static String detectOs() {
        String name = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        if (name.contains("win")) {
            return "windows";
        }
        return name.contains("mac") ? "macos" : "linux";
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    private static Path tool(Path javaHome, String name) {
        String exe = detectOs().equals("windows") ? name + ".exe" : name;
        Path path = javaHome.resolve("bin").resolve(exe);
        if (!Files.isExecutable(path)) {
            fail(path + " not found: run Maven with a full JDK 17+ (jlink and jpackage are part of it)");
        }
        return path;
    }

    private static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        List<String> suffixes = detectOs().equals("windows") ? List.of(".exe", ".bat", ".cmd") : List.of("");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            for (String suffix : suffixes) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool + suffix))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        System.out.println("+ " + String.join(" ", command));
        Process process = new ProcessBuilder(command).inheritIO().start();
        int exit = process.waitFor();
        if (exit != 0) {
            fail(command.get(0) + " exited with " + exit);
        }
    }

    private static Path onlyChild(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            List<Path> all = children.toList();
            if (all.size() != 1) {
                fail("expected one app image in " + dir + ", found " + all);
            }
            return all.get(0);
        }
    }

    private static long sizeOf(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%7.1f MiB", bytes / (1024.0 * 1024.0));
    }

    private static void fail(String message) {
        System.err.println("dist: " + message);
        System.exit(1);
    }
}
