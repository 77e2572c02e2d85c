package dev.cachalot.proxy;

import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.registry.UploadId;
import dev.cachalot.registry.UploadSink;
import dev.cachalot.registry.UploadStatus;
import java.io.IOException;
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
 * interleaved chunks could only corrupt the upload. A request holds its session from the moment its
 * {@link UploadSink} opens until the sink completes or aborts, while its body arrives piece by piece on whichever
 * thread the network delivers it on; so the hold is a flag of the session, not a lock of a thread.
 */
final class BlobUploads implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BlobUploads.class);
    /**
     * Free space is read (a {@code statfs}) once per this many bytes written, not for every piece of a body, which the
     * network may deliver in pieces of a few KiB.
     */
    private static final long RESERVE_CHECK_BYTES = 256 * 1024;

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

    /**
     * One session: its file and how much of it is valid. {@code writing} and {@code ended} change under the session's
     * monitor, held only for the change itself, never while a body arrives.
     */
    private final class Upload {
        final RepositoryName name;
        final UploadId id;
        final String client;
        final Path file;
        volatile long size;
        volatile Instant touched;
        private boolean writing;
        private boolean ended;

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

        /** Takes the session for one request; refuses when another request holds it or it has ended. */
        synchronized void hold() {
            if (ended) {
                throw unknown();
            }
            if (writing) {
                throw new DistributionException(ErrorCode.BLOB_UPLOAD_INVALID,
                        "another request is writing to this upload; send chunks one after the other");
            }
            writing = true;
        }

        /** Gives the session back; deletes its file when it was cancelled meanwhile. */
        void release() {
            touched = clock.instant();
            boolean endedMeanwhile;
            synchronized (this) {
                writing = false;
                endedMeanwhile = ended;
            }
            if (endedMeanwhile) {
                deleteQuietly(file);
            }
        }

        synchronized boolean isWriting() {
            return writing;
        }

        synchronized boolean hasEnded() {
            return ended;
        }

        /**
         * Ends the session unless it ended already (false then). The file goes now, or, while a request still writes
         * to it, when that request releases the session.
         */
        boolean end() {
            boolean deleteNow;
            synchronized (this) {
                if (ended) return false;
                ended = true;
                deleteNow = !writing;
            }
            uploads.remove(id, this);
            if (deleteNow) {
                deleteQuietly(file);
            }
            return true;
        }

        /** Ends the session if nobody writes to it and it was last touched before {@code horizon}. */
        boolean endIfIdleSince(Instant horizon) {
            synchronized (this) {
                if (writing || ended || !touched.isBefore(horizon)) return false;
                ended = true;
            }
            uploads.remove(id, this);
            deleteQuietly(file);
            return true;
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
     * Opens a sink for a chunk. With {@code rangeStart >= 0} the chunk must start where the upload ends (else 416);
     * with {@code length >= 0} it must have exactly that many bytes. On any failure the upload is left as before.
     */
    UploadSink<UploadStatus> append(RepositoryName name, UploadId id, long rangeStart, long length) {
        Upload upload = hold(name, id);
        try {
            if (rangeStart >= 0 && rangeStart != upload.size) {
                throw new DistributionException(ErrorCode.BLOB_UPLOAD_INVALID, 416, "chunk starts at byte " + rangeStart
                        + " but the upload has " + upload.size + " bytes; send the chunk starting there", null, null);
            }
            return new Receiving<>(upload, length, false, (file, size) -> upload.status());
        } catch (RuntimeException e) {
            upload.release();
            throw e;
        }
    }

    /**
     * Opens a sink for a last chunk (any length). Once it is in, the sink hands the complete content to
     * {@code completion}, then ends the session whatever the completion's outcome (a failed verification leaves
     * nothing behind). A last chunk that breaks off keeps the session, so the client may retry.
     */
    <T> UploadSink<T> finish(RepositoryName name, UploadId id, Completion<T> completion) {
        Upload upload = hold(name, id);
        try {
            return new Receiving<>(upload, -1, true, completion);
        } catch (RuntimeException e) {
            upload.release();
            throw e;
        }
    }

    /**
     * Ends a session and deletes its bytes. A request still writing to it keeps writing to a file that is deleted
     * when it ends, and a finish then finds the session unknown.
     */
    void cancel(RepositoryName name, UploadId id) {
        Upload upload = find(name, id);
        if (!upload.end()) {
            throw unknown();
        }
    }

    /** Ends every session idle for longer than the expiry (sessions with a request in progress are not idle). */
    int expireIdle() {
        Instant horizon = clock.instant().minus(idleExpiry);
        int expired = 0;
        for (Upload upload : uploads.values()) {
            if (upload.endIfIdleSince(horizon)) {
                expired++;
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

    /**
     * One request's body on its way into a session's file. Each piece is checked against the size limit and the disk
     * reserve before it is written; a refused or broken body is cut off the file again, so the upload keeps the bytes
     * it had before the request. Calls come one at a time but from different threads, hence synchronized.
     */
    private final class Receiving<T> implements UploadSink<T> {
        private final Upload upload;
        private final long before;
        private final long declared;
        private final boolean endsSession;
        private final Completion<T> completion;
        private final FileChannel channel;
        private long received;
        private long unchecked;
        private boolean settled;

        /**
         * @param declared    the body's announced length, or -1
         * @param endsSession whether the session ends once the body is in (the last chunk) or goes on (a chunk)
         * @param completion  what the request answers once the body is in
         */
        Receiving(Upload upload, long declared, boolean endsSession, Completion<T> completion) {
            this.upload = upload;
            this.before = upload.size;
            this.declared = declared;
            this.endsSession = endsSession;
            this.completion = completion;
            // A declared length that cannot fit is refused before a byte of the body is read.
            if (declared >= 0 && before + declared > maxUploadBytes) {
                throw tooLarge();
            }
            if (declared > 0 && reserve != null) {
                reserve.requireRoomForPush(declared);
                // Room for the declared length is known: the body's first bytes draw on it before free space is read again.
                unchecked = -declared;
            }
            this.channel = openAt(upload.file, before);
        }

        private static FileChannel openAt(Path file, long position) {
            FileChannel opened = null;
            try {
                opened = FileChannel.open(file, StandardOpenOption.WRITE);
                opened.position(position);
                return opened;
            } catch (IOException e) {
                if (opened != null) {
                    try {
                        opened.close();
                    } catch (IOException ignored) {
                        // the open already failed; that is what the client hears about
                    }
                }
                throw new UncheckedIOException("cannot open the upload file " + file.getFileName(), e);
            }
        }

        @Override
        public synchronized void write(ByteBuffer bytes) {
            if (settled) {
                throw new IllegalStateException("the upload's body was already completed or aborted");
            }
            int n = bytes.remaining();
            if (before + received + n > maxUploadBytes) {
                throw tooLarge();
            }
            unchecked += n;
            if (reserve != null && unchecked > 0 && (received == 0 || unchecked >= RESERVE_CHECK_BYTES)) {
                reserve.requireRoomForPush(unchecked);
                unchecked = 0;
            }
            try {
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            } catch (IOException e) {
                throw notReceived(e);
            }
            received += n;
        }

        @Override
        public synchronized T complete() {
            if (settled) {
                throw new IllegalStateException("the upload's body was already completed or aborted");
            }
            if (declared >= 0 && received != declared) {
                abort();
                throw new DistributionException(ErrorCode.SIZE_INVALID, "the chunk has " + received
                        + " bytes but its Content-Range or Content-Length announced " + declared);
            }
            try {
                channel.close();
            } catch (IOException e) {
                abort();
                throw notReceived(e);
            }
            settled = true;
            upload.size = before + received;
            try {
                if (endsSession && upload.hasEnded()) {
                    throw unknown();
                }
                return completion.complete(upload.file, upload.size);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                if (endsSession) {
                    upload.end();
                }
                upload.release();
            }
        }

        @Override
        public synchronized void abort() {
            if (settled) return;
            settled = true;
            try (channel) {
                // Keep the upload as it was before this request, so the client can resend the chunk.
                channel.truncate(before);
            } catch (IOException e) {
                log.warn("Cannot cut upload file {} back to {} bytes: {}", upload.file.getFileName(), before, e.getMessage());
            } finally {
                upload.release();
            }
        }

        private DistributionException notReceived(IOException cause) {
            return new DistributionException(ErrorCode.BLOB_UPLOAD_INVALID, 400,
                    "the chunk could not be received completely; the upload stays at " + before + " bytes", null, cause);
        }
    }

    private Upload find(RepositoryName name, UploadId id) {
        Upload upload = uploads.get(id);
        if (upload == null || !upload.name.equals(name)) {
            throw unknown();
        }
        if (upload.touched.isBefore(clock.instant().minus(idleExpiry)) && !upload.isWriting()) {
            expireIdle();
            throw unknown();
        }
        return upload;
    }

    private Upload hold(RepositoryName name, UploadId id) {
        Upload upload = find(name, id);
        upload.hold();
        return upload;
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
