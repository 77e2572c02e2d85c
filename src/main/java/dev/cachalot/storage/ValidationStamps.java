package dev.cachalot.storage;

import dev.cachalot.oci.RepositoryName;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tags' revalidation stamps ({@code validated_at}) on their way to the database. A warm tag GET under the
 * {@code revalidate} policy stamps its tag on every request; with each commit written to the file before it returns
 * (docs/decisions/0030-durable-commits.md) one commit per request cost CPU and ~100 MiB of file for a minute.
 * Stamps are only an optimisation (a lost one costs one more upstream HEAD), so they are kept here and written
 * together, one transaction per {@link #WRITE_EVERY}, and at {@link #close()}.
 *
 * <p>Until it is written, a stamp is read from here ({@link #overlay}), so this process sees its own stamps at once.
 * Other processes and cluster nodes see them up to {@link #WRITE_EVERY} late, which at worst makes them ask the
 * upstream once more. A stamp only ever moves {@code validated_at} forward and only updates a row that exists: a tag
 * deleted meanwhile is not brought back.
 */
final class ValidationStamps implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ValidationStamps.class);

    /** At most this much of stamps is lost when the process is killed. */
    static final Duration WRITE_EVERY = Duration.ofMillis(500);

    /** One daemon thread for the stores of the process (there is one per engine); it only runs while stamps wait. */
    private static final ScheduledExecutorService WRITER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cachalot-validation-stamps");
        t.setDaemon(true);
        return t;
    });

    private record Key(String repository, String tag) {
    }

    private final Database db;
    private final Map<Key, Instant> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean writeScheduled = new AtomicBoolean();
    /** One writer at a time, so a stamp is removed from {@link #pending} only once a newer one cannot be overtaken. */
    private final Object writing = new Object();
    private volatile boolean closed;

    ValidationStamps(Database db) {
        this.db = db;
    }

    void stamp(RepositoryName repository, String tag, Instant at) {
        pending.merge(new Key(repository.value(), tag), at, (a, b) -> a.isAfter(b) ? a : b);
        if (closed) {
            write();
        } else if (writeScheduled.compareAndSet(false, true)) {
            WRITER.schedule(this::scheduledWrite, WRITE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** {@code record} with its stamp waiting here, if that is later than the stored one. */
    TagRecord overlay(TagRecord record) {
        Instant waiting = pending.get(new Key(record.repository().value(), record.tag()));
        if (waiting == null || (record.validatedAt() != null && !waiting.isAfter(record.validatedAt()))) return record;
        return new TagRecord(record.repository(), record.tag(), record.digest(), record.fetchedAt(), waiting,
                record.lastPulledAt(), record.pullCount());
    }

    /** Drops the waiting stamp of a tag that was re-pointed or deleted: its row says all there is to say. */
    void forget(RepositoryName repository, String tag) {
        pending.remove(new Key(repository.value(), tag));
    }

    /** Drops the waiting stamps of {@code repository}'s tags (some were deleted, or loaded with their own times). */
    void forget(RepositoryName repository) {
        pending.keySet().removeIf(k -> k.repository().equals(repository.value()));
    }

    private void scheduledWrite() {
        writeScheduled.set(false);
        try {
            write();
        } catch (RuntimeException e) {
            log.warn("Tag revalidation stamps not stored (those tags will be revalidated once more): {}", e.getMessage());
        }
    }

    /**
     * Writes every waiting stamp in one transaction. A batch the database refuses is dropped, not retried: a stamp only
     * saves an upstream HEAD, and a store whose database was closed would otherwise retry for ever.
     */
    void write() {
        synchronized (writing) {
            if (pending.isEmpty()) return;
            Map<Key, Instant> batch = new HashMap<>(pending);
            try {
                store(batch);
            } finally {
                // Only now, so a reader finds the stamp here or in its row, never in neither; a newer stamp stays.
                batch.forEach(pending::remove);
            }
        }
    }

    private void store(Map<Key, Instant> batch) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE tags SET validated_at = ?"
                    + " WHERE repository = ? AND tag = ? AND (validated_at IS NULL OR validated_at < ?)")) {
                for (Map.Entry<Key, Instant> stamp : batch.entrySet()) {
                    JdbcMetadataStore.setInstant(ps, 1, stamp.getValue());
                    ps.setString(2, stamp.getKey().repository());
                    ps.setString(3, stamp.getKey().tag());
                    JdbcMetadataStore.setInstant(ps, 4, stamp.getValue());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /** Writes what waits; later stamps are written as they come. */
    @Override
    public void close() {
        closed = true;
        write();
    }
}
