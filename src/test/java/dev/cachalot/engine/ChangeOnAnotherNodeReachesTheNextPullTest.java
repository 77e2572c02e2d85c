package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.credentials.Keyring;
import dev.cachalot.credentials.PassphrasePrompt;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.storage.PostgresSettings;
import dev.cachalot.storage.PostgresTestDatabases;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read your writes across nodes: two engines with data folders of their own share one PostgreSQL metadata database, and
 * a rule created or deleted through one is used by the very next pull the other gets, with no waiting in between.
 * Each round pulls a tag not cached yet, so the answer depends on the rule alone: through the new rule it comes from
 * the upstream, after the rule's deletion the name is a plain local repository that does not have it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChangeOnAnotherNodeReachesTheNextPullTest {
    private static final VaultOptions NO_PASSPHRASE =
            new VaultOptions(name -> null, Keyring.NONE, PassphrasePrompt.NONE, VaultOptions.MIN_ITERATIONS);
    private static final int ROUNDS = 10;

    @TempDir
    static Path temp;

    private DockerRegistryFixture upstream;
    private final TestImage image = new TestImages(7).dockerImage();
    /** Node B: serves the pulls. */
    private Engine serving;
    /** Node A: takes the changes, as the node behind the balancer that a management command reached. */
    private Engine changing;
    private RegistryReader cache;

    @BeforeAll
    void startUpstreamAndTwoNodes() {
        upstream = DockerRegistryFixture.start();
        RegistryPusher pusher = new RegistryPusher(upstream.url());
        pusher.push("team/app", "created-0", image);
        for (int round = 0; round < ROUNDS; round++) {
            pusher.pushManifest("team/app", "created-" + round, image);
            pusher.pushManifest("team/app", "deleted-" + round, image);
        }
        PostgresSettings database = PostgresTestDatabases.migrated();
        EngineOptions options = EngineOptions.withVault(NO_PASSPHRASE).withSharedDatabase(database);
        changing = Engine.open(temp.resolve("node-a"), options);
        serving = Engine.open(temp.resolve("node-b"), options);
        changing.addUpstream(upstream.hostPort(), upstream.url(), null);
        serving.startServer("127.0.0.1:0");
        cache = new RegistryReader("http://" + serving.status().address());
        // The client's first request loads its classes and connects: done here, so a round's pulls follow its change at once.
        assertThat(cache.get("/v2/").status()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        if (changing != null) changing.close();
        if (serving != null) serving.close();
        if (upstream != null) upstream.close();
    }

    @Test
    void theFirstPullOnOneNodeAfterAnotherNodeCreatesOrDeletesARuleSeesTheChange() {
        for (int round = 0; round < ROUNDS; round++) {
            changing.createRule(new RuleDraft("fresh-rule", upstream.hostPort() + "/team/app", "fresh/app", null, null));
            RegistryReader.Fetched created = cache.manifest("fresh/app", "created-" + round, TestImages.DOCKER_MANIFEST);
            assertThat(created.status()).as("round %d: pull right after the rule was created", round).isEqualTo(200);
            assertThat(created.digestHeader()).isEqualTo(image.digest());

            changing.deleteRule("fresh-rule");
            RegistryReader.Fetched deleted = cache.manifest("fresh/app", "deleted-" + round, TestImages.DOCKER_MANIFEST);
            assertThat(deleted.status()).as("round %d: pull right after the rule was deleted", round).isEqualTo(404);
        }
    }

    @Test
    void bothNodesListTheSameRepositories() {
        changing.createRule(new RuleDraft("listed-rule", upstream.hostPort() + "/team/app", "listed/app", null, null));
        try {
            assertThat(cache.manifest("listed/app", "created-0", TestImages.DOCKER_MANIFEST).status()).isEqualTo(200);
            assertThat(changing.repositories()).extracting(RepositoryView::name).contains("listed/app");
        } finally {
            changing.deleteRule("listed-rule");
        }
    }
}
