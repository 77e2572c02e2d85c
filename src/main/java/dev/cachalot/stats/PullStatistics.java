package dev.cachalot.stats;

import dev.cachalot.storage.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Aggregates over stored pull events.
 *
 * <p>Definitions: a <em>pull</em> is an image pull, an event of kind {@code IMAGE} (one client's requests for one tag
 * or digest, counted once: see {@link ImagePulls}); hits, misses, stale serves and failures count image pulls by
 * outcome. {@code bytesServed} sums the bytes of every request (manifests and blobs); {@code bytesFromCache} those
 * answered without the upstream (HIT, STALE, LOCAL); {@code upstreamBytes} sums what was fetched upstream. A Docker
 * Hub pull avoided is an image pull, HIT or STALE, in a repository cached from {@code docker.io}.
 *
 * <p>Where the figures come from (docs/decisions/0041-pull-statistics-by-the-hour.md): the raw events are kept only
 * as far back as their bound allows ({@link RawPullEvents}); a question about a span they cover is answered from them,
 * exactly, and one reaching further back from the hourly sums ({@link HourlySums}), counted from the start of the hour
 * that {@code since} falls in.
 */
public final class PullStatistics {

    /** How long the hourly sums and the last pull of each repository are kept; the engine prunes older ones daily. */
    public static final Duration RETENTION = Duration.ofDays(90);

    /** Upper bound on the buckets {@link #overTime} returns, so a tiny bucket over a long span cannot exhaust memory. */
    public static final int MAX_BUCKETS = 10_000;

    /**
     * Repositories whose upstream is Docker Hub: by the rule that caches them, or by the upstream recorded with the
     * repository (which survives the rule's deletion).
     */
    private static final String DOCKER_HUB_REPOSITORIES = "SELECT r.name FROM repositories r"
            + " LEFT JOIN cache_rules c ON c.name = r.rule_name"
            + " WHERE c.source_repository LIKE 'docker.io/%' OR r.upstream_repository LIKE 'docker.io/%'";

    /** An image pull sums the bytes of its requests: bytes are counted over the requests alone. */
    private static final String REQUEST = "e.kind <> 'IMAGE'";

    private static final String COUNTS = "SUM(CASE WHEN e.kind = 'IMAGE' THEN 1 ELSE 0 END) AS pulls,"
            + " SUM(CASE WHEN e.kind = 'IMAGE' AND e.outcome = 'HIT' THEN 1 ELSE 0 END) AS hits,"
            + " SUM(CASE WHEN e.kind = 'IMAGE' AND e.outcome = 'MISS' THEN 1 ELSE 0 END) AS misses,"
            + " SUM(CASE WHEN e.kind = 'IMAGE' AND e.outcome = 'STALE' THEN 1 ELSE 0 END) AS stale,"
            + " SUM(CASE WHEN e.kind = 'IMAGE' AND e.outcome = 'FAILED' THEN 1 ELSE 0 END) AS failed,"
            + " SUM(CASE WHEN " + REQUEST + " THEN e.bytes ELSE 0 END) AS bytes_served,"
            + " SUM(CASE WHEN " + REQUEST + " THEN e.upstream_bytes ELSE 0 END) AS upstream_bytes";

    /** The hourly sums' columns, named as {@link #COUNTS} names them. */
    private static final String HOURLY_COUNTS = "SUM(p.pulls) AS pulls, SUM(p.hits) AS hits, SUM(p.misses) AS misses,"
            + " SUM(p.stale) AS stale, SUM(p.failed) AS failed, SUM(p.bytes_served) AS bytes_served,"
            + " SUM(p.upstream_bytes) AS upstream_bytes";

    private final Database db;
    private final Clock clock;
    private final int rawLimit;

    public PullStatistics(Database db) {
        this(db, Clock.systemUTC());
    }

    public PullStatistics(Database db, Clock clock) {
        this(db, clock, RawPullEvents.DEFAULT_LIMIT);
    }

    /** @param rawLimit raw events {@link #pruneExpired()} keeps (about), as the recorder's horizon does */
    PullStatistics(Database db, Clock clock, int rawLimit) {
        this.db = db;
        this.clock = clock;
        this.rawLimit = rawLimit;
    }

    /** Totals over events at or after {@code since} (null: all stored events). */
    public StatsTotals totals(Instant since) {
        return fromRawOrHourly(since, this::rawTotals, this::hourlyTotals);
    }

    private StatsTotals rawTotals(Instant since) {
        String sql = "SELECT " + COUNTS + ","
                + " SUM(CASE WHEN " + REQUEST + " AND e.outcome IN ('HIT', 'STALE', 'LOCAL') THEN e.bytes ELSE 0 END)"
                + "   AS bytes_from_cache,"
                + " SUM(CASE WHEN e.kind = 'IMAGE' AND e.outcome IN ('HIT', 'STALE') AND h.name IS NOT NULL THEN 1 ELSE 0 END)"
                + "   AS docker_hub_avoided"
                + " FROM pull_events e LEFT JOIN (" + DOCKER_HUB_REPOSITORIES + ") h ON h.name = e.repository"
                + " WHERE e.at >= ?";
        return db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                setInstant(ps, 1, since);
                return totalsOf(ps);
            }
        });
    }

    private StatsTotals hourlyTotals(long fromHour) {
        String sql = "SELECT " + HOURLY_COUNTS + ", SUM(p.bytes_from_cache) AS bytes_from_cache,"
                + " SUM(CASE WHEN h.name IS NOT NULL THEN p.hits + p.stale ELSE 0 END) AS docker_hub_avoided"
                + " FROM pull_hours p LEFT JOIN (" + DOCKER_HUB_REPOSITORIES + ") h ON h.name = p.repository"
                + " WHERE p.epoch_hour >= ?";
        return db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, fromHour);
                return totalsOf(ps);
            }
        });
    }

    private static StatsTotals totalsOf(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            // SUM over no rows is NULL; getLong reads it as 0.
            return new StatsTotals(rs.getLong("pulls"), rs.getLong("hits"), rs.getLong("misses"),
                    rs.getLong("stale"), rs.getLong("bytes_served"), rs.getLong("bytes_from_cache"),
                    rs.getLong("upstream_bytes"), rs.getLong("docker_hub_avoided"));
        }
    }

    /**
     * Answers from the raw events when they reach back to {@code since} (null: the epoch), else from the hourly sums
     * from the hour {@code since} falls in. The horizon is read again after a raw answer: had the bound moved it past
     * {@code since} meanwhile, rows the answer counted on may have gone, and the sums answer instead.
     */
    private <T> T fromRawOrHourly(Instant since, java.util.function.Function<Instant, T> raw,
                                  java.util.function.LongFunction<T> hourly) {
        Instant from = since == null ? Instant.EPOCH : since;
        Instant horizon = RawPullEvents.horizon(db);
        if (!from.isBefore(horizon)) {
            T answer = raw.apply(from);
            if (!from.isBefore(RawPullEvents.horizon(db))) return answer;
        }
        return hourly.apply(HourlySums.hourOf(from));
    }

    /** Per-repository statistics since {@code since} (null: all), most pulled first. */
    public List<RepositoryStats> perRepository(Instant since) {
        return fromRawOrHourly(since, from -> repositories("SELECT e.repository, " + COUNTS + ","
                + " MAX(CASE WHEN e.kind = 'IMAGE' THEN e.at END) AS last_pull"
                + " FROM pull_events e WHERE e.at >= ?"
                + " GROUP BY e.repository ORDER BY pulls DESC, e.repository", ps -> setInstant(ps, 1, from)),
                fromHour -> repositories("SELECT p.repository, " + HOURLY_COUNTS + ", MAX(p.last_pull) AS last_pull"
                        + " FROM pull_hours p WHERE p.epoch_hour >= ?"
                        + " GROUP BY p.repository ORDER BY pulls DESC, p.repository", ps -> ps.setLong(1, fromHour)));
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private List<RepositoryStats> repositories(String sql, Binder binder) {
        return db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                List<RepositoryStats> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new RepositoryStats(rs.getString("repository"), rs.getLong("pulls"), rs.getLong("hits"),
                                rs.getLong("misses"), rs.getLong("stale"), rs.getLong("bytes_served"),
                                rs.getLong("upstream_bytes"), getInstant(rs, "last_pull"), rs.getLong("failed")));
                    }
                }
                return out;
            }
        });
    }

    /** The last image pull of each repository that has one (failed or served), in no particular order. */
    public List<PullEvent> lastPullPerRepository() {
        // One row per repository and writer (node): the newest of them.
        String sql = "SELECT at, repository, reference, digest, 'IMAGE' AS kind, outcome, bytes, upstream_bytes,"
                + " duration_micros, client, error FROM last_pulls";
        List<PullEvent> rows = db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                return events(ps);
            }
        });
        Map<String, PullEvent> newest = new HashMap<>();
        for (PullEvent e : rows) {
            newest.merge(e.repository(), e, (a, b) -> b.at().isAfter(a.at()) ? b : a);
        }
        return new ArrayList<>(newest.values());
    }

    /** The newest {@code limit} events (manifests and blobs), newest first. */
    public List<PullEvent> recent(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        String sql = "SELECT at, repository, reference, digest, kind, outcome, bytes, upstream_bytes, duration_micros, client, error"
                + " FROM pull_events ORDER BY at DESC, id DESC FETCH FIRST ? ROWS ONLY";
        return db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setInt(1, limit);
                return events(ps);
            }
        });
    }

    private static List<PullEvent> events(PreparedStatement ps) throws SQLException {
        List<PullEvent> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new PullEvent(getInstant(rs, "at"), rs.getString("repository"), rs.getString("reference"),
                        rs.getString("digest"), PullEvent.Kind.valueOf(rs.getString("kind")),
                        PullEvent.Outcome.valueOf(rs.getString("outcome")), rs.getLong("bytes"),
                        rs.getLong("upstream_bytes"), rs.getLong("duration_micros"), rs.getString("client"),
                        rs.getString("error")));
            }
        }
        return out;
    }

    /** Pulls per {@code bucket} from {@code since} up to now; see {@link #overTime(Instant, Instant, Duration)}. */
    public List<TimeBucket> overTime(Instant since, Duration bucket) {
        return overTime(since, clock.instant(), bucket);
    }

    /**
     * Image pulls by outcome in consecutive buckets covering {@code [since, until)}, buckets aligned to multiples of
     * {@code bucket} since the epoch (so charts do not shift as time passes); buckets without pulls are zero. Whole
     * hours (or multiples) reach back to {@link #RETENTION} through the hourly sums; finer buckets only as far back as
     * the raw events go.
     *
     * @throws IllegalArgumentException if {@code bucket} is under a second or the span needs more than {@link #MAX_BUCKETS}
     */
    public List<TimeBucket> overTime(Instant since, Instant until, Duration bucket) {
        long size = bucket.getSeconds();
        if (size < 1 || bucket.getNano() != 0) {
            throw new IllegalArgumentException("bucket must be a whole number of seconds, at least one");
        }
        if (!until.isAfter(since)) {
            return List.of();
        }
        long first = Math.floorDiv(since.getEpochSecond(), size);
        long last = Math.floorDiv(until.getEpochSecond() - (until.getNano() == 0 ? 1 : 0), size);
        if (last - first + 1 > MAX_BUCKETS) {
            throw new IllegalArgumentException("too many buckets: " + (last - first + 1) + " (at most " + MAX_BUCKETS + ")");
        }
        java.util.function.LongFunction<Map<Long, long[]>> hourly = size % HourlySums.SECONDS_PER_HOUR != 0
                ? fromHour -> rawBuckets(since, until, size)
                : fromHour -> buckets("SELECT CAST(p.epoch_hour * " + HourlySums.SECONDS_PER_HOUR + " / ? AS BIGINT) AS b,"
                        + " SUM(p.hits) AS hits, SUM(p.misses) AS misses, SUM(p.stale) AS stale FROM pull_hours p"
                        + " WHERE p.epoch_hour >= ? AND p.epoch_hour < ? GROUP BY b", ps -> {
                            ps.setLong(1, size);
                            ps.setLong(2, fromHour);
                            ps.setLong(3, Math.floorDiv(until.getEpochSecond() + HourlySums.SECONDS_PER_HOUR - 1
                                    + (until.getNano() == 0 ? 0 : 1), HourlySums.SECONDS_PER_HOUR));
                        });
        Map<Long, long[]> counts = fromRawOrHourly(since, from -> rawBuckets(from, until, size), hourly);
        List<TimeBucket> out = new ArrayList<>((int) (last - first + 1));
        long[] none = new long[3];
        for (long b = first; b <= last; b++) {
            long[] n = counts.getOrDefault(b, none);
            out.add(new TimeBucket(Instant.ofEpochSecond(b * size), n[0], n[1], n[2]));
        }
        return out;
    }

    private Map<Long, long[]> rawBuckets(Instant since, Instant until, long size) {
        return buckets("SELECT CAST(FLOOR(EXTRACT(EPOCH FROM at) / ?) AS BIGINT) AS b,"
                + " SUM(CASE WHEN outcome = 'HIT' THEN 1 ELSE 0 END) AS hits,"
                + " SUM(CASE WHEN outcome = 'MISS' THEN 1 ELSE 0 END) AS misses,"
                + " SUM(CASE WHEN outcome = 'STALE' THEN 1 ELSE 0 END) AS stale"
                + " FROM pull_events WHERE kind = 'IMAGE' AND at >= ? AND at < ? GROUP BY b", ps -> {
                    ps.setLong(1, size);
                    setInstant(ps, 2, since);
                    setInstant(ps, 3, until);
                });
    }

    private Map<Long, long[]> buckets(String sql, Binder binder) {
        return db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                Map<Long, long[]> m = new HashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        m.put(rs.getLong("b"), new long[]{rs.getLong("hits"), rs.getLong("misses"), rs.getLong("stale")});
                    }
                }
                return m;
            }
        });
    }

    /**
     * Forgets what happened before {@code before}: raw events, hourly sums of the hours that ended by then, last pulls
     * older than it. Works in chunks to keep transactions small.
     *
     * @return raw events deleted
     */
    public long prune(Instant before) {
        long raw = RawPullEvents.deleteBefore(db, before);
        db.inTransaction(c -> {
            try (PreparedStatement hours = c.prepareStatement("DELETE FROM pull_hours WHERE epoch_hour < ?");
                 PreparedStatement last = c.prepareStatement("DELETE FROM last_pulls WHERE at < ?")) {
                hours.setLong(1, HourlySums.hourOf(before));
                hours.executeUpdate();
                setInstant(last, 1, before);
                last.executeUpdate();
            }
            return null;
        });
        return raw;
    }

    /** Deletes what is older than {@link #RETENTION}, and the raw events past their bound. */
    public long pruneExpired() {
        long pruned = prune(clock.instant().minus(RETENTION));
        RawPullEvents.advanceToLimit(db, rawLimit);
        return pruned + RawPullEvents.deletePastHorizon(db);
    }

    /**
     * Deletes the raw events before the horizon (the statistics no longer read them): hourly, by the housekeeping.
     *
     * @return events deleted
     */
    public long deletePastHorizon() {
        return RawPullEvents.deletePastHorizon(db);
    }

    /** Binds {@code at} in UTC, or a typed NULL (PostgreSQL needs the type). The stats package's one binding of a time. */
    static void setInstant(PreparedStatement ps, int index, Instant at) throws SQLException {
        if (at == null) {
            ps.setNull(index, java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
        }
    }

    /** Reads a time as {@link #setInstant} binds it; null stays null. The stats package's one reading of a time. */
    static Instant getInstant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
