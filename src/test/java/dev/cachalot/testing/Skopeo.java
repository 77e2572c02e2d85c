package dev.cachalot.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's {@code skopeo} as a real client: copies an image from a plain-HTTP loopback registry into a
 * {@code dir:} folder, then lets the test check every blob's digest.
 *
 * <pre>{@code
 * Skopeo skopeo = new Skopeo();
 * Skopeo.Result r = skopeo.copy(engine.hostPort() + "/library/hello:v1", dir);          // one platform
 * skopeo.copy(ref, dir, Skopeo.all());                                                   // whole index
 * skopeo.copy(ref, dir, Skopeo.platform("linux", "arm64"));                              // one of an index
 * Skopeo.CopiedImage copied = Skopeo.read(dir).verified();   // throws if a blob's bytes don't match its name
 * assertThat(copied.blobDigests()).containsAll(...);
 * }</pre>
 *
 * A missing binary fails with an {@link AssertionError} naming the Debian package; tests never skip.
 */
public final class Skopeo {
    public static final String BINARY = "/usr/bin/skopeo";
    public static final String DEBIAN_PACKAGE = "skopeo";
    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    private final Path policy;

    public Skopeo() {
        RequiredBinary.require(BINARY, DEBIAN_PACKAGE);
        try {
            // our own policy: tests must not depend on /etc/containers/policy.json being present or permissive
            policy = Files.createTempFile("cachalot-skopeo-policy-", ".json");
            policy.toFile().deleteOnExit();
            Files.writeString(policy, "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An option of {@link #copy}: global arguments (before {@code copy}) and copy arguments. */
    public record Option(List<String> globalArgs, List<String> copyArgs, Duration timeout) {
    }

    /** {@code --all}: every platform of an index, and the index itself. */
    public static Option all() {
        return new Option(List.of(), List.of("--all"), null);
    }

    /** {@code --override-os OS --override-arch ARCH}: the one platform image of an index. */
    public static Option platform(String os, String architecture) {
        return new Option(List.of("--override-os", os, "--override-arch", architecture), List.of(), null);
    }

    /** {@code --src-creds user:password} instead of {@code --src-no-creds}. */
    public static Option credentials(String user, String password) {
        return new Option(List.of(), List.of("--src-creds", user + ":" + password), null);
    }

    /** A bound other than the default five minutes. */
    public static Option timeout(Duration timeout) {
        return new Option(List.of(), List.of(), timeout);
    }

    /** What skopeo printed and how it exited. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    /**
     * {@code skopeo copy --src-tls-verify=false docker://SOURCE dir:DESTINATION}; {@code source} is
     * {@code host:port/name:tag} or {@code host:port/name@digest} ({@code docker://} may be given or not).
     * Throws an {@link AssertionError} with skopeo's output when it fails.
     */
    public Result copy(String source, Path destination, Option... options) {
        List<String> global = new ArrayList<>();
        List<String> copy = new ArrayList<>();
        Duration timeout = DEFAULT_TIMEOUT;
        boolean credentials = false;
        for (Option option : options) {
            global.addAll(option.globalArgs());
            copy.addAll(option.copyArgs());
            credentials |= option.copyArgs().contains("--src-creds");
            if (option.timeout() != null) {
                timeout = option.timeout();
            }
        }
        List<String> args = new ArrayList<>(global);
        args.add("copy");
        args.add("--src-tls-verify=false");
        if (!credentials) {
            args.add("--src-no-creds");
        }
        args.addAll(copy);
        args.add(source.startsWith("docker://") ? source : "docker://" + source);
        args.add("dir:" + destination.toAbsolutePath());
        try {
            Files.createDirectories(destination);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Result result = run(timeout, args);
        if (result.exitCode() != 0) {
            throw new AssertionError("skopeo " + redacted(args) + " failed with exit " + result.exitCode()
                    + "\nstdout:\n" + result.stdout() + "\nstderr:\n" + result.stderr());
        }
        return result;
    }

    /** Runs skopeo with these arguments (after {@code --policy}); does not throw on a non-zero exit. */
    public Result run(Duration timeout, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(BINARY);
        command.add("--policy");
        command.add(policy.toString());
        command.addAll(args);
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("cachalot-skopeo-", ".out");
            err = Files.createTempFile("cachalot-skopeo-", ".err");
            Process process = new ProcessBuilder(command)
                    .redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("skopeo " + redacted(args) + " did not finish within " + timeout
                        + "\nstdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err));
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running skopeo", e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static String redacted(List<String> args) {
        List<String> shown = new ArrayList<>(args);
        for (int i = 0; i + 1 < shown.size(); i++) {
            if (shown.get(i).equals("--src-creds")) {
                shown.set(i + 1, "***");
            }
        }
        return String.join(" ", shown);
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** Reads a folder written by {@code skopeo copy ... dir:FOLDER}. */
    public static CopiedImage read(Path dir) {
        try {
            byte[] manifest = Files.readAllBytes(dir.resolve("manifest.json"));
            Map<String, Path> blobs = new TreeMap<>();
            Map<String, byte[]> instances = new TreeMap<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    String name = file.getFileName().toString();
                    if (name.matches("[0-9a-f]{64}")) {
                        blobs.put("sha256:" + name, file);
                    } else if (name.matches("[0-9a-f]{64}\\.manifest\\.json")) {
                        instances.put("sha256:" + name.substring(0, 64), Files.readAllBytes(file));
                    }
                }
            }
            return new CopiedImage(dir, manifest, blobs, instances);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read skopeo dir " + dir, e);
        }
    }

    /**
     * A {@code dir:} copy: the top manifest ({@code manifest.json}), blob files named by their hex digest and,
     * with {@code --all}, each platform manifest as {@code <hex>.manifest.json}.
     */
    public record CopiedImage(Path dir, byte[] manifest, Map<String, Path> blobFiles,
                              Map<String, byte[]> instanceManifests) {

        public String manifestDigest() {
            return Sha256.of(manifest);
        }

        public String manifestText() {
            return new String(manifest, StandardCharsets.UTF_8);
        }

        public java.util.Set<String> blobDigests() {
            return blobFiles.keySet();
        }

        /** Checks that every blob file hashes to its name; returns this for chaining. */
        public CopiedImage verified() {
            for (Map.Entry<String, Path> blob : blobFiles.entrySet()) {
                String actual = Sha256.of(blob.getValue());
                if (!actual.equals(blob.getKey())) {
                    throw new AssertionError("skopeo copied blob " + blob.getKey() + " but its bytes hash to "
                            + actual);
                }
            }
            for (Map.Entry<String, byte[]> instance : instanceManifests.entrySet()) {
                String actual = Sha256.of(instance.getValue());
                if (!actual.equals(instance.getKey())) {
                    throw new AssertionError("skopeo copied manifest " + instance.getKey() + " but it hashes to "
                            + actual);
                }
            }
            return this;
        }

        public long blobSize(String digest) {
            try {
                return Files.size(blobFiles.get(digest));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
