package dev.cachalot.stats;

import dev.cachalot.storage.Database;
import dev.cachalot.storage.PullCount;
import dev.cachalot.storage.PullCountUpdates;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores pull events without slowing the serving path: {@link #record} only offers the event to a bounded queue
 * (dropping it, counted, when the queue is full); one daemon thread drains the queue and writes events in JDBC
 * batches. A batch's events and the pull counters they add to ({@link PullCounts}) are one transaction, and a batch
 * gathers for up to {@link #GATHER} unless it fills first: each commit is a file write (H2 writes a commit before it
 * returns), so the commits stay a few per second whatever the request rate. A process killed meanwhile loses what
 * was gathering: statistics only, docs/decisions/0030-durable-commits.md. Listeners hear about an event
 * after it is stored, so a view that refreshes on an event finds it in {@link PullStatistics} queries, and a reader
 * in this process calls {@link #storeQueued()} first to see every request made so far.
 *
 * <p>The writer also groups the requests into image pulls ({@link ImagePulls}): an image pull is stored, and heard of,
 * as a {@link PullEvent.Kind#IMAGE} event once it ends; {@link #flush()} and {@link #close()} end every open one.
 * Manifest HEADs only take part in that grouping; they are not stored.
 *
 * <p>In the same transaction the writer adds the batch to the hourly sums ({@link HourlySums}) and the last pull of
 * each repository ({@link LastPulls}); every half of {@link RawPullEvents#DEFAULT_LIMIT} events it moves the raw
 * events' horizon to about the newest {@link RawPullEvents#DEFAULT_LIMIT} ({@link RawPullEvents#advanceToLimit}), one
 * index walk (7–35 ms on a million events; so a raw question reads at most about one and a half times the limit). It deletes nothing: deleting the rows it stores again, row by row on H2, halved the manifest GETs per
 * second of a burst (docs/decisions/0041-pull-statistics-by-the-hour.md); the housekeeping deletes them hourly.
 */
public final class PullEventRecorder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PullEventRecorder.class);

    public static final int DEFAULT_CAPACITY = 10_000;
    private static final int MAX_BATCH = 1_000;
    /** How long a batch that has not filled waits for more events before it is written. */
    static final Duration GATHER = Duration.ofMillis(250);
    private static final long DROP_WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private static final String INSERT = "INSERT INTO pull_events (at, repository, reference, digest, kind, outcome, bytes, "
            + "upstream_bytes, duration_micros, client, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /**
     * Queue entries: an event, or a marker that completes once everything ahead of it is written (with
     * {@code endPulls}, the open image pulls are ended and written too).
     */
    private sealed interface Entry permits EventEntry, Marker {
    }

    private record EventEntry(PullEvent event) implements Entry {
    }

    private record Marker(CompletableFuture<Void> reached, boolean stop, boolean endPulls) implements Entry {
    }

    private final Database db;
    private final BlockingQueue<Entry> queue;
    private final int eventCapacity;
    private final List<Consumer<PullEvent>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<List<PullEvent>>> batchListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong lastDropWarning = new AtomicLong(System.nanoTime() - DROP_WARNING_INTERVAL_NANOS);
    private final Thread writer;
    private final Clock clock;
    private final ImagePulls imagePulls;
    /** This recorder's rows of the hourly sums and last pulls (see {@link HourlySums}): one writer each. */
    private final long writerId = new java.security.SecureRandom().nextLong();
    private final int rawLimit;
    private long storedSinceBound;
    private volatile boolean closed;

    public PullEventRecorder(Database db) {
        this(db, DEFAULT_CAPACITY);
    }

    /** @param capacity events that may wait to be written before new ones are dropped */
    public PullEventRecorder(Database db, int capacity) {
        this(db, capacity, ImagePulls.IDLE, Clock.systemUTC());
    }

    /**
     * @param capacity  events that may wait to be written before new ones are dropped
     * @param pullIdle  how long an image pull stays open after its last request
     */
    PullEventRecorder(Database db, int capacity, Duration pullIdle, Clock clock) {
        this(db, capacity, pullIdle, clock, RawPullEvents.DEFAULT_LIMIT);
    }

    /** @param rawLimit raw events the statistics read (about); the horizon moves every half of it */
    PullEventRecorder(Database db, int capacity, Duration pullIdle, Clock clock, int rawLimit) {
        this.rawLimit = rawLimit;
        this.clock = clock;
        this.imagePulls = new ImagePulls(pullIdle);
        if (capacity < 1) throw new IllegalArgumentException("capacity must be positive");
        this.db = db;
        // One slot more than the events so a flush or stop marker always fits even when events fill the queue.
        this.queue = new ArrayBlockingQueue<>(capacity + 1);
        this.eventCapacity = capacity;
        this.writer = new Thread(this::drainLoop, "cachalot-pull-events");
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues {@code event} for storage; never blocks. When the queue is full the event is dropped and counted. */
    public void record(PullEvent event) {
        if (closed || queue.size() >= eventCapacity || !queue.offer(new EventEntry(event))) {
            long total = dropped.incrementAndGet();
            warnAboutDrops(total);
        }
    }

    private void warnAboutDrops(long total) {
        long now = System.nanoTime();
        long last = lastDropWarning.get();
        if (now - last >= DROP_WARNING_INTERVAL_NANOS && lastDropWarning.compareAndSet(last, now)) {
            log.warn("Pull statistics fall behind: {} pull event(s) dropped so far{}", total, closed ? " (recorder closed)" : "");
        }
    }

    /** Events dropped because the queue was full or the recorder closed. */
    public long dropped() {
        return dropped.get();
    }

    /** Events lost because the database refused a batch. */
    public long failed() {
        return failed.get();
    }

    /**
     * Calls {@code listener} on the recorder's thread after each event is stored. Keep it quick (hand over to the
     * UI thread, for example). Close the returned handle to stop listening.
     */
    public AutoCloseable onEvent(Consumer<PullEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Calls {@code listener} on the recorder's thread with each batch of events once it is stored, before the
     * per-event listeners hear of them (so what they show, such as pull counters, is up to date) and before a
     * {@link #flush()} waiting for them returns.
     */
    public AutoCloseable onBatch(Consumer<List<PullEvent>> listener) {
        batchListeners.add(listener);
        return () -> batchListeners.remove(listener);
    }

    /**
     * Waits until every event recorded before this call is stored and its listeners were called, and ends the open
     * image pulls (stored as such).
     */
    public void flush() {
        awaitMarker(false, true);
    }

    /**
     * Waits until every request recorded before this call is stored (at most about {@link #GATHER} while a batch
     * gathers): what a statistics query in this process must see. Open image pulls stay open (a reader polling the
     * statistics must not cut a pull in two); they are stored once idle, as always.
     */
    public void storeQueued() {
        awaitMarker(false, false);
    }

    /** Stores what is queued, then stops the writer thread. Later events are dropped. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        awaitMarker(true, true);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitMarker(boolean stop, boolean endPulls) {
        // From a listener (the writer thread itself) waiting would deadlock; what it has seen is stored already.
        if (!writer.isAlive() || Thread.currentThread() == writer) {
            return;
        }
        Marker marker = new Marker(new CompletableFuture<>(), stop, endPulls);
        try {
            // May wait for room, never for long: the writer empties the queue in batches.
            queue.put(marker);
            while (!marker.reached().isDone()) {
                try {
                    marker.reached().get(1, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    if (!writer.isAlive()) return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("pull event writer failed", e.getCause());
        }
    }

    private void drainLoop() {
        List<Entry> batch = new ArrayList<>(MAX_BATCH);
        List<PullEvent> events = new ArrayList<>(MAX_BATCH);
        while (true) {
            try {
                // Null when an open image pull became idle: it is stored with the batch gathered from now on, for pulls
                // end one by one (one per manifest GET by tag), and a commit for each was a file write for each.
                Entry next = nextEntry();
                if (next != null) batch.add(next);
            } catch (InterruptedException e) {
                // Nobody but close() should stop us; keep draining unless closed.
                if (closed) return;
                continue;
            }
            queue.drainTo(batch, MAX_BATCH - batch.size());
            boolean stop = false;
            gather(batch);
            List<Marker> reached = new ArrayList<>();
            for (Entry entry : batch) {
                if (entry instanceof EventEntry e) {
                    imagePulls.add(e.event(), clock.instant());
                    if (e.event().kind() != PullEvent.Kind.HEAD) events.add(e.event());
                } else if (entry instanceof Marker m) {
                    if (m.endPulls()) events.addAll(imagePulls.closeAll());
                    reached.add(m);
                    stop |= m.stop();
                }
            }
            events.addAll(imagePulls.closeIdle(clock.instant()));
            // One commit for the whole batch; a marker is reached once everything ahead of it is stored.
            store(events);
            events.clear();
            batch.clear();
            for (Marker m : reached) {
                m.reached().complete(null);
            }
            if (stop) {
                return;
            }
            boundIfDue();
        }
    }

    /** Moves the horizon once enough events were stored since the last time; after the waiting readers were let go. */
    private void boundIfDue() {
        if (storedSinceBound < Math.max(1, rawLimit / 2)) return;
        storedSinceBound = 0;
        try {
            RawPullEvents.advanceToLimit(db, rawLimit);
        } catch (RuntimeException e) {
            log.warn("Cannot move the pull events' horizon: {}", e.getMessage());
        }
    }

    /**
     * Adds to {@code batch} what arrives within {@link #GATHER}, until it is full or holds a marker that must not wait:
     * a flush or the stop, or a {@link #storeQueued()} with no event ahead of it. A reader of the statistics otherwise
     * waits for the batch like everyone (at most {@link #GATHER}): with a statistics view open under load, each of its
     * queries would else be a commit of its own. An interrupt ends the gathering early; what was gathered is written.
     */
    private void gather(List<Entry> batch) {
        long deadline = System.nanoTime() + GATHER.toNanos();
        int seen = 0;
        boolean anyEvent = false;
        while (batch.size() < MAX_BATCH) {
            for (; seen < batch.size(); seen++) {
                Entry entry = batch.get(seen);
                if (entry instanceof EventEntry) {
                    anyEvent = true;
                } else if (entry instanceof Marker m && (m.endPulls() || m.stop() || !anyEvent)) {
                    return;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) return;
            try {
                Entry next = queue.poll(left, TimeUnit.NANOSECONDS);
                if (next == null) return;
                batch.add(next);
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, MAX_BATCH - batch.size());
        }
    }

    /** The next queue entry, or null when an open image pull became idle first. */
    private Entry nextEntry() throws InterruptedException {
        java.util.Optional<Instant> deadline = imagePulls.nextDeadline();
        if (deadline.isEmpty()) return queue.take();
        long wait = Duration.between(clock.instant(), deadline.get()).toMillis();
        return queue.poll(Math.max(wait, 1), TimeUnit.MILLISECONDS);
    }

    private void store(List<PullEvent> recorded) {
        if (recorded.isEmpty()) {
            return;
        }
        List<PullEvent> events = new ArrayList<>(recorded.size());
        for (PullEvent e : recorded) events.add(clipped(e));
        List<PullCount> counts = PullCounts.of(events);
        try {
            insert(events, counts);
        } catch (RuntimeException e) {
            try {
                if (counts.isEmpty()) throw e;
                // The events matter more than the counters: without them, in a transaction of their own.
                insert(events, List.of());
                log.warn("Cannot update the pull counters of {} manifest(s): {}", counts.size(), e.getMessage());
            } catch (RuntimeException again) {
                long total = failed.addAndGet(events.size());
                log.warn("Cannot store {} pull event(s) ({} lost so far): {}", events.size(), total, again.getMessage());
                return;
            }
        }
        storedSinceBound += events.size();
        List<PullEvent> stored = List.copyOf(recorded);
        for (Consumer<List<PullEvent>> listener : batchListeners) {
            try {
                listener.accept(stored);
            } catch (RuntimeException ex) {
                log.warn("Pull event batch listener failed", ex);
            }
        }
        for (PullEvent e : recorded) {
            for (Consumer<PullEvent> listener : listeners) {
                try {
                    listener.accept(e);
                } catch (RuntimeException ex) {
                    log.warn("Pull event listener failed", ex);
                }
            }
        }
    }

    private void insert(List<PullEvent> events, List<PullCount> counts) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                for (PullEvent e : events) {
                    bind(ps, e);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            PullCountUpdates.apply(c, counts);
            HourlySums.add(c, writerId, events);
            LastPulls.update(c, writerId, events);
            return null;
        });
    }

    /** {@code e} clipped to the column sizes: one overlong field must not cost the whole batch. */
    private static PullEvent clipped(PullEvent e) {
        return new PullEvent(e.at(), clip(e.repository() == null ? "" : e.repository(), 255),
                clip(e.reference() == null ? "" : e.reference(), 200), clip(e.digest(), 200), e.kind(), e.outcome(),
                e.bytes(), e.upstreamBytes(), e.durationMicros(), clip(e.client(), 64), clip(e.error(), 500));
    }

    private static void bind(PreparedStatement ps, PullEvent e) throws SQLException {
        ps.setObject(1, OffsetDateTime.ofInstant(e.at(), ZoneOffset.UTC));
        ps.setString(2, e.repository());
        ps.setString(3, e.reference());
        ps.setString(4, e.digest());
        ps.setString(5, e.kind().name());
        ps.setString(6, e.outcome().name());
        ps.setLong(7, e.bytes());
        ps.setLong(8, e.upstreamBytes());
        ps.setLong(9, e.durationMicros());
        ps.setString(10, e.client());
        ps.setString(11, e.error());
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
