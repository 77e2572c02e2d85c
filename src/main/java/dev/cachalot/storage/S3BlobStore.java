package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * {@link BlobStore} on an S3-compatible object store, shared by every engine of a cluster, with this node's data folder
 * as a cache of the blobs it wrote or served. The bucket is the truth; the local files are a cache this node can lose.
 *
 * <p>Keys: {@code <prefix>blobs/<algorithm>/<hex>}. A blob is uploaded <em>to its content address</em> while it
 * streams in, as a multipart upload (parts of {@link S3Settings#partSize()}); S3 shows no object under a key until the
 * upload is completed, and the store completes it only after the digest was verified, so nothing unverified is ever
 * visible, and a mismatch aborts the upload. A blob no larger than one part is sent with one PUT after verification.
 * Completion and PUT carry {@code If-None-Match: *}: a second writer of the same content finds it stored instead of
 * rewriting it. Why not a temporary key and a server-side copy: docs/decisions/0014-s3-blob-store.md.
 *
 * <p>The registry serves files ({@link #find} returns a {@link Path}, sent with sendfile), so a blob stored in the bucket
 * but not on this node is downloaded into the local cache on first {@link #find}, verified again on the way (a
 * corrupted object is never served), with concurrent finds of one digest sharing one download. Writers fill a local
 * temp file as the file store does (readers tail it while the blob arrives) and upload parts from that file on
 * background threads, so a slow bucket never holds up the download from the upstream.
 *
 * <p>Credentials never appear in logs or exception messages (see {@link S3Credentials}, {@link S3Failures}).
 */
public final class S3BlobStore implements BlobStore, BlobHousekeeping, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(S3BlobStore.class);

    /** Parts of all writers uploaded at once: each holds one connection and reads its part from the temp file. */
    private static final int PART_UPLOADERS = 4;
    private static final int DOWNLOAD_CHUNK = 1024 * 1024;

    private final S3Settings settings;
    private final FileBlobStore local;
    /** The bound on {@link #local}'s copies of bucket objects. */
    private final LocalCopies copies;
    private final S3Client s3;
    private final S3Presigner presigner;
    private final ExecutorService uploaders;
    private final ConcurrentHashMap<Digest, CompletableFuture<Optional<Path>>> downloads = new ConcurrentHashMap<>();

    /**
     * @param settings where the bucket is
     * @param cache    this node's data folder: its {@code blobs/} and {@code tmp/} hold the local copies and temp files
     */
    public S3BlobStore(S3Settings settings, DataFolder cache) {
        this(settings, cache, List.of());
    }

    /** With interceptors that see every S3 call: tests count requests per blob with them. */
    S3BlobStore(S3Settings settings, DataFolder cache, List<ExecutionInterceptor> interceptors) {
        this.settings = settings;
        this.local = new FileBlobStore(cache);
        try {
            this.copies = new LocalCopies(local, settings.localCopiesBytes());
        } catch (IOException e) {
            throw new StorageException("cannot list the local copies of bucket blobs in " + cache.blobs() + ": " + e.getMessage(), e);
        }
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(
                settings.credentials().accessKeyId(), settings.credentials().secretAccessKey()));
        S3Configuration addressing = S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build();
        this.s3 = S3Client.builder()
                .endpointOverride(settings.endpoint())
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(addressing)
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.executionInterceptors(interceptors))
                // The blob's digest is the checksum that counts, and it is checked on both sides; the SDK's default
                // CRC trailers also need chunked uploads that not every S3-compatible server accepts.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
        this.presigner = S3Presigner.builder()
                .endpointOverride(settings.endpoint())
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(addressing)
                .build();
        AtomicInteger n = new AtomicInteger();
        this.uploaders = Executors.newFixedThreadPool(PART_UPLOADERS, r -> {
            Thread t = new Thread(r, "s3-part-upload-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Local copies for which {@code beingRead} is true are never deleted to keep within
     * {@link S3Settings#localCopiesBytes()}: the engine passes its read marks.
     */
    public void keepLocalCopiesOf(java.util.function.Predicate<Digest> beingRead) {
        copies.keep(beingRead);
    }

    /** Bytes of local copies of bucket blobs this node holds now. */
    public long localCopiesBytes() {
        return copies.bytes();
    }

    /** The settings, for the wiring's log line (their credentials print without the secret). */
    public S3Settings settings() {
        return settings;
    }

    /**
     * Checks that the bucket answers with these credentials: a HEAD of the bucket, so a wrong endpoint, bucket or key
     * fails at start with a clear message instead of on the first pull.
     */
    public void checkReachable() throws IOException {
        try {
            s3.headBucket(b -> b.bucket(settings.bucket()));
        } catch (SdkException e) {
            throw S3Failures.of("check of bucket " + settings.bucket() + " at " + settings.endpoint(), e);
        }
    }

    String keyOf(Digest digest) {
        return blobsPrefix() + digest.algorithm() + "/" + digest.hex();
    }

    private String blobsPrefix() {
        return settings.prefix() + "blobs/";
    }

    /** The digest a key stands for, or null for keys that are not well-placed blobs. */
    private Digest digestOfKey(String key) {
        String rest = key.substring(blobsPrefix().length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return null;
        }
        try {
            return new Digest(rest.substring(0, slash), rest.substring(slash + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ reading

    @Override
    public Optional<Path> find(Digest digest) {
        Optional<Path> cached = copies.find(digest);
        if (cached.isPresent()) {
            return cached;
        }
        CompletableFuture<Optional<Path>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<Path>> running = downloads.putIfAbsent(digest, mine);
        if (running != null) {
            return running.join();
        }
        try {
            Optional<Path> result = download(digest);
            mine.complete(result);
            return result;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            downloads.remove(digest, mine);
        }
    }

    /**
     * Copies the object into the local cache, verifying its digest; empty when it is not in the bucket, or when it
     * cannot be had (the caller then treats the blob as missing, and a pull-through fetches it again).
     */
    private Optional<Path> download(Digest digest) {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(settings.bucket()).key(keyOf(digest)));
             BlobWriter writer = local.newWriter(digest, sizeOf(in.response()))) {
            byte[] chunk = new byte[DOWNLOAD_CHUNK];
            int n;
            while ((n = in.read(chunk)) != -1) {
                writer.write(ByteBuffer.wrap(chunk, 0, n));
            }
            Path copy = writer.commit();
            copies.added(digest, writer.written());
            return Optional.of(copy);
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (DigestMismatchException e) {
            log.error("The object of {} in bucket {} does not have that digest; not serving it: {}", digest,
                    settings.bucket(), e.getMessage());
            return Optional.empty();
        } catch (SdkException e) {
            log.warn("Cannot fetch {} from the bucket: {}", digest, S3Failures.describe("GET", e));
            return Optional.empty();
        } catch (IOException e) {
            log.warn("Cannot fetch {} from the bucket into the local cache: {}", digest, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The object as a stream into a new local copy (counted as one once committed), for callers that serve it while it
     * arrives; empty when this node has a copy already, or when the bucket does not have the blob or cannot be read
     * (the caller then falls back to {@link #find}).
     */
    @Override
    public Optional<StoredCopy> openCopy(Digest digest) throws IOException {
        if (local.contains(digest)) return Optional.empty();
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = s3.getObject(b -> b.bucket(settings.bucket()).key(keyOf(digest)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            log.warn("Cannot fetch {} from the bucket: {}", digest, S3Failures.describe("GET", e));
            return Optional.empty();
        }
        long length = sizeOf(in.response());
        BlobWriter writer;
        try {
            writer = new CountedCopy(local.newWriter(digest, length), digest);
        } catch (IOException | RuntimeException e) {
            in.abort();
            throw e;
        }
        java.nio.channels.ReadableByteChannel body = java.nio.channels.Channels.newChannel(in);
        return Optional.of(new StoredCopy() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public java.nio.channels.ReadableByteChannel body() {
                return body;
            }

            @Override
            public BlobWriter writer() {
                return writer;
            }

            @Override
            public void close() {
                writer.close();
                in.abort(); // a body read to its end is closed by the abort as well; one cut short is not drained
            }
        });
    }

    private static long sizeOf(GetObjectResponse response) {
        Long length = response.contentLength();
        return length == null ? -1 : length;
    }

    /** In the bucket (or the local cache, which holds only what the bucket had): one HEAD, no download. */
    @Override
    public boolean contains(Digest digest) {
        if (local.contains(digest)) {
            return true;
        }
        try {
            return head(digest).isPresent();
        } catch (IOException e) {
            log.warn("{}", e.getMessage());
            return false;
        }
    }

    /** The object's size and time of writing, if it is in the bucket. */
    private Optional<StoredBlob> head(Digest digest) throws IOException {
        try {
            var response = s3.headObject(b -> b.bucket(settings.bucket()).key(keyOf(digest)));
            return Optional.of(new StoredBlob(digest, response.contentLength(), response.lastModified()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            if (S3Failures.isStatus(e, 404)) {
                return Optional.empty();
            }
            throw S3Failures.of("HEAD of " + digest, e);
        }
    }

    @Override
    public Optional<byte[]> read(Digest digest) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Optional<Path> file = find(digest);
            if (file.isEmpty()) return Optional.empty();
            try {
                return Optional.of(Files.readAllBytes(file.get()));
            } catch (java.nio.file.NoSuchFileException e) {
                // The local copy was evicted between finding and reading it: the bucket still has the blob.
                if (attempt > 0) throw e;
            }
        }
    }

    /**
     * Reads {@code length} bytes of the stored object from {@code offset} straight from the bucket (a ranged GET),
     * without going through the local cache; empty if not stored. The caller closes the stream.
     */
    public Optional<InputStream> openRange(Digest digest, long offset, long length) throws IOException {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("a range needs offset >= 0 and length > 0, not " + offset + "+" + length);
        }
        String range = "bytes=" + offset + "-" + (offset + length - 1);
        try {
            return Optional.of(s3.getObject(b -> b.bucket(settings.bucket()).key(keyOf(digest)).range(range)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw S3Failures.of("ranged GET of " + digest, e);
        }
    }

    /**
     * A presigned GET URL of the stored blob, valid for {@link S3Settings#presignedRedirects()}, when redirects are on
     * and the bucket has the blob; empty otherwise (the engine then serves the blob itself).
     */
    @Override
    public Optional<URI> redirectFor(Digest digest) {
        if (settings.presignedRedirects().isZero()) {
            return Optional.empty();
        }
        try {
            if (head(digest).isEmpty()) {
                return Optional.empty();
            }
        } catch (IOException e) {
            log.warn("{}", e.getMessage());
            return Optional.empty();
        }
        var presigned = presigner.presignGetObject(p -> p.signatureDuration(settings.presignedRedirects())
                .getObjectRequest(g -> g.bucket(settings.bucket()).key(keyOf(digest))));
        try {
            return Optional.of(presigned.url().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("the SDK presigned a URL that is no URI", e);
        }
    }

    // ------------------------------------------------------------------ writing

    @Override
    public BlobWriter newWriter(Digest digest) throws IOException {
        return newWriter(digest, -1);
    }

    @Override
    public BlobWriter newWriter(Digest digest, long expectedSize) throws IOException {
        BlobWriter file = local.newWriter(digest, expectedSize);
        BlobWriter upload = new S3BlobWriter(s3, settings.bucket(), keyOf(digest), settings.partSize(), uploaders, digest, file, local);
        return new CountedCopy(upload, digest);
    }

    /** A writer whose local file becomes a counted copy once the bucket has the blob (and not before: see LocalCopies). */
    private final class CountedCopy implements BlobWriter {
        private final BlobWriter upload;
        private final Digest digest;

        CountedCopy(BlobWriter upload, Digest digest) {
            this.upload = upload;
            this.digest = digest;
        }

        @Override
        public Path tempFile() {
            return upload.tempFile();
        }

        @Override
        public void write(ByteBuffer src) throws IOException {
            upload.write(src);
        }

        @Override
        public void writeAndRelease(ByteBuffer src, java.util.function.Consumer<ByteBuffer> release) throws IOException {
            upload.writeAndRelease(src, release);
        }

        @Override
        public long written() {
            return upload.written();
        }

        @Override
        public Path commit() throws IOException {
            Path stored = upload.commit();
            copies.added(digest, upload.written());
            return stored;
        }

        @Override
        public void close() {
            upload.close();
        }
    }

    @Override
    public void put(Digest digest, byte[] content) throws IOException {
        if (contains(digest)) {
            return;
        }
        try (BlobWriter writer = newWriter(digest)) {
            writer.write(ByteBuffer.wrap(content));
            writer.commit();
        }
    }

    // ------------------------------------------------------------------ housekeeping

    @Override
    public void forEachBlob(BlobVisitor visitor) throws IOException {
        ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(settings.bucket()).prefix(blobsPrefix()).build();
        try {
            for (var page : s3.listObjectsV2Paginator(request)) {
                for (S3Object object : page.contents()) {
                    Digest digest = digestOfKey(object.key());
                    if (digest != null) {
                        visitor.visit(new StoredBlob(digest, object.size(), object.lastModified()));
                    }
                }
            }
        } catch (SdkException e) {
            throw S3Failures.of("listing of " + blobsPrefix(), e);
        }
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
        boolean inBucket = head(digest).isPresent();
        if (inBucket) {
            try {
                s3.deleteObject(b -> b.bucket(settings.bucket()).key(keyOf(digest)));
            } catch (SdkException e) {
                throw S3Failures.of("DELETE of " + digest, e);
            }
        }
        copies.removed(digest);
        return local.delete(digest) | inBucket;
    }

    /**
     * Removes this node's temp files (all of them: call at start) and aborts the bucket's multipart uploads under the
     * prefix that were started more than {@link S3Settings#abandonedUploadsAge()} ago: younger ones may belong to
     * other nodes, still filling.
     */
    @Override
    public int sweepTemp() throws IOException {
        return local.sweepTemp() + abortUploadsOlderThan(Instant.now().minus(settings.abandonedUploadsAge()));
    }

    /** Aborts the unfinished multipart uploads under the prefix started before {@code cutoff}; returns how many. */
    public int abortUploadsOlderThan(Instant cutoff) throws IOException {
        int aborted = 0;
        try {
            String keyMarker = null;
            String uploadIdMarker = null;
            while (true) {
                String km = keyMarker;
                String um = uploadIdMarker;
                ListMultipartUploadsResponse page = s3.listMultipartUploads(b -> b.bucket(settings.bucket())
                        .prefix(settings.prefix()).keyMarker(km).uploadIdMarker(um));
                for (MultipartUpload upload : page.uploads()) {
                    if (upload.initiated() == null || !upload.initiated().isAfter(cutoff)) {
                        abort(upload.key(), upload.uploadId());
                        aborted++;
                    }
                }
                if (!Boolean.TRUE.equals(page.isTruncated())) {
                    break;
                }
                keyMarker = page.nextKeyMarker();
                uploadIdMarker = page.nextUploadIdMarker();
            }
        } catch (SdkException e) {
            throw S3Failures.of("listing of unfinished uploads", e);
        }
        if (aborted > 0) {
            log.info("Aborted {} unfinished upload(s) to the bucket", aborted);
        }
        return aborted;
    }

    private void abort(String key, String uploadId) {
        S3BlobWriter.abort(s3, settings.bucket(), key, uploadId);
    }

    @Override
    public void close() {
        uploaders.shutdownNow();
        presigner.close();
        s3.close();
    }
}
