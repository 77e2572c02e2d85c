package dev.cachalot.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.oci.Digest;
import dev.cachalot.registry.BlobResult.BlobStream;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.Upstream;
import dev.cachalot.storage.BlobStore;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.FileBlobStore;
import dev.cachalot.storage.S3BlobStore;
import dev.cachalot.testing.S3ProxyServer;
import dev.cachalot.upstream.UpstreamBlob;
import dev.cachalot.upstream.UpstreamClient;
import dev.cachalot.upstream.UpstreamManifest;
import dev.cachalot.upstream.UpstreamRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that does not hold a blob's fill lease, on a real S3Proxy: it waits while another node fills the blob, then
 * streams the stored object into its own copy as it arrives (through the same fill its readers tail, last bytes after
 * the copy verified the digest) instead of first copying it whole. The upstream is never asked.
 */
class BucketCopyFillTest {
    private static final Upstream UPSTREAM = new Upstream("test", "127.0.0.1:1", URI.create("http://127.0.0.1:1"), AuthMode.BOTH, null, false);
    private static final UpstreamRequest REQUEST = new UpstreamRequest(UPSTREAM, "app", null);

    @TempDir
    Path serverFolder;
    @TempDir
    Path leaderCache;
    @TempDir
    Path followerCache;

    private S3ProxyServer server;
    private S3BlobStore leader;
    private S3BlobStore follower;
    private BlobFills fills;
    private final AtomicInteger upstreamOpens = new AtomicInteger();
    private final ExecutorService clients = Executors.newCachedThreadPool();

    @BeforeEach
    void start() {
        server = S3ProxyServer.start(serverFolder);
        leader = new S3BlobStore(server.settings("copy/"), new DataFolder(leaderCache));
        follower = new S3BlobStore(server.settings("copy/"), new DataFolder(followerCache));
    }

    @AfterEach
    void stop() {
        clients.shutdownNow();
        if (fills != null) fills.close();
        follower.close();
        leader.close();
        server.close();
    }

    @Test
    void theFollowersClientsGetBytesBeforeItsCopyIsComplete() throws Exception {
        // The leader still holds the lease when the follower looks: it finds the blob stored all the same.
        streamsBeforeTheCopyIsComplete(d -> Optional.empty());
    }

    @Test
    void aFollowerThatGetsTheLeaseAfterTheLeadersFillStreamsTheStoredBlobToo() throws Exception {
        // The leader's fill ended (stored) and gave the lease back before the follower asked again.
        streamsBeforeTheCopyIsComplete(d -> Optional.of(() -> { }));
    }

    private void streamsBeforeTheCopyIsComplete(ClusterFillLease leases) throws Exception {
        byte[] content = new byte[2 * 1024 * 1024];
        new Random(43).nextBytes(content);
        Digest digest = Digest.of("sha256", content);
        leader.put(digest, content);
        Semaphore gate = new Semaphore(0);
        // Stored already, but not on the follower: its look-ups of its own copies miss.
        BlobStore paced = new PacedCopies(follower, new FileBlobStore(new DataFolder(followerCache)), gate);
        fills = new BlobFills(paced, new NoUpstream(), followerCache, Long.MAX_VALUE, leases);
        gate.release(4); // the first 4 reads of the bucket's body (up to 64 KiB each) get through

        Future<BlobFills.Joined> joined = clients.submit(() -> fills.join(digest, REQUEST, p -> { }));
        BlobFill fill = joined.get(1, TimeUnit.MINUTES).fill();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BlobStream stream = fill.openStream()) {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            int first = stream.read(buf);
            out.write(buf.array(), 0, first);

            assertThat(first).as("bytes before the copy is complete").isPositive();
            assertThat(new FileBlobStore(new DataFolder(followerCache)).contains(digest)).as("copy committed").isFalse();

            gate.release(Integer.MAX_VALUE / 2);
            while (stream.read(buf.clear()) >= 0) {
                out.write(buf.array(), 0, buf.position());
            }
        }
        assertThat(out.toByteArray()).isEqualTo(content);
        assertThat(new FileBlobStore(new DataFolder(followerCache)).contains(digest)).isTrue();
        assertThat(upstreamOpens.get()).isZero();
    }

    /** The follower's store, with the bucket's body of a copy let through one read per permit of {@code gate}. */
    private static final class PacedCopies implements BlobStore {
        private final S3BlobStore store;
        private final FileBlobStore localCopies;
        private final Semaphore gate;

        PacedCopies(S3BlobStore store, FileBlobStore localCopies, Semaphore gate) {
            this.store = store;
            this.localCopies = localCopies;
            this.gate = gate;
        }

        /** This node's copies only: a look-up never downloads the blob whole, so only a streamed copy can serve it. */
        @Override
        public Optional<Path> find(Digest digest) {
            return localCopies.find(digest);
        }

        @Override
        public boolean contains(Digest digest) {
            return store.contains(digest);
        }

        @Override
        public BlobWriter newWriter(Digest digest) throws IOException {
            return store.newWriter(digest);
        }

        @Override
        public void put(Digest digest, byte[] content) throws IOException {
            store.put(digest, content);
        }

        @Override
        public Optional<byte[]> read(Digest digest) throws IOException {
            return store.read(digest);
        }

        @Override
        public Optional<StoredCopy> openCopy(Digest digest) throws IOException {
            return store.openCopy(digest).map(copy -> new StoredCopy() {
                private final ReadableByteChannel paced = new ReadableByteChannel() {
                    @Override
                    public int read(ByteBuffer dst) throws IOException {
                        try {
                            gate.acquire();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new java.io.InterruptedIOException();
                        }
                        ByteBuffer window = dst.slice().limit(Math.min(dst.remaining(), 64 * 1024));
                        int n = copy.body().read(window);
                        if (n > 0) dst.position(dst.position() + n);
                        return n;
                    }

                    @Override
                    public boolean isOpen() {
                        return true;
                    }

                    @Override
                    public void close() {
                    }
                };

                @Override
                public long length() {
                    return copy.length();
                }

                @Override
                public ReadableByteChannel body() {
                    return paced;
                }

                @Override
                public BlobWriter writer() {
                    return copy.writer();
                }

                @Override
                public void close() {
                    copy.close();
                }
            });
        }
    }

    @Test
    void aFollowerStreamsWhatTheLeaderStoredIntoItsOwnCopyWithoutAskingTheUpstream() throws Exception {
        byte[] content = new byte[3 * 1024 * 1024 + 5];
        new Random(42).nextBytes(content);
        Digest digest = Digest.of("sha256", content);
        // Another node holds the lease all along; the first ask tells the test that the follower is waiting.
        CountDownLatch waiting = new CountDownLatch(1);
        fills = new BlobFills(follower, new NoUpstream(), followerCache, Long.MAX_VALUE, d -> {
            waiting.countDown();
            return Optional.empty();
        });
        List<Path> stored = new CopyOnWriteArrayList<>();

        Future<BlobFills.Joined> joined = clients.submit(() -> fills.join(digest, REQUEST, stored::add));
        assertThat(waiting.await(1, TimeUnit.MINUTES)).isTrue();
        leader.put(digest, content); // the leader's fill ends: the blob is in the bucket
        BlobFill fill = joined.get(1, TimeUnit.MINUTES).fill();

        assertThat(readAll(fill)).isEqualTo(content);
        assertThat(upstreamOpens.get()).as("upstream GETs").isZero();
        assertThat(stored).hasSize(1);
        assertThat(Files.readAllBytes(stored.get(0))).isEqualTo(content);
        assertThat(new FileBlobStore(new DataFolder(followerCache)).contains(digest)).as("the follower's own copy").isTrue();
        assertThat(follower.localCopiesBytes()).as("counted among the local copies").isEqualTo(content.length);
    }

    private static byte[] readAll(BlobFill fill) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BlobStream stream = fill.openStream()) {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            while (stream.read(buf.clear()) >= 0) {
                out.write(buf.array(), 0, buf.position());
            }
        }
        return out.toByteArray();
    }

    /** An upstream this node must never ask: the blob comes from the bucket. */
    private final class NoUpstream implements UpstreamClient {
        @Override
        public UpstreamBlob openBlob(UpstreamRequest request, Digest digest) {
            upstreamOpens.incrementAndGet();
            throw new UnsupportedOperationException("the follower asked the upstream");
        }

        @Override
        public UpstreamManifest fetchManifest(UpstreamRequest request, String reference, List<String> accept) {
            throw new UnsupportedOperationException();
        }

        @Override
        public UpstreamManifest.Head headManifest(UpstreamRequest request, String reference, List<String> accept) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<String> tags(UpstreamRequest request) {
            throw new UnsupportedOperationException();
        }
    }
}
