package dev.cachalot.credentials;

import dev.cachalot.storage.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Credential sets in the metadata database (table {@code credential_sets}): secret references only.
 *
 * <p>Writers of configuration (insert, update of secrets, delete) bump the config version in the same transaction
 * so running engines reload. Health and rate-limit updates do not: they are status that changes while pulling, and
 * reloading every engine's configuration for them would be waste.
 */
public final class CredentialSetStore {

    private static final String COLUMNS = "name, login_server, username_secret, password_secret, health, error_code, "
            + "error_message, last_checked, ratelimit_limit, ratelimit_remaining, creation_date";
    private static final int MAX_MESSAGE = 1024;

    private final Database database;

    public CredentialSetStore(Database database) {
        this.database = database;
    }

    /** In creation order. */
    public List<CredentialSet> list() {
        return database.query(this::list);
    }

    public List<CredentialSet> list(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM credential_sets ORDER BY creation_date, name");
             ResultSet rs = ps.executeQuery()) {
            List<CredentialSet> sets = new ArrayList<>();
            while (rs.next()) sets.add(read(rs));
            return sets;
        }
    }

    public Optional<CredentialSet> find(String name) {
        return database.query(c -> find(c, name));
    }

    public Optional<CredentialSet> find(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM credential_sets WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** Inserts within the caller's transaction and bumps the config version. */
    public void insert(Connection c, CredentialSet set) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO credential_sets (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, set.name());
            ps.setString(2, set.loginServer());
            ps.setString(3, set.usernameSecret());
            ps.setString(4, set.passwordSecret());
            ps.setString(5, set.health().name());
            ps.setString(6, set.errorCode());
            ps.setString(7, truncate(set.errorMessage()));
            ps.setObject(8, time(set.lastChecked()));
            ps.setString(9, set.rateLimitLimit());
            ps.setString(10, set.rateLimitRemaining());
            ps.setObject(11, time(set.creationDate()));
            ps.executeUpdate();
        }
        Database.bumpConfigVersion(c);
    }

    /** Changes the secret references within the caller's transaction and bumps the config version. */
    public boolean updateSecrets(Connection c, String name, String usernameSecret, String passwordSecret) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE credential_sets SET username_secret = ?, password_secret = ? WHERE name = ?")) {
            ps.setString(1, usernameSecret);
            ps.setString(2, passwordSecret);
            ps.setString(3, name);
            if (ps.executeUpdate() == 0) return false;
        }
        Database.bumpConfigVersion(c);
        return true;
    }

    /** Deletes within the caller's transaction and bumps the config version. */
    public boolean delete(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM credential_sets WHERE name = ?")) {
            ps.setString(1, name);
            if (ps.executeUpdate() == 0) return false;
        }
        Database.bumpConfigVersion(c);
        return true;
    }

    /** Records health (status, not configuration: no config version bump). */
    public boolean updateHealth(String name, CredentialSet.Health health, String errorCode, String errorMessage, Instant checked) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE credential_sets SET health = ?, error_code = ?, "
                    + "error_message = ?, last_checked = ? WHERE name = ?")) {
                ps.setString(1, health.name());
                ps.setString(2, errorCode);
                ps.setString(3, truncate(errorMessage));
                ps.setObject(4, time(checked));
                ps.setString(5, name);
                return ps.executeUpdate() > 0;
            }
        });
    }

    /** Records Docker Hub's rate-limit headers as last seen (status: no config version bump). */
    public boolean updateRateLimit(String name, String limit, String remaining) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE credential_sets SET ratelimit_limit = ?, ratelimit_remaining = ? WHERE name = ?")) {
                ps.setString(1, truncate64(limit));
                ps.setString(2, truncate64(remaining));
                ps.setString(3, name);
                return ps.executeUpdate() > 0;
            }
        });
    }

    private static CredentialSet read(ResultSet rs) throws SQLException {
        return new CredentialSet(
                rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                CredentialSet.Health.valueOf(rs.getString(5)), rs.getString(6), rs.getString(7),
                instant(rs.getObject(8, OffsetDateTime.class)),
                rs.getString(9), rs.getString(10),
                instant(rs.getObject(11, OffsetDateTime.class)));
    }

    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    private static String truncate(String s) {
        return s == null || s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE - 3) + "...";
    }

    private static String truncate64(String s) {
        return s == null || s.length() <= 64 ? s : s.substring(0, 64);
    }

}
