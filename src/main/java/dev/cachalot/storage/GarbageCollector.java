package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes blobs that no repository references any more: the marks are the digests the metadata links as blobs or
 * holds as manifests ({@link BlobReferences}); the sweep lists the blob store ({@link BlobHousekeeping}) and deletes
 * unmarked blobs committed before a grace period.
 *
 * <p>The grace period protects a blob that was just committed but whose link is not recorded yet. A blob that is
 * re-linked by a concurrent pull between the check and the delete can still be lost; for cached repositories the
 * next pull fetches it again, so run collection when pulls are quiet (the engine does it at start or on request).
 *
 * <p>Engines sharing one database and blob store {@linkplain #guardedBy guard} each deletion with the digest's fill
 * lease: a blob whose lease another fill holds is left alone, and the references are checked again under the lease,
 * so a fill that stored and linked the blob meanwhile keeps it.
 *
 * <p>A collector {@linkplain #sparing sparing} {@link BlobReads} leaves alone an unreferenced blob that any engine is
 * serving (a slow client still streaming an image whose tag was just deleted): it is kept, counted as
 * {@link Result#keptBeingRead()}, and deleted by the first collection after the last read ended.
 */
public final class GarbageCollector {

    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);
    private static final int CHUNK = 1_000;

    /**
     * What one collection did (or, for a dry run, would do).
     *
     * @param examined      blobs listed
     * @param deleted       unreferenced blobs deleted (a dry run: that would be deleted)
     * @param bytesFreed    their bytes
     * @param keptRecent    unreferenced or not, committed within the grace period: not considered
     * @param keptBeingRead unreferenced, but some engine was serving them: kept for a later collection
     */
    public record Result(int examined, int deleted, long bytesFreed, int keptRecent, int keptBeingRead) {
        public Result(int examined, int deleted, long bytesFreed) {
            this(examined, deleted, bytesFreed, 0, 0);
        }
    }

    private final BlobHousekeeping blobs;
    private final BlobReferences references;
    private final Duration grace;
    private final Clock clock;
    /** Null for an engine alone. */
    private final FillLeases leases;
    /** Null: no engine's reads are looked at. */
    private final BlobReads reads;

    public GarbageCollector(BlobHousekeeping blobs, BlobReferences references, Duration grace, Clock clock) {
        this(blobs, references, grace, clock, null, null);
    }

    private GarbageCollector(BlobHousekeeping blobs, BlobReferences references, Duration grace, Clock clock,
                             FillLeases leases, BlobReads reads) {
        if (grace.isNegative()) throw new IllegalArgumentException("the grace period must not be negative");
        this.blobs = blobs;
        this.references = references;
        this.grace = grace;
        this.clock = clock;
        this.leases = leases;
        this.reads = reads;
    }

    /** The same collector, deleting a blob only under its fill lease (for engines sharing a database). */
    public GarbageCollector guardedBy(FillLeases fillLeases) {
        return new GarbageCollector(blobs, references, grace, clock, fillLeases, reads);
    }

    /** The same collector, keeping the blobs that {@code blobReads} says some engine is serving. */
    public GarbageCollector sparing(BlobReads blobReads) {
        return new GarbageCollector(blobs, references, grace, clock, leases, blobReads);
    }

    /** How long after its commit a blob is safe from collection, referenced or not. */
    public Duration grace() {
        return grace;
    }

    public GarbageCollector(BlobHousekeeping blobs, BlobReferences references) {
        this(blobs, references, DEFAULT_GRACE, Clock.systemUTC());
    }

    /** Runs one mark-and-sweep over the blob store. */
    public Result collect() throws IOException {
        return collect(false);
    }

    /** Runs one mark-and-sweep; a {@code dryRun} deletes nothing and answers what a collection would delete now. */
    public Result collect(boolean dryRun) throws IOException {
        Instant cutoff = clock.instant().minus(grace);
        Tally tally = new Tally(dryRun);
        Map<Digest, Long> batch = new HashMap<>();
        if (reads != null && !dryRun) reads.pruneExpired();
        blobs.forEachBlob(blob -> {
            tally.examined++;
            if (blob.committedAt().isAfter(cutoff)) {
                tally.keptRecent++;
                return;
            }
            batch.put(blob.digest(), blob.size());
            if (batch.size() >= CHUNK) {
                sweep(batch, tally);
                batch.clear();
            }
        });
        sweep(batch, tally);
        if (tally.deleted > 0 && !dryRun) {
            log.info("Garbage collection removed {} unreferenced blob(s), {} bytes", tally.deleted, tally.bytes);
        }
        if (tally.keptBeingRead > 0) {
            log.info("Garbage collection kept {} unreferenced blob(s) that an engine is serving; a later one removes them",
                    tally.keptBeingRead);
        }
        return new Result(tally.examined, tally.deleted, tally.bytes, tally.keptRecent, tally.keptBeingRead);
    }

    /** The counts of one collection as it runs. */
    private static final class Tally {
        final boolean dryRun;
        int examined;
        int deleted;
        long bytes;
        int keptRecent;
        int keptBeingRead;

        Tally(boolean dryRun) {
            this.dryRun = dryRun;
        }
    }

    /** Deletes the unreferenced ones among {@code candidates} that nobody reads, counting into {@code tally}. */
    private void sweep(Map<Digest, Long> candidates, Tally tally) throws IOException {
        if (candidates.isEmpty()) return;
        List<Digest> unreferenced = references.unreferencedBlobs(new ArrayList<>(candidates.keySet()));
        Set<Digest> read = reads == null || unreferenced.isEmpty() ? Set.of() : reads.beingRead(unreferenced);
        for (Digest d : unreferenced) {
            if (read.contains(d)) {
                tally.keptBeingRead++;
            } else if (tally.dryRun || deleteUnreferenced(d)) {
                tally.deleted++;
                tally.bytes += candidates.get(d);
            }
        }
    }

    private boolean deleteUnreferenced(Digest d) throws IOException {
        if (leases == null) return stillUnused(d) && blobs.delete(d);
        Optional<FillLeases.Lease> lease = leases.tryAcquire(d);
        if (lease.isEmpty()) return false; // being filled, here or on another node
        try (FillLeases.Lease held = lease.get()) {
            return stillUnused(d) && blobs.delete(d);
        }
    }

    /** Checked again just before the delete: a pull may have linked the blob, or a read started, since the batch. */
    private boolean stillUnused(Digest d) {
        return !references.unreferencedBlobs(List.of(d)).isEmpty() && (reads == null || reads.beingRead(List.of(d)).isEmpty());
    }
}
