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
 */
public final class GarbageCollector {

    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);
    private static final int CHUNK = 1_000;

    /** What one collection did. */
    public record Result(int examined, int deleted, long bytesFreed) {
    }

    private final BlobHousekeeping blobs;
    private final BlobReferences references;
    private final Duration grace;
    private final Clock clock;
    /** Null for an engine alone. */
    private final FillLeases leases;

    public GarbageCollector(BlobHousekeeping blobs, BlobReferences references, Duration grace, Clock clock) {
        this(blobs, references, grace, clock, null);
    }

    private GarbageCollector(BlobHousekeeping blobs, BlobReferences references, Duration grace, Clock clock,
                             FillLeases leases) {
        this.blobs = blobs;
        this.references = references;
        this.grace = grace;
        this.clock = clock;
        this.leases = leases;
    }

    /** The same collector, deleting a blob only under its fill lease (for engines sharing a database). */
    public GarbageCollector guardedBy(FillLeases fillLeases) {
        return new GarbageCollector(blobs, references, grace, clock, fillLeases);
    }

    public GarbageCollector(BlobHousekeeping blobs, BlobReferences references) {
        this(blobs, references, DEFAULT_GRACE, Clock.systemUTC());
    }

    /** Runs one mark-and-sweep over the blob store. */
    public Result collect() throws IOException {
        Instant cutoff = clock.instant().minus(grace);
        int[] examined = {0};
        long[] swept = {0, 0};
        Map<Digest, Long> batch = new HashMap<>();
        blobs.forEachBlob(blob -> {
            examined[0]++;
            if (blob.committedAt().isAfter(cutoff)) return;
            batch.put(blob.digest(), blob.size());
            if (batch.size() >= CHUNK) {
                sweep(batch, swept);
                batch.clear();
            }
        });
        sweep(batch, swept);
        int deleted = (int) swept[0];
        if (deleted > 0) {
            log.info("Garbage collection removed {} unreferenced blob(s), {} bytes", deleted, swept[1]);
        }
        return new Result(examined[0], deleted, swept[1]);
    }

    /** Deletes the unreferenced ones among {@code candidates}, adding to {@code totals} = {deleted, bytes}. */
    private void sweep(Map<Digest, Long> candidates, long[] totals) throws IOException {
        if (candidates.isEmpty()) return;
        for (Digest d : references.unreferencedBlobs(new ArrayList<>(candidates.keySet()))) {
            if (deleteUnreferenced(d)) {
                totals[0]++;
                totals[1] += candidates.get(d);
            }
        }
    }

    private boolean deleteUnreferenced(Digest d) throws IOException {
        if (leases == null) return blobs.delete(d);
        Optional<FillLeases.Lease> lease = leases.tryAcquire(d);
        if (lease.isEmpty()) return false; // being filled, here or on another node
        try (FillLeases.Lease held = lease.get()) {
            return !references.unreferencedBlobs(List.of(d)).isEmpty() && blobs.delete(d);
        }
    }
}
