package dev.cachalot.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.testing.AccessLogEntry;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.TempDirs;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The upstream both registries pull from: a plain {@code docker-registry} on loopback, seeded with generated
 * content. Upstream bytes are read from its access log (it logs the body bytes it wrote for each request), so
 * nothing sits between the registries and their upstream.
 *
 * <p>Content: repository {@code big} (tag {@code v1}: an OCI image whose one layer is {@code blobMib} MiB of
 * incompressible bytes, plus a loose {@code blobMib/4} MiB blob), {@code multi} (tag {@code v1}: an image of
 * {@code skopeoLayers} small layers) and {@code many} ({@code fullManifests} distinct manifests by digest,
 * sharing one config and layer). For workload 2, {@code big} also holds one loose {@code blobMib} MiB blob per cold
 * fetch the run will measure, each distinct, so no measured cold fetch meets a blob either subject saw before.
 */
final class BenchUpstream implements AutoCloseable {
    static final String BIG = "big";
    static final String MULTI = "multi";
    static final String MANY = "many";
    static final String TAG = "v1";

    private final DockerRegistryFixture registry;
    private final Path scratch = TempDirs.create("cachalot-bench-seed-");
    private TestImage bigImage;
    private TestBlob smallBlob;
    private TestImage multiImage;
    private final List<String> manyDigests = new ArrayList<>();
    private final List<TestBlob> coldBlobs = new ArrayList<>();
    private int nextCold;

    private BenchUpstream(DockerRegistryFixture registry) {
        this.registry = registry;
    }

    static BenchUpstream start(BenchConfig config) {
        DockerRegistryFixture registry = DockerRegistryFixture.builder().logLevel("error").start();
        BenchUpstream upstream = new BenchUpstream(registry);
        try {
            upstream.seed(config);
            return upstream;
        } catch (RuntimeException | Error e) {
            upstream.close();
            throw e;
        }
    }

    private void seed(BenchConfig config) {
        TestImages images = new TestImages(20_240_601L);
        RegistryPusher pusher = new RegistryPusher(registry.url());
        bigImage = images.ociImageWithBigLayer(scratch, config.blobMib());
        pusher.push(BIG, TAG, bigImage);
        smallBlob = images.bigBlob(scratch, config.smallBlobMib());
        pusher.pushBlob(BIG, smallBlob);
        deleteFiles(bigImage.layers());
        deleteFiles(List.of(smallBlob));
        if (config.runsWorkload(2)) {
            int cold = (config.warmups() + config.rounds()) * config.subjects().size();
            for (int i = 0; i < cold; i++) {
                TestBlob blob = images.bigBlob(scratch, config.blobMib());
                pusher.pushBlob(BIG, blob);
                deleteFiles(List.of(blob));
                coldBlobs.add(blob);
            }
        }

        multiImage = images.ociImage(TestImage.Platform.LINUX_AMD64, config.skopeoLayers());
        pusher.push(MULTI, TAG, multiImage);

        if (config.fullManifests() > 0 && config.runsWorkload(7)) {
            seedMany(pusher, config.fullManifests());
        }
    }

    /** Distinct manifests that differ only by an annotation, pushed by digest with a few parallel uploads. */
    private void seedMany(RegistryPusher pusher, int count) {
        TestBlob config = multiImage.config();
        TestBlob layer = multiImage.layers().get(0);
        pusher.pushBlob(MANY, config);
        pusher.pushBlob(MANY, layer);
        ObjectMapper json = new ObjectMapper();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> pushed = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Map<String, Object> manifest = new LinkedHashMap<>();
                manifest.put("schemaVersion", 2);
                manifest.put("mediaType", TestImages.OCI_MANIFEST);
                manifest.put("config", descriptor(config));
                manifest.put("layers", List.of(descriptor(layer)));
                manifest.put("annotations", Map.of("dev.cachalot.bench.n", Integer.toString(i)));
                byte[] bytes = json.writeValueAsBytes(manifest);
                TestImage image = new TestImage(TestImages.OCI_MANIFEST, bytes, sha256(bytes), config,
                        List.of(layer), List.of(), TestImage.Platform.LINUX_AMD64, null, null);
                pushed.add(pool.submit(() -> {
                    pusher.pushManifest(MANY, image.digest(), image);
                    return image.digest();
                }));
            }
            for (Future<String> f : pushed) {
                manyDigests.add(f.get());
            }
        } catch (Exception e) {
            throw new IllegalStateException("seeding " + count + " manifests failed", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map<String, Object> descriptor(TestBlob blob) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", blob.mediaType());
        d.put("digest", blob.digest());
        d.put("size", blob.size());
        return d;
    }

    private static String sha256(byte[] bytes) {
        return dev.cachalot.testing.Sha256.of(bytes);
    }

    private static void deleteFiles(List<TestBlob> blobs) {
        for (TestBlob blob : blobs) {
            if (blob.inFile()) {
                try {
                    Files.deleteIfExists(blob.file());
                } catch (java.io.IOException ignored) {
                    // the scratch folder goes at close anyway
                }
            }
        }
    }

    String url() {
        return registry.url();
    }

    String hostPort() {
        return registry.hostPort();
    }

    TestBlob bigLayer() {
        return bigImage.layers().get(0);
    }

    /** A blob of the big layer's size that no one fetched yet (each call another one). */
    synchronized TestBlob nextColdBlob() {
        if (nextCold >= coldBlobs.size()) {
            throw new IllegalStateException("all " + coldBlobs.size() + " seeded cold blobs were fetched already");
        }
        return coldBlobs.get(nextCold++);
    }

    TestBlob smallBlob() {
        return smallBlob;
    }

    TestImage bigImage() {
        return bigImage;
    }

    TestImage multiImage() {
        return multiImage;
    }

    List<String> manyDigests() {
        return List.copyOf(manyDigests);
    }

    /** Access log entries so far; an index into this list marks a point in time for {@link #bytesServed}. */
    int requestCount() {
        return registry.requestLog().size();
    }

    /** Body bytes the upstream wrote for GETs of {@code path} in requests logged after {@code since}. */
    long bytesServed(String path, int since, java.util.function.Predicate<String> fromUserAgent) {
        List<AccessLogEntry> log = registry.requestLog();
        long total = 0;
        for (AccessLogEntry entry : log.subList(Math.min(since, log.size()), log.size())) {
            if (entry.method().equals("GET") && entry.path().equals(path) && fromUserAgent.test(entry.userAgent())) {
                total += entry.bytes();
            }
        }
        return total;
    }

    @Override
    public void close() {
        registry.close();
        TempDirs.deleteQuietly(scratch);
    }

    @Override
    public String toString() {
        return "upstream " + url();
    }
}
