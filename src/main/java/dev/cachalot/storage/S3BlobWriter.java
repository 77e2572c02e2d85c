package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import dev.cachalot.storage.BlobStore.BlobWriter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * One blob on its way into the bucket, for {@link S3BlobStore}: the bytes go to a local temp file (which readers
 * tail), and every full part is uploaded from that file on an uploader thread while the writer thread goes on
 * receiving. The upload is to the blob's content address and is completed only after {@link #commit()} verified the
 * digest; anything else aborts it. Single writer thread.
 */
final class S3BlobWriter implements BlobWriter {
    private static final Logger log = LoggerFactory.getLogger(S3BlobWriter.class);

    private final S3Client s3;
    private final String bucket;
    private final long partSize;
    private final ExecutorService uploaders;
    private final FileBlobStore local;
    private final Digest digest;
    private final BlobWriter file;
    private final String key;
    /** The temp file read by part uploads; positional reads keep working after commit moves the file. */
    private final FileChannel source;
    private final List<Future<CompletedPart>> parts = new ArrayList<>();
    /** Null until the first full part: a blob smaller than a part never starts a multipart upload. */
    private String uploadId;
    /** Bytes handed to part uploads so far. */
    private long partsEnd;
    private boolean finished;
    /** Set before aborting: part uploads not yet begun then skip their request. */
    private volatile boolean abandoned;

    /**
     * @param key       the blob's content address in {@code bucket}
     * @param uploaders the threads that send parts, shared by the store's writers
     * @param file      the local writer whose temp file the parts are read from
     * @param local     the store {@code file} belongs to: its copy is dropped when the bucket refuses the blob
     */
    S3BlobWriter(S3Client s3, String bucket, String key, long partSize, ExecutorService uploaders, Digest digest,
                 BlobWriter file, FileBlobStore local) throws IOException {
        this.s3 = s3;
        this.bucket = bucket;
        this.partSize = partSize;
        this.uploaders = uploaders;
        this.local = local;
        this.digest = digest;
        this.file = file;
        this.key = key;
        try {
            this.source = FileChannel.open(file.tempFile(), StandardOpenOption.READ);
        } catch (IOException e) {
            file.close();
            throw e;
        }
    }

    @Override
    public Path tempFile() {
        return file.tempFile();
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
        file.write(src);
        uploadFullParts();
    }

    @Override
    public void writeAndRelease(ByteBuffer src, Consumer<ByteBuffer> release) throws IOException {
        file.writeAndRelease(src, release);
        uploadFullParts();
    }

    @Override
    public long written() {
        return file.written();
    }

    private void uploadFullParts() throws IOException {
        // Strictly more than a part: a blob of exactly one part may be complete now, and is then one PUT.
        while (file.written() - partsEnd > partSize) {
            uploadPart(partsEnd, partSize);
            partsEnd += partSize;
        }
    }

    private void uploadPart(long offset, long length) throws IOException {
        if (uploadId == null) {
            try {
                uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
            } catch (SdkException e) {
                throw S3Failures.of("start of the upload of " + digest, e);
            }
        }
        int partNumber = parts.size() + 1;
        String id = uploadId;
        parts.add(uploaders.submit(() -> {
            if (abandoned) {
                return null;
            }
            RequestBody body = RequestBody.fromContentProvider(() -> new FileRangeInputStream(source, offset, length),
                    length, "application/octet-stream");
            try {
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id)
                        .partNumber(partNumber).contentLength(length), body).eTag();
                return CompletedPart.builder().partNumber(partNumber).eTag(etag).build();
            } catch (SdkException e) {
                throw S3Failures.of("upload of part " + partNumber + " of " + digest, e);
            }
        }));
    }

    @Override
    public Path commit() throws IOException {
        if (finished) {
            throw new IOException("blob writer for " + digest + " is already closed");
        }
        finished = true;
        Path stored;
        try {
            // Verifies the digest; a mismatch throws here and nothing below reaches the bucket.
            stored = file.commit();
        } catch (IOException | RuntimeException e) {
            abandonUpload();
            closeSource();
            throw e;
        }
        try {
            long size = file.written();
            if (uploadId == null) {
                putWhole(stored, size);
            } else {
                if (size > partsEnd) {
                    uploadPart(partsEnd, size - partsEnd);
                    partsEnd = size;
                }
                completeUpload();
            }
            return stored;
        } catch (IOException | RuntimeException e) {
            abandonUpload();
            // Not in the bucket means not stored: other nodes could never see it, and the collector lists the
            // bucket, so a local copy would linger unaccounted.
            local.delete(digest);
            throw e;
        } finally {
            closeSource();
        }
    }

    private void putWhole(Path stored, long size) throws IOException {
        try {
            s3.putObject(b -> b.bucket(bucket).key(key).contentLength(size).ifNoneMatch("*"),
                    RequestBody.fromFile(stored));
        } catch (SdkException e) {
            if (!alreadyStored(e)) {
                throw S3Failures.of("PUT of " + digest, e);
            }
        }
    }

    private void completeUpload() throws IOException {
        List<CompletedPart> done = new ArrayList<>();
        for (Future<CompletedPart> part : parts) {
            done.add(await(part));
        }
        done.sort(Comparator.comparing(CompletedPart::partNumber));
        try {
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(done)).ifNoneMatch("*"));
            uploadId = null;
        } catch (SdkException e) {
            if (!alreadyStored(e)) {
                throw S3Failures.of("completion of the upload of " + digest, e);
            }
        }
    }

    private CompletedPart await(Future<CompletedPart> part) throws IOException {
        try {
            return part.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while uploading " + digest);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("upload of " + digest + " failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Whether a refused conditional write means another writer stored the same content first: 412 when the key
     * exists; 409 when another conditional write to it was in progress (S3 asks to retry, and a retry would find
     * the key). Either way the verified content is there, or about to be.
     */
    private boolean alreadyStored(SdkException e) {
        return S3Failures.isStatus(e, 412) || S3Failures.isStatus(e, 409);
    }

    /** Stops part uploads not yet started, waits for running ones, and aborts the upload: nothing stays behind. */
    private void abandonUpload() {
        if (uploadId == null) {
            return;
        }
        // Not Future.cancel: a cancelled part that is already sending goes on, and would land after the abort.
        abandoned = true;
        for (Future<CompletedPart> part : parts) {
            try {
                part.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException e) {
                // Its failure does not matter any more: the upload is aborted below.
            }
        }
        abort(s3, bucket, key, uploadId);
        uploadId = null;
    }

    private void closeSource() {
        try {
            source.close();
        } catch (IOException e) {
            log.debug("closing the upload source of {} failed", digest, e);
        }
    }

    @Override
    public void close() {
        if (!finished) {
            finished = true;
            abandonUpload();
            closeSource();
        }
        file.close();
    }

    /** Aborts an unfinished upload; one that is gone already is fine, other failures are logged (housekeeping retries). */
    static void abort(S3Client s3, String bucket, String key, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            if (!S3Failures.isStatus(e, 404)) {
                log.warn("{}", S3Failures.describe("abort of an unfinished upload", e));
            }
        }
    }
}
