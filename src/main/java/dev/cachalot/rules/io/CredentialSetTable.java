package dev.cachalot.rules.io;

import dev.cachalot.storage.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@link CredentialSetMetadataStore} on the {@code credential_sets} table of schema V1. */
public final class CredentialSetTable implements CredentialSetMetadataStore {

    static final String SECRET_NOT_FOUND = "SecretNotFound";

    private final Database database;

    public CredentialSetTable(Database database) {
        this.database = database;
    }

    @Override
    public List<CredentialSetMetadata> list() {
        return database.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT name, login_server, username_secret, password_secret FROM credential_sets ORDER BY name");
                 ResultSet rs = ps.executeQuery()) {
                List<CredentialSetMetadata> sets = new ArrayList<>();
                while (rs.next()) {
                    sets.add(new CredentialSetMetadata(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
                return sets;
            }
        });
    }

    @Override
    public void insertAwaitingSecrets(Connection c, CredentialSetMetadata set) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO credential_sets (name, login_server, username_secret, "
                + "password_secret, health, error_code, error_message, creation_date) VALUES (?, ?, ?, ?, 'Unhealthy', ?, ?, ?)")) {
            ps.setString(1, set.name());
            ps.setString(2, set.loginServer());
            ps.setString(3, set.usernameSecret());
            ps.setString(4, set.passwordSecret());
            ps.setString(5, SECRET_NOT_FOUND);
            ps.setString(6, "imported without secrets: set the username and password of credential set '" + set.name() + "'");
            ps.setTimestamp(7, Timestamp.from(Instant.now()));
            ps.executeUpdate();
        }
    }
}
