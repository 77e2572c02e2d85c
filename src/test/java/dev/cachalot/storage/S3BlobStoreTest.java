package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.oci.Digest;
import dev.cachalot.storage.BlobStore.BlobWriter;
import dev.cachalot.storage.BlobStore.DigestMismatchException;
import dev.cachalot.testing.S3ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What only the S3 store promises, checked in the bucket itself with a separate S3 client: when an object appears,
 * what a mismatch leaves, what housekeeping aborts, ranged reads, a second node, presigned redirects, and the S3
 * requests a blob costs.
 */
class S3BlobStoreTest {

    private static final int PART = (int) S3Settings.MIN_PART_SIZE;
    private static final AtomicInteger TESTS = new AtomicInteger();

    @TempDir
    static Path serverFolder;

    static S3ProxyServer server;
    static S3Client bucket;

    @TempDir
    Path cacheA;

    @TempDir
    Path cacheB;

    private String prefix;
    private final RequestCounter requests = new RequestCounter();
    private final List<S3BlobStore> opened = new java.util.ArrayList<>();

    @BeforeAll
    static void startServer() {
        server = S3ProxyServer.start(serverFolder);
        bucket = S3Client.builder().endpointOverride(server.endpoint()).region(Region.of(S3ProxyServer.REGION))
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        S3ProxyServer.CREDENTIALS.accessKeyId(), S3ProxyServer.CREDENTIALS.secretAccessKey())))
                .build();
    }

    @AfterAll
    static void stopServer() {
        if (bucket != null) bucket.close();
        if (server != null) server.close();
    }

    @AfterEach
    void closeStores() {
        opened.forEach(S3BlobStore::close);
    }

    private S3Settings settings() {
        if (prefix == null) prefix = "s3test-" + TESTS.incrementAndGet() + "/";
        return server.settings(prefix).withPartSize(PART);
    }

    private S3BlobStore open(S3Settings settings, Path cache) {
        S3BlobStore store = new S3BlobStore(settings, new DataFolder(cache), List.of(requests));
        opened.add(store);
        return store;
    }

    private S3BlobStore open() {
        return open(settings(), cacheA);
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Digest digestOf(byte[] content) {
        return Digest.of("sha256", content);
    }

    private List<String> keysInBucket() {
        return bucket.listObjectsV2Paginator(b -> b.bucket(S3ProxyServer.BUCKET).prefix(prefix)).contents().stream()
                .map(S3Object::key)
                // The filesystem backend lists its folders as keys ending in '/'; no S3 object looks like that here.
                .filter(key -> !key.endsWith("/")).toList();
    }

    private List<MultipartUpload> unfinishedUploads() {
        return bucket.listMultipartUploads(b -> b.bucket(S3ProxyServer.BUCKET).prefix(prefix)).uploads();
    }

    private boolean inBucket(String key) {
        try {
            bucket.headObject(b -> b.bucket(S3ProxyServer.BUCKET).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    private static void writeInChunks(BlobWriter writer, byte[] content, int from, int to) throws IOException {
        for (int off = from; off < to; off += 256 * 1024) {
            writer.write(ByteBuffer.wrap(content, off, Math.min(256 * 1024, to - off)));
        }
    }

    @Test
    void aBlobAppearsUnderItsDigestOnlyOnceItsDigestWasVerified() throws Exception {
        S3BlobStore store = open();
        byte[] content = randomBytes(2 * PART + 12345, 1);
        Digest digest = digestOf(content);
        String key = store.keyOf(digest);

        try (BlobWriter writer = store.newWriter(digest, content.length)) {
            writeInChunks(writer, content, 0, 2 * PART + 100);
            // Two full parts are on their way to the bucket, inside an upload nobody can read.
            assertThat(unfinishedUploads()).extracting(MultipartUpload::key).containsExactly(key);
            assertThat(inBucket(key)).isFalse();
            assertThat(keysInBucket()).isEmpty();

            writeInChunks(writer, content, 2 * PART + 100, content.length);
            assertThat(inBucket(key)).as("complete but not yet verified").isFalse();
            writer.commit();
        }

        assertThat(inBucket(key)).isTrue();
        assertThat(unfinishedUploads()).isEmpty();
        assertThat(bucket.getObjectAsBytes(b -> b.bucket(S3ProxyServer.BUCKET).key(key)).asByteArray()).isEqualTo(content);
        assertThat(keysInBucket()).containsExactly(prefix + "blobs/sha256/" + digest.hex());
    }

    @Test
    void aBlobOfSeveralPartsCostsOneRequestPerPartPlusTwo() throws Exception {
        S3BlobStore store = open();
        byte[] content = randomBytes(3 * PART + 1, 2);
        Digest digest = digestOf(content);

        try (BlobWriter writer = store.newWriter(digest, content.length)) {
            writeInChunks(writer, content, 0, content.length);
            writer.commit();
        }

        assertThat(requests.counts()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "CreateMultipartUpload", 1, "UploadPart", 4, "CompleteMultipartUpload", 1));
        assertThat(store.openRange(digest, 0, content.length).orElseThrow().readAllBytes()).isEqualTo(content);
    }

    @Test
    void aBlobSmallerThanAPartIsOnePut() throws Exception {
        S3BlobStore store = open();
        byte[] content = randomBytes(PART, 3);
        Digest digest = digestOf(content);

        try (BlobWriter writer = store.newWriter(digest, content.length)) {
            writer.write(ByteBuffer.wrap(content));
            writer.commit();
        }

        assertThat(requests.counts()).containsExactlyEntriesOf(Map.of("PutObject", 1));
        assertThat(bucket.getObjectAsBytes(b -> b.bucket(S3ProxyServer.BUCKET).key(store.keyOf(digest))).asByteArray())
                .isEqualTo(content);
    }

    @Test
    void aWrongDigestLeavesNothingInTheBucketNorAnyUnfinishedUpload() throws Exception {
        S3BlobStore store = open();
        byte[] claimed = randomBytes(100, 4);
        byte[] sent = randomBytes(2 * PART + 7, 5);
        Digest digest = digestOf(claimed);

        try (BlobWriter writer = store.newWriter(digest, sent.length)) {
            writeInChunks(writer, sent, 0, sent.length);
            assertThatThrownBy(writer::commit).isInstanceOf(DigestMismatchException.class);
        }

        assertThat(keysInBucket()).isEmpty();
        assertThat(unfinishedUploads()).isEmpty();
        assertThat(store.contains(digest)).isFalse();
        assertThat(store.sweepTemp()).isZero();
    }

    @Test
    void housekeepingAbortsUploadsACrashedWriterLeftOnceTheyAreOldEnough() throws Exception {
        S3BlobStore store = open(settings().withAbandonedUploadsAge(Duration.ofHours(1)), cacheA);
        byte[] content = randomBytes(2 * PART, 6);
        // A writer that never finishes, as when its node dies mid-fill.
        BlobWriter crashed = store.newWriter(digestOf(content), content.length);
        writeInChunks(crashed, content, 0, PART + 10);
        assertThat(unfinishedUploads()).hasSize(1);
        // The node dies once its first part is in: nothing of it is sending any more (a part still on its way would
        // land after the abort, and S3Proxy would keep it as a new unfinished upload).
        MultipartUpload upload = unfinishedUploads().get(0);
        // S3Proxy may answer ListParts with 400 while the part is still being written to its folder: ask again.
        Awaitility.await("the first part stored").atMost(Duration.ofSeconds(60))
                .ignoreExceptionsInstanceOf(software.amazon.awssdk.services.s3.model.S3Exception.class).until(() -> bucket.listParts(b -> b
                .bucket(S3ProxyServer.BUCKET).key(upload.key()).uploadId(upload.uploadId())).parts().size() == 1);

        // Another node's start-up sweep: the upload is young, so it may be a live fill elsewhere.
        S3BlobStore otherNode = open(settings().withAbandonedUploadsAge(Duration.ofHours(1)), cacheB);
        assertThat(otherNode.sweepTemp()).isZero();
        assertThat(unfinishedUploads()).hasSize(1);

        assertThat(otherNode.abortUploadsOlderThan(Instant.now().plusSeconds(60))).isEqualTo(1);
        assertThat(unfinishedUploads()).isEmpty();
        assertThat(keysInBucket()).isEmpty();
        crashed.close();
    }

    @Test
    void rangedReadsComeStraightFromTheBucket() throws Exception {
        S3BlobStore store = open();
        byte[] content = randomBytes(3 * 1024 * 1024, 7);
        Digest digest = digestOf(content);
        store.put(digest, content);

        try (InputStream in = store.openRange(digest, 1_000_000, 5_000).orElseThrow()) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 1_000_000, 1_005_000));
        }
        try (InputStream in = store.openRange(digest, content.length - 10, 10).orElseThrow()) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, content.length - 10, content.length));
        }
        assertThat(store.openRange(digestOf(new byte[] {1}), 0, 1)).isEmpty();
    }

    @Test
    void aBlobStoredByOneNodeIsServedByAnotherFromItsOwnCopy() throws Exception {
        S3BlobStore nodeA = open(settings(), cacheA);
        S3BlobStore nodeB = open(settings(), cacheB);
        byte[] content = randomBytes(PART + 99, 8);
        Digest digest = digestOf(content);
        try (BlobWriter writer = nodeA.newWriter(digest, content.length)) {
            writeInChunks(writer, content, 0, content.length);
            writer.commit();
        }

        assertThat(nodeB.contains(digest)).isTrue();
        Path copy = nodeB.find(digest).orElseThrow();

        assertThat(copy).startsWith(cacheB).hasBinaryContent(content);
        assertThat(nodeB.find(digest)).contains(copy);
        // Deleted through one node, gone from the bucket for all.
        assertThat(nodeB.delete(digest)).isTrue();
        assertThat(keysInBucket()).isEmpty();
    }

    @Test
    void anObjectThatDoesNotMatchItsDigestIsNeverServed() throws Exception {
        S3BlobStore store = open();
        byte[] content = randomBytes(1000, 9);
        Digest digest = digestOf(content);
        bucket.putObject(b -> b.bucket(S3ProxyServer.BUCKET).key(store.keyOf(digest)),
                RequestBody.fromBytes(randomBytes(1000, 10)));

        assertThat(store.find(digest)).isEmpty();
        assertThat(store.read(digest)).isEmpty();
    }

    @Test
    void concurrentWritersOfOneLargeBlobAllSucceedWithOneObject() throws Exception {
        S3BlobStore nodeA = open(settings(), cacheA);
        S3BlobStore nodeB = open(settings(), cacheB);
        byte[] content = randomBytes(2 * PART + 3, 11);
        Digest digest = digestOf(content);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Path>> commits = List.of(nodeA, nodeB).stream().map(store -> pool.submit(() -> {
                try (BlobWriter writer = store.newWriter(digest, content.length)) {
                    writeInChunks(writer, content, 0, content.length);
                    return writer.commit();
                }
            })).toList();
            for (Future<Path> commit : commits) {
                assertThat(commit.get()).hasBinaryContent(content);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(keysInBucket()).containsExactly(nodeA.keyOf(digest));
        assertThat(unfinishedUploads()).isEmpty();
    }

    @Test
    void presignedRedirectsAreOffByDefault() throws Exception {
        S3BlobStore store = open();
        byte[] content = randomBytes(100, 12);
        store.put(digestOf(content), content);

        assertThat(store.redirectFor(digestOf(content))).isEmpty();
    }

    @Test
    void aPresignedRedirectFetchesTheBlobFromTheBucket() throws Exception {
        S3BlobStore store = open(settings().withPresignedRedirects(Duration.ofMinutes(5)), cacheA);
        byte[] content = randomBytes(300_000, 13);
        Digest digest = digestOf(content);
        store.put(digest, content);

        URI url = store.redirectFor(digest).orElseThrow();
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(url.getHost()).isEqualTo("127.0.0.1");
        assertThat(url.getQuery()).contains("X-Amz-Signature=").doesNotContain(S3ProxyServer.CREDENTIALS.secretAccessKey());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(content);
        assertThat(store.redirectFor(digestOf(new byte[] {2}))).as("not stored").isEmpty();
    }

    @Test
    void aWrongSecretFailsWithAMessageThatHoldsNoSecret() throws Exception {
        String wrongSecret = "not-the-secret-" + "x".repeat(20);
        S3Settings wrong = new S3Settings(server.endpoint(), S3ProxyServer.REGION, S3ProxyServer.BUCKET, "w/", true,
                new S3Credentials(S3ProxyServer.CREDENTIALS.accessKeyId(), wrongSecret), PART, Duration.ZERO,
                Duration.ofHours(1));
        S3BlobStore store = open(wrong, cacheA);
        byte[] content = randomBytes(100, 14);

        assertThatThrownBy(store::checkReachable).isInstanceOf(IOException.class)
                .hasMessageContaining("HTTP 403").hasMessageNotContaining(wrongSecret);
        assertThatThrownBy(() -> store.put(digestOf(content), content)).isInstanceOf(IOException.class)
                .hasMessageContaining("PUT").hasMessageNotContaining(wrongSecret);
        assertThat(wrong.toString()).doesNotContain(wrongSecret);
        assertThat(store.find(digestOf(content))).isEmpty();
        assertThat(FileBlobStoreContractTest.filesUnder(cacheA)).as("nothing cached locally").isEmpty();
    }

    /** Counts S3 operations by name, as the SDK names them. */
    static final class RequestCounter implements ExecutionInterceptor {
        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            counts.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
        }

        Map<String, Integer> counts() {
            Map<String, Integer> result = new java.util.TreeMap<>();
            counts.forEach((k, v) -> result.put(k, v.get()));
            return result;
        }

        void reset() {
            counts.clear();
        }
    }
}
