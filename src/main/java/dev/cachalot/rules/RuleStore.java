package dev.cachalot.rules;

import dev.cachalot.storage.Database;
import dev.cachalot.storage.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Cache rules in the metadata database. Writers bump the config version in the same transaction. */
public final class RuleStore {

    private static final String COLUMNS = "name, source_repository, target_repository, credential_set, freshness, creation_date, provisioning_state, "
            + "sync_mode, sync_tags, sync_platforms, sync_interval_seconds, sync_repositories, sync_referrers, sync_include_types, sync_exclude_types";
    /** Creation order, so that the first of two rules sharing a source wins in every process alike. */
    private static final String ORDER = " ORDER BY creation_date, name";
    private static final String UNIQUE_VIOLATION = "23505";

    private final Database database;

    public RuleStore(Database database) {
        this.database = database;
    }

    public List<CacheRule> list() {
        return database.query(this::list);
    }

    /** The rules as seen inside the caller's transaction. */
    public List<CacheRule> list(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM cache_rules" + ORDER);
             ResultSet rs = ps.executeQuery()) {
            List<CacheRule> rules = new ArrayList<>();
            while (rs.next()) rules.add(read(rs));
            return rules;
        }
    }

    public Optional<CacheRule> find(String name) {
        return database.query(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM cache_rules WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    /**
     * Inserts within the caller's transaction (for atomic imports).
     *
     * @throws RuleValidationException when the name or target is taken (the database's unique constraints)
     */
    public void insert(Connection c, CacheRule rule) {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO cache_rules (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, rule.name());
            ps.setString(2, rule.sourceRepository());
            ps.setString(3, rule.targetRepository());
            ps.setString(4, rule.credentialSet());
            ps.setString(5, freshness(rule).text());
            ps.setObject(6, OffsetDateTime.ofInstant(rule.creationDate(), ZoneOffset.UTC));
            ps.setString(7, state(rule).name());
            setSync(ps, 8, rule.sync());
            ps.executeUpdate();
            Database.bumpConfigVersion(c);
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) throw duplicate(rule, e);
            throw new StorageException("cannot save cache rule '" + rule.name() + "': " + e.getMessage(), e);
        }
    }

    /** Updates the rule of the same name (credential set, freshness, provisioning state, sync policy; source and target too). */
    public void update(Connection c, CacheRule rule) {
        try (PreparedStatement ps = c.prepareStatement("UPDATE cache_rules SET source_repository = ?, target_repository = ?, "
                + "credential_set = ?, freshness = ?, provisioning_state = ?, sync_mode = ?, sync_tags = ?, sync_platforms = ?, "
                + "sync_interval_seconds = ?, sync_repositories = ?, sync_referrers = ?, sync_include_types = ?, "
                + "sync_exclude_types = ? WHERE name = ?")) {
            ps.setString(1, rule.sourceRepository());
            ps.setString(2, rule.targetRepository());
            ps.setString(3, rule.credentialSet());
            ps.setString(4, freshness(rule).text());
            ps.setString(5, state(rule).name());
            setSync(ps, 6, rule.sync());
            ps.setString(14, rule.name());
            if (ps.executeUpdate() == 0) {
                throw new RuleValidationException("there is no cache rule named '" + rule.name() + "'");
            }
            Database.bumpConfigVersion(c);
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) throw duplicate(rule, e);
            throw new StorageException("cannot update cache rule '" + rule.name() + "': " + e.getMessage(), e);
        }
    }

    /** @return false when there was no such rule */
    public boolean delete(Connection c, String name) {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM cache_rules WHERE name = ?");
             PreparedStatement runs = c.prepareStatement("DELETE FROM rule_sync_runs WHERE rule_name = ?")) {
            ps.setString(1, name);
            if (ps.executeUpdate() == 0) return false;
            // A rule made later under the same name starts with no sync history of its own.
            runs.setString(1, name);
            runs.executeUpdate();
            Database.bumpConfigVersion(c);
            return true;
        } catch (SQLException e) {
            throw new StorageException("cannot delete cache rule '" + name + "': " + e.getMessage(), e);
        }
    }

    private static CacheRule read(ResultSet rs) throws SQLException {
        return new CacheRule(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                FreshnessPolicy.parse(rs.getString(5)),
                rs.getObject(6, OffsetDateTime.class).toInstant(),
                CacheRule.ProvisioningState.valueOf(rs.getString(7)),
                readSync(rs, 8));
    }

    /** The eight sync columns from {@code first} on, in {@link #COLUMNS}' order. */
    private static void setSync(PreparedStatement ps, int first, SyncPolicy sync) throws SQLException {
        SyncDraft text = sync.draft();
        ps.setString(first, text.mode());
        ps.setString(first + 1, nullIfEmpty(sync.tags().equals(TagFilter.ALL) ? "" : text.tags()));
        ps.setString(first + 2, nullIfEmpty(text.platforms()));
        ps.setLong(first + 3, sync.interval().getSeconds());
        ps.setString(first + 4, nullIfEmpty(text.repositories()));
        ps.setBoolean(first + 5, sync.referrers());
        ps.setString(first + 6, nullIfEmpty(text.includeArtifactTypes()));
        ps.setString(first + 7, nullIfEmpty(text.excludeArtifactTypes()));
    }

    /**
     * Read back through the same checks as a user's draft, with the wildcard check off: what was stored was checked
     * against its rule when stored.
     */
    private static SyncPolicy readSync(ResultSet rs, int first) throws SQLException {
        long seconds = rs.getLong(first + 3);
        String interval = rs.wasNull() ? null : seconds + "s";
        SyncDraft stored = new SyncDraft(rs.getString(first), emptyIfNull(rs.getString(first + 1)), emptyIfNull(rs.getString(first + 2)),
                interval, emptyIfNull(rs.getString(first + 4)), Boolean.toString(rs.getBoolean(first + 5)),
                emptyIfNull(rs.getString(first + 6)), emptyIfNull(rs.getString(first + 7)));
        return SyncPolicy.PASSIVE.with(stored, true);
    }

    private static String nullIfEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String emptyIfNull(String s) {
        return s == null ? "" : s;
    }

    private static FreshnessPolicy freshness(CacheRule rule) {
        return rule.freshness() == null ? FreshnessPolicy.REVALIDATE : rule.freshness();
    }

    private static CacheRule.ProvisioningState state(CacheRule rule) {
        return rule.provisioningState() == null ? CacheRule.ProvisioningState.Succeeded : rule.provisioningState();
    }

    /** The database refused a duplicate: say which, in the validator's words. */
    private static RuleValidationException duplicate(CacheRule rule, SQLException e) {
        String message = String.valueOf(e.getMessage()).toUpperCase(Locale.ROOT);
        if (message.contains("UQ_RULE_TARGET")) {
            return new RuleValidationException("target '" + rule.targetRepository() + "' is already used by another rule");
        }
        return new RuleValidationException("a rule named '" + rule.name() + "' already exists");
    }
}
