package dev.cachalot.rules;

import dev.cachalot.storage.Database;
import dev.cachalot.storage.StorageException;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Custom upstreams in the metadata database. */
public final class UpstreamStore {

    private final Database database;

    public UpstreamStore(Database database) {
        this.database = database;
    }

    public List<Upstream> list() {
        return database.query(this::list);
    }

    /** The custom upstreams as seen inside the caller's transaction. */
    public List<Upstream> list(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT login_server, endpoint, auth_mode, ca_cert FROM upstreams ORDER BY created_at, login_server");
             ResultSet rs = ps.executeQuery()) {
            List<Upstream> upstreams = new ArrayList<>();
            while (rs.next()) {
                String loginServer = rs.getString(1);
                // No display name column: a custom upstream is shown by its login server.
                upstreams.add(new Upstream(loginServer, loginServer, URI.create(rs.getString(2)),
                        AuthMode.valueOf(rs.getString(3)), rs.getString(4), false));
            }
            return upstreams;
        }
    }

    /**
     * Adds or replaces a custom upstream; bumps the config version.
     *
     * @throws RuleValidationException when it claims a built-in login server
     */
    public void put(Upstream upstream) {
        database.inTransaction(c -> {
            put(c, upstream);
            return null;
        });
    }

    /** Adds or replaces a custom upstream within the caller's transaction (for atomic imports). */
    public void put(Connection c, Upstream upstream) {
        String loginServer = UpstreamCatalog.canonicalLoginServer(upstream.loginServer());
        if (upstream.builtIn() || UpstreamCatalog.isBuiltIn(loginServer)) {
            throw new RuleValidationException("'" + loginServer + "' is a built-in upstream and cannot be added as a custom one");
        }
        try {
            try (PreparedStatement ps = c.prepareStatement("UPDATE upstreams SET endpoint = ?, auth_mode = ?, ca_cert = ? WHERE login_server = ?")) {
                ps.setString(1, upstream.endpoint().toString());
                ps.setString(2, upstream.authMode().name());
                ps.setString(3, upstream.caCertPem());
                ps.setString(4, loginServer);
                if (ps.executeUpdate() == 0) {
                    try (PreparedStatement insert = c.prepareStatement(
                            "INSERT INTO upstreams (login_server, endpoint, auth_mode, ca_cert, created_at) VALUES (?, ?, ?, ?, ?)")) {
                        insert.setString(1, loginServer);
                        insert.setString(2, upstream.endpoint().toString());
                        insert.setString(3, upstream.authMode().name());
                        insert.setString(4, upstream.caCertPem());
                        insert.setObject(5, OffsetDateTime.now(ZoneOffset.UTC));
                        insert.executeUpdate();
                    }
                }
            }
            Database.bumpConfigVersion(c);
        } catch (SQLException e) {
            throw new StorageException("cannot save upstream '" + loginServer + "': " + e.getMessage(), e);
        }
    }

    public boolean remove(String loginServer) {
        return database.inTransaction(c -> remove(c, loginServer));
    }

    /** Removes a custom upstream within the caller's transaction; false when there was none. */
    public boolean remove(Connection c, String loginServer) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM upstreams WHERE login_server = ?")) {
            ps.setString(1, UpstreamCatalog.canonicalLoginServer(loginServer));
            if (ps.executeUpdate() == 0) return false;
            Database.bumpConfigVersion(c);
            return true;
        }
    }
}
