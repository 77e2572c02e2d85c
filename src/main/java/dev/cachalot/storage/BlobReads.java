package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blobs this engine is serving right now. The collector spares a blob that any engine reads, even one no manifest
 * references any more; a later collection deletes it once nobody does.
 *
 * <p>Engines sharing a database ({@link #shared}) write their reads where every engine's collector looks: the
 * {@code blob_reads} table. An engine alone ({@link #inThisProcess}) keeps them in memory only: its own collector is
 * the only one that may delete while it serves (a {@code cachalot gc} of another process on its data folder is
 * refused, see {@code engine.Engine#collectGarbage}), so a blob GET costs no database write.
 *
 * <p>In the database: one row per engine and blob, however many clients of this engine read it: the first read inserts it, the last
 * one deletes it. The row carries an expiry that this engine pushes forward every {@code lifetime / 4} for all its rows
 * at once (one UPDATE, whatever the number of reads), so the row of an engine that died goes stale within
 * {@code lifetime} and stops sparing its blob. Expiries are this engine's clock and the collector compares them with
 * its own: the engines' clocks must agree to well within {@code lifetime} (NTP does). Why marks and not a grace period
 * from the last access: docs/decisions/0022-cluster-gc.md.
 *
 * <p>A database that cannot be written does not stop a read: it is served all the same, counted here, and the
 * failure logged (a collector on another engine then does not see it; the collector on this one still does).
 */
public final class BlobReads implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BlobReads.class);

    public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(2);
    private static final int IN_CHUNK = 500;

    /** A read in progress; closing it ends the read. Idempotent. */
    public interface Mark extends AutoCloseable {
        @Override
        void close();
    }

    /** Null: the marks stay in this process. */
    private final Database database;
    private final String node = UUID.randomUUID().toString();
    private final Duration lifetime;
    private final Clock clock;
    /** Reads in progress on this engine, by blob. */
    private final ConcurrentHashMap<Digest, Integer> here = new ConcurrentHashMap<>();
    /** Null in this process alone. */
    private final ScheduledExecutorService renewer;

    /** Reads of an engine that shares {@code database} with others, in its {@code blob_reads} table. */
    public static BlobReads shared(Database database) {
        return new BlobReads(database, DEFAULT_LIFETIME, Clock.systemUTC());
    }

    /** Reads of an engine alone on its data folder: in memory, seen by its own collector only. */
    public static BlobReads inThisProcess() {
        return new BlobReads(null, DEFAULT_LIFETIME, Clock.systemUTC());
    }

    /** @param database where other engines' collectors see the marks, or null to keep them in this process */
    public BlobReads(Database database, Duration lifetime, Clock clock) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("a read mark's lifetime must be positive");
        }
        this.database = database;
        this.lifetime = lifetime;
        this.clock = clock;
        if (database == null) {
            this.renewer = null;
            return;
        }
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "blob-read-marks");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, lifetime.toMillis() / 4);
        renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    /** Marks {@code digest} as being read by this engine until the mark is closed. */
    public Mark start(Digest digest) {
        // The row is written inside compute: the first read's insert and the last one's delete of one blob never
        // cross (a delete landing after a new read's insert would unmark a blob still being read).
        here.compute(digest, (d, count) -> {
            if (count == null) write(d, true);
            return count == null ? 1 : count + 1;
        });
        return new Mark() {
            private boolean closed;

            @Override
            public synchronized void close() {
                if (closed) return;
                closed = true;
                here.computeIfPresent(digest, (d, count) -> {
                    if (count > 1) return count - 1;
                    write(d, false);
                    return null;
                });
            }
        };
    }

    /** This engine's name in {@code blob_reads} (tests). */
    String node() {
        return node;
    }

    /** Whether a client of this engine is reading {@code digest} now. */
    public boolean isReadHere(Digest digest) {
        return here.containsKey(digest);
    }

    /**
     * Of {@code candidates}, those that some engine reads now: this one's reads, and the unexpired rows of all.
     *
     * @throws StorageException when the database cannot be read (a collector must then not delete anything)
     */
    public Set<Digest> beingRead(Collection<Digest> candidates) {
        Set<Digest> result = new HashSet<>();
        List<Digest> all = new ArrayList<>(candidates);
        for (Digest d : all) {
            if (here.containsKey(d)) result.add(d);
        }
        if (database == null) return result;
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        database.query(c -> {
            for (int from = 0; from < all.size(); from += IN_CHUNK) {
                List<Digest> chunk = all.subList(from, Math.min(all.size(), from + IN_CHUNK));
                String marks = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT DISTINCT digest FROM blob_reads WHERE expires_at > ? AND digest IN (" + marks + ")")) {
                    ps.setObject(1, now);
                    int i = 2;
                    for (Digest d : chunk) ps.setString(i++, d.toString());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) result.add(Digest.parse(rs.getString(1)));
                    }
                }
            }
            return null;
        });
        return result;
    }

    /** Deletes the rows that expired more than a lifetime ago (engines that died mid-read); returns how many. */
    public int pruneExpired() {
        if (database == null) return 0;
        OffsetDateTime before = OffsetDateTime.ofInstant(clock.instant().minus(lifetime), ZoneOffset.UTC);
        return database.query(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM blob_reads WHERE expires_at < ?")) {
                ps.setObject(1, before);
                return ps.executeUpdate();
            }
        });
    }

    private OffsetDateTime expiry() {
        Instant at = clock.instant().plus(lifetime);
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    /** Inserts (or refreshes) this engine's row of {@code digest}, or deletes it. */
    private void write(Digest digest, boolean reading) {
        if (database == null) return;
        try {
            database.query(c -> {
                if (reading) {
                    // Insert first: the row is normally absent (the last read deleted it), so a read costs one statement.
                    try (PreparedStatement insert = c.prepareStatement(
                            "INSERT INTO blob_reads (node, digest, expires_at) VALUES (?, ?, ?)")) {
                        insert.setString(1, node);
                        insert.setString(2, digest.toString());
                        insert.setObject(3, expiry());
                        insert.executeUpdate();
                        return null;
                    } catch (java.sql.SQLException e) {
                        // 23xxx: the row is there, left by a delete that failed; it only needs a new expiry.
                        if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) throw e;
                    }
                    try (PreparedStatement update = c.prepareStatement(
                            "UPDATE blob_reads SET expires_at = ? WHERE node = ? AND digest = ?")) {
                        update.setObject(1, expiry());
                        update.setString(2, node);
                        update.setString(3, digest.toString());
                        update.executeUpdate();
                    }
                } else {
                    try (PreparedStatement delete = c.prepareStatement("DELETE FROM blob_reads WHERE node = ? AND digest = ?")) {
                        delete.setString(1, node);
                        delete.setString(2, digest.toString());
                        delete.executeUpdate();
                    }
                }
                return null;
            });
        } catch (RuntimeException e) {
            log.warn("Cannot {} the read mark of {} (garbage collection on other engines may not see this read): {}",
                    reading ? "write" : "remove", digest, e.getMessage());
        }
    }

    /** Pushes the expiry of all this engine's rows forward. */
    void renew() {
        if (database == null || here.isEmpty()) return;
        try {
            database.query(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE blob_reads SET expires_at = ? WHERE node = ?")) {
                    ps.setObject(1, expiry());
                    ps.setString(2, node);
                    return ps.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            log.warn("Cannot renew this engine's read marks: {}", e.getMessage());
        }
    }

    /** Stops renewing and removes this engine's rows (its reads are over once it closes). */
    @Override
    public void close() {
        here.clear();
        if (database == null) return;
        renewer.shutdownNow();
        try {
            database.query(c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM blob_reads WHERE node = ?")) {
                    ps.setString(1, node);
                    return ps.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            log.debug("Cannot remove this engine's read marks at close (they expire): {}", e.getMessage());
        }
    }
}
