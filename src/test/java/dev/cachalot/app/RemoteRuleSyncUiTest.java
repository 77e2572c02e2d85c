package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.api.ManagementAccess;
import dev.cachalot.api.ManagementApi;
import dev.cachalot.app.rules.SyncNowDialog;
import dev.cachalot.app.shell.ConnectEngineDialog;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.engine.TagView;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.sync.SyncRequest;
import dev.cachalot.testing.CountingProxy;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Fault;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.prefs.Preferences;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The portal on a remote engine (File → Connect to engine…, an engine serving its management API on loopback): Sync now
 * runs on that engine, its outcome comes back over the API, and the local engine is untouched; a dry run's preview is
 * that engine's, and a run started on it (not from this portal) shows running, then finished, while the page is open.
 */
@ExtendWith(ApplicationExtension.class)
class RemoteRuleSyncUiTest {
    private static final TestImages IMAGES = new TestImages(1908);
    private static final TestImage V10 = IMAGES.ociImage();
    private static final TestImage V20 = IMAGES.ociImage();
    @TempDir
    Path temp;
    private static DockerRegistryFixture upstream;
    private Engine local;
    private Engine remote;
    private CountingProxy front;
    private String url;
    private MainWindow window;

    @BeforeAll
    static void upstreamWithTwoTags() {
        upstream = SharedRegistries.open();
        RegistryPusher pusher = new RegistryPusher(upstream.url());
        pusher.push("syncui/remote", "1.0", V10);
        pusher.push("syncui/remote", "2.0", V20);
    }

    @Start
    void start(Stage stage) {
        remote = TestEngine.open(temp.resolve("remote"));
        front = CountingProxy.start(upstream.url());
        remote.addUpstream(front.hostPort(), front.url(), null);
        remote.createRule(new RuleDraft("remote-sync", front.hostPort() + "/syncui/remote", "remote-app", null, null,
                new SyncDraft("active", "1.*", null, "1d", null, null, null, null)));
        // a run of a tag outside the filter: the rule is not due, so the engine's scheduler leaves it to Sync now
        remote.syncRule("remote-sync", new SyncRequest("2.0", false), p -> { });
        remote.serveManagementApi(new ManagementApi(remote, ManagementAccess.loopbackOnly()));
        remote.startServer("127.0.0.1:0");
        url = "http://127.0.0.1:" + remote.port();
        local = TestEngine.open(temp.resolve("local"));
        window = AppHarness.open(stage, local, Preferences.userRoot().node("/dev/cachalot/test/remote-sync-" + System.nanoTime()));
    }

    @AfterEach
    void stop(FxRobot robot) {
        robot.interact(window::close);
        local.close();
        remote.close();
        front.close();
    }

    @Test
    void syncNowRunsOnTheRemoteEngineAndItsOutcomeComesBack(FxRobot robot) {
        connectAndSelectTheRule(robot);
        assertThat(text(robot, "#ruleSyncLast")).contains("1 tags in 1 repository: fetched 1, 0 unchanged");
        assertThat(remote.tags("remote-app")).extracting(TagView::tag).containsExactly("2.0");

        RuleSyncUiTest.syncNow(robot);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            WaitForAsyncUtils.waitForFxEvents();
            return text(robot, "#ruleSyncLast").contains("1 tags in 1 repository: fetched 1, 0 unchanged")
                    && text(robot, "#ruleSyncLast").startsWith("Last sync: ok ");
        });
        assertThat(remote.tags("remote-app")).extracting(TagView::tag).containsExactlyInAnyOrder("1.0", "2.0");
        assertThat(local.rules()).as("the local engine has no rule to sync").isEmpty();
    }

    @Test
    void aPreviewAsksTheRemoteEngineAndARunStartedThereShowsWhileThePageIsOpen(FxRobot robot) {
        connectAndSelectTheRule(robot);
        front.resetCounts();
        robot.clickOn("#syncNow");
        waitUntil(() -> robot.lookup("#" + SyncNowDialog.ID).tryQuery().isPresent());
        robot.clickOn("#previewSync");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            WaitForAsyncUtils.waitForFxEvents();
            assertThat(text(robot, "#syncPreviewSummary")).startsWith("Would fetch 1 of 1 tag in 1 repository: 1 manifest, ");
        });
        assertThat(front.exchanges()).as("a preview downloads no blob").noneMatch(x -> x.path().contains("/blobs/"));
        // the dialog's own Cancel (the page has a Cancel of its own, a running sync's)
        robot.clickOn("#closeSyncNow");
        waitUntil(() -> robot.lookup("#" + SyncNowDialog.ID).tryQuery().isEmpty());
        assertThat(remote.tags("remote-app")).as("nothing stored").extracting(TagView::tag).containsExactly("2.0");

        // each layer of 1.0 takes seconds to come: the run lasts long enough to be seen between two looks
        for (var layer : V10.layers()) {
            front.inject(Fault.delay(Duration.ofSeconds(4)).onlyFor("GET", "/v2/syncui/remote/blobs/" + layer.digest()), 1);
        }
        assertThat(remote.startSync("remote-sync", SyncRequest.ALL)).as("the remote engine took the run").isTrue();
        javafx.scene.Node run = robot.lookup("#ruleSyncRun").query();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            WaitForAsyncUtils.waitForFxEvents();
            return run.isVisible() && text(robot, "#ruleSyncLast").startsWith("Last sync: running since ");
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            WaitForAsyncUtils.waitForFxEvents();
            return !run.isVisible() && text(robot, "#ruleSyncLast").startsWith("Last sync: ok ");
        });
        assertThat(remote.tags("remote-app")).extracting(TagView::tag).containsExactlyInAnyOrder("1.0", "2.0");
    }

    private void connectAndSelectTheRule(FxRobot robot) {
        robot.clickOn("File").clickOn("Connect to engine…");
        waitUntil(() -> robot.lookup("#" + ConnectEngineDialog.ID).tryQuery().isPresent());
        @SuppressWarnings("unchecked")
        ComboBox<String> address = robot.lookup("#engineAddress").queryAs(ComboBox.class);
        robot.clickOn(address.getEditor()).write(url);
        robot.clickOn("#engineConnect");
        waitUntil(() -> robot.lookup("#statusEngine").queryAs(Label.class).getText().equals("Engine " + url + " (remote)"));

        robot.clickOn("#nav-cache-rules");
        TableView<CacheRule> table = robot.lookup("#rulesTable").queryTableView();
        waitUntil(() -> table.getItems().stream().anyMatch(r -> r.name().equals("remote-sync")));
        robot.clickOn(robot.lookup(n -> n instanceof javafx.scene.control.TableCell<?, ?> c && "remote-sync".equals(c.getText()))
                .queryAs(javafx.scene.Node.class));
        waitUntil(() -> text(robot, "#ruleSyncPolicy").equals("Active every 1d: tags 1.*, platforms all."));
    }

    private static String text(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }
}
