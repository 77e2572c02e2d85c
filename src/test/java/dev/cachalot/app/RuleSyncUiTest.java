package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static dev.cachalot.app.RuleSyncPortal.cell;
import static dev.cachalot.app.RuleSyncPortal.select;
import static dev.cachalot.app.RuleSyncPortal.shows;
import static dev.cachalot.app.RuleSyncPortal.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.app.rules.SyncNowDialog;
import dev.cachalot.app.rules.SyncPolicyDialog;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.TagView;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.testing.CountingProxy;
import dev.cachalot.testing.Fault;
import java.nio.file.Path;
import java.time.Duration;
import javafx.scene.Node;
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
    private static final RuleSyncPortal PORTAL = new RuleSyncPortal(1907);

    @TempDir
    Path data;
    private Engine engine;
    private CountingProxy front;

    @BeforeAll
    static void upstreamWithThreeTags() {
        PORTAL.pushThreeTags("syncui/app", "syncui/slow");
    }

    @Start
    void start(Stage stage) {
        PORTAL.start(stage, data, new RuleSyncPortal.Rule("syncui-app", "syncui/app", null),
                new RuleSyncPortal.Rule("syncui-slow", "syncui/slow", new SyncDraft("active", "3.*", null, "6h", null, null, null, null)));
        engine = PORTAL.engine;
        front = PORTAL.front;
    }

    @AfterEach
    void stop() {
        PORTAL.stop();
    }

    @Test
    void aPersonSetsARuleActiveWithATagFilterAndSyncNowFetchesThoseTags(FxRobot robot) {
        TableView<CacheRule> table = PORTAL.rulesPage(robot);
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
        for (var layer : PORTAL.v320.layers()) {
            front.inject(Fault.delay(Duration.ofSeconds(3)).onlyFor("GET", "/v2/syncui/slow/blobs/" + layer.digest()), 5);
        }
        TableView<CacheRule> table = PORTAL.rulesPage(robot);
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

}
