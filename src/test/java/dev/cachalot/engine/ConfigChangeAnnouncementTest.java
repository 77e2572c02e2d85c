package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.credentials.Keyring;
import dev.cachalot.credentials.PassphrasePrompt;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.storage.DataFolder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two engines on one data folder, as the app and the CLI: each hears of the other's configuration changes only. */
class ConfigChangeAnnouncementTest {
    private static final VaultOptions NO_PASSPHRASE =
            new VaultOptions(name -> null, Keyring.NONE, PassphrasePrompt.NONE, VaultOptions.MIN_ITERATIONS);

    @TempDir
    Path temp;

    @Test
    void announcesChangesFromAnotherEngineOnceReloadedAndNeverItsOwn() throws Exception {
        DataFolder folder = new DataFolder(temp.resolve("data"));
        try (Engine app = Engine.open(folder, NO_PASSPHRASE); Engine cli = Engine.open(folder, NO_PASSPHRASE)) {
            List<List<String>> rulesSeenByListener = new CopyOnWriteArrayList<>();
            AutoCloseable subscription = app.onConfigChanged(
                    () -> rulesSeenByListener.add(app.rules().stream().map(r -> r.name()).toList()));

            app.createRule(new RuleDraft("own-rule", "mcr.microsoft.com/dotnet/sdk", "dotnet/sdk", null, null));
            cli.createRule(new RuleDraft("elsewhere", "mcr.microsoft.com/dotnet/runtime", "dotnet/runtime", null, null));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rulesSeenByListener).isNotEmpty());
            // a further watcher period: an announcement of the app's own change would show up as a second call
            Thread.sleep(1_200);
            assertThat(rulesSeenByListener).hasSize(1);
            assertThat(rulesSeenByListener.get(0)).containsExactlyInAnyOrder("own-rule", "elsewhere");

            subscription.close();
            cli.deleteRule("elsewhere");
            Thread.sleep(1_200);
            assertThat(rulesSeenByListener).as("unsubscribed").hasSize(1);
        }
    }
}
