package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.credentials.Keyring;
import dev.cachalot.credentials.PassphrasePrompt;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.storage.DataFolder;
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
 * Read your writes across processes: a rule created or deleted by another opener of the data folder (the CLI, a second
 * app) is used by the very next pull the serving engine gets, with no waiting in between. Each round pulls a tag not
 * cached yet, so the answer depends on the rule alone: through the new rule it comes from the upstream, after the
 * rule's deletion the name is a plain local repository that does not have it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChangeFromAnotherProcessReachesTheNextPullTest {
    private static final VaultOptions NO_PASSPHRASE =
            new VaultOptions(name -> null, Keyring.NONE, PassphrasePrompt.NONE, VaultOptions.MIN_ITERATIONS);
    private static final int ROUNDS = 20;

    @TempDir
    static Path temp;

    private DockerRegistryFixture upstream;
    private final TestImage image = new TestImages(7).dockerImage();
    private Engine serving;
    /** The other opener of the folder, as a CLI command or a second app would be (H2's AUTO_SERVER shares the file). */
    private Engine other;
    private RegistryReader cache;

    @BeforeAll
    void startUpstreamAndServingEngine() {
        upstream = DockerRegistryFixture.start();
        RegistryPusher pusher = new RegistryPusher(upstream.url());
        pusher.push("team/app", "created-0", image);
        for (int round = 0; round < ROUNDS; round++) {
            pusher.pushManifest("team/app", "created-" + round, image);
            pusher.pushManifest("team/app", "deleted-" + round, image);
        }
        DataFolder folder = new DataFolder(temp.resolve("data"));
        serving = Engine.open(folder, NO_PASSPHRASE);
        serving.addUpstream(upstream.hostPort(), upstream.url(), null);
        serving.startServer("127.0.0.1:0");
        cache = new RegistryReader("http://" + serving.status().address());
        other = Engine.open(folder, NO_PASSPHRASE);
        // The client's first request loads its classes and connects: done here, so a round's pulls follow its change at once.
        assertThat(cache.get("/v2/").status()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        if (other != null) other.close();
        if (serving != null) serving.close();
        if (upstream != null) upstream.close();
    }

    @Test
    void theFirstPullAfterAnotherProcessCreatesOrDeletesARuleSeesTheChange() {
        for (int round = 0; round < ROUNDS; round++) {
            other.createRule(new RuleDraft("fresh-rule", upstream.hostPort() + "/team/app", "fresh/app", null, null));
            RegistryReader.Fetched created = cache.manifest("fresh/app", "created-" + round, TestImages.DOCKER_MANIFEST);
            assertThat(created.status()).as("round %d: pull right after the rule was created", round).isEqualTo(200);
            assertThat(created.digestHeader()).isEqualTo(image.digest());

            other.deleteRule("fresh-rule");
            RegistryReader.Fetched deleted = cache.manifest("fresh/app", "deleted-" + round, TestImages.DOCKER_MANIFEST);
            assertThat(deleted.status()).as("round %d: pull right after the rule was deleted", round).isEqualTo(404);
        }
    }
}
