package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@link MetadataStore} in the metadata database (H2 or PostgreSQL, with the same SQL). Each method is one short statement or transaction; nothing is
 * cached in memory, so a CLI command and a running engine on the same data folder see each other's changes at once.
 * The exception is bookkeeping: tag revalidation stamps wait in memory for up to half a second and are written
 * together ({@link ValidationStamps}); {@link #close()} writes what waits, before the database closes.
 */
public final class JdbcMetadataStore implements MetadataStore, AutoCloseable {

    /** SQLState of a unique-key violation: two writers inserted the same key at once. */
    private static final String DUPLICATE_KEY = "23505";
    private static final int IN_CHUNK = 500;

    private static final String MANIFEST_COLUMNS =
            "repository, digest, media_type, size, artifact_type, subject_digest, created_at, last_pulled_at, pull_count";
    private static final String TAG_COLUMNS =
            "repository, tag, digest, fetched_at, validated_at, last_pulled_at, pull_count";

    private final Database db;
    private final ValidationStamps stamps;

    public JdbcMetadataStore(Database db) {
        this.db = db;
        this.stamps = new ValidationStamps(db);
    }

    /** Writes the revalidation stamps that wait; call it before closing the database. */
    @Override
    public void close() {
        stamps.close();
    }

    @Override
    public void putManifest(RepositoryName repository, RepositoryKind kind, RepositoryOrigin origin, Digest digest, String mediaType,
                            long size, String artifactType, Digest subject) {
        Instant now = Instant.now();
        upsert(c -> {
            ensureRepository(c, repository, kind, origin, now);
            try (PreparedStatement ps = c.prepareStatement(
                    "MERGE INTO manifests t USING (VALUES (CAST(? AS VARCHAR(255)), CAST(? AS VARCHAR(200)))) s(repository, digest)"
                            + " ON t.repository = s.repository AND t.digest = s.digest"
                            + " WHEN NOT MATCHED THEN INSERT (repository, digest, media_type, size, artifact_type, subject_digest, created_at)"
                            + " VALUES (s.repository, s.digest, ?, ?, ?, ?, ?)")) {
                ps.setString(1, repository.value());
                ps.setString(2, digest.toString());
                ps.setString(3, mediaType);
                ps.setLong(4, size);
                ps.setString(5, artifactType);
                ps.setString(6, subject == null ? null : subject.toString());
                setInstant(ps, 7, now);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Creates the repository row, or brings its kind and origin up to date (a rule may have been re-pointed). */
    private static void ensureRepository(Connection c, RepositoryName repository, RepositoryKind kind, RepositoryOrigin origin, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "MERGE INTO repositories t USING (VALUES (CAST(? AS VARCHAR(255)), CAST(? AS VARCHAR(8)),"
                        + " CAST(? AS VARCHAR(50)), CAST(? AS VARCHAR(512)))) s(name, kind, rule_name, upstream_repository)"
                        + " ON t.name = s.name"
                        + " WHEN MATCHED AND (t.kind <> s.kind OR t.rule_name IS DISTINCT FROM s.rule_name"
                        + "   OR t.upstream_repository IS DISTINCT FROM s.upstream_repository)"
                        + " THEN UPDATE SET kind = s.kind, rule_name = s.rule_name, upstream_repository = s.upstream_repository"
                        + " WHEN NOT MATCHED THEN INSERT (name, kind, rule_name, upstream_repository, created_at)"
                        + " VALUES (s.name, s.kind, s.rule_name, s.upstream_repository, ?)")) {
            ps.setString(1, repository.value());
            ps.setString(2, kind.name());
            ps.setString(3, origin == null ? null : origin.ruleName());
            ps.setString(4, origin == null ? null : origin.upstreamRepository());
            setInstant(ps, 5, now);
            ps.executeUpdate();
        }
    }

    @Override
    public void load(List<RepositoryLoad> repositories, Instant at) {
        Instant now = Instant.now();
        upsert(c -> {
            try (PreparedStatement manifests = c.prepareStatement(
                    "MERGE INTO manifests t USING (VALUES (CAST(? AS VARCHAR(255)), CAST(? AS VARCHAR(200)))) s(repository, digest)"
                            + " ON t.repository = s.repository AND t.digest = s.digest"
                            + " WHEN NOT MATCHED THEN INSERT (repository, digest, media_type, size, artifact_type, subject_digest, created_at)"
                            + " VALUES (s.repository, s.digest, ?, ?, ?, ?, ?)");
                 PreparedStatement blobs = c.prepareStatement(
                         "MERGE INTO blob_links t USING (VALUES (CAST(? AS VARCHAR(255)), CAST(? AS VARCHAR(200)))) s(repository, digest)"
                                 + " ON t.repository = s.repository AND t.digest = s.digest"
                                 + " WHEN NOT MATCHED THEN INSERT (repository, digest, size, created_at) VALUES (s.repository, s.digest, ?, ?)");
                 // Standard MERGE (not H2's MERGE ... KEY) so that PostgreSQL 15 runs it too; a moved tag keeps its counters.
                 PreparedStatement tags = c.prepareStatement(
                         "MERGE INTO tags t USING (VALUES (CAST(? AS VARCHAR(255)), CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(200))))"
                                 + " s(repository, tag, digest) ON t.repository = s.repository AND t.tag = s.tag"
                                 + " WHEN MATCHED THEN UPDATE SET digest = s.digest, fetched_at = ?, validated_at = ?"
                                 + " WHEN NOT MATCHED THEN INSERT (repository, tag, digest, fetched_at, validated_at)"
                                 + " VALUES (s.repository, s.tag, s.digest, ?, ?)")) {
                for (RepositoryLoad r : repositories) {
                    stamps.forget(r.name());
                    ensureRepository(c, r.name(), r.kind(), r.origin(), now);
                    for (ManifestLoad m : r.manifests()) {
                        manifests.setString(1, r.name().value());
                        manifests.setString(2, m.digest().toString());
                        manifests.setString(3, m.mediaType());
                        manifests.setLong(4, m.size());
                        manifests.setString(5, m.artifactType());
                        manifests.setString(6, m.subject() == null ? null : m.subject().toString());
                        setInstant(manifests, 7, now);
                        manifests.addBatch();
                    }
                    for (var blob : r.blobs().entrySet()) {
                        blobs.setString(1, r.name().value());
                        blobs.setString(2, blob.getKey().toString());
                        blobs.setLong(3, blob.getValue());
                        setInstant(blobs, 4, now);
                        blobs.addBatch();
                    }
                    for (var tag : r.tags().entrySet()) {
                        tags.setString(1, r.name().value());
                        tags.setString(2, tag.getKey());
                        tags.setString(3, tag.getValue().toString());
                        for (int i = 4; i <= 7; i++) setInstant(tags, i, at);
                        tags.addBatch();
                    }
                }
                manifests.executeBatch();
                blobs.executeBatch();
                tags.executeBatch();
            }
            return null;
        });
    }

    @Override
    public Optional<StoredManifest> manifest(RepositoryName repository, Digest digest) {
        return queryFirst("SELECT " + MANIFEST_COLUMNS + " FROM manifests WHERE repository = ? AND digest = ?",
                JdbcMetadataStore::storedManifest, repository.value(), digest.toString());
    }

    @Override
    public void putTag(RepositoryName repository, String tag, Digest digest, Instant at) {
        // Standard MERGE (H2 and PostgreSQL 15 both have it) updates only the columns it names, so the tag's pull
        // counters survive a re-point.
        stamps.forget(repository, tag);
        upsert(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "MERGE INTO tags t USING (VALUES (CAST(? AS VARCHAR(255)), CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(200)),"
                            + " CAST(? AS TIMESTAMP WITH TIME ZONE))) s(repository, tag, digest, stamp)"
                            + " ON t.repository = s.repository AND t.tag = s.tag"
                            + " WHEN MATCHED THEN UPDATE SET digest = s.digest, fetched_at = s.stamp, validated_at = s.stamp"
                            + " WHEN NOT MATCHED THEN INSERT (repository, tag, digest, fetched_at, validated_at)"
                            + " VALUES (s.repository, s.tag, s.digest, s.stamp, s.stamp)")) {
                ps.setString(1, repository.value());
                ps.setString(2, tag);
                ps.setString(3, digest.toString());
                setInstant(ps, 4, at);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void markValidated(RepositoryName repository, String tag, Instant at) {
        stamps.stamp(repository, tag, at);
    }

    @Override
    public Optional<TagRecord> tag(RepositoryName repository, String tag) {
        return queryFirst("SELECT " + TAG_COLUMNS + " FROM tags WHERE repository = ? AND tag = ?",
                JdbcMetadataStore::tagRecord, repository.value(), tag).map(stamps::overlay);
    }

    @Override
    public List<TagRecord> tags(RepositoryName repository) {
        return queryAll("SELECT " + TAG_COLUMNS + " FROM tags WHERE repository = ? ORDER BY tag",
                JdbcMetadataStore::tagRecord, repository.value()).stream().map(stamps::overlay).toList();
    }

    @Override
    public void linkBlob(RepositoryName repository, Digest digest, long size) {
        Instant now = Instant.now();
        upsert(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "MERGE INTO blob_links t USING (VALUES (CAST(? AS VARCHAR(255)), CAST(? AS VARCHAR(200)))) s(repository, digest)"
                            + " ON t.repository = s.repository AND t.digest = s.digest"
                            + " WHEN NOT MATCHED THEN INSERT (repository, digest, size, created_at) VALUES (s.repository, s.digest, ?, ?)")) {
                ps.setString(1, repository.value());
                ps.setString(2, digest.toString());
                ps.setLong(3, size);
                setInstant(ps, 4, now);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public boolean hasBlob(RepositoryName repository, Digest digest) {
        return exists("SELECT 1 FROM blob_links WHERE repository = ? AND digest = ?", repository.value(), digest.toString());
    }

    @Override
    public List<StoredManifest> referrers(RepositoryName repository, Digest subject) {
        return queryAll("SELECT " + MANIFEST_COLUMNS + " FROM manifests WHERE repository = ? AND subject_digest = ?"
                + " ORDER BY created_at, digest", JdbcMetadataStore::storedManifest, repository.value(), subject.toString());
    }

    @Override
    public void recordPulls(List<PullCount> counts) {
        if (counts.isEmpty()) return;
        db.inTransaction(c -> {
            PullCountUpdates.apply(c, counts);
            return null;
        });
    }

    @Override
    public Optional<RepositoryKind> repositoryKind(RepositoryName repository) {
        return queryFirst("SELECT kind FROM repositories WHERE name = ?", rs -> RepositoryKind.valueOf(rs.getString(1)),
                repository.value());
    }

    @Override
    public boolean anyRepositoryUnder(String prefix, RepositoryKind kind) {
        if (prefix == null || prefix.isEmpty()) {
            return exists("SELECT 1 FROM repositories WHERE kind = ? FETCH FIRST 1 ROW ONLY", kind.name());
        }
        return exists("SELECT 1 FROM repositories WHERE kind = ? AND (name = ? OR name LIKE ? ESCAPE '\\') "
                + "FETCH FIRST 1 ROW ONLY", kind.name(), prefix, escapeLike(prefix) + "/%");
    }

    /** Makes {@code text} match itself literally in a LIKE pattern with {@code ESCAPE '\'}; {@code _} is legal in names. */
    static String escapeLike(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 4);
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '\\' || ch == '%' || ch == '_') {
                sb.append('\\');
            }
            sb.append(ch);
        }
        return sb.toString();
    }

    @Override
    public List<RepositorySummary> repositories() {
        return queryAll(summarySql(false), JdbcMetadataStore::summary);
    }

    @Override
    public Optional<RepositorySummary> repository(RepositoryName name) {
        String n = name.value();
        return queryFirst(summarySql(true), JdbcMetadataStore::summary, n, n, n, n, n);
    }

    /**
     * One row per repository with its counts. Size: its distinct blobs and manifests (a digest that is both a linked
     * blob and a manifest counts once). With {@code one}, every part is filtered to one repository (5 parameters).
     */
    private static String summarySql(boolean one) {
        String where = one ? " WHERE repository = ?" : "";
        return "SELECT r.name, r.kind, r.rule_name, r.upstream_repository, r.created_at, r.last_pulled_at, r.pull_count,"
                + " COALESCE(t.n, 0) AS tag_count, COALESCE(m.n, 0) AS manifest_count, COALESCE(s.bytes, 0) AS size_bytes"
                + " FROM repositories r"
                + " LEFT JOIN (SELECT repository, COUNT(*) AS n FROM tags" + where + " GROUP BY repository) t ON t.repository = r.name"
                + " LEFT JOIN (SELECT repository, COUNT(*) AS n FROM manifests" + where + " GROUP BY repository) m ON m.repository = r.name"
                + " LEFT JOIN (SELECT repository, SUM(size) AS bytes FROM ("
                + "     SELECT repository, digest, size FROM blob_links" + where
                + "     UNION SELECT repository, digest, size FROM manifests" + where
                + "   ) u GROUP BY repository) s ON s.repository = r.name"
                + (one ? " WHERE r.name = ?" : "")
                + " ORDER BY r.name";
    }

    @Override
    public List<StoredManifest> manifests(RepositoryName repository) {
        return queryAll("SELECT " + MANIFEST_COLUMNS + " FROM manifests WHERE repository = ? ORDER BY created_at DESC, digest",
                JdbcMetadataStore::storedManifest, repository.value());
    }

    @Override
    public void deleteTag(RepositoryName repository, String tag) {
        stamps.forget(repository, tag);
        update("DELETE FROM tags WHERE repository = ? AND tag = ?", repository.value(), tag);
    }

    @Override
    public boolean deleteManifest(RepositoryName repository, Digest digest) {
        stamps.forget(repository);
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM tags WHERE repository = ? AND digest = ?")) {
                ps.setString(1, repository.value());
                ps.setString(2, digest.toString());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM manifests WHERE repository = ? AND digest = ?")) {
                ps.setString(1, repository.value());
                ps.setString(2, digest.toString());
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public boolean unlinkBlob(RepositoryName repository, Digest digest) {
        return update("DELETE FROM blob_links WHERE repository = ? AND digest = ?", repository.value(), digest.toString()) > 0;
    }

    @Override
    public void deleteRepository(RepositoryName repository) {
        stamps.forget(repository);
        db.inTransaction(c -> {
            for (String sql : List.of(
                    "DELETE FROM tags WHERE repository = ?",
                    "DELETE FROM manifests WHERE repository = ?",
                    "DELETE FROM blob_links WHERE repository = ?",
                    "DELETE FROM repositories WHERE name = ?")) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, repository.value());
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public List<StoredManifest> leastRecentlyPulled(int limit) {
        return db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + prefixed("m.", MANIFEST_COLUMNS) + " FROM manifests m JOIN repositories r ON r.name = m.repository"
                            + " WHERE r.kind = 'CACHED'"
                            + " ORDER BY COALESCE(m.last_pulled_at, m.created_at), m.created_at, m.repository, m.digest"
                            + " FETCH FIRST ? ROWS ONLY")) {
                ps.setInt(1, Math.max(0, limit));
                return all(ps, JdbcMetadataStore::storedManifest);
            }
        });
    }

    private static String prefixed(String alias, String columns) {
        return alias + columns.replace(", ", ", " + alias);
    }

    @Override
    public void evictManifest(RepositoryName repository, Digest digest, Collection<Digest> unlinkBlobs) {
        stamps.forget(repository);
        db.inTransaction(c -> {
            for (String sql : List.of(
                    "DELETE FROM tags WHERE repository = ? AND digest = ?",
                    "DELETE FROM manifests WHERE repository = ? AND digest = ?")) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, repository.value());
                    ps.setString(2, digest.toString());
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM blob_links WHERE repository = ? AND digest = ?")) {
                for (Digest blob : unlinkBlobs) {
                    ps.setString(1, repository.value());
                    ps.setString(2, blob.toString());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            boolean empty;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM manifests WHERE repository = ? FETCH FIRST 1 ROW ONLY")) {
                ps.setString(1, repository.value());
                try (ResultSet rs = ps.executeQuery()) {
                    empty = !rs.next();
                }
            }
            if (empty) {
                for (String sql : List.of(
                        "DELETE FROM tags WHERE repository = ?",
                        "DELETE FROM blob_links WHERE repository = ?",
                        "DELETE FROM repositories WHERE name = ?")) {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setString(1, repository.value());
                        ps.executeUpdate();
                    }
                }
            }
            return null;
        });
    }

    @Override
    public List<Digest> unreferencedBlobs(List<Digest> candidates) {
        if (candidates.isEmpty()) {
            return List.of();
        }
        Set<String> referenced = new HashSet<>();
        db.inTransaction(c -> {
            for (int from = 0; from < candidates.size(); from += IN_CHUNK) {
                List<Digest> chunk = candidates.subList(from, Math.min(candidates.size(), from + IN_CHUNK));
                String marks = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT digest FROM blob_links WHERE digest IN (" + marks + ")"
                                + " UNION SELECT digest FROM manifests WHERE digest IN (" + marks + ")")) {
                    int i = 1;
                    for (int pass = 0; pass < 2; pass++) {
                        for (Digest d : chunk) {
                            ps.setString(i++, d.toString());
                        }
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            referenced.add(rs.getString(1));
                        }
                    }
                }
            }
            return null;
        });
        List<Digest> result = new ArrayList<>();
        for (Digest d : candidates) {
            if (!referenced.contains(d.toString())) {
                result.add(d);
            }
        }
        return result;
    }

    @Override
    public long cachedBytes() {
        return db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COALESCE(SUM(size), 0) FROM (SELECT digest, MAX(size) AS size FROM ("
                            + " SELECT digest, size FROM blob_links UNION ALL SELECT digest, size FROM manifests"
                            + ") a GROUP BY digest) d");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    /**
     * Runs an insert-if-absent transaction; when a concurrent writer inserted the same key first, runs it once more
     * (it then finds the row and does nothing or updates).
     */
    private <T> T upsert(Database.SqlWork<T> work) {
        try {
            return db.inTransaction(work);
        } catch (StorageException e) {
            if (e.getCause() instanceof SQLException sql && DUPLICATE_KEY.equals(sql.getSQLState())) {
                return db.inTransaction(work);
            }
            throw e;
        }
    }

    private boolean exists(String sql, String... params) {
        return queryFirst(sql, rs -> true, params).isPresent();
    }

    /** {@code sql} with string parameters, on an auto-commit connection: its first row, if any. */
    private <T> Optional<T> queryFirst(String sql, RowMapper<T> mapper, String... params) {
        return db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, params);
                return first(ps, mapper);
            }
        });
    }

    /** {@code sql} with string parameters, on an auto-commit connection: all its rows. */
    private <T> List<T> queryAll(String sql, RowMapper<T> mapper, String... params) {
        return db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, params);
                return all(ps, mapper);
            }
        });
    }

    /** An update with string parameters, on an auto-commit connection; returns the rows it changed. */
    private int update(String sql, String... params) {
        return db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, params);
                return ps.executeUpdate();
            }
        });
    }

    private static void bind(PreparedStatement ps, String... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            ps.setString(i + 1, params[i]);
        }
    }

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private static <T> Optional<T> first(PreparedStatement ps, RowMapper<T> mapper) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty();
        }
    }

    private static <T> List<T> all(PreparedStatement ps, RowMapper<T> mapper) throws SQLException {
        List<T> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
        }
        return out;
    }

    static void setInstant(PreparedStatement ps, int index, Instant at) throws SQLException {
        if (at == null) {
            ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
        }
    }

    static Instant getInstant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static Digest digestOrNull(String text) {
        return text == null ? null : Digest.parse(text);
    }

    private static StoredManifest storedManifest(ResultSet rs) throws SQLException {
        return new StoredManifest(RepositoryName.of(rs.getString("repository")), Digest.parse(rs.getString("digest")),
                rs.getString("media_type"), rs.getLong("size"), rs.getString("artifact_type"),
                digestOrNull(rs.getString("subject_digest")), getInstant(rs, "created_at"),
                getInstant(rs, "last_pulled_at"), rs.getLong("pull_count"));
    }

    private static TagRecord tagRecord(ResultSet rs) throws SQLException {
        return new TagRecord(RepositoryName.of(rs.getString("repository")), rs.getString("tag"),
                Digest.parse(rs.getString("digest")), getInstant(rs, "fetched_at"), getInstant(rs, "validated_at"),
                getInstant(rs, "last_pulled_at"), rs.getLong("pull_count"));
    }

    private static RepositorySummary summary(ResultSet rs) throws SQLException {
        return new RepositorySummary(RepositoryName.of(rs.getString("name")), RepositoryKind.valueOf(rs.getString("kind")),
                rs.getString("rule_name"), rs.getString("upstream_repository"), rs.getInt("tag_count"),
                rs.getInt("manifest_count"), rs.getLong("size_bytes"), getInstant(rs, "created_at"),
                getInstant(rs, "last_pulled_at"), rs.getLong("pull_count"));
    }
}
