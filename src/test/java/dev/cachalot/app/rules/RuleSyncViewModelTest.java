package dev.cachalot.app.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.SharedRegistries;
import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Formats;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.sync.SyncRequest;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the Cache rules page says about a rule's sync, on a real engine in front of a real upstream, without a window. */
class RuleSyncViewModelTest {
    private static DockerRegistryFixture upstream;

    @TempDir
    Path data;
    private Engine engine;
    private RuleSyncViewModel vm;

    @BeforeAll
    static void upstreamWithTwoTags() {
        upstream = SharedRegistries.open();
        TestImages images = new TestImages(1909);
        RegistryPusher pusher = new RegistryPusher(upstream.url());
        pusher.push("syncvm/app", "1.0", images.ociImage());
        pusher.push("syncvm/app", "2.0", images.ociImage());
    }

    @BeforeEach
    void engineWithTwoRules() {
        engine = Engine.open(new DataFolder(data));
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft("syncvm-app", upstream.hostPort() + "/syncvm/app", "syncvm-app", null, null));
        engine.createRule(new RuleDraft("syncvm-all", upstream.hostPort() + "/syncvm/*", "syncvm/*", null, null));
        vm = new RuleSyncViewModel(new AppContext(engine, Async.direct(), data.toString()));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private CacheRule rule(String name) {
        return engine.rules().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aPassiveRuleThatNeverSyncedSaysSo() {
        vm.look();
        vm.selectedProperty().set(rule("syncvm-app"));

        assertThat(vm.summary(rule("syncvm-app"))).isEqualTo("passive");
        assertThat(vm.policyProperty().get()).isEqualTo("Passive: only what clients pull is cached.");
        assertThat(vm.lastRunProperty().get()).isEqualTo("Last sync: never.");
        assertThat(vm.nextRunProperty().get()).isEqualTo("Next sync: not scheduled (Sync now runs one).");
        assertThat(vm.runningProperty().get()).isFalse();
    }

    @Test
    void aSavedPolicyIsShownAndARefusedOneComesBackInTheEnginesWords() {
        vm.selectedProperty().set(rule("syncvm-all"));
        AtomicReference<List<String>> refused = new AtomicReference<>();

        vm.savePolicy(rule("syncvm-all"), new SyncDraft("active", "semver:>=1 <2", "linux/arm64", "90m", "app", null, null, null),
                saved -> { }, refused::set);

        assertThat(refused.get()).isNull();
        assertThat(vm.policyProperty().get())
                .isEqualTo("Active every 90m: tags semver:>=1 <2, platforms linux/arm64, repositories app.");
        assertThat(vm.summary(rule("syncvm-all"))).isEqualTo("every 90m");

        vm.savePolicy(rule("syncvm-app"), new SyncDraft("active", null, null, "30s", "app", null, null, null), saved -> { }, refused::set);

        assertThat(refused.get()).containsExactly("Sync interval '30s' is out of range: from 1m to 366d",
                "Sync repositories are only for wildcard rules: a rule for one repository syncs that repository");
        assertThat(rule("syncvm-app").sync().isActive()).as("nothing saved").isFalse();
    }

    @Test
    void aFinishedRunShowsItsOutcomeWhatChangedAndTheNextRun() {
        engine.updateRuleSync("syncvm-app", new SyncDraft("active", "1.*", null, "6h", null, null, null, null));
        engine.syncRule("syncvm-app", SyncRequest.ALL, p -> { });

        vm.look();
        vm.selectedProperty().set(rule("syncvm-app"));

        assertThat(vm.summary(rule("syncvm-app"))).startsWith("every 6h · ok ");
        assertThat(vm.lastRunProperty().get()).startsWith("Last sync: ok ")
                .contains(" — 1 tags in 1 repository: fetched 1, 0 unchanged;");
        assertThat(vm.nextRunProperty().get()).startsWith("Next sync: ");
        assertThat(vm.detail(rule("syncvm-app"))).contains("Active every 6h: tags 1.*, platforms all.", "Last sync: 1 tags");
        assertThat(vm.runningProperty().get()).isFalse();
    }

    @Test
    void aRunWhoseEngineWasKilledShowsAsInterruptedWithItsStart() throws Exception {
        // The run of a process that is gone for good: a real one, killed with SIGKILL.
        Process gone = new ProcessBuilder("sleep", "60").start();
        java.time.Instant goneStart = gone.info().startInstant().orElseThrow();
        gone.destroyForcibly().waitFor();
        java.time.Instant started = java.time.Instant.now().minusSeconds(90);
        String h2 = "jdbc:h2:file:" + new DataFolder(data).database().resolve("cachalot").toString().replace('\\', '/') + ";AUTO_SERVER=TRUE";
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(h2, "cachalot", "");
             java.sql.PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO rule_sync_runs (rule_name, started_at, outcome, run_by) VALUES ('syncvm-app', ?, 'RUNNING', ?)")) {
            ps.setObject(1, java.time.OffsetDateTime.ofInstant(started, java.time.ZoneOffset.UTC));
            ps.setString(2, "pid " + gone.pid() + " started " + goneStart);
            ps.executeUpdate();
        }

        vm.look();
        vm.selectedProperty().set(rule("syncvm-app"));

        assertThat(vm.summary(rule("syncvm-app"))).isEqualTo("passive · interrupted");
        assertThat(vm.lastRunProperty().get()).isEqualTo("Last sync: interrupted (started " + Formats.time(started)
                + ") — the engine running it stopped during the run (pid " + gone.pid() + ")");
        assertThat(vm.runningProperty().get()).isFalse();
    }
}
