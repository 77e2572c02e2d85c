package dev.cachalot.proxy;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.storage.BlobStore;
import dev.cachalot.storage.BlobStore.BlobWriter;
import dev.cachalot.upstream.UpstreamBlob;
import dev.cachalot.upstream.UpstreamClient;
import dev.cachalot.upstream.UpstreamException;
import dev.cachalot.upstream.UpstreamRequest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-flight blob downloads: however many clients ask for the same missing blob, one upstream GET fills the
 * store and every client streams from it. Downloads run on their own threads so that a client that goes away
 * does not cancel them: the next client finds the blob cached.
 *
 * <p>Engines sharing one blob store also share the download: only the engine holding the digest's
 * {@linkplain ClusterFillLease lease} asks the upstream, and the others wait until the blob is stored, then serve it from
 * the store. An engine that wins the lease of a blob still absent takes over from one that died mid-fill.
 */
final class BlobFills implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BlobFills.class);
    /**
     * Bytes read from the upstream per write to the store, and so per release to the clients streaming the fill. 2 MiB
     * rather than 512 KiB: fewer, larger socket reads, file writes and sendfile calls (and wake-ups of the sending
     * threads) per GiB. Measured with {@code ColdPathProbe}, 256 MiB cold fills, alternating builds on a loaded 2-vCPU
     * machine: engine CPU per cold GiB 1.54–1.66 against 1.64–1.92 (fill thread 0.46–0.50 against 0.56–0.84 s/GiB);
     * 128 KiB cost more, 4 MiB and 8 MiB no less and slowed the client down.
     */
    private static final int CHUNK = 2 * 1024 * 1024;
    /**
     * The chunk of downloads that start while more than {@link #LARGE_FILLS} are in flight: direct memory is bounded by
     * the heap's size by default (256 MiB with the launcher's options), and many concurrent fills with large buffers
     * could exhaust it.
     */
    private static final int SMALL_CHUNK = 512 * 1024;
    private static final int LARGE_FILLS = 8;
    /**
     * Buffers per download: one being filled from the upstream while the others wait for, or are in, the store's
     * hasher. Bounds a download's memory to {@code DEPTH * CHUNK} however far hashing lags behind.
     */
    private static final int DEPTH = 3;
    /**
     * The first write is small, so the first bytes reach clients without waiting for a whole chunk. It also keeps
     * every later chunk's write off 2 MiB boundaries: on Linux 6.18 (ext4's large folios) the first GiB written in
     * 2 MiB-aligned 2 MiB writes after an idle spell cost 5.1–6.5 CPU s instead of 0.35–0.52 on a VM that hands free
     * memory back to its host (bench/probes/splice-probe.c, decision record 0045).
     */
    private static final int FIRST_CHUNK = 32 * 1024;
    /** How long the download waits for the hasher to hand a buffer back before it gives up. */
    private static final long BUFFER_WAIT_SECONDS = 120;
    /** How often one download may be resumed after its connection broke. */
    static final int MAX_RESUMES = 3;
    private static final long RESUME_BACKOFF_MILLIS = 200;
    /** How often an engine waiting for another engine's fill looks for the stored blob, or for a free lease. */
    static final long CLUSTER_POLL_MILLIS = 200;
    /** How long clients wait for another engine's fill, as long as they wait for the upstream to start sending. */
    private static final long CLUSTER_WAIT_MINUTES = 10;

    private final ConcurrentHashMap<Digest, BlobFill> inFlight = new ConcurrentHashMap<>();
    private final BlobStore store;
    private final UpstreamClient client;
    private final DiskRoom room;
    private final long maxBlobBytes;
    private final ExecutorService downloads;
    private final ClusterFillLease leases;
    private volatile boolean closed;
    /**
     * {@link #CHUNK}-size buffers of downloads that ended, for the next download: a download's buffers are direct
     * memory, which only a garbage collection gives back, and a busy cache would otherwise allocate (and zero) a new set
     * per blob. Holds at most one download's set.
     */
    private final ArrayBlockingQueue<ByteBuffer> spare = new ArrayBlockingQueue<>(DEPTH);

    BlobFills(BlobStore store, UpstreamClient client, Path spaceProbe, long maxBlobBytes) {
        this(store, client, spaceProbe, maxBlobBytes, ClusterFillLease.SINGLE_NODE);
    }

    BlobFills(BlobStore store, UpstreamClient client, Path spaceProbe, long maxBlobBytes, ClusterFillLease leases) {
        this.leases = leases;
        this.store = store;
        this.client = client;
        this.room = new DiskRoom(spaceProbe);
        this.maxBlobBytes = maxBlobBytes;
        AtomicInteger n = new AtomicInteger();
        this.downloads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "blob-fill-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A fill and whether this caller started it (and so caused the upstream traffic). */
    record Joined(BlobFill fill, boolean started) {
    }

    /**
     * Joins the download of {@code digest}, starting it if none is in flight, and waits until the upstream answered
     * (so the size is known). {@code onStored} runs on the download thread once the verified blob is in the store.
     *
     * <p>The caller that starts a fill asks the upstream and opens the temp file itself, and only the transfer runs on
     * a download thread: the first byte of a cold blob then waits for no thread hand-over, and the transfer still
     * goes on when that caller's client goes away.
     *
     * @throws DistributionException when the upstream refused or failed before sending the blob
     */
    Joined join(Digest digest, UpstreamRequest request, Consumer<Path> onStored) {
        boolean[] created = {false};
        BlobFill fill = inFlight.computeIfAbsent(digest, d -> {
            created[0] = true;
            return new BlobFill(d);
        });
        if (created[0]) {
            start(fill, request, onStored);
        }
        try {
            // Covers a wait for another engine's fill too: a follower waits no longer than the fill's starter.
            fill.started().get(CLUSTER_WAIT_MINUTES + 1, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UpstreamException ue) throw UpstreamErrors.forBlob(ue, digest);
            if (cause instanceof DistributionException re) throw re;
            if (DiskRoom.isNoSpace(cause)) throw DiskRoom.full("blob " + digest, cause);
            throw new DistributionException(ErrorCode.UPSTREAM_UNAVAILABLE, 502,
                    "fetching blob " + digest + " from the upstream failed: " + cause.getMessage(), null, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DistributionException(ErrorCode.UPSTREAM_UNAVAILABLE, 503, "interrupted", null, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new DistributionException(ErrorCode.UPSTREAM_UNAVAILABLE, 504, "the upstream did not start sending blob " + digest, null, e);
        }
        return new Joined(fill, created[0]);
    }

    int inFlightCount() {
        return inFlight.size();
    }

    /** What {@link #start} opened for the download thread: the upstream body and the temp file it goes to. */
    private record Opened(UpstreamBlob blob, BlobWriter writer, long length, ClusterFillLease.Lease lease) {
    }

    /**
     * What a fill's starter found: the lease to fill the blob, or the blob another engine stored: this node's file of
     * it, or a copy of it to stream from the store while it arrives.
     */
    private record Claim(ClusterFillLease.Lease lease, Path stored, BlobStore.StoredCopy copy) {
    }

    /**
     * Opens the upstream body and the temp file on the caller's thread, then hands the transfer to a download thread.
     * Every failure ends in the fill (refused or failed), where {@link #join} picks it up.
     */
    private void start(BlobFill fill, UpstreamRequest request, Consumer<Path> onStored) {
        Digest digest = fill.digest();
        UpstreamBlob blob = null;
        BlobWriter writer = null;
        ClusterFillLease.Lease lease = null;
        try {
            var cached = store.find(digest);
            if (cached.isEmpty()) {
                Claim claim = claim(digest);
                if (claim.copy() != null) {
                    try {
                        checkSize(digest, claim.copy().length());
                        fill.begin(claim.copy().writer(), claim.copy().length());
                        downloads.execute(() -> transferCopy(fill, request, onStored, claim.copy()));
                    } catch (RuntimeException e) {
                        claim.copy().close();
                        throw e;
                    }
                    return;
                }
                lease = claim.lease();
                cached = Optional.ofNullable(claim.stored());
            }
            if (cached.isPresent()) {
                // Another fill, here or on another engine, finished between the caller's look-up and ours.
                startFromFile(fill, cached.get(), onStored);
                inFlight.remove(digest, fill);
                return;
            }
            blob = client.openBlob(request, digest);
            long length = blob.contentLength();
            checkSize(digest, length);
            writer = store.newWriter(digest, length);
            fill.begin(writer, length);
            Opened opened = new Opened(blob, writer, length, lease);
            downloads.execute(() -> transfer(fill, request, onStored, opened));
        } catch (RuntimeException | IOException e) {
            if (writer != null) writer.close();
            if (blob != null) blob.close();
            if (lease != null) lease.close();
            ended(fill, request, e);
        }
    }

    /**
     * The lease to fill {@code digest}, or the blob once another engine stored it. Without the lease, asks again every
     * {@link #CLUSTER_POLL_MILLIS}: the holder releases it when its fill ends, stored or not, and its database
     * session, with the lease, ends when it dies. A lease won while the blob is still absent means the holder failed
     * or died: this engine fills it.
     */
    private Claim claim(Digest digest) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(CLUSTER_WAIT_MINUTES);
        while (true) {
            Optional<ClusterFillLease.Lease> lease = tryLease(digest);
            if (lease.isPresent()) {
                // Another node's fill may have stored the blob between our look-up and the lease (an engine alone has
                // no other node: no second look-up, which costs a round trip on S3).
                boolean othersFill = leases != ClusterFillLease.SINGLE_NODE && lease.get() != NO_LEASE;
                Optional<BlobStore.StoredCopy> copy = othersFill ? store.openCopy(digest) : Optional.empty();
                if (copy.isPresent()) {
                    lease.get().close();
                    return new Claim(null, null, copy.get());
                }
                Optional<Path> stored = othersFill ? store.find(digest) : Optional.empty();
                if (stored.isEmpty()) return new Claim(lease.get(), null, null);
                lease.get().close();
                return new Claim(null, stored.get(), null);
            }
            if (store.contains(digest)) {
                // Another engine stored it: stream it from the store as this node's copy fills, rather than wait for
                // the whole copy before the first byte (a store whose blobs are local files has none to offer).
                Optional<BlobStore.StoredCopy> copy = store.openCopy(digest);
                if (copy.isPresent()) return new Claim(null, null, copy.get());
                Optional<Path> stored = store.find(digest);
                if (stored.isPresent()) return new Claim(null, stored.get(), null);
            }
            if (closed) throw new InterruptedIOException("the engine is closing");
            if (System.nanoTime() - deadline > 0) {
                throw new DistributionException(ErrorCode.UPSTREAM_UNAVAILABLE, 504,
                        "another node of this cache is still downloading blob " + digest, null, null);
            }
            try {
                Thread.sleep(CLUSTER_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("waiting for another node's download of " + digest + " interrupted");
            }
        }
    }

    /** Stands for the lease when the shared database cannot be reached: the fill goes on without it. */
    private static final ClusterFillLease.Lease NO_LEASE = () -> {
    };

    /**
     * The lease, or empty while another engine holds it. When the shared database cannot be reached, this engine fills
     * the blob without a lease: a second download of a content-addressed blob costs traffic, a refused pull costs more.
     */
    private Optional<ClusterFillLease.Lease> tryLease(Digest digest) {
        try {
            return leases.tryAcquire(digest);
        } catch (RuntimeException e) {
            log.warn("Filling blob {} without a fill lease (other nodes may download it too): {}", digest, e.getMessage());
            return Optional.of(NO_LEASE);
        }
    }

    /** The download thread's part: copies the body into the temp file (resuming broken connections), then commits. */
    private void transfer(BlobFill fill, UpstreamRequest request, Consumer<Path> onStored, Opened opened) {
        Digest digest = fill.digest();
        UpstreamBlob blob = opened.blob();
        long length = opened.length();
        Buffers buffers = new Buffers(length, inFlight.size() <= LARGE_FILLS ? CHUNK : SMALL_CHUNK, spare);
        try (ClusterFillLease.Lease lease = opened.lease(); BlobWriter writer = opened.writer()) {
            long total = 0;
            for (int resumes = 0; ; resumes++) {
                try {
                    total = copy(blob.body(), writer, buffers, fill, length, digest, total);
                    break;
                } catch (ConnectionBroke broke) {
                    total = writer.written();
                    blob.close();
                    blob = null;
                    blob = resume(request, digest, length, total, resumes, broke);
                }
            }
            if (length >= 0 && total != length) {
                throw new IOException("upstream sent " + total + " bytes of " + length);
            }
            Path file = writer.commit();
            onStored.accept(file);
            fill.complete(file);
            inFlight.remove(digest, fill);
        } catch (RuntimeException | IOException e) {
            ended(fill, request, e);
        } finally {
            buffers.retire();
            if (blob != null) blob.close();
        }
    }

    /**
     * Copies a blob another engine stored from the store into this node's copy while readers tail it, as
     * {@link #transfer} does from the upstream: the last bytes reach readers only once the copy's commit verified the
     * digest again. No resume: a read from the store that breaks fails the fill, and the clients' next request starts
     * afresh (from the copy, if it completed meanwhile, or from the store).
     */
    private void transferCopy(BlobFill fill, UpstreamRequest request, Consumer<Path> onStored, BlobStore.StoredCopy copy) {
        Digest digest = fill.digest();
        try (BlobStore.StoredCopy stored = copy) {
            long length = stored.length();
            long total;
            Buffers buffers = new Buffers(length, inFlight.size() <= LARGE_FILLS ? CHUNK : SMALL_CHUNK, spare);
            try {
                total = copy(stored.body(), stored.writer(), buffers, fill, length, digest, 0);
            } catch (ConnectionBroke broke) {
                throw new IOException("reading blob " + digest + " from the store failed: " + broke.getMessage(), broke.getCause());
            } finally {
                buffers.retire();
            }
            if (length >= 0 && total != length) {
                throw new IOException("the store sent " + total + " bytes of blob " + digest + "'s " + length);
            }
            Path file = stored.writer().commit();
            onStored.accept(file);
            fill.complete(file);
            inFlight.remove(digest, fill);
        } catch (RuntimeException | IOException e) {
            ended(fill, request, e);
        }
    }

    /** A fill that ends without its blob: tells its readers why, and lets the next request start afresh. */
    private void ended(BlobFill fill, UpstreamRequest request, Exception e) {
        Digest digest = fill.digest();
        try {
            if (e instanceof UpstreamException ue) {
                fill.refuse(ue);
            } else if (e instanceof DistributionException re) {
                fill.refuse(re);
            } else if (e instanceof BlobStore.DigestMismatchException mismatch) {
                log.warn("Blob {} from {} failed verification; nothing was cached: {}", digest, request.upstream().loginServer(), e.getMessage());
                fill.fail(mismatch);
            } else if (e instanceof IOException io) {
                log.warn("Download of blob {} from {} failed; nothing was cached: {}", digest, request.upstream().loginServer(), e.getMessage());
                fill.fail(io);
            } else {
                log.warn("Download of blob {} failed", digest, e);
                fill.fail(new IOException(e.getMessage(), e));
            }
        } finally {
            inFlight.remove(digest, fill);
        }
    }

    private void startFromFile(BlobFill fill, Path file, Consumer<Path> onStored) throws IOException {
        long size = Files.size(file);
        fill.begin(new CommittedWriter(file, size), size);
        fill.advance(size);
        onStored.accept(file);
        fill.complete(file);
    }

    /**
     * Re-opens the blob from byte {@code written} after the connection broke, appending to the same writer (whose
     * hash carries on), so readers tailing the temp file never notice. Gives up, failing the fill with the original
     * break, after {@link #MAX_RESUMES} resumes or when the upstream cannot answer the range exactly.
     */
    private UpstreamBlob resume(UpstreamRequest request, Digest digest, long length, long written, int resumesSoFar,
                                ConnectionBroke broke) throws IOException {
        IOException cause = broke.getCause() instanceof IOException io ? io : broke;
        if (resumesSoFar >= MAX_RESUMES || Thread.currentThread().isInterrupted()) throw cause;
        try {
            Thread.sleep(RESUME_BACKOFF_MILLIS * (resumesSoFar + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cause;
        }
        UpstreamBlob rest;
        try {
            rest = client.openBlob(request, digest, written);
        } catch (UpstreamException | UnsupportedOperationException e) {
            cause.addSuppressed(e);
            throw cause;
        }
        long restLength = rest.contentLength();
        if (length >= 0 && restLength >= 0 && restLength != length - written) {
            rest.close();
            cause.addSuppressed(new IOException("the upstream offered " + restLength + " bytes to resume, not " + (length - written)));
            throw cause;
        }
        log.info("Resuming download of blob {} from {} at byte {} (resume {} of {}): {}", digest,
                request.upstream().loginServer(), written, resumesSoFar + 1, MAX_RESUMES, cause.getMessage());
        return rest;
    }

    /**
     * Copies the upstream body into the writer, counting from {@code total} bytes already written. A failure to read
     * from the upstream comes out as {@link ConnectionBroke} (it may be resumed); a failure to write, such as a full
     * disk, comes out as it is. Each full buffer goes to the writer, which hashes it on its own thread and hands it
     * back, while this thread reads the next one.
     */
    private long copy(ReadableByteChannel in, BlobWriter writer, Buffers buffers, BlobFill fill, long length,
                      Digest digest, long total) throws IOException {
        boolean eof = false;
        while (!eof) {
            ByteBuffer buf = buffers.take(digest);
            if (total == 0) buf.limit(Math.min(buf.capacity(), FIRST_CHUNK));
            while (buf.hasRemaining()) {
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    buffers.give(buf);
                    // What was read into buf is dropped: the resume starts at the last byte the writer took.
                    if (Thread.currentThread().isInterrupted()) throw e;
                    throw new ConnectionBroke(e);
                }
                if (n < 0) {
                    eof = true;
                    break;
                }
            }
            if (Thread.interrupted()) throw new InterruptedIOException("download of " + digest + " interrupted");
            buf.flip();
            long next = total + buf.remaining();
            if (next > maxBlobBytes || (length >= 0 && next > length)) {
                throw new IOException("upstream sent more than " + (length >= 0 ? length : maxBlobBytes) + " bytes");
            }
            if (buf.hasRemaining()) {
                writer.writeAndRelease(buf, buffers::give);
            } else {
                buffers.give(buf);
            }
            total = next;
            fill.advance(total);
        }
        return total;
    }

    /**
     * Lets go of the spare buffers (up to {@code DEPTH} × 2 MiB of direct memory), for an idle process's collection to
     * free; the next download allocates its own.
     */
    void releaseSpareBuffers() {
        spare.clear();
    }

    /** Bytes of direct memory the spare buffers hold. */
    long spareBufferBytes() {
        long bytes = 0;
        for (ByteBuffer buf : spare) bytes += buf.capacity();
        return bytes;
    }

    /** The few reusable buffers of one download (direct: the store writes them to its file without a copy). */
    private static final class Buffers {
        private final ArrayBlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(DEPTH);
        private final ArrayBlockingQueue<ByteBuffer> spare;
        private final int size;
        private int allocated;
        /** Set when the download ended: buffers the hasher hands back later go to the spare ones directly. */
        private volatile boolean retired;

        Buffers(long length, int chunk, ArrayBlockingQueue<ByteBuffer> spare) {
            this.size = length >= 0 ? (int) Math.max(1, Math.min(chunk, length)) : chunk;
            this.spare = spare;
        }

        ByteBuffer take(Digest digest) throws IOException {
            ByteBuffer buf = free.poll();
            if (buf == null && allocated < DEPTH) {
                allocated++;
                buf = size == CHUNK ? spare.poll() : null;
                if (buf == null) buf = ByteBuffer.allocateDirect(size);
            }
            try {
                if (buf == null) buf = free.poll(BUFFER_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("download of " + digest + " interrupted");
            }
            if (buf == null) throw new IOException("hashing blob " + digest + " stalled");
            return buf.clear();
        }

        void give(ByteBuffer buf) {
            if (retired) {
                spare(buf);
            } else {
                free.offer(buf);
            }
        }

        /** Called once the download ended (its writer closed): its buffers may serve the next download. */
        void retire() {
            retired = true;
            ByteBuffer buf;
            while ((buf = free.poll()) != null) {
                spare(buf);
            }
        }

        private void spare(ByteBuffer buf) {
            if (buf.capacity() == CHUNK) spare.offer(buf);
        }
    }

    /** The upstream connection failed while the body was being read. */
    private static final class ConnectionBroke extends IOException {
        ConnectionBroke(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private void checkSize(Digest digest, long length) {
        if (length > maxBlobBytes) {
            throw new DistributionException(ErrorCode.SIZE_INVALID, 502,
                    "blob " + digest + " is " + length + " bytes, over this cache's limit of " + maxBlobBytes, null, null);
        }
        room.require(length, "blob " + digest);
    }

    @Override
    public void close() {
        closed = true;
        downloads.shutdownNow();
    }

    /** Stands in for a writer when the blob turned out to be stored already. */
    private record CommittedWriter(Path tempFile, long written) implements BlobWriter {
        @Override
        public void write(ByteBuffer src) {
            throw new IllegalStateException("already committed");
        }

        @Override
        public Path commit() {
            return tempFile;
        }

        @Override
        public void close() {
        }
    }
}
