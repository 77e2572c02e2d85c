package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.AppPreferences;
import dev.cachalot.app.common.FxAsync;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.credentials.Keyring;
import dev.cachalot.credentials.PassphrasePrompt;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.engine.CredentialSetView;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineSettings;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import java.nio.file.Path;
import java.util.prefs.Preferences;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The portal on a real engine while a second engine on the same data folder changes the configuration, as the
 * {@code cachalot} CLI does from another process: the shown page follows without the user pressing F5.
 */
@ExtendWith(ApplicationExtension.class)
class ChangesFromAnotherProcessUiTest {
    private static final VaultOptions NO_PASSPHRASE =
            new VaultOptions(name -> null, Keyring.NONE, PassphrasePrompt.NONE, VaultOptions.MIN_ITERATIONS);

    @TempDir
    static Path data;
    private DataFolder folder;
    private Engine app;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        folder = new DataFolder(data.resolve("cachalot-" + System.nanoTime()));
        app = Engine.open(folder, NO_PASSPHRASE);
        app.updateSettings(new EngineSettings("127.0.0.1:0", "revalidate", 0));
        Preferences node = Preferences.userRoot().node("/dev/cachalot/test/elsewhere-" + System.nanoTime());
        window = new MainWindow(stage, new AppContext(app, new FxAsync(2), folder.root().toString()), new AppPreferences(node));
        window.show();
    }

    @AfterEach
    void closeEngine() {
        app.close();
    }

    @Test
    void rulesCreatedAndDeletedElsewhereShowOnTheRulesPageByThemselves(FxRobot robot) {
        robot.interact(() -> window.select("Cache rules"));
        TableView<CacheRule> table = robot.lookup("#rulesTable").queryTableView();
        waitUntil(() -> table.getItems().isEmpty());

        try (Engine cli = Engine.open(folder, NO_PASSPHRASE)) {
            cli.createRule(new RuleDraft("from-cli", "mcr.microsoft.com/dotnet/sdk", "dotnet/sdk", null, null));
            waitUntil(() -> table.getItems().stream().map(CacheRule::name).toList().equals(java.util.List.of("from-cli")));

            cli.deleteRule("from-cli");
            waitUntil(() -> table.getItems().isEmpty());
        }
    }

    @Test
    void aCredentialSetCreatedElsewhereShowsOnTheCredentialsPageByItself(FxRobot robot) {
        robot.interact(() -> window.select("Credentials"));
        TableView<CredentialSetView> table = robot.lookup("#credentialsTable").queryTableView();
        waitUntil(() -> table.getItems().isEmpty());

        DockerRegistryFixture registry = SharedRegistries.open();
        try (Engine cli = Engine.open(folder, NO_PASSPHRASE)) {
            // a loopback registry, not ghcr.io: the engine checks a new login against its upstream at once
            cli.addUpstream(registry.hostPort(), registry.url(), null);
            cli.createCredentialSet("ghcr-ci", registry.hostPort(), "robot", "s3cret-from-cli".toCharArray());
            waitUntil(() -> table.getItems().stream().map(CredentialSetView::name).toList().equals(java.util.List.of("ghcr-ci")));
        }
    }

    @Test
    void aPageLeftNoLongerFollowsAndCatchesUpWhenShownAgain(FxRobot robot) {
        robot.interact(() -> window.select("Cache rules"));
        TableView<CacheRule> table = robot.lookup("#rulesTable").queryTableView();
        robot.interact(() -> window.select("Overview"));

        java.util.concurrent.atomic.AtomicInteger announced = new java.util.concurrent.atomic.AtomicInteger();
        try (AutoCloseable probe = app.onConfigChanged(announced::incrementAndGet);
             Engine cli = Engine.open(folder, NO_PASSPHRASE)) {
            cli.createRule(new RuleDraft("while-away", "mcr.microsoft.com/dotnet/sdk", "dotnet/sdk", null, null));
            // the app's engine took the rule in (it serves it) and told its listeners, none of them a page now
            waitUntil(() -> announced.get() > 0);
            org.testfx.util.WaitForAsyncUtils.sleep(300, java.util.concurrent.TimeUnit.MILLISECONDS);
            org.testfx.util.WaitForAsyncUtils.waitForFxEvents();
            assertThat(table.getItems()).as("the page left did not refresh").isEmpty();
        } catch (Exception e) {
            throw new AssertionError(e);
        }

        robot.interact(() -> window.select("Cache rules"));
        waitUntil(() -> table.getItems().stream().anyMatch(r -> r.name().equals("while-away")));
    }
}
