package dev.cachalot.rules.io;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What imports and exports need of the credential sets: their metadata, and adding one whose secrets the user
 * still has to set. The credentials part owns the sets; {@link CredentialSetTable} is a plain implementation on
 * the shared schema that the engine may replace with the credentials store.
 */
public interface CredentialSetMetadataStore {

    /** Every credential set, metadata only. */
    List<CredentialSetMetadata> list();

    /**
     * Adds a credential set inside the caller's transaction, as {@code Unhealthy} with error code
     * {@code SecretNotFound}: its secrets are not in this machine's vault until the user sets them.
     */
    void insertAwaitingSecrets(Connection c, CredentialSetMetadata set) throws SQLException;
}
