package dev.cachalot.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Builds test images offline and deterministically: the same seed and the same sequence of calls give the same
 * bytes and digests. Each call gives new content (different digests from earlier calls).
 *
 * <pre>{@code
 * TestImages images = new TestImages(42);
 * TestImage docker = images.dockerImage();           // Docker v2 schema 2, two tar.gz layers
 * TestImage oci = images.ociImage();                 // OCI image manifest
 * TestImage index = images.ociIndex();               // OCI index: linux/amd64 + linux/arm64
 * TestImage sbom = images.artifactFor(oci);          // OCI artifact manifest with subject = oci
 * TestImage big = images.ociImageWithBigLayer(dir, 256); // 256 MiB random layer in a file under dir
 * }</pre>
 */
public final class TestImages {
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
    public static final String TEST_ARTIFACT_TYPE = "application/vnd.cachalot.test.sbom.v1+json";
    /** Everything a modern client accepts: send this (or a subset) on every manifest GET to docker-registry. */
    public static final String ACCEPT_ALL_MANIFESTS = String.join(", ", OCI_INDEX, OCI_MANIFEST,
            "application/vnd.docker.distribution.manifest.list.v2+json", DOCKER_MANIFEST);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CREATED = "2024-01-01T00:00:00Z";

    private final long seed;
    private int counter;

    public TestImages(long seed) {
        this.seed = seed;
    }

    /** A Docker v2 schema 2 image for linux/amd64 with two small tar.gz layers. */
    public TestImage dockerImage() {
        return image(DOCKER_MANIFEST, DOCKER_CONFIG, DOCKER_LAYER, TestImage.Platform.LINUX_AMD64, 2);
    }

    /** An OCI image for linux/amd64 with two small tar.gz layers. */
    public TestImage ociImage() {
        return image(OCI_MANIFEST, OCI_CONFIG, OCI_LAYER, TestImage.Platform.LINUX_AMD64, 2);
    }

    /** An OCI image with {@code layerCount} small layers for {@code platform}. */
    public TestImage ociImage(TestImage.Platform platform, int layerCount) {
        return image(OCI_MANIFEST, OCI_CONFIG, OCI_LAYER, platform, layerCount);
    }

    /** An OCI index with two platform images: linux/amd64 and linux/arm64 (each with its own layers). */
    public TestImage ociIndex() {
        return ociIndex(List.of(TestImage.Platform.LINUX_AMD64, TestImage.Platform.LINUX_ARM64));
    }

    public TestImage ociIndex(List<TestImage.Platform> platforms) {
        List<TestImage> children = new ArrayList<>();
        List<Object> entries = new ArrayList<>();
        for (TestImage.Platform platform : platforms) {
            TestImage child = ociImage(platform, 2);
            children.add(child);
            Map<String, Object> entry = child.asDescriptor().descriptor();
            entry.put("platform", ordered("architecture", platform.architecture(), "os", platform.os()));
            entries.add(entry);
        }
        Map<String, Object> index = ordered("schemaVersion", 2, "mediaType", OCI_INDEX, "manifests", entries);
        byte[] bytes = json(index);
        return new TestImage(OCI_INDEX, bytes, Sha256.of(bytes), null, List.of(), List.copyOf(children), null,
                null, null);
    }

    /**
     * An OCI artifact manifest whose {@code subject} is {@code subject}: {@code artifactType}
     * {@value #TEST_ARTIFACT_TYPE}, the empty config and one small JSON layer. Push the subject first.
     */
    public TestImage artifactFor(TestImage subject) {
        return artifactFor(subject, TEST_ARTIFACT_TYPE);
    }

    public TestImage artifactFor(TestImage subject, String artifactType) {
        SplittableRandom random = nextRandom();
        TestBlob emptyConfig = TestBlob.inMemory(OCI_EMPTY, "{}".getBytes(StandardCharsets.UTF_8));
        byte[] payload = json(ordered("subject", subject.digest(), "note", "generated " + random.nextLong()));
        TestBlob layer = TestBlob.inMemory(artifactType, payload);
        Map<String, Object> manifest = ordered(
                "schemaVersion", 2,
                "mediaType", OCI_MANIFEST,
                "artifactType", artifactType,
                "config", emptyConfig.descriptor(),
                "layers", List.of(layer.descriptor()),
                "subject", subject.asDescriptor().descriptor(),
                "annotations", ordered("org.opencontainers.image.created", CREATED));
        byte[] bytes = json(manifest);
        return new TestImage(OCI_MANIFEST, bytes, Sha256.of(bytes), emptyConfig, List.of(layer), List.of(), null,
                subject, artifactType);
    }

    /**
     * An OCI image whose only layer is {@code mib} MiB of incompressible pseudo-random bytes, written to a file
     * in {@code folder} while its digest is computed (never held in memory). The layer is labelled tar+gzip like
     * any registry layer; registries and skopeo's {@code dir:} copy do not look inside.
     */
    public TestImage ociImageWithBigLayer(Path folder, int mib) {
        TestBlob layer = bigBlob(folder, mib);
        return imageOf(OCI_MANIFEST, OCI_CONFIG, TestImage.Platform.LINUX_AMD64, List.of(layer),
                List.of(layer.digest()), nextRandom());
    }

    /** {@code mib} MiB of incompressible pseudo-random bytes in a file under {@code folder}, streamed to disk. */
    public TestBlob bigBlob(Path folder, int mib) {
        SplittableRandom random = nextRandom();
        try {
            Files.createDirectories(folder);
            Path file = Files.createTempFile(folder, "big-layer-" + mib + "MiB-", ".bin");
            MessageDigest md = Sha256.newDigest();
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
            try (OutputStream out = Files.newOutputStream(file)) {
                for (int i = 0; i < mib; i++) {
                    chunk.clear();
                    while (chunk.hasRemaining()) {
                        chunk.putLong(random.nextLong());
                    }
                    if (i == 0) {
                        // a gzip magic at the start would make tools treat the bytes as compressed: avoid it
                        chunk.put(0, (byte) 0x42);
                    }
                    md.update(chunk.array());
                    out.write(chunk.array());
                }
            }
            return TestBlob.inFile(OCI_LAYER, file, Sha256.format(md.digest()), (long) mib << 20);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A small tar.gz layer of a few files (for tests that need just a blob). */
    public TestBlob smallLayer() {
        return layer(nextRandom(), OCI_LAYER, 0).blob;
    }

    private TestImage image(String manifestType, String configType, String layerType, TestImage.Platform platform,
                            int layerCount) {
        SplittableRandom random = nextRandom();
        List<TestBlob> layers = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (int i = 0; i < layerCount; i++) {
            Layer layer = layer(random, layerType, i);
            layers.add(layer.blob);
            diffIds.add(layer.diffId);
        }
        return imageOf(manifestType, configType, platform, layers, diffIds, random);
    }

    private TestImage imageOf(String manifestType, String configType, TestImage.Platform platform,
                              List<TestBlob> layers, List<String> diffIds, SplittableRandom random) {
        List<Object> history = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            history.add(ordered("created", CREATED, "created_by", "cachalot test layer " + i));
        }
        Map<String, Object> config = ordered(
                "architecture", platform.architecture(),
                "os", platform.os(),
                "created", CREATED,
                "config", ordered(
                        "Env", List.of("PATH=/usr/local/bin:/usr/bin:/bin"),
                        "Cmd", List.of("/bin/true"),
                        "Labels", ordered("dev.cachalot.test.id", Long.toHexString(random.nextLong()))),
                "rootfs", ordered("type", "layers", "diff_ids", diffIds),
                "history", history);
        TestBlob configBlob = TestBlob.inMemory(configType, json(config));
        List<Object> layerDescriptors = new ArrayList<>();
        for (TestBlob layer : layers) {
            Map<String, Object> descriptor = layer.descriptor();
            descriptor.put("mediaType", manifestType.equals(DOCKER_MANIFEST) ? DOCKER_LAYER : OCI_LAYER);
            layerDescriptors.add(descriptor);
        }
        Map<String, Object> manifest = ordered(
                "schemaVersion", 2,
                "mediaType", manifestType,
                "config", configBlob.descriptor(),
                "layers", layerDescriptors);
        byte[] bytes = json(manifest);
        List<TestBlob> typedLayers = layers.stream()
                .map(l -> new TestBlob(l.digest(), l.size(),
                        manifestType.equals(DOCKER_MANIFEST) ? DOCKER_LAYER : OCI_LAYER, l.bytes(), l.file()))
                .toList();
        return new TestImage(manifestType, bytes, Sha256.of(bytes), configBlob, typedLayers, List.of(), platform,
                null, null);
    }

    private record Layer(TestBlob blob, String diffId) {
    }

    private Layer layer(SplittableRandom random, String mediaType, int index) {
        TarWriter tar = new TarWriter();
        int files = 2 + random.nextInt(3);
        for (int f = 0; f < files; f++) {
            StringBuilder text = new StringBuilder("cachalot test layer ").append(index).append(" file ").append(f)
                    .append('\n');
            int lines = 5 + random.nextInt(20);
            for (int l = 0; l < lines; l++) {
                text.append(Long.toHexString(random.nextLong())).append('\n');
            }
            tar.addFile("etc/cachalot/layer" + index + "/file" + f + ".txt",
                    text.toString().getBytes(StandardCharsets.UTF_8));
        }
        byte[] noise = new byte[1024 + random.nextInt(4096)];
        random.nextBytes(noise);
        tar.addFile("usr/share/cachalot/layer" + index + ".bin", noise);
        byte[] uncompressed = tar.finish();
        return new Layer(TestBlob.inMemory(mediaType, gzip(uncompressed)), Sha256.of(uncompressed));
    }

    private SplittableRandom nextRandom() {
        return new SplittableRandom(seed * 1_000_003L + (counter++));
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** A minimal ustar writer: regular files only, fixed owner and time, enough for layer contents. */
    static final class TarWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void addFile(String name, byte[] content) {
            byte[] header = new byte[512];
            put(header, 0, 100, name);
            put(header, 100, 8, octal(0644, 7));
            put(header, 108, 8, octal(0, 7));
            put(header, 116, 8, octal(0, 7));
            put(header, 124, 12, octal(content.length, 11));
            put(header, 136, 12, octal(1704067200L, 11));
            for (int i = 148; i < 156; i++) {
                header[i] = ' ';
            }
            header[156] = '0';
            put(header, 257, 6, "ustar");
            put(header, 263, 2, "00");
            long sum = 0;
            for (byte b : header) {
                sum += b & 0xff;
            }
            put(header, 148, 8, octal(sum, 6));
            header[155] = ' ';
            out.writeBytes(header);
            out.writeBytes(content);
            int pad = (512 - content.length % 512) % 512;
            out.writeBytes(new byte[pad]);
        }

        byte[] finish() {
            out.writeBytes(new byte[1024]);
            return out.toByteArray();
        }

        private static String octal(long value, int digits) {
            String s = Long.toOctalString(value);
            return "0".repeat(Math.max(0, digits - s.length())) + s;
        }

        private static void put(byte[] header, int offset, int length, String value) {
            byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
            if (bytes.length > length) {
                throw new IllegalArgumentException("tar field too long: " + value);
            }
            System.arraycopy(bytes, 0, header, offset, bytes.length);
        }
    }
}
