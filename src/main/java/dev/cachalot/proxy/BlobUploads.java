package dev.cachalot.proxy;

import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.registry.UploadId;
import dev.cachalot.registry.UploadStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blob upload sessions of pushing clients. Each session's bytes go to its own temp file in the data folder's
 * {@code tmp/} (which the engine sweeps at start, so a crash leaves nothing behind); the session itself lives in
 * memory. A session is bounded in size and forgotten, with its file, after it sat idle for a while (a sweep runs
 * every so often, so the files of abandoned sessions go even when nobody starts another). One client address holds
 * only so many sessions, so a client leaking sessions blocks itself, not everyone else's pushes.
 *
 * <p>One request at a time works on a session: a second concurrent request is refused rather than queued, since
 * interleaved chunks could only corrupt the upload.
 */
final class BlobUploads implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BlobUploads.class);
    private static final int BUFFER = 256 * 1024;

    /** One daemon thread sweeps idle sessions of every instance; a sweep is a scan of at most a thousand entries. */
    private static final ScheduledExecutorService SWEEPER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "upload-expiry");
        t.setDaemon(true);
        return t;
    });

    private final Path folder;
    private final long maxUploadBytes;
    private final Duration idleExpiry;
    private final int maxOpenUploads;
    private final int maxPerClient;
    private final DiskReserve reserve;
    private final Clock clock;
    private final ConcurrentHashMap<UploadId, Upload> uploads = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> sweep;

    /** Works with the complete content of an upload. */
    @FunctionalInterface
    interface Completion<T> {
        T complete(Path file, long size) throws IOException;
    }

    BlobUploads(Path folder, long maxUploadBytes, Duration idleExpiry, int maxOpenUploads, Clock clock) {
        this(folder, maxUploadBytes, new UploadLimits(idleExpiry, maxOpenUploads, maxOpenUploads), null, clock);
    }

    /** @param reserve checked before each write, or null to write until the disk is full */
    BlobUploads(Path folder, long maxUploadBytes, UploadLimits limits, DiskReserve reserve, Clock clock) {
        this.folder = folder;
        this.maxUploadBytes = maxUploadBytes;
        this.idleExpiry = limits.idleExpiry();
        this.maxOpenUploads = limits.total();
        this.maxPerClient = limits.perClient();
        this.reserve = reserve;
        this.clock = clock;
        long period = Math.max(100, Math.min(idleExpiry.toMillis() / 2, 60_000));
        this.sweep = SWEEPER.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    /** One session: its file and how much of it is valid. */
    private static final class Upload {
        final RepositoryName name;
        final UploadId id;
        final String client;
        final Path file;
        final ReentrantLock busy = new ReentrantLock();
        volatile long size;
        volatile Instant touched;
        boolean ended;

        Upload(RepositoryName name, UploadId id, String client, Path file, Instant now) {
            this.name = name;
            this.id = id;
            this.client = client;
            this.file = file;
            this.touched = now;
        }

        UploadStatus status() {
            return new UploadStatus(name, id, size);
        }
    }

    UploadStatus start(RepositoryName name) {
        return start(name, "");
    }

    /**
     * Starts a session for {@code client} (its address). Over the per-client or the overall cap the answer is the
     * spec's TOOMANYREQUESTS (429) with a {@code Retry-After}: the refusal is about this client's rate of sessions,
     * not its rights, and clients back off and retry on 429 where DENIED would end the push.
     */
    UploadStatus start(RepositoryName name, String client) {
        String owner = client == null ? "" : client;
        expireIdle();
        if (uploads.size() >= maxOpenUploads) {
            throw new DistributionException(ErrorCode.TOOMANYREQUESTS, 429,
                    "too many blob uploads in progress; finish or cancel some first", 60L, null);
        }
        long mine = uploads.values().stream().filter(u -> u.client.equals(owner)).count();
        if (mine >= maxPerClient) {
            throw new DistributionException(ErrorCode.TOOMANYREQUESTS, 429, "this client has " + mine
                    + " blob uploads open, the most one client may; finish or cancel some first (an upload idle for "
                    + describe(idleExpiry) + " ends by itself)", 60L, null);
        }
        UploadId id = UploadId.random();
        // The id is a validated UUID: safe in a file name, and unique, so createFile never meets an old file.
        Path file = folder.resolve("upload-" + id.value() + ".part");
        try {
            Files.createDirectories(folder);
            Files.createFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create an upload file in " + folder, e);
        }
        Upload upload = new Upload(name, id, owner, file, clock.instant());
        uploads.put(id, upload);
        return upload.status();
    }

    UploadStatus status(RepositoryName name, UploadId id) {
        Upload upload = find(name, id);
        return upload.status();
    }

    /**
     * Appends {@code chunk}. With {@code rangeStart >= 0} the chunk must start where the upload ends (else 416);
     * with {@code length >= 0} it must have exactly that many bytes. On any failure the upload is left as before.
     */
    UploadStatus append(RepositoryName name, UploadId id, long rangeStart, long length, InputStream chunk) {
        Upload upload = lock(name, id);
        try {
            if (rangeStart >= 0 && rangeStart != upload.size) {
                throw new DistributionException(ErrorCode.BLOB_UPLOAD_INVALID, 416, "chunk starts at byte " + rangeStart
                        + " but the upload has " + upload.size + " bytes; send the chunk starting there", null, null);
            }
            appendLocked(upload, length, chunk);
            return upload.status();
        } finally {
            upload.touched = clock.instant();
            upload.busy.unlock();
        }
    }

    /**
     * Appends a last chunk (any length), hands the complete content to {@code completion}, then ends the session
     * whatever the completion's outcome (a failed verification leaves nothing behind). A failure while receiving the
     * last chunk keeps the session, so the client may retry.
     */
    <T> T finish(RepositoryName name, UploadId id, InputStream lastChunk, Completion<T> completion) {
        Upload upload = lock(name, id);
        try {
            appendLocked(upload, -1, lastChunk);
            try {
                return completion.complete(upload.file, upload.size);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                endLocked(upload);
            }
        } finally {
            upload.touched = clock.instant();
            upload.busy.unlock();
        }
    }

    /** Ends a session and deletes its bytes (waits for a request still writing to it). */
    void cancel(RepositoryName name, UploadId id) {
        Upload upload = find(name, id);
        upload.busy.lock();
        try {
            if (upload.ended) {
                throw unknown();
            }
            endLocked(upload);
        } finally {
            upload.busy.unlock();
        }
    }

    /** Ends every session idle for longer than the expiry (sessions with a request in progress are not idle). */
    int expireIdle() {
        Instant horizon = clock.instant().minus(idleExpiry);
        int expired = 0;
        for (Upload upload : uploads.values()) {
            if (upload.touched.isBefore(horizon) && upload.busy.tryLock()) {
                try {
                    if (!upload.ended && upload.touched.isBefore(horizon)) {
                        endLocked(upload);
                        expired++;
                    }
                } finally {
                    upload.busy.unlock();
                }
            }
        }
        if (expired > 0) {
            log.info("Expired {} blob upload(s) idle for more than {}", expired, idleExpiry);
        }
        return expired;
    }

    private void sweep() {
        try {
            expireIdle();
        } catch (RuntimeException e) {
            log.warn("Sweeping idle blob uploads failed", e);
        }
    }

    /** Sessions in progress (for tests and the status bar). */
    int openUploads() {
        return uploads.size();
    }

    @Override
    public void close() {
        sweep.cancel(false);
        for (Upload upload : uploads.values()) {
            uploads.remove(upload.id);
            deleteQuietly(upload.file);
        }
    }

    private void appendLocked(Upload upload, long length, InputStream chunk) {
        long before = upload.size;
        long received = 0;
        // A declared length that cannot fit is refused before a byte of the body is read.
        if (length >= 0 && before + length > maxUploadBytes) {
            throw tooLarge();
        }
        if (length > 0 && reserve != null) {
            reserve.requireRoomForPush(length);
        }
        try (FileChannel channel = FileChannel.open(upload.file, StandardOpenOption.WRITE)) {
            channel.position(before);
            byte[] buffer = new byte[BUFFER];
            try {
                int n;
                while ((n = chunk.read(buffer)) >= 0) {
                    if (before + received + n > maxUploadBytes) {
                        throw tooLarge();
                    }
                    if (reserve != null) {
                        reserve.requireRoomForPush(n);
                    }
                    ByteBuffer src = ByteBuffer.wrap(buffer, 0, n);
                    while (src.hasRemaining()) {
                        channel.write(src);
                    }
                    received += n;
                }
                if (length >= 0 && received != length) {
                    throw new DistributionException(ErrorCode.SIZE_INVALID, "the chunk has " + received
                            + " bytes but its Content-Range or Content-Length announced " + length);
                }
            } catch (IOException | RuntimeException e) {
                // Keep the upload as it was before this request, so the client can resend the chunk.
                channel.truncate(before);
                throw e;
            }
        } catch (IOException e) {
            throw new DistributionException(ErrorCode.BLOB_UPLOAD_INVALID, 400,
                    "the chunk could not be received completely; the upload stays at " + before + " bytes", null, e);
        }
        upload.size = before + received;
    }

    private Upload find(RepositoryName name, UploadId id) {
        Upload upload = uploads.get(id);
        if (upload == null || !upload.name.equals(name)) {
            throw unknown();
        }
        if (upload.touched.isBefore(clock.instant().minus(idleExpiry)) && !upload.busy.isLocked()) {
            expireIdle();
            throw unknown();
        }
        return upload;
    }

    private Upload lock(RepositoryName name, UploadId id) {
        Upload upload = find(name, id);
        if (!upload.busy.tryLock()) {
            throw new DistributionException(ErrorCode.BLOB_UPLOAD_INVALID,
                    "another request is writing to this upload; send chunks one after the other");
        }
        if (upload.ended) {
            upload.busy.unlock();
            throw unknown();
        }
        return upload;
    }

    private void endLocked(Upload upload) {
        upload.ended = true;
        uploads.remove(upload.id, upload);
        deleteQuietly(upload.file);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("Cannot delete upload file {}: {}", file.getFileName(), e.getMessage());
        }
    }

    private DistributionException tooLarge() {
        return new DistributionException(ErrorCode.SIZE_INVALID, 413,
                "the blob is larger than this registry accepts (" + maxUploadBytes + " bytes)", null, null);
    }

    private static String describe(Duration duration) {
        return duration.toMinutes() >= 1 ? duration.toMinutes() + " minutes" : duration.toSeconds() + " seconds";
    }

    private static DistributionException unknown() {
        return new DistributionException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "blob upload unknown: it was finished, cancelled or expired");
    }
}
