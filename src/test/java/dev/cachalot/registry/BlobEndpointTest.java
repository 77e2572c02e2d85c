package dev.cachalot.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.oci.Digest;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobEndpointTest extends RegistryTestSupport {

    @TempDir
    Path folder;

    /** Larger than two map windows, so the warm path crosses window boundaries. */
    private static final int WARM_SIZE = 2 * BlobBodies.MAP_WINDOW + 12_345;

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private Digest warmBlob(byte[] bytes) throws Exception {
        Path file = folder.resolve("blob-" + bytes.length);
        Files.write(file, bytes);
        Digest digest = InMemoryBackend.digestOf(bytes);
        backend.putWarmBlob(bytes, file, digest);
        return digest;
    }

    private HttpResponse<byte[]> getRange(String path, String range) throws Exception {
        return client.send(request(path).header("Range", range).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void warmBlobIsServedWholeWithExactHeaders() throws Exception {
        byte[] bytes = randomBytes(WARM_SIZE);
        Digest digest = warmBlob(bytes);

        HttpResponse<byte[]> response = get("/v2/app/blobs/" + digest);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Arrays.equals(response.body(), bytes)).isTrue();
        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(response.headers().firstValue("Accept-Ranges")).hasValue("bytes");
        assertThat(response.headers().firstValue("Content-Length")).hasValue(String.valueOf(WARM_SIZE));
        assertThat(response.headers().firstValue("X-Cachalot-Source")).hasValue("cache");
        assertThat(backend.awaitServed(1)).containsExactly(new InMemoryBackend.Served(digest, WARM_SIZE, null));
    }

    @Test
    void emptyBlobIsServed() throws Exception {
        Digest digest = warmBlob(new byte[0]);

        HttpResponse<byte[]> response = get("/v2/app/blobs/" + digest);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(response.headers().firstValue("Content-Length")).hasValue("0");
    }

    @Test
    void headBlobSendsLengthButNoBody() throws Exception {
        byte[] bytes = randomBytes(1000);
        Digest digest = warmBlob(bytes);

        RawHttp.Answer answer = RawHttp.send(server.port(),
                "HEAD /v2/app/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Content-Length")).isEqualTo("1000");
        assertThat(answer.header("Docker-Content-Digest")).isEqualTo(digest.toString());
        assertThat(answer.body()).isEmpty();
        assertThat(backend.awaitServed(1)).hasSize(1);
        assertThat(backend.contexts.get(0).head()).isTrue();
    }

    @Test
    void singleRangesAreServedWith206AndContentRange() throws Exception {
        byte[] bytes = randomBytes(WARM_SIZE);
        Digest digest = warmBlob(bytes);
        String path = "/v2/app/blobs/" + digest;
        long last = WARM_SIZE - 1;

        HttpResponse<byte[]> middle = getRange(path, "bytes=100-199");
        HttpResponse<byte[]> acrossWindows = getRange(path, "bytes=" + (BlobBodies.MAP_WINDOW - 10) + "-" + (BlobBodies.MAP_WINDOW + 9));
        HttpResponse<byte[]> tail = getRange(path, "bytes=" + (WARM_SIZE - 50) + "-");
        HttpResponse<byte[]> suffix = getRange(path, "bytes=-7");
        HttpResponse<byte[]> pastTheEnd = getRange(path, "bytes=" + (WARM_SIZE - 5) + "-" + (WARM_SIZE + 1000));

        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(bytes, 100, 200));
        assertThat(middle.headers().firstValue("Content-Range")).hasValue("bytes 100-199/" + WARM_SIZE);
        assertThat(middle.headers().firstValue("Content-Length")).hasValue("100");
        assertThat(acrossWindows.body()).isEqualTo(Arrays.copyOfRange(bytes, BlobBodies.MAP_WINDOW - 10, BlobBodies.MAP_WINDOW + 10));
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(bytes, WARM_SIZE - 50, WARM_SIZE));
        assertThat(tail.headers().firstValue("Content-Range")).hasValue("bytes " + (WARM_SIZE - 50) + "-" + last + "/" + WARM_SIZE);
        assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(bytes, WARM_SIZE - 7, WARM_SIZE));
        assertThat(pastTheEnd.statusCode()).isEqualTo(206);
        assertThat(pastTheEnd.headers().firstValue("Content-Range")).hasValue("bytes " + (WARM_SIZE - 5) + "-" + last + "/" + WARM_SIZE);
        assertThat(backend.awaitServed(5)).extracting(InMemoryBackend.Served::bytes)
                .containsExactlyInAnyOrder(100L, 20L, 50L, 7L, 5L);
    }

    @Test
    void unsatisfiableRangeIs416WithTheSize() throws Exception {
        Digest digest = warmBlob(randomBytes(1000));

        HttpResponse<byte[]> response = getRange("/v2/app/blobs/" + digest, "bytes=1000-");
        HttpResponse<byte[]> emptySuffix = getRange("/v2/app/blobs/" + digest, "bytes=-0");

        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes */1000");
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).startsWith("{\"errors\":[");
        assertThat(emptySuffix.statusCode()).isEqualTo(416);
        assertThat(backend.awaitServed(2)).hasSize(2);
    }

    @Test
    void multipleOrMalformedRangesGetTheWholeBlob() throws Exception {
        byte[] bytes = randomBytes(1000);
        Digest digest = warmBlob(bytes);

        for (String range : List.of("bytes=0-1,5-6", "bytes=abc", "items=0-5", "bytes=9-3")) {
            HttpResponse<byte[]> response = getRange("/v2/app/blobs/" + digest, range);
            assertThat(response.statusCode()).as(range).isEqualTo(200);
            assertThat(response.body()).as(range).isEqualTo(bytes);
        }
    }

    @Test
    void coldBlobStreamsWithContentLengthWhenTheSizeIsKnown() throws Exception {
        byte[] bytes = randomBytes(300_000);
        Digest digest = backend.putColdBlob(bytes, true, -1);

        HttpResponse<byte[]> response = get("/v2/app/blobs/" + digest);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(bytes);
        assertThat(response.headers().firstValue("Content-Length")).hasValue("300000");
        assertThat(response.headers().firstValue("X-Cachalot-Source")).hasValue("upstream");
        assertThat(backend.awaitServed(1)).containsExactly(new InMemoryBackend.Served(digest, 300_000, null));
    }

    @Test
    void coldBlobOfUnknownSizeIsChunked() throws Exception {
        byte[] bytes = randomBytes(100_000);
        Digest digest = backend.putColdBlob(bytes, false, -1);

        RawHttp.Answer answer = RawHttp.get(server.port(), "/v2/app/blobs/" + digest);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(answer.complete()).isTrue();
        assertThat(answer.body()).isEqualTo(bytes);
    }

    @Test
    void rangeOnAColdBlobWaitsForTheFile() throws Exception {
        byte[] bytes = randomBytes(50_000);
        Digest digest = backend.putColdBlob(bytes, true, -1);

        HttpResponse<byte[]> response = getRange("/v2/app/blobs/" + digest, "bytes=10-19");

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(bytes, 10, 20));
        assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes 10-19/50000");
    }

    @Test
    void streamFailureWithAKnownSizeBreaksTheConnectionInsteadOfFinishing() throws Exception {
        byte[] bytes = randomBytes(200_000);
        Digest digest = backend.putColdBlob(bytes, true, 120_000);

        RawHttp.Answer answer = RawHttp.get(server.port(), "/v2/app/blobs/" + digest);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.complete()).isFalse();
        assertThat(answer.body().length).isLessThan(bytes.length);
        List<InMemoryBackend.Served> served = backend.awaitServed(1);
        assertThat(served).hasSize(1);
        assertThat(served.get(0).bytes()).isEqualTo(120_000);
        assertThat(served.get(0).failure()).hasMessageContaining("digest mismatch");
    }

    @Test
    void streamFailureWhenChunkedNeverSendsTheFinalChunk() throws Exception {
        byte[] bytes = randomBytes(200_000);
        Digest digest = backend.putColdBlob(bytes, false, 150_000);

        RawHttp.Answer answer = RawHttp.get(server.port(), "/v2/app/blobs/" + digest);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.complete()).isFalse();
        assertThat(backend.awaitServed(1)).singleElement().satisfies(s -> assertThat(s.failure()).isNotNull());
    }

    @Test
    void streamFailureBeforeTheFirstByteIsA502ErrorBody() throws Exception {
        Digest digest = backend.putColdBlob(randomBytes(1000), true, 0);

        HttpResponse<byte[]> response = get("/v2/app/blobs/" + digest);

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("\"code\":\"UNKNOWN\"");
        assertThat(response.headers().firstValue("Docker-Content-Digest")).isEmpty();
        assertThat(backend.awaitServed(1)).singleElement().satisfies(s -> assertThat(s.failure()).isNotNull());
    }

    @Test
    void clientDisconnectIsReportedOnceAsAFailure() throws Exception {
        byte[] bytes = randomBytes(64 << 20);
        Digest digest = warmBlob(bytes);

        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(("GET /v2/app/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            in.readNBytes(64 << 10);
            socket.setSoLinger(true, 0); // reset rather than a polite close
        }

        List<InMemoryBackend.Served> served = backend.awaitServed(1);
        Thread.sleep(200); // a second report would arrive right after the first
        assertThat(backend.served).hasSize(1);
        assertThat(served.get(0).failure()).isNotNull();
        assertThat(served.get(0).bytes()).isLessThan(bytes.length);
    }

    @Test
    void unknownBlobIs404BlobUnknown() throws Exception {
        HttpResponse<byte[]> response = get("/v2/app/blobs/sha256:" + "0".repeat(64));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("\"code\":\"BLOB_UNKNOWN\"");
    }
}
