package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.app.common.Formats;
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
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
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
 * Issue 19's portal on the real engine in front of a real upstream (docker-registry behind a counting proxy): the
 * policy editor's artifact-type filters and tag filter kinds, Sync now… for one tag with a dry run's preview first
 * (which downloads no blob and stores nothing), and a run started through the engine's API, not this page, shown
 * running and then finished while the page stays open.
 */
@ExtendWith(ApplicationExtension.class)
class RuleSyncNowUiTest {
    private static final TestImages IMAGES = new TestImages(1931);
    private static final TestImage V319 = IMAGES.ociImage();
    private static final TestImage V320 = IMAGES.ociImage();
    private static final TestImage V40 = IMAGES.ociImage();
    private static final String RULE = "syncnow-app";

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
        pusher.push("syncnow/app", "3.19", V319);
        pusher.push("syncnow/app", "3.20", V320);
        pusher.push("syncnow/app", "4.0", V40);
    }

    @Start
    void start(Stage stage) {
        front = CountingProxy.start(upstream.url());
        engine = TestEngine.open(data);
        engine.addUpstream(front.hostPort(), front.url(), null);
        engine.createRule(new RuleDraft(RULE, front.hostPort() + "/syncnow/app", "syncnow-app", null, null,
                new SyncDraft("active", "3.*", null, "6h", null, null, null, null)));
        // one run (of a tag outside the filter) before the window opens: the rule is not due, so the engine's scheduler
        // leaves it alone and every run below is one the test starts
        engine.syncRule(RULE, new SyncRequest("4.0", false), p -> { });
        window = AppHarness.open(stage, engine);
    }

    @AfterEach
    void stop() {
        engine.close();
        front.close();
    }

    @Test
    void artifactTypeFiltersAndATagFilterKindAreSavedAndABadTypeIsRefusedUnderItsField(FxRobot robot) {
        TableView<CacheRule> table = rulesPage(robot);
        select(robot, table);
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
        TableView<CacheRule> table = rulesPage(robot);
        select(robot, table);
        front.resetCounts();
        robot.clickOn("#syncNow");
        waitUntil(() -> robot.lookup("#" + SyncNowDialog.ID).tryQuery().isPresent());

        robot.clickOn("#previewSync");
        awaitText(robot, "#syncPreviewSummary", "Would fetch 2 of 2 tags in 1 repository: 2 manifests, "
                + blobs(V319, V320) + " blobs, " + Formats.bytes(bytes(V319) + bytes(V320)) + ".");
        assertThat(previewLines(robot)).containsExactly(
                "would fetch  syncnow-app:3.19 — 1 manifest, " + blobs(V319) + " blobs, " + Formats.bytes(bytes(V319)),
                "would fetch  syncnow-app:3.20 — 1 manifest, " + blobs(V320) + " blobs, " + Formats.bytes(bytes(V320)));
        assertThat(front.exchanges()).as("a preview downloads no blob").noneMatch(x -> x.path().contains("/blobs/"));
        assertThat(engine.tags("syncnow-app")).as("and stores nothing").extracting(TagView::tag).containsExactly("4.0");

        robot.clickOn("#syncNowTag").write("3 20");
        robot.clickOn("#previewSync");
        waitUntil(() -> !text(robot, "#syncNowTagError").isEmpty());
        assertThat(text(robot, "#syncNowTagError")).isEqualTo("'3 20' is not a tag (up to 128 letters, digits, '_', '.', '-')");

        replace(robot, "#syncNowTag", "3.20");
        assertThat(text(robot, "#syncNowTagError")).isEmpty();
        robot.clickOn("#previewSync");
        awaitText(robot, "#syncPreviewSummary", "Would fetch 1 of 1 tag in 1 repository: 1 manifest, " + blobs(V320) + " blobs, "
                + Formats.bytes(bytes(V320)) + ".");
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
        for (TestImage image : List.of(V319, V320)) {
            for (TestBlob layer : image.layers()) {
                front.inject(Fault.delay(Duration.ofSeconds(3)).onlyFor("GET", "/v2/syncnow/app/blobs/" + layer.digest()), 1);
            }
        }
        TableView<CacheRule> table = rulesPage(robot);
        select(robot, table);
        waitUntil(() -> text(robot, "#ruleSyncLast").startsWith("Last sync: ok "));
        Node run = robot.lookup("#ruleSyncRun").query();
        assertThat(run.isVisible()).isFalse();

        assertThat(engine.startSync(RULE, SyncRequest.ALL)).as("the engine took the run").isTrue();

        await().atMost(Duration.ofSeconds(20)).until(() -> {
            WaitForAsyncUtils.waitForFxEvents();
            return run.isVisible() && text(robot, "#ruleSyncProgress").contains(" of 2 tags");
        });
        assertThat(text(robot, "#ruleSyncLast")).startsWith("Last sync: running since ");
        assertThat(cell(table, "Sync")).startsWith("every 6h · syncing");
        assertThat(robot.lookup("#syncNow").query().isDisabled()).as("one run at a time").isTrue();

        await().atMost(Duration.ofSeconds(60)).until(() -> {
            WaitForAsyncUtils.waitForFxEvents();
            return text(robot, "#ruleSyncLast").startsWith("Last sync: ok ") && !run.isVisible();
        });
        assertThat(text(robot, "#ruleSyncLast")).contains("2 tags in 1 repository: fetched 2, 0 unchanged");
        assertThat(cell(table, "Sync")).startsWith("every 6h · ok ");
    }

    private CacheRule rule() {
        return engine.rules().stream().filter(r -> r.name().equals(RULE)).findFirst().orElseThrow();
    }

    private static int blobs(TestImage... images) {
        return Stream.of(images).mapToInt(i -> i.blobs().size()).sum();
    }

    /** What a run downloads for an image: its manifest and its blobs. */
    private static long bytes(TestImage image) {
        return image.manifest().length + image.blobs().stream().mapToLong(TestBlob::size).sum();
    }

    private TableView<CacheRule> rulesPage(FxRobot robot) {
        robot.interact(() -> window.select("Cache rules"));
        @SuppressWarnings("unchecked")
        TableView<CacheRule> table = robot.lookup("#" + RulesPage.TABLE_ID).queryAs(TableView.class);
        waitUntil(() -> table.getItems().size() == 1);
        return table;
    }

    private static void select(FxRobot robot, TableView<CacheRule> table) {
        robot.clickOn(robot.lookup(n -> n instanceof javafx.scene.control.TableCell<?, ?> c && RULE.equals(c.getText()))
                .queryAs(Node.class));
        waitUntil(() -> table.getSelectionModel().getSelectedItem() != null
                && table.getSelectionModel().getSelectedItem().name().equals(RULE));
    }

    private static void replace(FxRobot robot, String id, String text) {
        robot.clickOn(id).press(KeyCode.CONTROL).type(KeyCode.A).release(KeyCode.CONTROL).write(text);
    }

    @SuppressWarnings("unchecked")
    private static List<String> previewLines(FxRobot robot) {
        return List.copyOf(robot.lookup("#syncPreviewTags").queryAs(ListView.class).getItems());
    }

    /** Waits until the label says {@code expected}, naming what it said instead when it never does. */
    private static void awaitText(FxRobot robot, String id, String expected) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            WaitForAsyncUtils.waitForFxEvents();
            assertThat(text(robot, id)).isEqualTo(expected);
        });
    }

    private static void shows(FxRobot robot, String id, String expected) {
        awaitText(robot, id, expected);
    }

    private static String text(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    private static String cell(TableView<CacheRule> table, String column) {
        TableColumn<CacheRule, ?> c = table.getColumns().stream().filter(col -> col.getText().equals(column)).findFirst().orElseThrow();
        return table.getItems().stream().filter(r -> r.name().equals(RULE)).findFirst()
                .map(r -> String.valueOf(c.getCellData(r))).orElse("");
    }
}
