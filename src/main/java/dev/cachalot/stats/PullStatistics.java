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
 */
public final class PullStatistics {

    /** How long events are kept; the engine prunes older ones daily. */
    public static final Duration RETENTION = Duration.ofDays(90);

    /** Upper bound on the buckets {@link #overTime} returns, so a tiny bucket over a long span cannot exhaust memory. */
    public static final int MAX_BUCKETS = 10_000;

    private static final int PRUNE_CHUNK = 10_000;

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

    private final Database db;
    private final Clock clock;

    public PullStatistics(Database db) {
        this(db, Clock.systemUTC());
    }

    public PullStatistics(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Totals over events at or after {@code since} (null: all stored events). */
    public StatsTotals totals(Instant since) {
        String sql = "SELECT " + COUNTS + ","
                + " SUM(CASE WHEN " + REQUEST + " AND e.outcome IN ('HIT', 'STALE', 'LOCAL') THEN e.bytes ELSE 0 END)"
                + "   AS bytes_from_cache,"
                + " SUM(CASE WHEN e.kind = 'IMAGE' AND e.outcome IN ('HIT', 'STALE') AND h.name IS NOT NULL THEN 1 ELSE 0 END)"
                + "   AS docker_hub_avoided"
                + " FROM pull_events e LEFT JOIN (" + DOCKER_HUB_REPOSITORIES + ") h ON h.name = e.repository"
                + " WHERE e.at >= ?";
        return db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                setInstant(ps, 1, since == null ? Instant.EPOCH : since);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    // SUM over no rows is NULL; getLong reads it as 0.
                    return new StatsTotals(rs.getLong("pulls"), rs.getLong("hits"), rs.getLong("misses"),
                            rs.getLong("stale"), rs.getLong("bytes_served"), rs.getLong("bytes_from_cache"),
                            rs.getLong("upstream_bytes"), rs.getLong("docker_hub_avoided"));
                }
            }
        });
    }

    /** Per-repository statistics since {@code since} (null: all), most pulled first. */
    public List<RepositoryStats> perRepository(Instant since) {
        String sql = "SELECT e.repository, " + COUNTS + ","
                + " MAX(CASE WHEN e.kind = 'IMAGE' THEN e.at END) AS last_pull"
                + " FROM pull_events e WHERE e.at >= ?"
                + " GROUP BY e.repository ORDER BY pulls DESC, e.repository";
        return db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                setInstant(ps, 1, since == null ? Instant.EPOCH : since);
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

    /** The last image pull of each repository that has one (failed or served). */
    public List<PullEvent> lastPullPerRepository() {
        String sql = "SELECT e.at, e.repository, e.reference, e.digest, e.kind, e.outcome, e.bytes, e.upstream_bytes,"
                + " e.duration_micros, e.client, e.error FROM pull_events e"
                + " JOIN (SELECT MAX(id) AS id FROM pull_events WHERE kind = 'IMAGE' GROUP BY repository) l ON l.id = e.id";
        return db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                return events(ps);
            }
        });
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
     * {@code bucket} since the epoch (so charts do not shift as time passes); buckets without pulls are zero.
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
        String sql = "SELECT CAST(FLOOR(EXTRACT(EPOCH FROM at) / ?) AS BIGINT) AS b,"
                + " SUM(CASE WHEN outcome = 'HIT' THEN 1 ELSE 0 END) AS hits,"
                + " SUM(CASE WHEN outcome = 'MISS' THEN 1 ELSE 0 END) AS misses,"
                + " SUM(CASE WHEN outcome = 'STALE' THEN 1 ELSE 0 END) AS stale"
                + " FROM pull_events WHERE kind = 'IMAGE' AND at >= ? AND at < ? GROUP BY b";
        Map<Long, long[]> counts = db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, size);
                setInstant(ps, 2, since);
                setInstant(ps, 3, until);
                Map<Long, long[]> m = new HashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        m.put(rs.getLong("b"), new long[]{rs.getLong("hits"), rs.getLong("misses"), rs.getLong("stale")});
                    }
                }
                return m;
            }
        });
        List<TimeBucket> out = new ArrayList<>((int) (last - first + 1));
        long[] none = new long[3];
        for (long b = first; b <= last; b++) {
            long[] n = counts.getOrDefault(b, none);
            out.add(new TimeBucket(Instant.ofEpochSecond(b * size), n[0], n[1], n[2]));
        }
        return out;
    }

    /** Deletes events older than {@code before}; returns how many. Works in chunks to keep transactions small. */
    public long prune(Instant before) {
        long total = 0;
        while (true) {
            int n = db.inTransaction(c -> {
                // A chunk chosen by a subquery: PostgreSQL has no DELETE ... FETCH FIRST (H2's shortcut).
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM pull_events WHERE id IN"
                        + " (SELECT id FROM pull_events WHERE at < ? FETCH FIRST " + PRUNE_CHUNK + " ROWS ONLY)")) {
                    setInstant(ps, 1, before);
                    return ps.executeUpdate();
                }
            });
            total += n;
            if (n < PRUNE_CHUNK) {
                return total;
            }
        }
    }

    /** Deletes events older than {@link #RETENTION}. */
    public long pruneExpired() {
        return prune(clock.instant().minus(RETENTION));
    }

    private static void setInstant(PreparedStatement ps, int index, Instant at) throws SQLException {
        ps.setObject(index, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
    }

    private static Instant getInstant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
