import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
        String buildVersion = option(args, "--version", "0.1.0");
        String version = buildVersion.replaceFirst("-.*$", "");
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
        // Its real path: the Linux launcher finds its folder with readlink -f, and a class-data archive serves only the
        // class path it was trained with, spelled the same way.
        Path image = onlyChild(images).toRealPath();
        if (os.equals("linux")) {
            writeScriptLauncher(image);
        }
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
            // The .deb is packed again by finishDeb: jpackage's copy needs no compression (dpkg 1.21.10+ reads this).
            run(command, nativeType.type().equals("deb") ? Map.of("DPKG_DEB_COMPRESSOR_TYPE", "none")
                    : Map.of());
            if (nativeType.type().equals("deb")) {
                finishDeb(packages, buildVersion, dest.resolve("deb-root"));
            }
        }
        try (Stream<Path> built = Files.list(packages)) {
            for (Path p : built.sorted().toList()) {
                System.out.printf("package     %s  %s%n", mib(Files.size(p)), p);
            }
        }
    }

    /**
     * Replaces jpackage's native launcher {@code bin/cachalot} on Linux with a shell script that runs the image's own
     * runtime with the same JVM options, class path and main class (read from the {@code lib/app/cachalot.cfg} that
     * jpackage wrote from launcher.args). JDK 17's Linux launcher asks the package manager who owns it on every start
     * ({@code rpm -qf}, then {@code dpkg -S}, which reads every installed package's file list, then {@code dpkg -L}
     * when a package does) before it starts the JVM: 90-150 ms on each CLI command, each {@code serve} and each start of
     * the app on a host with 920 packages, more on a desktop with thousands (docs/decisions/0044-the-linux-launcher.md).
     * The .deb takes its launcher from the image. macOS and Windows keep jpackage's launchers, which ask no one.
     */
    private static void writeScriptLauncher(Path image) throws IOException {
        List<String> config = Files.readAllLines(image.resolve("lib/app/cachalot.cfg"));
        String classPath = configValue(config, "app.classpath=");
        String mainClass = configValue(config, "app.mainclass=");
        StringBuilder script = new StringBuilder();
        script.append("#!/bin/sh\n")
                .append("# Cachalot's launcher (written by installer/DistBuild.java in place of jpackage's, which queries the\n")
                .append("# package manager on every start): the bundled runtime, with the options of installer/launcher.args.\n")
                .append("self=$(readlink -f -- \"$0\") || exit 1\n")
                .append("bin=${self%/*}\n")
                .append("root=${bin%/*}\n")
                .append("APPDIR=$root/lib/app\n")
                .append("exec \"$root/lib/runtime/bin/java\"");
        for (String line : config) {
            if (line.startsWith("java-options=")) {
                script.append(" \\\n    ").append(shellWord(line.substring("java-options=".length())));
            }
        }
        script.append(" \\\n    -cp ").append(shellWord(classPath)).append(' ').append(shellWord(mainClass))
                .append(" \"$@\"\n");
        Path launcher = image.resolve("bin/cachalot");
        Files.writeString(launcher, script);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        System.out.println("launcher    " + launcher + " (shell script)");
    }

    private static String configValue(List<String> config, String key) {
        return config.stream().filter(line -> line.startsWith(key)).map(line -> line.substring(key.length()))
                .findFirst().orElseThrow(() -> new IllegalStateException("no " + key + " in the launcher's cfg"));
    }

    /** A double-quoted word for sh, in which only jpackage's {@code $APPDIR} expands. */
    private static String shellWord(String value) {
        String quoted = value.replace("\\", "\\\\").replace("\"", "\\\"").replace("`", "\\`")
                .replace("$", "\\$").replace("\\$APPDIR", "$APPDIR");
        return "\"" + quoted + "\"";
    }

    /**
     * Writes the application class-data-sharing archive {@code cachalot.jsa} next to the jar (the launcher's
     * {@code -XX:SharedArchiveFile=$APPDIR/cachalot.jsa}, see launcher.args): a training run of {@code selftest} on
     * the image's own runtime (two engines on loopback, an image pushed to one and pulled through the other), after
     * which the JVM dumps the classes it loaded. Starting from the archive skips loading and verifying those classes
     * again: about a third of the start to ready, and most of a fresh process's first pull.
     *
     * <p>JDK 17 ties an archive to the absolute path of the jar: it serves this app image where it was built; the .deb
     * writes its own in its postinst (installer/linux/deb/postinst), a static one, since its path is known. This one
     * stays dynamic: where it does not match, {@code -Xshare:auto} still starts from the JDK's own archive below it
     * (a stale static archive would leave none).
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

    /**
     * Completes the .deb that jpackage wrote with what jpackage cannot express: the maintainer scripts of
     * {@code installer/linux/deb/} (jpackage's own run {@code xdg-desktop-menu} under {@code set -e}, which fails on a
     * host without a desktop menu), the system service (unit, settings file as a conffile), the {@code /usr/bin}
     * link, the build's full version ({@code 0.1.0-SNAPSHOT} packages as {@code 0.1.0~SNAPSHOT-1}, which sorts
     * before the release), and what lintian holds as errors: stripped native code (as dh_strip does), copyright and
     * changelog in /usr/share/doc, an extended description. The class-data archive is left out: it fits only the path
     * it was trained at, so the postinst trains one for /opt/cachalot. Unpacks with {@code dpkg-deb -R} and packs
     * again in place.
     */
    private static void finishDeb(Path packages, String buildVersion, Path root) throws IOException, InterruptedException {
        Path deb;
        try (Stream<Path> debs = Files.list(packages)) {
            deb = debs.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
                    .orElseThrow(() -> new IOException("jpackage wrote no .deb in " + packages));
        }
        deleteTree(root);
        run(List.of("dpkg-deb", "-R", deb.toString(), root.toString()));
        Files.delete(root.resolve("opt/cachalot/lib/app/cachalot.jsa"));
        deleteTree(root.resolve("opt/cachalot/share")); // jpackage's copyright, in /usr/share/doc below instead
        Files.deleteIfExists(root.resolve("DEBIAN/preinst")); // jpackage's, empty
        stripNativeCode(root.resolve("opt/cachalot"));

        Path sources = Path.of("installer/linux/deb");
        Path control = root.resolve("DEBIAN");
        for (String script : List.of("postinst", "prerm", "postrm")) {
            install(sources.resolve(script), control.resolve(script), "rwxr-xr-x");
        }
        install(sources.resolve("cachalot.service"), root.resolve("lib/systemd/system/cachalot.service"), "rw-r--r--");
        install(sources.resolve("cachalot.env"), root.resolve("etc/cachalot/cachalot.env"), "rw-r--r--");
        Files.writeString(control.resolve("conffiles"), "/etc/cachalot/cachalot.env\n");
        Files.createDirectories(root.resolve("usr/bin"));
        Files.createSymbolicLink(root.resolve("usr/bin/cachalot"), Path.of("/opt/cachalot/bin/cachalot"));
        String debianVersion = buildVersion.replace('-', '~') + "-1";
        Path doc = root.resolve("usr/share/doc/cachalot");
        install(sources.resolve("copyright"), doc.resolve("copyright"), "rw-r--r--");
        writeChangelog(doc.resolve("changelog.Debian.gz"), debianVersion);
        install(sources.resolve("lintian-overrides"), root.resolve("usr/share/lintian/overrides/cachalot"), "rw-r--r--");

        long installedKiB = (sizeOf(root) - sizeOf(control) + 1023) / 1024;
        List<String> fields = new ArrayList<>();
        String architecture = "amd64";
        for (String line : Files.readAllLines(control.resolve("control"))) {
            if (line.startsWith("Version:")) {
                line = "Version: " + debianVersion;
            } else if (line.startsWith("Installed-Size:")) {
                line = "Installed-Size: " + installedKiB;
            } else if (line.startsWith("Architecture:")) {
                architecture = line.substring("Architecture:".length()).trim();
            } else if (line.startsWith("Provides:") || line.isBlank()) {
                continue; // jpackage's Provides names the package itself
            } else if (line.startsWith("Depends:")) {
                // the scripts call adduser, no longer xdg-desktop-menu
                line = line.replace(" xdg-utils,", "").replace(" ,", ",") + ", adduser";
            }
            fields.add(line);
            if (line.startsWith("Description:")) {
                fields.addAll(List.of(
                        " Cachalot is a pull-through OCI registry on your machine: it pulls container",
                        " images from upstream registries (Docker Hub, GHCR, Quay, MCR, ...) according",
                        " to cache rules, keeps them on local disk and serves later pulls locally.",
                        " The desktop app is its portal; on a headless host, `cachalot serve` or the",
                        " cachalot system service (disabled until enabled) runs the engine."));
            }
        }
        Files.write(control.resolve("control"), fields);
        writeMd5sums(root);

        Files.delete(deb);
        Path finished = deb.resolveSibling("cachalot_" + debianVersion + "_" + architecture + ".deb");
        run(List.of("dpkg-deb", "--root-owner-group", "-Zxz", "--build", root.toString(), finished.toString()));
        deleteTree(root);
    }

    /** Strips symbols from the runtime's and launcher's ELF files, as dh_strip does for a Debian package. */
    private static void stripNativeCode(Path app) throws IOException, InterruptedException {
        if (!onPath("strip")) {
            System.out.println("not stripping native code: strip not found (apt-get install binutils); lintian will say so");
            return;
        }
        List<String> libraries = new ArrayList<>(List.of("strip", "--strip-unneeded", "--remove-section=.comment",
                "--remove-section=.note"));
        List<String> executables = new ArrayList<>(List.of("strip", "--remove-section=.comment", "--remove-section=.note"));
        try (Stream<Path> files = Files.walk(app)) {
            for (Path file : files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                if (!isElf(file)) {
                    continue;
                }
                if (file.getFileName().toString().endsWith(".so")) {
                    libraries.add(file.toString());
                    // a shared library is loaded, not run
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
                } else {
                    executables.add(file.toString());
                }
            }
        }
        run(libraries);
        run(executables);
    }

    private static boolean isElf(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        }
    }

    private static void writeChangelog(Path target, String debianVersion) throws IOException, InterruptedException {
        String date = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.ROOT)
                .format(ZonedDateTime.now(ZoneOffset.UTC));
        String text = "cachalot (" + debianVersion + ") unstable; urgency=medium\n\n"
                + "  * Built from the Cachalot sources with mvn -Pdist package.\n\n"
                + " -- Cachalot <dev@cachalot.dev>  " + date + "\n";
        Path plain = target.resolveSibling(target.getFileName().toString().replaceFirst("\\.gz$", ""));
        Files.createDirectories(target.getParent());
        Files.writeString(plain, text);
        run(List.of("gzip", "-9n", plain.toString())); // -9n as dh_compress: best compression, no name or time
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** DEBIAN/md5sums, which dpkg --verify (and debsums) check the installed files against. */
    private static void writeMd5sums(Path root) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !root.relativize(p).startsWith("DEBIAN")).sorted().toList()) {
                MessageDigest md5;
                try {
                    md5 = MessageDigest.getInstance("MD5");
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
                try (InputStream in = new DigestInputStream(Files.newInputStream(file), md5)) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
                lines.add(HexFormat.of().formatHex(md5.digest()) + "  " + root.relativize(file));
            }
        }
        Files.write(root.resolve("DEBIAN/md5sums"), lines);
    }

    private static void install(Path source, Path target, String permissions) throws IOException {
        Files.createDirectories(target.getParent());
        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(permissions));
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
        run(command, Map.of());
    }

    private static void run(List<String> command, Map<String, String> environment)
            throws IOException, InterruptedException {
        // strip gets every ELF file of the runtime: name the first few
        System.out.println("+ " + (command.size() <= 12 ? String.join(" ", command)
                : String.join(" ", command.subList(0, 6)) + " … (" + (command.size() - 6) + " more)"));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().putAll(environment);
        Process process = builder.start();
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
            return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> {
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
