package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.oci.Digest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Read marks on a shared PostgreSQL database, as two engines of a cluster see them: one engine's read is seen by the
 * other's collector until it ends or expires, and a row left behind (a delete that failed) is renewed, not refused.
 */
class PostgresBlobReadsTest {
    private static final Digest BLOB = Digest.parse("sha256:" + "ef".repeat(32));
    private static final Instant NOW = Instant.parse("2026-12-05T01:00:00Z");

    private Database database;

    @BeforeEach
    void open() {
        database = Database.openShared(PostgresTestDatabases.migrated());
    }

    @AfterEach
    void close() {
        database.close();
    }

    private BlobReads engineAt(Instant now) {
        return new BlobReads(database, Duration.ofMinutes(2), Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void oneEnginesReadIsSeenByAnotherUntilItEndsOrExpires() {
        try (BlobReads node1 = engineAt(NOW); BlobReads node2 = engineAt(NOW); BlobReads later = engineAt(NOW.plusSeconds(121))) {
            BlobReads.Mark read = node1.start(BLOB);

            assertThat(node2.beingRead(List.of(BLOB))).containsExactly(BLOB);
            assertThat(later.beingRead(List.of(BLOB))).as("past its expiry (node 1 died)").isEmpty();

            read.close();
            assertThat(node2.beingRead(List.of(BLOB))).isEmpty();
        }
    }

    @Test
    void aRowLeftBehindIsRenewedByTheNextRead() {
        try (BlobReads node1 = engineAt(NOW); BlobReads node2 = engineAt(NOW)) {
            database.query(c -> {
                try (var ps = c.prepareStatement("INSERT INTO blob_reads (node, digest, expires_at) VALUES (?, ?, ?)")) {
                    ps.setString(1, node1.node());
                    ps.setString(2, BLOB.toString());
                    ps.setObject(3, OffsetDateTime.ofInstant(NOW.minusSeconds(600), ZoneOffset.UTC));
                    return ps.executeUpdate();
                }
            });

            BlobReads.Mark read = node1.start(BLOB);

            assertThat(node2.beingRead(List.of(BLOB))).containsExactly(BLOB);
            read.close();
            assertThat(node2.beingRead(List.of(BLOB))).isEmpty();
            assertThat(node2.pruneExpired()).isZero();
        }
    }
}
