package dev.cachalot.cli;

import dev.cachalot.api.ManagementAccess;
import dev.cachalot.api.ManagementApi;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.engine.ServingOptions;
import dev.cachalot.oci.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Proves an installation works end to end without touching the user's data or the network: two engines on
 * loopback in temporary folders, one a plain registry holding a freshly pushed image, the other a cache with a
 * rule in front of it; the image is pulled through the cache twice (cold from the upstream, then from the cache)
 * and every digest is checked.
 *
 * <p>It is also the training run for the packaged launcher's class-data-sharing archive (DistBuild, the .deb's
 * postinst, the benchmark): it loads the classes a pull through the cache needs, so a fresh process serves its
 * first pull sooner.
 */
@Command(name = "selftest", mixinStandardHelpOptions = true,
        description = "Push a small image to a temporary local registry and pull it through a temporary cache (loopback only; your data folder is not touched).")
final class SelfTestCommand implements Callable<Integer> {

    private static final String REPOSITORY = "selftest/app";
    private static final String TAG = "v1";
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final int LAYER_BYTES = 1 << 20;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Built in {@link #call()}: picocli instantiates every subcommand, and a client starts a selector thread. */
    private HttpClient http;

    @Override
    public Integer call() throws Exception {
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Path scratch = Files.createTempDirectory("cachalot-selftest-");
        try (Engine upstream = Engine.open(scratch.resolve("upstream"));
             Engine cache = Engine.open(scratch.resolve("cache"))) {
            upstream.startServer("127.0.0.1:0");
            String upstreamAddress = upstream.status().address();
            Image image = Image.generate();
            push(upstreamAddress, image);

            cache.addUpstream(upstreamAddress, "http://" + upstreamAddress, null);
            cache.createRule(new RuleDraft("selftest", upstreamAddress + "/*", "cache/*", null, null));
            // Started as `serve` starts its engine, and asked whether it is ready as a supervisor would: this is the
            // class-data archive's training run, and what `serve` loads before its first pull then comes from the
            // archive too (the management API's operations, the access decision, /readyz).
            cache.serveManagementApi(new ManagementApi(cache, ManagementAccess.loopbackOnly()));
            cache.startServer("127.0.0.1:0", null, null, new ServingOptions(null, false, null, ServingOptions.AccessLog.OFF));
            String root = "http://" + cache.status().address();
            HttpResponse<byte[]> ready = get(root + "/readyz", "*/*");
            expect(ready.statusCode() == 200, "the cache was not ready: " + ready.statusCode());
            String base = root + "/v2/cache/" + REPOSITORY;

            long coldNanos = pull(base, image, "upstream");
            long warmNanos = pull(base, image, "cache");
            spec.commandLine().getOut().printf(
                    "Self-test passed: a %d KiB image pushed to a local registry on %s was pulled through a cache rule "
                            + "(cold from the upstream in %d ms, then from the cache in %d ms); every digest matched.%n",
                    (image.layer.length + image.config.length + image.manifest.length) / 1024, upstreamAddress,
                    coldNanos / 1_000_000, warmNanos / 1_000_000);
            spec.commandLine().getOut().flush();
            return 0;
        } finally {
            deleteTree(scratch);
        }
    }

    private void push(String address, Image image) throws IOException, InterruptedException {
        String base = "http://" + address + "/v2/" + REPOSITORY;
        for (byte[] blob : new byte[][] {image.config, image.layer}) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/blobs/uploads/?digest=" + sha256(blob)))
                    .header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(blob)));
            expect(r.statusCode() == 201, "pushing a blob to the local registry answered " + r.statusCode() + ": " + r.body());
        }
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/manifests/" + TAG))
                .header("Content-Type", OCI_MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(image.manifest)));
        expect(r.statusCode() == 201, "pushing the manifest to the local registry answered " + r.statusCode() + ": " + r.body());
    }

    /** Pulls manifest and both blobs; each must come from {@code source} (X-Cachalot-Source) with its digest. */
    private long pull(String base, Image image, String source) throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<byte[]> manifest = get(base + "/manifests/" + TAG, OCI_MANIFEST);
        check(manifest, "manifest " + TAG, image.manifest, source);
        check(get(base + "/blobs/" + sha256(image.config), "*/*"), "config blob", image.config, source);
        check(get(base + "/blobs/" + sha256(image.layer), "*/*"), "layer blob", image.layer, source);
        return System.nanoTime() - start;
    }

    private void check(HttpResponse<byte[]> r, String what, byte[] expected, String source) {
        expect(r.statusCode() == 200, "the cache answered " + r.statusCode() + " for the " + what + ": "
                + new String(r.body(), StandardCharsets.UTF_8));
        expect(Arrays.equals(r.body(), expected), "the cache served different bytes for the " + what);
        expect(sha256(expected).equals(r.headers().firstValue("Docker-Content-Digest").orElse("")),
                "the cache sent a wrong Docker-Content-Digest for the " + what);
        String served = r.headers().firstValue("X-Cachalot-Source").orElse("");
        expect(served.equals(source), "the " + what + " came from '" + served + "', expected '" + source + "'");
    }

    private HttpResponse<byte[]> get(String url, String accept) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", accept)
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(boolean condition, String failure) {
        if (!condition) throw new IllegalStateException("self-test failed: " + failure);
    }

    /** A one-layer OCI image of random bytes, different on every run so nothing can come from a stale cache. */
    private record Image(byte[] config, byte[] layer, byte[] manifest) {
        static Image generate() {
            byte[] layer = new byte[LAYER_BYTES];
            new SplittableRandom().nextBytes(layer);
            byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                    .getBytes(StandardCharsets.UTF_8);
            String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                    + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                    + sha256(config) + "\",\"size\":" + config.length + "},"
                    + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
                    + sha256(layer) + "\",\"size\":" + layer.length + "}]}";
            return new Image(config, layer, manifest.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String sha256(byte[] bytes) {
        return Digest.of("sha256", bytes).toString();
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // The verdict stands; a leftover in the temp folder is not worth failing it.
            System.err.println("cachalot: could not delete the self-test's temporary folder " + root + ": " + e.getMessage());
        }
    }
}
