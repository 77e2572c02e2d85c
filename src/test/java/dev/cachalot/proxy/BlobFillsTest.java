package dev.cachalot.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.registry.BlobResult.BlobStream;
import dev.cachalot.registry.BlobResult.MappableBlobStream;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.Upstream;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.FileBlobStore;
import dev.cachalot.upstream.UpstreamBlob;
import dev.cachalot.upstream.UpstreamClient;
import dev.cachalot.upstream.UpstreamException;
import dev.cachalot.upstream.UpstreamManifest;
import dev.cachalot.upstream.UpstreamRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * The single-flight fill on its own. The upstream here is a scripted {@link UpstreamClient} (not a real registry)
 * because these cases need byte-exact control over pacing and failures; the integration tests cover the same
 * behaviour against Debian's docker-registry.
 */
class BlobFillsTest {

    private static final Upstream UPSTREAM = new Upstream("test", "127.0.0.1:1", URI.create("http://127.0.0.1:1"), AuthMode.BOTH, null, false);
    private static final UpstreamRequest REQUEST = new UpstreamRequest(UPSTREAM, "app", null);

    @TempDir
    Path dir;
    private DataFolder folder;
    private FileBlobStore store;
    private ScriptedUpstream upstream;
    private BlobFills fills;
    private final ExecutorService clients = Executors.newCachedThreadPool();

    @BeforeEach
    void setUp() {
        folder = new DataFolder(dir).ensureCreated();
        store = new FileBlobStore(folder);
        upstream = new ScriptedUpstream();
        fills = new BlobFills(store, upstream, dir, Long.MAX_VALUE);
    }

    @AfterEach
    void tearDown() {
        fills.close();
        clients.shutdownNow();
    }

    @Test
    void concurrentClientsShareOneUpstreamDownloadAndEachGetsEveryByte() throws Exception {
        byte[] content = random(3 * 1024 * 1024 + 17);
        Digest digest = sha256(content);
        upstream.content = content;
        upstream.gate = new Semaphore(0);

        List<Future<byte[]>> results = new ArrayList<>();
        CountDownLatch joined = new CountDownLatch(8);
        for (int i = 0; i < 8; i++) {
            results.add(clients.submit(() -> {
                BlobFills.Joined j = fills.join(digest, REQUEST, p -> { });
                joined.countDown();
                return readAll(j.fill().openStream());
            }));
        }
        assertThat(joined.await(30, TimeUnit.SECONDS)).isTrue();
        upstream.gate.release(Integer.MAX_VALUE / 2);
        for (Future<byte[]> r : results) {
            assertThat(r.get(60, TimeUnit.SECONDS)).isEqualTo(content);
        }
        assertThat(upstream.opens.get()).isEqualTo(1);
        assertThat(store.find(digest)).isPresent();
        assertThat(Files.readAllBytes(store.find(digest).get())).isEqualTo(content);
    }

    /**
     * Downloads hand their buffers on to the next one: bytes left in a reused buffer by an earlier download (one that
     * broke off midway among them) must never reach a later blob's file or hash.
     */
    @Test
    void downloadsOneAfterAnotherEachStoreExactlyTheirOwnBytes() throws Exception {
        byte[] broken = random(5 * 1024 * 1024 + 3);
        upstream.content = broken;
        upstream.breakAfter = 3L * 1024 * 1024;
        BlobFills.Joined failed = fills.join(sha256(broken), REQUEST, p -> { });
        assertThatThrownBy(() -> readAll(failed.fill().openStream())).isInstanceOf(IOException.class);
        upstream.breakAfter = -1;
        for (int size : new int[] {4 * 1024 * 1024 + 1, 7 * 1024 * 1024 - 5, 2 * 1024 * 1024, 6 * 1024 * 1024 + 99}) {
            byte[] content = random(size);
            Digest digest = sha256(content);
            upstream.content = content;
            BlobFills.Joined j = fills.join(digest, REQUEST, p -> { });
            assertThat(readAll(j.fill().openStream())).isEqualTo(content);
            assertThat(Files.readAllBytes(store.find(digest).orElseThrow())).isEqualTo(content);
        }
    }

    /** An idle process lets go of the buffers kept for the next download; the next one allocates its own. */
    @Test
    void spareBuffersAreLetGoAndTheNextDownloadAllocatesItsOwn() throws Exception {
        for (int i = 0; i < 2; i++) {
            byte[] content = random(6 * 1024 * 1024 + i);
            upstream.content = content;
            BlobFills.Joined j = fills.join(sha256(content), REQUEST, p -> { });
            assertThat(readAll(j.fill().openStream())).isEqualTo(content);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(fills.spareBufferBytes()).isPositive());

            fills.releaseSpareBuffers();

            assertThat(fills.spareBufferBytes()).isZero();
        }
    }

    @Test
    void aMismatchFailsEveryReaderBeforeTheLastByteAndCachesNothing() throws Exception {
        byte[] content = random(1024 * 1024);
        Digest claimed = sha256(random(10));
        upstream.content = content;
        upstream.gate = new Semaphore(0);

        BlobFills.Joined j = fills.join(claimed, REQUEST, p -> { });
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        // The reader opens while the upstream is held (or, if it is slower than the fill, after it failed: refused).
        Future<Void> read = clients.submit(() -> {
            try (BlobStream stream = j.fill().openStream()) {
                ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                while (true) {
                    buf.clear();
                    int n = stream.read(buf);
                    if (n < 0) return null;
                    seen.write(buf.array(), 0, n);
                }
            }
        });
        upstream.gate.release(Integer.MAX_VALUE / 2);

        assertThatThrownBy(() -> read.get(60, TimeUnit.SECONDS)).cause()
                .isInstanceOf(IOException.class).hasMessageContaining("digest mismatch");
        assertThat(seen.size()).isLessThan(content.length);
        assertThat(store.find(claimed)).isEmpty();
        try (var tmp = Files.list(folder.tmp())) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void mappedWindowsCarryEveryByteInOrderWhileTheFillIsRunning() throws Exception {
        byte[] content = random(3 * 1024 * 1024 + 17);
        Digest digest = sha256(content);
        upstream.content = content;
        upstream.gate = new Semaphore(0);

        BlobFills.Joined j = fills.join(digest, REQUEST, p -> { });
        Future<byte[]> read = clients.submit(() -> mapAll((MappableBlobStream) j.fill().openStream(), 100_000));
        upstream.gate.release(Integer.MAX_VALUE / 2);

        assertThat(read.get(60, TimeUnit.SECONDS)).isEqualTo(content);
    }

    @Test
    void mappedWindowsStopShortOfTheLastByteWhenTheDigestDoesNotMatch() throws Exception {
        byte[] content = random(1024 * 1024);
        Digest claimed = sha256(random(10));
        upstream.content = content;
        upstream.gate = new Semaphore(0);

        BlobFills.Joined j = fills.join(claimed, REQUEST, p -> { });
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        // The reader opens while the upstream is held (or, if it is slower than the fill, after it failed: refused).
        Future<Void> read = clients.submit(() -> {
            try (MappableBlobStream stream = (MappableBlobStream) j.fill().openStream()) {
                while (true) {
                    MappedByteBuffer window = stream.map(64 * 1024);
                    if (window == null) return null;
                    byte[] bytes = new byte[window.remaining()];
                    window.get(bytes);
                    seen.write(bytes);
                }
            }
        });
        upstream.gate.release(Integer.MAX_VALUE / 2);

        assertThatThrownBy(() -> read.get(60, TimeUnit.SECONDS)).cause()
                .isInstanceOf(IOException.class).hasMessageContaining("digest mismatch");
        assertThat(seen.size()).isLessThan(content.length);
        assertThat(store.find(claimed)).isEmpty();
    }

    private static byte[] mapAll(MappableBlobStream stream, int max) throws IOException {
        try (stream) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            MappedByteBuffer window;
            while ((window = stream.map(max)) != null) {
                assertThat(window.remaining()).isBetween(1, max);
                byte[] bytes = new byte[window.remaining()];
                window.get(bytes);
                out.write(bytes);
            }
            return out.toByteArray();
        }
    }

    @Test
    void anUpstreamThatBreaksOffMidwayFailsReadersAndLeavesNothingBehind() throws Exception {
        byte[] content = random(2 * 1024 * 1024);
        Digest digest = sha256(content);
        upstream.content = content;
        upstream.breakAfter = 700_000;

        BlobFills.Joined j = fills.join(digest, REQUEST, p -> { });
        assertThatThrownBy(() -> readAll(j.fill().openStream())).isInstanceOf(IOException.class);
        assertThat(store.find(digest)).isEmpty();
        try (var tmp = Files.list(folder.tmp())) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void aClientThatGoesAwayDoesNotCancelTheFill() throws Exception {
        byte[] content = random(2 * 1024 * 1024);
        Digest digest = sha256(content);
        upstream.content = content;
        upstream.gate = new Semaphore(0);

        BlobFills.Joined j = fills.join(digest, REQUEST, p -> { });
        BlobStream stream = j.fill().openStream();
        stream.close();
        upstream.gate.release(Integer.MAX_VALUE / 2);
        assertThat(j.fill().awaitFile()).exists();
        assertThat(Files.readAllBytes(store.find(digest).orElseThrow())).isEqualTo(content);
    }

    @Test
    void anUpstreamRefusalReachesTheCallerAsARegistryError() throws Exception {
        upstream.refusal = new UpstreamException(UpstreamException.Kind.NOT_FOUND, 404, "not found", null, null);
        Digest digest = sha256(random(10));
        assertThatThrownBy(() -> fills.join(digest, REQUEST, p -> { }))
                .isInstanceOf(DistributionException.class)
                .hasMessageContaining("not known upstream");
        assertThat(store.find(digest)).isEmpty();
    }

    private static byte[] readAll(BlobStream stream) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(100_000);
        try (stream) {
            while (true) {
                buf.clear();
                int n = stream.read(buf);
                if (n < 0) return out.toByteArray();
                out.write(buf.array(), 0, n);
            }
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static Digest sha256(byte[] b) throws Exception {
        return Digest.sha256(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Serves {@link #content} in 64 KiB pieces, each after a permit from {@link #gate} when one is set. */
    private static final class ScriptedUpstream implements UpstreamClient {
        volatile byte[] content;
        volatile Semaphore gate;
        volatile long breakAfter = -1;
        volatile UpstreamException refusal;
        final AtomicInteger opens = new AtomicInteger();

        @Override
        public UpstreamBlob openBlob(UpstreamRequest request, Digest digest) {
            opens.incrementAndGet();
            if (refusal != null) throw refusal;
            byte[] data = content;
            return new UpstreamBlob() {
                long pos;

                @Override
                public long contentLength() {
                    return data.length;
                }

                @Override
                public ReadableByteChannel body() {
                    return new ReadableByteChannel() {
                        @Override
                        public int read(ByteBuffer dst) throws IOException {
                            if (pos >= data.length) return -1;
                            if (breakAfter >= 0 && pos >= breakAfter) throw new IOException("connection reset by upstream");
                            Semaphore g = gate;
                            if (g != null) {
                                try {
                                    g.acquire();
                                } catch (InterruptedException e) {
                                    throw new IOException(e);
                                }
                            }
                            int n = (int) Math.min(Math.min(dst.remaining(), 64 * 1024), data.length - pos);
                            dst.put(data, (int) pos, n);
                            pos += n;
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
                }

                @Override
                public void close() {
                }
            };
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
