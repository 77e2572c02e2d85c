package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.api.ManagementAccess;
import dev.cachalot.api.ManagementApi;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.engine.TagView;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.sync.SyncStatus;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.SignedImage;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cachalot --engine URL rules update NAME --sync …} and {@code rules sync NAME [--dry-run]} on an engine serving
 * the management API: the same lines and exit codes as on a local data folder (RulesSyncCommandTest), and the run is
 * the serving engine's own (its cache, its last run).
 */
class RemoteRulesSyncCommandTest {
    private static final TestImages IMAGES = new TestImages(4343);
    private static final TestImage V319 = IMAGES.ociImage();
    private static final TestImage V40 = IMAGES.ociImage();

    @TempDir
    Path temp;
    private DockerRegistryFixture upstream;
    private Engine engine;
    private String url;

    @BeforeEach
    void engineServingTheApi() {
        upstream = DockerRegistryFixture.start();
        RegistryPusher pusher = new RegistryPusher(upstream.url());
        pusher.push("team/app", "3.19", V319);
        pusher.push("team/app", "4.0", V40);
        engine = Engine.open(temp.resolve("data"));
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft("app-sync", upstream.hostPort() + "/team/app", "app", null, null));
        engine.serveManagementApi(new ManagementApi(engine, ManagementAccess.loopbackOnly()));
        engine.startServer("127.0.0.1:0");
        url = "http://127.0.0.1:" + engine.port();
    }

    @AfterEach
    void stop() {
        if (engine != null) engine.close();
        if (upstream != null) upstream.close();
    }

    @Test
    void updateAndSyncWorkOnARemoteEngineAsOnALocalOne() {
        Cli.Run update = Cli.runRaw("--engine", url, "rules", "update", "app-sync", "--sync", "active", "--sync-tags", "3.*",
                "--sync-interval", "6h").succeeded();
        assertThat(update.out()).isEqualTo("Updated rule app-sync: sync active every 6h, tags 3.*, platforms all\n");
        assertThat(engine.rules()).singleElement().satisfies(r -> assertThat(r.sync().isActive()).isTrue());

        Cli.Run dry = Cli.runRaw("--engine", url, "rules", "sync", "app-sync", "--dry-run").succeeded();
        assertThat(dry.out()).contains("would fetch  app:3.19").contains("Dry run of rule app-sync: 1 tags selected in 1 repository;"
                + " Would fetch 1, 0 unchanged");
        assertThat(engine.tags("app")).isEmpty();

        Cli.Run run = Cli.runRaw("--engine", url, "rules", "sync", "app-sync").succeeded();
        assertThat(run.out()).contains("fetched      app:3.19").contains("Synced rule app-sync: 1 tags selected in 1 repository;"
                + " Fetched 1, 0 unchanged");
        assertThat(engine.tags("app")).extracting(TagView::tag).containsExactly("3.19");
        assertThat(engine.syncStatuses().get("app-sync").lastOutcome()).isEqualTo(SyncStatus.Outcome.SUCCEEDED);
    }

    @Test
    void referrersAndArtifactTypesAreSetThroughTheApiAndCountedByARemoteDryRun() {
        SignedImage signed = SignedImage.push(new RegistryPusher(upstream.url()), new TestImages(4344), "team/app", "5.0");
        Cli.Run update = Cli.runRaw("--engine", url, "rules", "update", "app-sync", "--sync", "active", "--sync-tags", "5.0",
                "--sync-referrers", "on", "--sync-include-artifact-types", TestImages.OCI_CONFIG + ",application/vnd.cachalot.*",
                "--sync-exclude-artifact-types", SignedImage.SIGNATURE_TYPE).succeeded();

        assertThat(update.out()).isEqualTo("Updated rule app-sync: sync active every 12h, tags 5.0, platforms all, referrers, artifact types "
                + TestImages.OCI_CONFIG + ",application/vnd.cachalot.*, not artifact types " + SignedImage.SIGNATURE_TYPE + "\n");
        assertThat(engine.rules()).singleElement().satisfies(r -> {
            assertThat(r.sync().referrers()).isTrue();
            assertThat(r.sync().includeArtifactTypes()).containsExactly(TestImages.OCI_CONFIG, "application/vnd.cachalot.*");
            assertThat(r.sync().excludeArtifactTypes()).containsExactly(SignedImage.SIGNATURE_TYPE);
        });
        assertThat(Cli.runRaw("--engine", url, "rules", "list", "--json").succeeded().json().get(0).get("syncPolicy")
                .get("excludeArtifactTypes").asText()).isEqualTo(SignedImage.SIGNATURE_TYPE);

        long bytes = SignedImage.bytes(signed.image()) + SignedImage.bytes(signed.sbom());
        assertThat(Cli.runRaw("--engine", url, "rules", "sync", "app-sync", "--dry-run").succeeded().out())
                .endsWith("Would fetch 1, 0 unchanged; 2 manifests, " + (signed.image().blobs().size() + signed.sbom().blobs().size())
                        + " blobs, " + bytes + " bytes (" + Table.bytes(bytes) + ")\n");
        assertThat(engine.manifest("app", signed.sbom().digest())).isEmpty();
    }

    @Test
    void aBadArtifactTypeIsRefusedByTheRemoteEngineAndNothingChanges() {
        engine.createCredentialSet("app-login", upstream.hostPort(), "someone", "secret".toCharArray());
        Cli.runRaw("--engine", url, "rules", "update", "app-sync", "--sync-exclude-artifact-types", SignedImage.SIGNATURE_TYPE).succeeded();
        CacheRule before = engine.rules().get(0);

        assertThat(Cli.runRaw("--engine", url, "rules", "update", "app-sync", "--sync", "active", "--sync-include-artifact-types",
                "signature").failedWithOneLine()).startsWith("cachalot: sync artifact types to include: 'signature' is not a media type"
                        + " such as application/vnd.oci.image.config.v1+json (a trailing * takes a prefix)");
        assertThat(Cli.runRaw("--engine", url, "rules", "update", "app-sync", "--credential-set", "app-login", "--sync-referrers",
                "sometimes").failedWithOneLine()).startsWith("cachalot: sync referrers 'sometimes': write true or false");

        assertThat(engine.rules()).containsExactly(before);
        assertThat(before.credentialSet()).isNull();
    }

    @Test
    void refusalsAndFailuresReadAsTheyDoLocally() {
        assertThat(Cli.runRaw("--engine", url, "rules", "update", "app-sync", "--sync", "active", "--sync-tags", "re:(").failedWithOneLine())
                .startsWith("cachalot: sync tags: tag filter 're:(': not a valid regular expression: Unclosed group near index 1");

        Cli.Run missing = Cli.runRaw("--engine", url, "rules", "sync", "app-sync", "--tag", "9.9");
        assertThat(missing.exit()).isEqualTo(RulesSyncCommand.NOT_ALL_CACHED);
        assertThat(missing.out()).contains("failed       app:9.9");
        assertThat(missing.err().strip()).isEqualTo("cachalot: not every selected tag of rule app-sync is cached: app:9.9: the upstream"
                + " has no such tag");
        assertThat(Cli.runRaw("--engine", url, "rules", "sync", "no-such-rule").failedWithOneLine())
                .startsWith("cachalot: no cache rule named 'no-such-rule'");
    }
}
