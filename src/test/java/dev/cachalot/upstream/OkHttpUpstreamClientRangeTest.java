package dev.cachalot.upstream;

import static dev.cachalot.testing.LoopbackHttpServer.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import dev.cachalot.oci.Digest;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.Upstream;
import dev.cachalot.testing.LoopbackHttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ranged blob requests for resuming downloads: only an exact 206 with the rest of the blob is accepted. In-test
 * loopback servers ({@link LoopbackHttpServer}) stand in for the upstream here because docker-registry cannot be made
 * to ignore a {@code Range} or answer the wrong one, nor redirect to a CDN; the happy path against docker-registry is
 * in {@code BlobResumeIntegrationTest}.
 */
class OkHttpUpstreamClientRangeTest {

    private static final String REPO = "team/app";
    private static final byte[] BLOB = random(100_000);
    private static final Digest DIGEST = sha256(BLOB);
    private static final String PATH = "/v2/" + REPO + "/blobs/" + DIGEST;

    private final LoopbackHttpServer registry = new LoopbackHttpServer();
    private final LoopbackHttpServer cdn = new LoopbackHttpServer();
    private final List<String> rangesSeen = new CopyOnWriteArrayList<>();
    private final OkHttpUpstreamClient client = new OkHttpUpstreamClient();

    @AfterEach
    void stop() {
        client.close();
        registry.close();
        cdn.close();
    }

    private UpstreamRequest request() {
        URI base = URI.create(registry.base());
        return new UpstreamRequest(new Upstream("fake", base.getAuthority(), base, AuthMode.BOTH, null, false), REPO, null);
    }

    /** Answers a {@code Range: bytes=N-} as a range-capable server does. */
    private void serveRanges(HttpExchange ex) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        rangesSeen.add(String.valueOf(range));
        if (range == null) {
            send(ex, 200, "application/octet-stream", BLOB);
            return;
        }
        int from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
        ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (BLOB.length - 1) + "/" + BLOB.length);
        send(ex, 206, "application/octet-stream", Arrays.copyOfRange(BLOB, from, BLOB.length));
    }

    @Test
    void resumesFromAnOffsetThroughARedirectToAnotherHostKeepingTheRange() throws Exception {
        registry.route(PATH, ex -> {
            ex.getResponseHeaders().set("Location", cdn.base() + "/cdn/blob");
            send(ex, 307, null, new byte[0]);
        });
        cdn.route("/cdn/blob", this::serveRanges);

        try (UpstreamBlob rest = client.openBlob(request(), DIGEST, 40_000)) {
            assertThat(rest.contentLength()).isEqualTo(BLOB.length - 40_000);
            assertThat(readAll(rest)).isEqualTo(Arrays.copyOfRange(BLOB, 40_000, BLOB.length));
        }
        assertThat(rangesSeen).containsExactly("bytes=40000-");
    }

    @Test
    void refusesToResumeWhenTheUpstreamIgnoresTheRangeAndSendsTheWholeBlob() {
        registry.route(PATH, ex -> send(ex, 200, "application/octet-stream", BLOB));

        assertThatThrownBy(() -> client.openBlob(request(), DIGEST, 40_000))
                .isInstanceOf(UpstreamException.class)
                .hasMessageContaining("cannot resume")
                .satisfies(e -> assertThat(((UpstreamException) e).kind()).isEqualTo(UpstreamException.Kind.PROTOCOL));
    }

    @Test
    void refusesToResumeWhenTheRangeAnsweredStartsElsewhere() {
        registry.route(PATH, ex -> {
            ex.getResponseHeaders().set("Content-Range", "bytes 0-" + (BLOB.length - 1) + "/" + BLOB.length);
            send(ex, 206, "application/octet-stream", BLOB);
        });

        assertThatThrownBy(() -> client.openBlob(request(), DIGEST, 40_000))
                .isInstanceOf(UpstreamException.class)
                .hasMessageContaining("cannot resume");
    }

    @Test
    void refusesToResumeWhenTheRangeAnsweredStopsShortOfTheEnd() {
        registry.route(PATH, ex -> {
            ex.getResponseHeaders().set("Content-Range", "bytes 40000-49999/" + BLOB.length);
            send(ex, 206, "application/octet-stream", Arrays.copyOfRange(BLOB, 40_000, 50_000));
        });

        assertThatThrownBy(() -> client.openBlob(request(), DIGEST, 40_000))
                .isInstanceOf(UpstreamException.class)
                .hasMessageContaining("cannot resume");
    }

    @Test
    void anOffsetOfZeroIsAPlainDownload() throws Exception {
        registry.route(PATH, this::serveRanges);
        try (UpstreamBlob whole = client.openBlob(request(), DIGEST, 0)) {
            assertThat(readAll(whole)).isEqualTo(BLOB);
        }
        assertThat(rangesSeen).containsExactly("null");
    }

    private static byte[] readAll(UpstreamBlob blob) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (blob.body().read(buf) >= 0) {
            out.write(buf.array(), 0, buf.position());
            buf.clear();
        }
        return out.toByteArray();
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static Digest sha256(byte[] b) {
        try {
            return Digest.sha256(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
