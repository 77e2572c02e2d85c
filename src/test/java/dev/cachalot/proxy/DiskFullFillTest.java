package dev.cachalot.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.oci.Digest;
import dev.cachalot.registry.RegistryServer;
import dev.cachalot.rules.FreshnessPolicy;
import dev.cachalot.rules.RuleService;
import dev.cachalot.rules.RuleStore;
import dev.cachalot.rules.UpstreamStore;
import dev.cachalot.storage.BlobStore;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.storage.FileBlobStore;
import dev.cachalot.storage.JdbcMetadataStore;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import dev.cachalot.upstream.OkHttpUpstreamClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk that fills up while a blob is being cached. The real engine parts (H2 index, file blob store, OkHttp
 * client, registry server) are wired as the engine wires them, around a blob store that runs out of space after a
 * set number of bytes per blob: a real full file system cannot be made on demand in a test. The upstream is
 * Debian's docker-registry.
 */
class DiskFullFillTest {

    private static final long MIB = 1024 * 1024;
    private static final String ACCEPT_ALL = TestImages.ACCEPT_ALL_MANIFESTS;

    @TempDir
    Path temp;

    private DockerRegistryFixture registry;
    private RegistryPusher pusher;
    private DataFolder folder;
    private Database db;
    private FilingUpDisk disk;
    private OkHttpUpstreamClient client;
    private PullThroughBackend backend;
    private RegistryServer server;
    private RegistryReader cache;
    private final TestImages images = new TestImages(5);

    @BeforeEach
    void start() throws IOException {
        registry = DockerRegistryFixture.start();
        pusher = new RegistryPusher(registry.url());
        folder = new DataFolder(temp.resolve("data")).ensureCreated();
        db = Database.open(folder);
        disk = new FilingUpDisk(new FileBlobStore(folder));
        JdbcMetadataStore index = new JdbcMetadataStore(db);
        RuleService rules = new RuleService(db, new RuleStore(db), new UpstreamStore(db), prefix -> false);
        rules.addUpstream(registry.hostPort(), registry.url(), null);
        rules.create("disk-full-rule", registry.hostPort() + "/*", "up/*", null, FreshnessPolicy.parse("revalidate"));
        client = new OkHttpUpstreamClient();
        backend = new PullThroughBackend(rules::ruleSet, disk, index, client, e -> { }, folder.root(), Long.MAX_VALUE,
                Clock.systemUTC());
        server = new RegistryServer(backend);
        server.start("127.0.0.1", 0);
        cache = new RegistryReader("http://127.0.0.1:" + server.port());
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop();
        if (backend != null) backend.close();
        if (client != null) client.close();
        if (db != null) db.close();
        if (registry != null) registry.close();
    }

    @Test
    void aFillThatRunsOutOfDiskFailsItsReadersLeavesNothingBehindAndOtherContentIsStillServed() throws Exception {
        TestImage small = images.ociImage();
        pusher.push("small", "1", small);
        pullFully("up/small", small);

        TestImage big = images.ociImageWithBigLayer(temp.resolve("layers"), 8);
        pusher.push("big", "1", big);
        TestBlob layer = big.layers().stream().filter(TestBlob::inFile).findFirst().orElseThrow();
        // Past the first two fill chunks (2 MiB each), so readers have bytes in hand when the disk fills.
        disk.fullAfterBytesPerBlob(5 * MIB);

        assertThat(cache.manifest("up/big", "1", ACCEPT_ALL).status()).isEqualTo(200);
        ExecutorService clients = Executors.newFixedThreadPool(3);
        try {
            List<Future<RegistryReader.BlobRead>> reads = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                reads.add(clients.submit(() -> cache.blob("up/big", layer.digest())));
            }
            int broken = 0;
            for (Future<RegistryReader.BlobRead> read : reads) {
                // Never a body that looks complete: a reader's connection breaks, or a reader that asked only once the
                // fill had failed (a race the faster fill path made likelier on a loaded machine) is refused.
                try {
                    RegistryReader.BlobRead answered = read.get(2, TimeUnit.MINUTES);
                    assertThat(answered.status()).as("a reader answered in full must have been refused").isGreaterThanOrEqualTo(500);
                } catch (ExecutionException e) {
                    assertThat(e).hasCauseInstanceOf(UncheckedIOException.class);
                    broken++;
                }
            }
            assertThat(broken).as("readers whose connection broke mid-body").isPositive();
        } finally {
            clients.shutdownNow();
        }
        assertThat(disk.refusedWrites()).isPositive();
        assertThat(disk.find(Digest.parse(layer.digest()))).isEmpty();
        try (Stream<Path> tmp = Files.list(folder.tmp())) {
            assertThat(tmp).isEmpty();
        }

        // Everything else is still served: cached content from disk, and small new content still fits.
        for (TestBlob blob : small.blobs()) {
            RegistryReader.BlobRead read = cache.blob("up/small", blob.digest());
            assertThat(read.headers().firstValue("X-Cachalot-Source")).hasValue("cache");
            assertThat(read.digest()).isEqualTo(blob.digest());
        }
        TestImage another = images.ociImage();
        pusher.push("another", "1", another);
        pullFully("up/another", another);

        // Once space is back, the same blob caches normally.
        disk.spaceFreed();
        RegistryReader.BlobRead retry = cache.blob("up/big", layer.digest());
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.digest()).isEqualTo(layer.digest());
        assertThat(disk.find(Digest.parse(layer.digest()))).isPresent();
    }

    private void pullFully(String repository, TestImage image) {
        RegistryReader.Fetched manifest = cache.manifest(repository, "1", ACCEPT_ALL);
        assertThat(manifest.status()).isEqualTo(200);
        assertThat(manifest.body()).isEqualTo(image.manifest());
        for (TestBlob blob : image.blobs()) {
            assertThat(cache.blob(repository, blob.digest()).digest()).isEqualTo(blob.digest());
        }
    }

    /** The file blob store on a disk that, once armed, runs out of space after so many bytes of any one blob. */
    private static final class FilingUpDisk implements BlobStore {
        private final BlobStore files;
        private volatile long limitPerBlob = Long.MAX_VALUE;
        private final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();

        FilingUpDisk(BlobStore files) {
            this.files = files;
        }

        void fullAfterBytesPerBlob(long bytes) {
            limitPerBlob = bytes;
        }

        void spaceFreed() {
            limitPerBlob = Long.MAX_VALUE;
        }

        int refusedWrites() {
            return refused.get();
        }

        @Override
        public Optional<Path> find(Digest digest) {
            return files.find(digest);
        }

        @Override
        public BlobWriter newWriter(Digest digest) throws IOException {
            BlobWriter writer = files.newWriter(digest);
            long limit = limitPerBlob;
            return new BlobWriter() {
                @Override
                public Path tempFile() {
                    return writer.tempFile();
                }

                @Override
                public void write(ByteBuffer src) throws IOException {
                    long room = limit - writer.written();
                    if (src.remaining() > room) {
                        // Like a real disk: what fits is written, then the write fails.
                        ByteBuffer part = src.slice(src.position(), (int) Math.max(0, room));
                        writer.write(part);
                        refused.incrementAndGet();
                        throw new IOException("No space left on device");
                    }
                    writer.write(src);
                }

                @Override
                public long written() {
                    return writer.written();
                }

                @Override
                public Path commit() throws IOException {
                    return writer.commit();
                }

                @Override
                public void close() {
                    writer.close();
                }
            };
        }

        @Override
        public void put(Digest digest, byte[] content) throws IOException {
            files.put(digest, content);
        }

        @Override
        public Optional<byte[]> read(Digest digest) throws IOException {
            return files.read(digest);
        }
    }
}
