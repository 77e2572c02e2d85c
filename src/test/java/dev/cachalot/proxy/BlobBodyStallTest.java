package dev.cachalot.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.oci.Digest;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.Upstream;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.FileBlobStore;
import dev.cachalot.testing.LoopbackHttpServer;
import dev.cachalot.upstream.OkHttpUpstreamClient;
import dev.cachalot.upstream.UpstreamBlob;
import dev.cachalot.upstream.UpstreamCredentials;
import dev.cachalot.upstream.UpstreamHttpSettings;
import dev.cachalot.upstream.UpstreamRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blob body that goes silent mid-way. Blob bodies read without okio's per-read watchdog (see {@code upstream.OkHttpBlob}),
 * so these check that the socket's read timeout still ends a stalled read, and that the fill then resumes with a
 * range request. The upstream is an in-test server on 127.0.0.1: neither docker-registry nor CountingProxy can
 * stall in the middle of a body. The JUnit timeouts only turn a hang (the bug) into a failure.
 */
class BlobBodyStallTest {

    private static final String REPO = "team/app";
    private static final int SIZE = 3 * 1024 * 1024 + 5;
    private static final int STALL_AT = 1024 * 1024 + 77;

    @TempDir
    Path dir;

    private final byte[] content = new byte[SIZE];
    private final Digest digest;
    private final String path;
    private final LoopbackHttpServer server = new LoopbackHttpServer(true);
    private final CountDownLatch testOver = new CountDownLatch(1);
    private final OkHttpUpstreamClient client = new OkHttpUpstreamClient(UpstreamCredentials.NONE,
            UpstreamHttpSettings.defaults().withReadTimeout(Duration.ofMillis(400)));

    BlobBodyStallTest() throws Exception {
        new Random(3).nextBytes(content);
        digest = Digest.sha256(MessageDigest.getInstance("SHA-256").digest(content));
        path = "/v2/" + REPO + "/blobs/" + digest;
    }

    @AfterEach
    void stop() {
        testOver.countDown();
        client.close();
        server.close();
    }

    private UpstreamRequest request() {
        String base = server.base();
        return new UpstreamRequest(new Upstream("fake", URI.create(base).getAuthority(), URI.create(base), AuthMode.BOTH,
                null, false), REPO, null);
    }

    /** The first GET sends {@link #STALL_AT} bytes and then nothing; later GETs answer ranges in full. */
    private AtomicInteger serveStallingOnce() {
        AtomicInteger gets = new AtomicInteger();
        server.route(path, exchange -> {
            String range = exchange.getRequestHeaders().getFirst("Range");
            if (gets.incrementAndGet() == 1) {
                exchange.sendResponseHeaders(200, SIZE);
                OutputStream out = exchange.getResponseBody();
                out.write(content, 0, STALL_AT);
                out.flush();
                try {
                    testOver.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            int from = range == null ? 0 : Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
            if (from > 0) {
                exchange.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (SIZE - 1) + "/" + SIZE);
            }
            exchange.sendResponseHeaders(from > 0 ? 206 : 200, SIZE - from);
            exchange.getResponseBody().write(content, from, SIZE - from);
        });
        return gets;
    }

    @Test
    @Timeout(30)
    void aBodyThatGoesSilentFailsAfterTheReadTimeout() {
        serveStallingOnce();
        try (UpstreamBlob blob = client.openBlob(request(), digest)) {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            long[] read = {0};
            assertThatThrownBy(() -> {
                while (true) {
                    buf.clear();
                    int n = blob.body().read(buf);
                    if (n < 0) break;
                    read[0] += n;
                }
            }).isInstanceOf(IOException.class);
            assertThat(read[0]).isEqualTo(STALL_AT);
        }
    }

    @Test
    @Timeout(60)
    void aFillWhoseUpstreamGoesSilentResumesWithARangeAndStoresTheRightBytes() throws Exception {
        AtomicInteger gets = serveStallingOnce();
        FileBlobStore store = new FileBlobStore(new DataFolder(dir).ensureCreated());
        try (BlobFills fills = new BlobFills(store, client, dir, Long.MAX_VALUE)) {
            BlobFills.Joined joined = fills.join(digest, request(), p -> { });

            Path file = joined.fill().awaitFile();

            assertThat(Files.readAllBytes(file)).isEqualTo(content);
            assertThat(gets.get()).isEqualTo(2);
            assertThat(server.requestsTo(path)).hasSize(2);
        }
    }
}
