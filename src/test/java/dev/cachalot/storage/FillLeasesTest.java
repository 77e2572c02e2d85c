package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cachalot.oci.Digest;
import dev.cachalot.testing.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cross-node fill leases on a real PostgreSQL: two nodes, as two openers of one database. */
class FillLeasesTest {
    private static final Digest BLOB = Digest.parse("sha256:" + "ab".repeat(32));
    private static final Digest OTHER = Digest.parse("sha256:" + "cd".repeat(32));

    private Database nodeA;
    private Database nodeB;
    private FillLeases leasesA;
    private FillLeases leasesB;

    @BeforeEach
    void twoNodes() {
        PostgresSettings settings = PostgresTestDatabases.migrated();
        nodeA = Database.openShared(settings);
        nodeB = Database.openShared(settings);
        leasesA = new FillLeases(nodeA);
        leasesB = new FillLeases(nodeB);
    }

    @AfterEach
    void close() {
        leasesA.close();
        leasesB.close();
        nodeA.close();
        nodeB.close();
    }

    @Test
    void oneNodeAtATimeHoldsTheLeaseOfADigest() {
        FillLeases.Lease lease = leasesA.tryAcquire(BLOB).orElseThrow();
        assertThat(leasesB.tryAcquire(BLOB)).isEmpty();
        assertThat(leasesA.tryAcquire(BLOB)).as("not twice on one node either").isEmpty();
        try (FillLeases.Lease other = leasesB.tryAcquire(OTHER).orElseThrow()) {
            assertThat(other.isHeld()).isTrue();
        }
        assertThat(lease.isHeld()).isTrue();

        lease.close();
        Optional<FillLeases.Lease> taken = leasesB.tryAcquire(BLOB);
        assertThat(taken).isPresent();
        taken.get().close();
    }

    @Test
    void aNodeWhoseSessionDiesLosesItsLeasesToAnother() throws Exception {
        FillLeases.Lease lease = leasesA.tryAcquire(BLOB).orElseThrow();
        assertThat(leasesB.tryAcquire(BLOB)).isEmpty();
        int pid = leasesA.backendPid();

        // What the server does when a node is killed or cut off: the session ends, and its locks go with it.
        try (Connection admin = PostgresServer.shared().admin();
             PreparedStatement ps = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
            }
        }

        // The backend ends shortly after the signal: poll until the lock is free.
        FillLeases.Lease takenOver = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> leasesB.tryAcquire(BLOB), Optional::isPresent).orElseThrow();
        assertThat(takenOver.isHeld()).isTrue();
        assertThat(lease.isHeld()).as("the dead session's lease").isFalse();
        lease.close(); // harmless: nothing left to give back

        // Node A recovers with a new session: it sees B's lease and can take others.
        assertThat(leasesA.tryAcquire(BLOB)).isEmpty();
        try (FillLeases.Lease other = leasesA.tryAcquire(OTHER).orElseThrow()) {
            assertThat(leasesA.backendPid()).isNotEqualTo(pid);
        }
        takenOver.close();
        assertThat(leasesA.tryAcquire(BLOB)).isPresent();
    }

    @Test
    void everyNodeSeesWhetherSomeNodeHoldsARuleSyncTurnWithoutTakingIt() throws Exception {
        // "mirror-a" hashes to a negative int, whose lock key shows in pg_locks as an unsigned oid; "app-sync" to a positive one.
        for (String rule : new String[] {"app-sync", "mirror-a"}) {
            assertThat(leasesB.isRuleSyncTaken(rule)).isFalse();
            FillLeases.Lease turn = leasesA.tryRuleSync(rule).orElseThrow();

            assertThat(leasesB.isRuleSyncTaken(rule)).as(rule + " held by node A, seen from B").isTrue();
            assertThat(leasesA.isRuleSyncTaken(rule)).as(rule + " held by node A, seen from A").isTrue();
            assertThat(leasesB.isRuleSyncTaken(rule + "-other")).isFalse();
            assertThat(leasesB.tryRuleSync(rule)).as("the look took nothing: the turn is still A's alone").isEmpty();

            turn.close();
            assertThat(leasesB.isRuleSyncTaken(rule)).isFalse();
        }
        assertThat("mirror-a".hashCode()).isNegative();
        assertThat("app-sync".hashCode()).isPositive();

        leasesA.tryRuleSync("mirror-a").orElseThrow();
        try (Connection admin = PostgresServer.shared().admin();
             PreparedStatement ps = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
            ps.setInt(1, leasesA.backendPid());
            ps.executeQuery().close();
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(leasesB.isRuleSyncTaken("mirror-a")).as("the turn of a node whose session ended").isFalse());
    }

    @Test
    void closingTheLeasesOfANodeFreesThemAll() {
        leasesA.tryAcquire(BLOB).orElseThrow();
        leasesA.tryAcquire(OTHER).orElseThrow();
        leasesA.close();
        assertThat(leasesB.tryAcquire(BLOB)).isPresent();
        assertThat(leasesB.tryAcquire(OTHER)).isPresent();
    }

    @Test
    void theKeyIsTheDigestsFirstSixtyFourBits() {
        assertThat(FillLeases.key(Digest.parse("sha256:" + "ff".repeat(32)))).isEqualTo(-1L);
        assertThat(FillLeases.key(BLOB)).isEqualTo(0xababababababababL);
    }

    @Test
    void anEmbeddedDatabaseHasNoLeases(@TempDir Path root) {
        try (Database h2 = Database.open(new DataFolder(root))) {
            assertThatThrownBy(() -> new FillLeases(h2)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
