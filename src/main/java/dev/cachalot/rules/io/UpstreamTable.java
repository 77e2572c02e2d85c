package dev.cachalot.rules.io;

import dev.cachalot.rules.Upstream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * Adds a custom upstream inside an import's transaction. {@code UpstreamStore.put} commits on its own, which
 * would break the all-or-nothing promise of an import, so this writes the same {@code upstreams} row (schema V1).
 */
final class UpstreamTable {

    private UpstreamTable() {
    }

    static void insert(Connection c, Upstream upstream) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO upstreams (login_server, endpoint, auth_mode, ca_cert, created_at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, upstream.loginServer());
            ps.setString(2, upstream.endpoint().toString());
            ps.setString(3, upstream.authMode().name());
            ps.setString(4, upstream.caCertPem());
            ps.setTimestamp(5, Timestamp.from(Instant.now()));
            ps.executeUpdate();
        }
    }
}
