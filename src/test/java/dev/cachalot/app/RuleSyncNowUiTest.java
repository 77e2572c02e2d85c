package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static dev.cachalot.app.RuleSyncPortal.cell;
import static dev.cachalot.app.RuleSyncPortal.replace;
import static dev.cachalot.app.RuleSyncPortal.select;
import static dev.cachalot.app.RuleSyncPortal.shows;
import static dev.cachalot.app.RuleSyncPortal.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.app.common.Formats;
import dev.cachalot.app.rules.SyncNowDialog;
import dev.cachalot.app.rules.SyncPolicyDialog;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.TagView;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.sync.SyncRequest;
import dev.cachalot.testing.CountingProxy;
import dev.cachalot.testing.Fault;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import javafx.scene.Node;
import javafx.scene.control.ListView;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
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
 * Issue 19's portal on the real engine in front of a real upstream (docker-registry behind a counting proxy): the
 * policy editor's artifact-type filters and tag filter kinds, Sync now… for one tag with a dry run's preview first
 * (which downloads no blob and stores nothing), and a run started through the engine's API, not this page, shown
 * running and then finished while the page stays open.
 */
@ExtendWith(ApplicationExtension.class)
class RuleSyncNowUiTest {
    private static final RuleSyncPortal PORTAL = new RuleSyncPortal(1931);
    private static final String RULE = "syncnow-app";

    @TempDir
    Path data;
    private Engine engine;
    private CountingProxy front;

    @BeforeAll
    static void upstreamWithThreeTags() {
        PORTAL.pushThreeTags("syncnow/app");
    }

    @Start
    void start(Stage stage) {
        PORTAL.start(stage, data, new RuleSyncPortal.Rule(RULE, "syncnow/app", new SyncDraft("active", "3.*", null, "6h", null, null, null, null)));
        engine = PORTAL.engine;
        front = PORTAL.front;
    }

    @AfterEach
    void stop() {
        PORTAL.stop();
    }

    @Test
    void artifactTypeFiltersAndATagFilterKindAreSavedAndABadTypeIsRefusedUnderItsField(FxRobot robot) {
        TableView<CacheRule> table = PORTAL.rulesPage(robot);
        select(robot, table, RULE);
        robot.clickOn("#editSyncPolicy");
        waitUntil(() -> robot.lookup("#" + SyncPolicyDialog.ID).tryQuery().isPresent());
        assertThat(robot.lookup("#syncTags").queryAs(TextField.class).getText()).as("3.* is the prefix 3.").isEqualTo("3.");

        robot.clickOn("#syncTagKind").clickOn("Latest versions");
        replace(robot, "#syncTags", "2");
        robot.clickOn("#syncIncludeTypes").write("application/vnd.oci.image.config.v1+json");
        robot.clickOn("#syncExcludeTypes").write("sbom");
        robot.clickOn("#saveSyncPolicy");
        waitUntil(() -> !text(robot, "#syncExcludeTypesError").isEmpty());
        assertThat(text(robot, "#syncExcludeTypesError")).isEqualTo("Sync artifact types to exclude: 'sbom' is not a media type"
                + " such as application/vnd.oci.image.config.v1+json (a trailing * takes a prefix)");
        assertThat(text(robot, "#syncIncludeTypesError")).isEmpty();
        assertThat(rule().sync().excludeArtifactTypes()).as("nothing saved").isEmpty();

        replace(robot, "#syncExcludeTypes", "application/vnd.example.sbom*");
        robot.clickOn("#saveSyncPolicy");
        waitUntil(() -> robot.lookup("#" + SyncPolicyDialog.ID).tryQuery().isEmpty());

        CacheRule saved = rule();
        assertThat(saved.sync().tags().text()).isEqualTo("semver-latest:2");
        assertThat(saved.sync().includeArtifactTypes()).containsExactly("application/vnd.oci.image.config.v1+json");
        assertThat(saved.sync().excludeArtifactTypes()).containsExactly("application/vnd.example.sbom*");
        shows(robot, "#ruleSyncPolicy", "Active every 6h: tags semver-latest:2, platforms all, only artifact types"
                + " application/vnd.oci.image.config.v1+json, not artifact types application/vnd.example.sbom*.");

        robot.clickOn("#editSyncPolicy");
        waitUntil(() -> robot.lookup("#" + SyncPolicyDialog.ID).tryQuery().isPresent());
        assertThat(robot.lookup("#syncIncludeTypes").queryAs(TextField.class).getText())
                .isEqualTo("application/vnd.oci.image.config.v1+json");
        assertThat(robot.lookup("#syncTags").queryAs(TextField.class).getText()).isEqualTo("2");
    }

    @Test
    void aDryRunPreviewsWithoutFetchingAndSyncNowOfOneTagCachesThatTagOnly(FxRobot robot) {
        TableView<CacheRule> table = PORTAL.rulesPage(robot);
        select(robot, table, RULE);
        front.resetCounts();
        robot.clickOn("#syncNow");
        waitUntil(() -> robot.lookup("#" + SyncNowDialog.ID).tryQuery().isPresent());

        robot.clickOn("#previewSync");
        shows(robot, "#syncPreviewSummary", "Would fetch 2 of 2 tags in 1 repository: 2 manifests, "
                + blobs(PORTAL.v319, PORTAL.v320) + " blobs, " + Formats.bytes(bytes(PORTAL.v319) + bytes(PORTAL.v320)) + ".");
        assertThat(previewLines(robot)).containsExactly(
                "would fetch  syncnow-app:3.19 — 1 manifest, " + blobs(PORTAL.v319) + " blobs, " + Formats.bytes(bytes(PORTAL.v319)),
                "would fetch  syncnow-app:3.20 — 1 manifest, " + blobs(PORTAL.v320) + " blobs, " + Formats.bytes(bytes(PORTAL.v320)));
        assertThat(front.exchanges()).as("a preview downloads no blob").noneMatch(x -> x.path().contains("/blobs/"));
        assertThat(engine.tags("syncnow-app")).as("and stores nothing").extracting(TagView::tag).containsExactly("4.0");

        robot.clickOn("#syncNowTag").write("3 20");
        robot.clickOn("#previewSync");
        waitUntil(() -> !text(robot, "#syncNowTagError").isEmpty());
        assertThat(text(robot, "#syncNowTagError")).isEqualTo("'3 20' is not a tag (up to 128 letters, digits, '_', '.', '-')");

        replace(robot, "#syncNowTag", "3.20");
        assertThat(text(robot, "#syncNowTagError")).isEmpty();
        robot.clickOn("#previewSync");
        shows(robot, "#syncPreviewSummary", "Would fetch 1 of 1 tag in 1 repository: 1 manifest, " + blobs(PORTAL.v320) + " blobs, "
                + Formats.bytes(bytes(PORTAL.v320)) + ".");
        assertThat(front.exchanges()).noneMatch(x -> x.path().contains("/blobs/"));

        robot.clickOn("#startSync");
        waitUntil(() -> robot.lookup("#" + SyncNowDialog.ID).tryQuery().isEmpty());
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            WaitForAsyncUtils.waitForFxEvents();
            return text(robot, "#ruleSyncLast").startsWith("Last sync: ok ")
                    && text(robot, "#ruleSyncLast").contains("1 tags in 1 repository: fetched 1, 0 unchanged");
        });
        assertThat(engine.tags("syncnow-app")).extracting(TagView::tag).containsExactlyInAnyOrder("4.0", "3.20");
    }

    @Test
    void aRunStartedThroughTheEnginesApiShowsRunningThenFinishedWithoutLeavingThePage(FxRobot robot) {
        // every layer takes seconds to come: the run lasts long enough to be seen between two looks
        for (TestImage image : List.of(PORTAL.v319, PORTAL.v320)) {
            for (TestBlob layer : image.layers()) {
                front.inject(Fault.delay(Duration.ofSeconds(3)).onlyFor("GET", "/v2/syncnow/app/blobs/" + layer.digest()), 1);
            }
        }
        TableView<CacheRule> table = PORTAL.rulesPage(robot);
        select(robot, table, RULE);
        waitUntil(() -> text(robot, "#ruleSyncLast").startsWith("Last sync: ok "));
        Node run = robot.lookup("#ruleSyncRun").query();
        assertThat(run.isVisible()).isFalse();

        assertThat(engine.startSync(RULE, SyncRequest.ALL)).as("the engine took the run").isTrue();

        await().atMost(Duration.ofSeconds(20)).until(() -> {
            WaitForAsyncUtils.waitForFxEvents();
            return run.isVisible() && text(robot, "#ruleSyncProgress").contains(" of 2 tags");
        });
        assertThat(text(robot, "#ruleSyncLast")).startsWith("Last sync: running since ");
        assertThat(cell(table, RULE, "Sync")).startsWith("every 6h · syncing");
        assertThat(robot.lookup("#syncNow").query().isDisabled()).as("one run at a time").isTrue();

        await().atMost(Duration.ofSeconds(60)).until(() -> {
            WaitForAsyncUtils.waitForFxEvents();
            return text(robot, "#ruleSyncLast").startsWith("Last sync: ok ") && !run.isVisible();
        });
        assertThat(text(robot, "#ruleSyncLast")).contains("2 tags in 1 repository: fetched 2, 0 unchanged");
        assertThat(cell(table, RULE, "Sync")).startsWith("every 6h · ok ");
    }

    private static CacheRule rule() {
        return PORTAL.rule(RULE);
    }

    private static int blobs(TestImage... images) {
        return Stream.of(images).mapToInt(i -> i.blobs().size()).sum();
    }

    /** What a run downloads for an image: its manifest and its blobs. */
    private static long bytes(TestImage image) {
        return image.manifest().length + image.blobs().stream().mapToLong(TestBlob::size).sum();
    }

    @SuppressWarnings("unchecked")
    private static List<String> previewLines(FxRobot robot) {
        return List.copyOf(robot.lookup("#syncPreviewTags").queryAs(ListView.class).getItems());
    }

}
