package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cachalot.engine.Engine;
import dev.cachalot.rules.SyncPolicy;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.SignedImage;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cachalot rules update NAME --sync …} and {@code cachalot rules sync NAME [--tag T] [--dry-run]} as issue 19's contract writes them. */
class RulesSyncCommandTest {

    private static final TestImages IMAGES = new TestImages(4242);
    private static final TestImage V319 = IMAGES.ociImage();
    private static final TestImage V320 = IMAGES.ociIndex();
    private static final TestImage V40 = IMAGES.ociImage();

    @TempDir
    Path temp;
    private DockerRegistryFixture upstream;
    private Cli cli;

    @BeforeEach
    void upstreamAndARule() {
        upstream = DockerRegistryFixture.start();
        RegistryPusher pusher = new RegistryPusher(upstream.url());
        pusher.push("team/app", "3.19", V319);
        pusher.push("team/app", "3.20", V320);
        pusher.push("team/app", "4.0", V40);
        cli = new Cli(temp.resolve("data"));
        cli.run("upstream", "add", "--login-server", upstream.hostPort(), "--endpoint", upstream.url()).succeeded();
        cli.run("rules", "create", "--name", "app-sync", "--source", upstream.hostPort() + "/team/app", "--target", "app").succeeded();
        cli.run("rules", "create", "--name", "team-all", "--source", upstream.hostPort() + "/team/*", "--target", "team/*").succeeded();
    }

    @AfterEach
    void stopUpstream() {
        upstream.close();
    }

    @Test
    void updateSetsThePolicyAndShowReadsItBack() {
        Cli.Run update = cli.run("rules", "update", "app-sync", "--sync", "active", "--sync-tags", "semver:>=3.19 <4",
                "--sync-platforms", "linux/amd64,linux/arm64", "--sync-interval", "6h").succeeded();
        assertThat(update.out()).isEqualTo("Updated rule app-sync: sync active every 6h, tags semver:>=3.19 <4, platforms"
                + " linux/amd64,linux/arm64\n");
        assertThat(cli.run("rules", "show", "app-sync").succeeded().out().lines())
                .contains("sync: active every 6h, tags semver:>=3.19 <4, platforms linux/amd64,linux/arm64");

        assertThat(cli.run("rules", "update", "app-sync", "--sync", "passive").succeeded().out())
                .isEqualTo("Updated rule app-sync: sync passive, tags semver:>=3.19 <4, platforms linux/amd64,linux/arm64\n");
        assertThat(cli.run("rules", "update", "team-all", "--sync", "active", "--sync-repositories", "app,tools").succeeded().out())
                .isEqualTo("Updated rule team-all: sync active every 12h, tags *, platforms all, repositories app,tools\n");
    }

    @Test
    void createTakesTheSameSyncOptionsAndListShowsTheMode() {
        cli.run("rules", "create", "--name", "new-sync", "--source", upstream.hostPort() + "/team/new", "--target", "new",
                "--sync", "active", "--sync-tags", "3.*", "--sync-interval", "1d").succeeded();

        assertThat(cli.run("rules", "show", "new-sync").succeeded().out().lines())
                .contains("sync: active every 1d, tags 3.*, platforms all");
        assertThat(cli.run("rules", "list").succeeded().rows())
                .anySatisfy(row -> assertThat(row).startsWith("new-sync").endsWith("active every 1d"))
                .anySatisfy(row -> assertThat(row).startsWith("app-sync").endsWith("passive"));
    }

    @Test
    void updateRefusesBadSettingsInOneLine() {
        assertThat(cli.run("rules", "update", "app-sync", "--sync", "sometimes", "--sync-tags", "re:(").failedWithOneLine())
                .isEqualTo("cachalot: sync mode 'sometimes' is neither active nor passive; sync tags: tag filter 're:(': not a valid"
                        + " regular expression: Unclosed group near index 1");
        assertThat(cli.run("rules", "update", "app-sync", "--sync", "active", "--sync-repositories", "app").failedWithOneLine())
                .isEqualTo("cachalot: sync repositories are only for wildcard rules: a rule for one repository syncs that repository");
        assertThat(cli.run("rules", "update", "app-sync").exit()).isEqualTo(2);
    }

    @Test
    void referrersAndArtifactTypesAreSetShownAndReadBackByTheEngine() {
        String config = TestImages.OCI_CONFIG;
        Cli.Run update = cli.run("rules", "update", "app-sync", "--sync", "active", "--sync-referrers", "true",
                "--sync-include-artifact-types", config + "," + TestImages.TEST_ARTIFACT_TYPE,
                "--sync-exclude-artifact-types", "application/vnd.example.*").succeeded();

        assertThat(update.out()).isEqualTo("Updated rule app-sync: sync active every 12h, tags *, platforms all, referrers, artifact types "
                + config + "," + TestImages.TEST_ARTIFACT_TYPE + ", not artifact types application/vnd.example.*\n");
        JsonNode json = cli.run("rules", "show", "app-sync", "--json").succeeded().json().get("syncPolicy");
        assertThat(json.get("referrers").asText()).isEqualTo("true");
        assertThat(json.get("includeArtifactTypes").asText()).isEqualTo(config + "," + TestImages.TEST_ARTIFACT_TYPE);
        assertThat(json.get("excludeArtifactTypes").asText()).isEqualTo("application/vnd.example.*");
        assertThat(engineSync("app-sync")).satisfies(p -> {
            assertThat(p.referrers()).isTrue();
            assertThat(p.includeArtifactTypes()).containsExactly(config, TestImages.TEST_ARTIFACT_TYPE);
            assertThat(p.excludeArtifactTypes()).containsExactly("application/vnd.example.*");
        });

        assertThat(cli.run("rules", "update", "app-sync", "--sync-referrers", "off", "--sync-include-artifact-types", "").succeeded().out())
                .isEqualTo("Updated rule app-sync: sync active every 12h, tags *, platforms all, not artifact types application/vnd.example.*\n");
        assertThat(engineSync("app-sync")).satisfies(p -> {
            assertThat(p.referrers()).isFalse();
            assertThat(p.includeArtifactTypes()).isEmpty();
            assertThat(p.excludeArtifactTypes()).containsExactly("application/vnd.example.*");
        });
    }

    @Test
    void aBadReferrersValueOrArtifactTypeIsRefusedWithTheEnginesWordsAndNothingChanges() {
        cli.run("rules", "update", "app-sync", "--sync", "active", "--sync-include-artifact-types", TestImages.OCI_CONFIG).succeeded();
        String before = cli.run("rules", "show", "app-sync", "--json").succeeded().out();

        assertThat(cli.run("rules", "update", "app-sync", "--sync", "passive", "--sync-include-artifact-types", "sbom").failedWithOneLine())
                .isEqualTo("cachalot: sync artifact types to include: 'sbom' is not a media type such as"
                        + " application/vnd.oci.image.config.v1+json (a trailing * takes a prefix)");
        assertThat(cli.run("rules", "update", "app-sync", "--sync-referrers", "maybe", "--sync-exclude-artifact-types",
                TestImages.OCI_CONFIG).failedWithOneLine())
                .isEqualTo("cachalot: sync referrers 'maybe': write true or false; artifact type '" + TestImages.OCI_CONFIG
                        + "' is both included and excluded");
        // With a credential set change too: the sync options are checked before anything is written.
        assertThat(cli.run("rules", "update", "app-sync", "--remove-credential-set", "--sync-exclude-artifact-types", "a/b/c")
                .failedWithOneLine()).startsWith("cachalot: sync artifact types to exclude: 'a/b/c' is not a media type");

        assertThat(cli.run("rules", "show", "app-sync", "--json").succeeded().out()).isEqualTo(before);
        assertThat(engineSync("app-sync").isActive()).isTrue();
    }

    @Test
    void aDryRunWithReferrersOnCountsTheReferrersTheArtifactTypeFilterTakes() {
        SignedImage signed = SignedImage.push(new RegistryPusher(upstream.url()), new TestImages(4244), "team/signed", "1.0");
        cli.run("rules", "create", "--name", "signed-sync", "--source", upstream.hostPort() + "/team/signed", "--target", "signed",
                "--sync", "active", "--sync-tags", "1.0", "--sync-referrers", "true", "--sync-exclude-artifact-types", SignedImage.SIGNATURE_TYPE).succeeded();
        long bytes = SignedImage.bytes(signed.image()) + SignedImage.bytes(signed.sbom());
        int blobs = signed.image().blobs().size() + signed.sbom().blobs().size();

        assertThat(cli.run("rules", "sync", "signed-sync", "--dry-run").succeeded().out())
                .endsWith("Dry run of rule signed-sync: 1 tags selected in 1 repository; Would fetch 1, 0 unchanged; 2 manifests, "
                        + blobs + " blobs, " + bytes + " bytes (" + Table.bytes(bytes) + ")\n");
        cli.run("rules", "update", "signed-sync", "--sync-referrers", "false").succeeded();
        long imageBytes = SignedImage.bytes(signed.image());
        assertThat(cli.run("rules", "sync", "signed-sync", "--dry-run").succeeded().out())
                .endsWith("Would fetch 1, 0 unchanged; 1 manifests, " + signed.image().blobs().size() + " blobs, " + imageBytes
                        + " bytes (" + Table.bytes(imageBytes) + ")\n");

        cli.run("rules", "update", "signed-sync", "--sync-referrers", "true").succeeded();
        assertThat(cli.run("rules", "sync", "signed-sync").succeeded().out()).contains("Fetched 1, 0 unchanged; 2 manifests");
        try (Engine engine = Engine.open(temp.resolve("data"))) {
            assertThat(engine.manifest("signed", signed.sbom().digest())).isPresent();
            assertThat(engine.manifest("signed", signed.signature().digest())).isEmpty();
        }
    }

    @Test
    void aDryRunPrintsWhatARunWouldFetchAndARunFetchesIt() {
        cli.run("rules", "update", "app-sync", "--sync", "active", "--sync-tags", "3.19,3.20", "--sync-platforms", "linux/amd64").succeeded();
        TestImage amd64 = V320.platformImage("amd64");
        long bytes = V319.manifestSize() + sum(V319) + V320.manifestSize() + amd64.manifestSize() + sum(amd64);
        int blobs = V319.blobs().size() + amd64.blobs().size();

        Cli.Run dry = cli.run("rules", "sync", "app-sync", "--dry-run").succeeded();
        assertThat(dry.out()).contains("would fetch  app:3.19", "would fetch  app:3.20")
                .endsWith("Dry run of rule app-sync: 2 tags selected in 1 repository; Would fetch 2, 0 unchanged; 3 manifests, "
                        + blobs + " blobs, " + bytes + " bytes (" + Table.bytes(bytes) + ")\n");
        assertThat(cli.run("repos", "list", "--json").succeeded().json()).isEmpty();

        Cli.Run run = cli.run("rules", "sync", "app-sync").succeeded();
        assertThat(run.out()).contains("fetched      app:3.19", "fetched      app:3.20")
                .endsWith("Synced rule app-sync: 2 tags selected in 1 repository; Fetched 2, 0 unchanged; 3 manifests, "
                        + blobs + " blobs, " + bytes + " bytes (" + Table.bytes(bytes) + ")\n");

        Cli.Run again = cli.run("rules", "sync", "app-sync", "--tag", "3.19").succeeded();
        assertThat(again.out()).startsWith("unchanged    app:3.19  " + V319.digest())
                .contains("1 tags selected in 1 repository; Fetched 0, 1 unchanged; 0 manifests, 0 blobs, 0 bytes");
    }

    @Test
    void exitsThreeNamingTheTagWhenATagIsNotCached() {
        Cli.Run run = cli.run("rules", "sync", "app-sync", "--tag", "9.9");

        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.out()).contains("failed       app:9.9");
        assertThat(run.err().strip()).isEqualTo("cachalot: not every selected tag of rule app-sync is cached: app:9.9: the upstream has"
                + " no such tag");
        assertThat(cli.run("rules", "sync", "no-such-rule").failedWithOneLine()).isEqualTo("cachalot: no cache rule named 'no-such-rule'");
    }

    /** The rule's sync policy as an engine on the data folder reads it. */
    private SyncPolicy engineSync(String rule) {
        try (Engine engine = Engine.open(temp.resolve("data"))) {
            return engine.rules().stream().filter(r -> r.name().equals(rule)).findFirst().orElseThrow().sync();
        }
    }

    private static long sum(TestImage image) {
        return image.blobs().stream().mapToLong(TestBlob::size).sum();
    }
}
