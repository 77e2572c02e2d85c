package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.app.rules.RulesPage;
import dev.cachalot.app.rules.SyncNowDialog;
import dev.cachalot.app.rules.SyncPolicyDialog;
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
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
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
 * A rule's sync on the Cache rules page, on the real engine in front of a real upstream (docker-registry, behind a
 * counting proxy that can slow one blob down): a person sets a rule active with a tag filter in the policy editor (a bad
 * filter gets the engine's own words under the field), runs Sync now and reads how many tags were fetched; a run slowed by the upstream
 * shows its progress and stops on Cancel.
 */
@ExtendWith(ApplicationExtension.class)
class RuleSyncUiTest {
    private static final TestImages IMAGES = new TestImages(1907);
    private static final TestImage V319 = IMAGES.ociImage();
    private static final TestImage V320 = IMAGES.ociImage();
    private static final TestImage V40 = IMAGES.ociImage();

    @TempDir
    Path data;
    private static DockerRegistryFixture upstream;
    private CountingProxy front;
    private Engine engine;
    private MainWindow window;

    @BeforeAll
    static void upstreamWithThreeTags() {
        upstream = SharedRegistries.open();
        RegistryPusher pusher = new RegistryPusher(upstream.url());
        for (String repo : List.of("syncui/app", "syncui/slow")) {
            pusher.push(repo, "3.19", V319);
            pusher.push(repo, "3.20", V320);
            pusher.push(repo, "4.0", V40);
        }
    }

    @Start
    void start(Stage stage) {
        front = CountingProxy.start(upstream.url());
        engine = TestEngine.open(data);
        engine.addUpstream(front.hostPort(), front.url(), null);
        engine.createRule(new RuleDraft("syncui-app", front.hostPort() + "/syncui/app", "syncui-app", null, null));
        engine.createRule(new RuleDraft("syncui-slow", front.hostPort() + "/syncui/slow", "syncui-slow", null, null,
                new SyncDraft("active", "3.*", null, "6h", null, null, null, null)));
        // one run each (of a tag outside the filters) before the window opens: the rules are not due, so the engine's
        // scheduler leaves them alone and every run below is the one the test starts
        engine.syncRule("syncui-app", new SyncRequest("4.0", false), p -> { });
        engine.syncRule("syncui-slow", new SyncRequest("4.0", false), p -> { });
        window = AppHarness.open(stage, engine);
    }

    @AfterEach
    void stop() {
        engine.close();
        front.close();
    }

    @Test
    void aPersonSetsARuleActiveWithATagFilterAndSyncNowFetchesThoseTags(FxRobot robot) {
        TableView<CacheRule> table = rulesPage(robot);
        waitUntil(() -> cell(table, "syncui-app", "Sync").startsWith("passive · ok "));
        select(robot, table, "syncui-app");
        shows(robot, "#ruleSyncPolicy", "Passive: only what clients pull is cached.");
        assertThat(text(robot, "#ruleSyncLast")).startsWith("Last sync: ok ").contains("1 tags in 1 repository: fetched 1, 0 unchanged");

        robot.clickOn("#editSyncPolicy");
        waitUntil(() -> robot.lookup("#" + SyncPolicyDialog.ID).tryQuery().isPresent());
        robot.clickOn("#syncActive");
        robot.clickOn("#syncTagKind").clickOn("Regular expression");
        robot.clickOn("#syncTags").write("(");
        robot.clickOn("#saveSyncPolicy");
        waitUntil(() -> !text(robot, "#syncTagsError").isEmpty());
        assertThat(text(robot, "#syncTagsError"))
                .isEqualTo("Sync tags: tag filter 're:(': not a valid regular expression: Unclosed group near index 1");
        assertThat(engine.rules()).filteredOn(r -> r.name().equals("syncui-app")).singleElement()
                .satisfies(r -> assertThat(r.sync().isActive()).as("nothing saved").isFalse());

        TextField tags = robot.lookup("#syncTags").queryAs(TextField.class);
        robot.clickOn("#syncTagKind").clickOn("Starting with");
        robot.clickOn(tags).press(KeyCode.CONTROL).type(KeyCode.A).release(KeyCode.CONTROL).write("3.");
        robot.clickOn("#saveSyncPolicy");
        waitUntil(() -> robot.lookup("#" + SyncPolicyDialog.ID).tryQuery().isEmpty());
        waitUntil(() -> cell(table, "syncui-app", "Sync").startsWith("every 12h · ok "));
        shows(robot, "#ruleSyncPolicy", "Active every 12h: tags 3.*, platforms all.");

        syncNow(robot);
        waitUntil(() -> text(robot, "#ruleSyncLast").contains("2 tags in 1 repository: fetched 2, 0 unchanged"));
        assertThat(text(robot, "#ruleSyncLast")).startsWith("Last sync: ok ");
        assertThat(text(robot, "#ruleSyncNext")).startsWith("Next sync: ");
        waitUntil(() -> cell(table, "syncui-app", "Sync").startsWith("every 12h · ok "));
        assertThat(engine.tags("syncui-app")).extracting(TagView::tag).containsExactlyInAnyOrder("3.19", "3.20", "4.0");
    }

    @Test
    void aRunSlowedByTheUpstreamShowsItsProgressAndStopsOnCancel(FxRobot robot) {
        // every layer of 3.20 takes seconds to come: long enough to watch the run and press Cancel
        for (var layer : V320.layers()) {
            front.inject(Fault.delay(Duration.ofSeconds(3)).onlyFor("GET", "/v2/syncui/slow/blobs/" + layer.digest()), 5);
        }
        TableView<CacheRule> table = rulesPage(robot);
        select(robot, table, "syncui-slow");
        shows(robot, "#ruleSyncPolicy", "Active every 6h: tags 3.*, platforms all.");

        syncNow(robot);
        Node run = robot.lookup("#ruleSyncRun").query();
        waitUntil(run::isVisible);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            WaitForAsyncUtils.waitForFxEvents();
            return text(robot, "#ruleSyncProgress").contains(" of 2 tags");
        });
        assertThat(robot.lookup("#syncNow").query().isDisabled()).as("one run at a time").isTrue();
        robot.clickOn("#cancelSync");

        await().atMost(Duration.ofSeconds(40)).until(() -> {
            WaitForAsyncUtils.waitForFxEvents();
            return text(robot, "#ruleSyncLast").startsWith("Last sync: cancelled ");
        });
        waitUntil(() -> !run.isVisible());
        assertThat(cell(table, "syncui-slow", "Sync")).startsWith("every 6h · cancelled ");
        assertThat(engine.tags("syncui-slow")).extracting(TagView::tag).doesNotContain("3.20");
    }

    /** Sync now… and, in its dialog, Sync now for every tag the policy selects. */
    static void syncNow(FxRobot robot) {
        robot.clickOn("#syncNow");
        waitUntil(() -> robot.lookup("#" + SyncNowDialog.ID).tryQuery().isPresent());
        robot.clickOn("#startSync");
        waitUntil(() -> robot.lookup("#" + SyncNowDialog.ID).tryQuery().isEmpty());
    }

    private TableView<CacheRule> rulesPage(FxRobot robot) {
        robot.interact(() -> window.select("Cache rules"));
        @SuppressWarnings("unchecked")
        TableView<CacheRule> table = robot.lookup("#" + RulesPage.TABLE_ID).queryAs(TableView.class);
        waitUntil(() -> table.getItems().size() == 2);
        return table;
    }

    private static void select(FxRobot robot, TableView<CacheRule> table, String rule) {
        robot.clickOn(robot.lookup(n -> n instanceof javafx.scene.control.TableCell<?, ?> c && rule.equals(c.getText()))
                .queryAs(Node.class));
        waitUntil(() -> table.getSelectionModel().getSelectedItem() != null
                && table.getSelectionModel().getSelectedItem().name().equals(rule));
    }

    /** Waits until the label says {@code expected}, naming what it said instead when it never does. */
    private static void shows(FxRobot robot, String id, String expected) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            WaitForAsyncUtils.waitForFxEvents();
            assertThat(text(robot, id)).isEqualTo(expected);
        });
    }

    private static String text(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    private static String cell(TableView<CacheRule> table, String rule, String column) {
        TableColumn<CacheRule, ?> c = table.getColumns().stream().filter(col -> col.getText().equals(column)).findFirst().orElseThrow();
        return table.getItems().stream().filter(r -> r.name().equals(rule)).findFirst()
                .map(r -> String.valueOf(c.getCellData(r))).orElse("");
    }
}
