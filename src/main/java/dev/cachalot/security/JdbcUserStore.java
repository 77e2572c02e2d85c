package dev.cachalot.security;

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

/** {@link UserStore} on the metadata database (tables of migration V60). */
public final class JdbcUserStore implements UserStore {
    private final Database database;

    public JdbcUserStore(Database database) {
        this.database = database;
    }

    @Override
    public List<User> users() {
        return database.query(c -> {
            List<User> users = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT name, role, repositories, password_hash, created_at FROM registry_users ORDER BY name");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    users.add(new User(rs.getString(1), Role.parse(rs.getString(2)), new RepositoryPattern(rs.getString(3)),
                            rs.getString(4), instant(rs.getObject(5, OffsetDateTime.class))));
                }
            }
            return users;
        });
    }

    @Override
    public void add(User user) {
        database.inTransaction(c -> {
            if (exists(c, "SELECT 1 FROM registry_users WHERE name = ?", user.name())) {
                throw new IllegalArgumentException("a user named '" + user.name() + "' exists already");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO registry_users (name, role, repositories, password_hash,"
                    + " created_at) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, user.name());
                ps.setString(2, user.role().label());
                ps.setString(3, user.repositories().text());
                ps.setString(4, user.passwordHash());
                ps.setObject(5, time(user.created()));
                ps.executeUpdate();
            }
            Database.bumpConfigVersion(c);
            return null;
        });
    }

    @Override
    public boolean remove(String name) {
        return database.inTransaction(c -> {
            try (PreparedStatement tokens = c.prepareStatement("DELETE FROM access_tokens WHERE user_name = ?");
                 PreparedStatement user = c.prepareStatement("DELETE FROM registry_users WHERE name = ?")) {
                tokens.setString(1, name);
                tokens.executeUpdate();
                user.setString(1, name);
                if (user.executeUpdate() == 0) return false;
            }
            Database.bumpConfigVersion(c);
            return true;
        });
    }

    @Override
    public List<AccessToken> tokens() {
        return database.query(c -> {
            List<AccessToken> tokens = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name, token_id, user_name, secret_hash, created_at, expires_at,"
                    + " last_used_at FROM access_tokens ORDER BY name");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tokens.add(new AccessToken(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            instant(rs.getObject(5, OffsetDateTime.class)), instant(rs.getObject(6, OffsetDateTime.class)),
                            instant(rs.getObject(7, OffsetDateTime.class))));
                }
            }
            return tokens;
        });
    }

    @Override
    public void add(AccessToken token) {
        database.inTransaction(c -> {
            if (exists(c, "SELECT 1 FROM access_tokens WHERE name = ?", token.name())) {
                throw new IllegalArgumentException("a token named '" + token.name() + "' exists already");
            }
            if (!exists(c, "SELECT 1 FROM registry_users WHERE name = ?", token.user())) {
                throw new IllegalArgumentException("there is no user named '" + token.user() + "'");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO access_tokens (name, token_id, user_name, secret_hash,"
                    + " created_at, expires_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, token.name());
                ps.setString(2, token.id());
                ps.setString(3, token.user());
                ps.setString(4, token.secretHash());
                ps.setObject(5, time(token.created()));
                ps.setObject(6, time(token.expires()));
                ps.setObject(7, time(token.lastUsed()));
                ps.executeUpdate();
            }
            Database.bumpConfigVersion(c);
            return null;
        });
    }

    @Override
    public boolean revoke(String name) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM access_tokens WHERE name = ?")) {
                ps.setString(1, name);
                if (ps.executeUpdate() == 0) return false;
            }
            Database.bumpConfigVersion(c);
            return true;
        });
    }

    @Override
    public void markUsed(String tokenId, Instant when) {
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE access_tokens SET last_used_at = ? WHERE token_id = ?")) {
                ps.setObject(1, time(when));
                ps.setString(2, tokenId);
                return ps.executeUpdate();
            }
        });
    }

    private static boolean exists(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
