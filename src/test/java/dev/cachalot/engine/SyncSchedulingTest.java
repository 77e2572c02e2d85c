package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.credentials.Keyring;
import dev.cachalot.credentials.PassphrasePrompt;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.storage.PostgresSettings;
import dev.cachalot.storage.PostgresTestDatabases;
import dev.cachalot.sync.SyncRequest;
import dev.cachalot.sync.SyncStatus;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sync scheduler's look ({@code startDueRuns}, run directly: no waiting for its timer) and one run per rule at a time,
 * in one engine and across two engines sharing a PostgreSQL database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyncSchedulingTest {

    private static final VaultOptions NO_PASSPHRASE =
            new VaultOptions(name -> null, Keyring.NONE, PassphrasePrompt.NONE, VaultOptions.MIN_ITERATIONS);

    @TempDir
    static Path temp;
    private DockerRegistryFixture upstream;
    private final ExecutorService side = Executors.newSingleThreadExecutor();

    @BeforeAll
    void upstreamWithTwoTags() {
        upstream = DockerRegistryFixture.start();
        RegistryPusher pusher = new RegistryPusher(upstream.url());
        TestImages images = new TestImages(77);
        pusher.push("team/app", "1.0", images.ociImage());
        pusher.push("team/app", "2.0", images.ociImage());
    }

    @AfterAll
    void stop() {
        side.shutdownNow();
        if (upstream != null) upstream.close();
    }

    private Engine engine(Path folder, EngineOptions options) {
        Engine engine = Engine.open(folder, options);
        if (engine.upstreams().stream().noneMatch(u -> u.loginServer().equals(upstream.hostPort()))) {
            engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        }
        return engine;
    }

    @Test
    void theSchedulerRunsEachDueActiveRuleOnceAndUsesAChangedPolicyAtOnce() throws Exception {
        try (Engine engine = engine(temp.resolve("scheduled"), EngineOptions.withVault(NO_PASSPHRASE))) {
            engine.createRule(new RuleDraft("active-app", upstream.hostPort() + "/team/app", "app", null, null,
                    new SyncDraft("active", "1.0", null, "6h", null, null, null, null)));
            engine.createRule(new RuleDraft("passive-app", upstream.hostPort() + "/team/app", "other", null, null));
            assertThat(engine.syncStatuses().get("active-app").nextRunAt()).isNotNull();
            assertThat(engine.syncStatuses().get("passive-app").nextRunAt()).isNull();

            assertThat(engine.syncs().startDueRuns()).containsExactly("active-app");
            assertThat(engine.syncs().awaitBackgroundRuns(Duration.ofMinutes(2))).isTrue();

            SyncStatus status = engine.syncStatuses().get("active-app");
            assertThat(status.lastOutcome()).as(status.lastSummary()).isEqualTo(SyncStatus.Outcome.SUCCEEDED);
            assertThat(status.nextRunAt()).isEqualTo(status.lastStartedAt().plus(Duration.ofHours(6)));
            assertThat(engine.tags("app")).extracting(TagView::tag).containsExactly("1.0");
            assertThat(engine.lastSyncReport("active-app")).hasValueSatisfying(report -> {
                assertThat(report.summary()).isEqualTo(status.lastSummary());
                assertThat(report.tags()).extracting(t -> t.tag() + " " + t.action()).containsExactly("1.0 FETCHED");
            });
            assertThat(engine.lastSyncReport("passive-app")).isEmpty();
            assertThat(engine.repositories()).extracting(RepositoryView::name).containsExactly("app");
            assertThat(engine.syncs().startDueRuns()).isEmpty();

            // Made active by a change: due at once, since it never ran
            engine.updateRuleSync("passive-app", SyncDraft.mode("active"));
            assertThat(engine.syncs().startDueRuns()).containsExactly("passive-app");
            assertThat(engine.syncs().awaitBackgroundRuns(Duration.ofMinutes(2))).isTrue();
            assertThat(engine.tags("other")).extracting(TagView::tag).containsExactly("1.0", "2.0");
        }
    }

    @Test
    void aRuleRunsOnceAtATimeInOneEngine() throws Exception {
        try (Engine engine = engine(temp.resolve("once"), EngineOptions.withVault(NO_PASSPHRASE))) {
            engine.createRule(new RuleDraft("busy-app", upstream.hostPort() + "/team/app", "app", null, null, SyncDraft.mode("active")));
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<?> first = side.submit(() -> engine.syncRule("busy-app", SyncRequest.ALL, p -> hold(inside, release)));
            assertThat(inside.await(2, TimeUnit.MINUTES)).isTrue();

            assertThatThrownBy(() -> engine.syncRule("busy-app", SyncRequest.ALL, p -> { }))
                    .isInstanceOf(IllegalStateException.class).hasMessage("a sync of rule 'busy-app' is running already");
            assertThat(engine.startSync("busy-app", SyncRequest.ALL)).isFalse();
            assertThat(engine.syncs().startDueRuns()).isEmpty();
            assertThat(engine.syncStatuses().get("busy-app").lastOutcome()).isEqualTo(SyncStatus.Outcome.RUNNING);
            assertThat(engine.syncStatuses().get("busy-app").running()).isNotNull();

            release.countDown();
            first.get(2, TimeUnit.MINUTES);
            assertThat(engine.syncStatuses().get("busy-app").lastOutcome()).isEqualTo(SyncStatus.Outcome.SUCCEEDED);
            assertThat(engine.startSync("busy-app", SyncRequest.ALL)).isTrue();
            assertThat(engine.syncs().awaitBackgroundRuns(Duration.ofMinutes(2))).isTrue();
        }
    }

    @Test
    void acrossEnginesSharingADatabaseOneRunsARuleAtATime() throws Exception {
        PostgresSettings database = PostgresTestDatabases.migrated();
        EngineOptions shared = EngineOptions.withVault(NO_PASSPHRASE).withSharedDatabase(database);
        try (Engine a = engine(temp.resolve("node-a"), shared); Engine b = engine(temp.resolve("node-b"), shared)) {
            a.createRule(new RuleDraft("shared-app", upstream.hostPort() + "/team/app", "app", null, null, SyncDraft.mode("active")));
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<?> first = side.submit(() -> a.syncRule("shared-app", SyncRequest.ALL, p -> hold(inside, release)));
            assertThat(inside.await(2, TimeUnit.MINUTES)).isTrue();

            assertThatThrownBy(() -> b.syncRule("shared-app", SyncRequest.ALL, p -> { }))
                    .isInstanceOf(IllegalStateException.class).hasMessage("a sync of rule 'shared-app' is running on another engine");
            assertThat(b.syncs().startDueRuns()).isEmpty();
            assertThat(b.syncStatuses().get("shared-app").lastOutcome()).isEqualTo(SyncStatus.Outcome.RUNNING);

            release.countDown();
            first.get(2, TimeUnit.MINUTES);
            assertThat(b.syncStatuses().get("shared-app").lastOutcome()).isEqualTo(SyncStatus.Outcome.SUCCEEDED);
            // ran just now on node A: not due on node B
            assertThat(b.syncs().startDueRuns()).isEmpty();
        }
    }

    @Test
    void anotherEngineShowsARunAsInterruptedOnlyOnceItsEngineLeftTheDatabase() throws Exception {
        PostgresSettings database = PostgresTestDatabases.migrated();
        EngineOptions shared = EngineOptions.withVault(NO_PASSPHRASE).withSharedDatabase(database);
        try (Engine a = engine(temp.resolve("alive-a"), shared); Engine b = engine(temp.resolve("alive-b"), shared)) {
            a.createRule(new RuleDraft("left-app", upstream.hostPort() + "/team/app", "app", null, null, SyncDraft.mode("active")));
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<?> run = side.submit(() -> a.syncRule("left-app", SyncRequest.ALL, p -> hold(inside, release)));
            assertThat(inside.await(2, TimeUnit.MINUTES)).isTrue();

            // Node B starting (its scheduler looks for runs left by dead engines) leaves a living node's run alone.
            b.startServer("127.0.0.1:0");
            assertThat(b.syncs().startDueRuns()).isEmpty();
            assertThat(b.syncStatuses().get("left-app").lastOutcome()).isEqualTo(SyncStatus.Outcome.RUNNING);

            // What the database sees when node A is killed: its session ends, and its turn with it. (Node A is this JVM,
            // which lives on: across engines sharing a database, the turn decides, not the process.)
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(database.url(), database.user(), database.password());
                 java.sql.Statement st = c.createStatement()) {
                st.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                        + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").close();
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(b.syncStatuses().get("left-app").lastOutcome()).isEqualTo(SyncStatus.Outcome.INTERRUPTED));
            assertThat(b.syncStatuses().get("left-app").lastSummary()).startsWith("the engine running it stopped during the run (pid ");
            assertThat(b.syncs().startDueRuns()).as("the schedule goes on from the interrupted run's start").isEmpty();

            release.countDown();
            run.get(2, TimeUnit.MINUTES);
        }
    }

    /** A progress listener that holds the run at its first report until released. */
    private static void hold(CountDownLatch inside, CountDownLatch release) {
        if (inside.getCount() == 0) return;
        inside.countDown();
        try {
            release.await(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
