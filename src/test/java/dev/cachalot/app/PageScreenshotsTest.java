package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.AppPreferences;
import dev.cachalot.app.common.FxAsync;
import dev.cachalot.app.common.Page;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.app.shell.ScreenshotRenderer;
import dev.cachalot.credentials.Keyring;
import dev.cachalot.credentials.PassphrasePrompt;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineApi;
import dev.cachalot.engine.EngineSettings;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.prefs.Preferences;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Renders every page to PNG for the README.
 * The real engine in front of Debian's docker-registry, filled by skopeo pulls through it.
 * {@code -Dcachalot.screenshots=docs/screenshots} sets the output folder (default {@code target/screenshots}).
 */
@ExtendWith(ApplicationExtension.class)
class PageScreenshotsTest {
    @TempDir
    static Path temp;
    private DockerRegistryFixture upstream;
    private DockerRegistryFixture partner;
    private Engine engine;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        stage.setWidth(1280);
        stage.setHeight(800);
        EngineApi api = realEngine();
        Preferences node = Preferences.userRoot().node("/dev/cachalot/test/shots-" + System.nanoTime());
        // the Settings page shows the default data folder of a Linux user, not the test's temp folder
        window = new MainWindow(stage, new AppContext(api, new FxAsync(2), "/home/you/.local/share/cachalot"), new AppPreferences(node));
        window.show();
    }

    private Engine realEngine() {
        upstream = SharedRegistries.open();
        partner = SharedRegistries.withLogin();
        // no passphrase, no keyring: the vault keeps its key in a file of the temp data folder
        engine = Engine.open(new DataFolder(temp.resolve("data")),
                new VaultOptions(name -> null, Keyring.NONE, PassphrasePrompt.NONE, VaultOptions.MIN_ITERATIONS));
        // a real port (not 0) so the Settings page shows one, as a user's would
        engine.updateSettings(new EngineSettings("127.0.0.1:" + dev.cachalot.testing.Ports.free(), "revalidate", 0));
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft("team-images", upstream.hostPort() + "/team/*", "team/*", null, null));
        engine.createRule(new RuleDraft("dotnet-sdk", "mcr.microsoft.com/dotnet/sdk", "dotnet/sdk", null, null));
        engine.createRule(new RuleDraft("k8s-all", "registry.k8s.io/*", "k8s/*", null, null));
        engine.addUpstream(partner.hostPort(), partner.url(), null);
        engine.createCredentialSet("partner-registry", partner.hostPort(), SharedRegistries.USER, SharedRegistries.PASSWORD.toCharArray());
        engine.createRule(new RuleDraft("partner-all", partner.hostPort() + "/vendor/*", "vendor/*", "partner-registry", null));
        return engine;
    }

    /** Pulls a few images through the real engine so the tables and charts have something to show. */
    private void pullSampleImages(FxRobot robot) {
        waitUntil(() -> robot.lookup("#statusState").queryAs(Label.class).getText().equals("Running"));
        String address = robot.lookup("#statusAddress").queryAs(Label.class).getText();
        RegistryPusher pusher = new RegistryPusher(upstream.url());
        TestImages images = new TestImages(11);
        pusher.push("team/web", "1.4", images.dockerImage());
        pusher.push("team/api", "2.0", images.ociIndex());
        Skopeo skopeo = new Skopeo();
        for (int i = 0; i < 3; i++) skopeo.copy(address + "/team/web:1.4", temp.resolve("web-" + i));
        skopeo.copy(address + "/team/api:2.0", temp.resolve("api"), Skopeo.all());
        // one rule synced on a schedule, so the rules page shows an active sync with its last run
        engine.updateRuleSync("team-images", new dev.cachalot.rules.SyncDraft("active", "*", null, "6h", "web,api", null, null, null));
        engine.syncRule("team-images", dev.cachalot.sync.SyncRequest.ALL, p -> { });
        engine.flushEvents();
    }

    @AfterEach
    void stop() {
        if (engine != null) engine.close();
    }

    @Test
    void rendersEachPageToAPng(FxRobot robot) throws Exception {
        pullSampleImages(robot);
        Path folder = Path.of(System.getProperty("cachalot.screenshots", "target/screenshots"));
        for (Page page : window.pages()) {
            robot.interact(() -> window.select(page.title()));
            settle();
            if (page.title().equals("Cache rules")) selectFirstRule(robot);
            if (page.title().equals("Repositories")) {
                // show a repository's tags and a manifest, as a user browsing the cache sees them
                robot.interact(() -> robot.lookup("#repositoriesTable").queryTableView().getSelectionModel().select(0));
                waitUntil(() -> !robot.lookup("#tagsTable").queryTableView().getItems().isEmpty());
                robot.interact(() -> robot.lookup("#tagsTable").queryTableView().getSelectionModel().select(0));
                settle();
            }
            AtomicReference<Path> file = new AtomicReference<>();
            robot.interact(() -> {
                try {
                    file.set(ScreenshotRenderer.renderShown(window, page, folder));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            waitUntil(() -> file.get() != null);
            assertThat(Files.size(file.get())).isGreaterThan(5_000);
        }
        assertThat(ScreenshotRenderer.fileNames(window)).allSatisfy(name -> assertThat(folder.resolve(name)).exists());

        // the rule wizard at its second step, Docker Hub's library/ filled in
        robot.interact(() -> window.select("Cache rules"));
        robot.clickOn("#createRule");
        waitUntil(() -> robot.lookup("#ruleWizard").tryQuery().isPresent()
                && "docker.io".equals(robot.lookup("#ruleLoginServer").queryAs(javafx.scene.control.TextField.class).getText()));
        robot.clickOn(AppHarness.button(robot, javafx.scene.control.ButtonBar.ButtonData.NEXT_FORWARD));
        robot.clickOn("#rulePath").write("nginx");
        waitUntil(() -> robot.lookup("#rulePreview").queryAs(Label.class).getText().equals("docker.io/library/nginx"));
        settle();
        javafx.scene.Node wizard = robot.lookup("#ruleWizard").query();
        Path wizardFile = folder.resolve("rule-wizard.png");
        robot.interact(() -> {
            try {
                javax.imageio.ImageIO.write(javafx.embed.swing.SwingFXUtils.fromFXImage(
                        wizard.getScene().getRoot().snapshot(null, null), null), "png", wizardFile.toFile());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(Files.size(wizardFile)).isGreaterThan(5_000);
        robot.type(javafx.scene.input.KeyCode.ESCAPE);

        // the sync policy editor of the active wildcard rule
        selectFirstRule(robot);
        robot.clickOn("#editSyncPolicy");
        waitUntil(() -> robot.lookup("#syncPolicyDialog").tryQuery().isPresent());
        settle();
        javafx.scene.Node policy = robot.lookup("#syncPolicyDialog").query();
        Path policyFile = folder.resolve("sync-policy.png");
        robot.interact(() -> {
            try {
                javax.imageio.ImageIO.write(javafx.embed.swing.SwingFXUtils.fromFXImage(
                        policy.getScene().getRoot().snapshot(null, null), null), "png", policyFile.toFile());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(Files.size(policyFile)).isGreaterThan(5_000);
        robot.type(javafx.scene.input.KeyCode.ESCAPE);

        // the dark theme, on the page with the most colour
        robot.interact(() -> {
            window.select("Overview");
            dev.cachalot.app.common.Theme.DARK.apply();
        });
        settle();
        AtomicReference<Path> dark = new AtomicReference<>();
        robot.interact(() -> {
            try {
                dark.set(ScreenshotRenderer.renderShown(window, folder, "overview-dark.png"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                dev.cachalot.app.common.Theme.LIGHT.apply();
            }
        });
        assertThat(Files.size(dark.get())).isGreaterThan(5_000);

        // every page on a small laptop screen and a large monitor, light and dark: docs/screenshots/<size>-<theme>/
        for (int[] size : new int[][]{{1024, 700}, {1920, 1080}}) {
            for (dev.cachalot.app.common.Theme theme : List.of(dev.cachalot.app.common.Theme.LIGHT, dev.cachalot.app.common.Theme.DARK)) {
                Path set = folder.resolve(size[0] + "x" + size[1] + "-" + theme.name().toLowerCase(java.util.Locale.ROOT));
                robot.interact(theme::apply);
                for (Page page : window.pages()) {
                    robot.interact(() -> window.select(page.title()));
                    settle();
                    if (page.title().equals("Cache rules")) selectFirstRule(robot);
                    if (page.title().equals("Repositories")) {
                        // the multi-platform tag, as above
                        robot.interact(() -> robot.lookup("#repositoriesTable").queryTableView().getSelectionModel().select(0));
                        waitUntil(() -> !robot.lookup("#tagsTable").queryTableView().getItems().isEmpty());
                        robot.interact(() -> robot.lookup("#tagsTable").queryTableView().getSelectionModel().select(0));
                        settle();
                    }
                    AtomicReference<Path> file = new AtomicReference<>();
                    robot.interact(() -> {
                        try {
                            file.set(ScreenshotRenderer.renderAt(window, set, ScreenshotRenderer.fileName(page), size[0], size[1]));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    assertThat(Files.size(file.get())).isGreaterThan(5_000);
                    java.awt.image.BufferedImage written = javax.imageio.ImageIO.read(file.get().toFile());
                    assertThat(written.getWidth()).as("rendered at the size asked").isEqualTo(size[0]);
                    assertThat(written.getHeight()).isEqualTo(size[1]);
                }
            }
        }
        robot.interact(() -> dev.cachalot.app.common.Theme.LIGHT.apply());
    }

    /** The active rule, with its sync shown under the table. */
    private static void selectFirstRule(FxRobot robot) {
        robot.interact(() -> {
            javafx.scene.control.TableView<?> rules = robot.lookup("#rulesTable").queryTableView();
            for (int i = 0; i < rules.getItems().size(); i++) {
                if (((dev.cachalot.rules.CacheRule) rules.getItems().get(i)).name().equals("team-images")) rules.getSelectionModel().select(i);
            }
        });
        settle();
    }

    /** Lets a page's background loading land before the snapshot (a picture, not an assertion, depends on it). */
    private static void settle() {
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS);
        WaitForAsyncUtils.waitForFxEvents();
    }
}
