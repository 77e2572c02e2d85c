package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.rules.ImportPreviewDialog;
import dev.cachalot.app.rules.RulesPage;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.rules.ImportEntry;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** Rule files dropped on the rules table, previewed and imported by the real engine's importer. */
@ExtendWith(ApplicationExtension.class)
class RulesDropImportUiTest {
    private Engine engine;
    private MainWindow window;
    @TempDir
    Path dir;

    @Start
    void start(Stage stage) {
        engine = TestEngine.open(dir.resolve("data"));
        engine.createRule(new RuleDraft("k8s-all", "registry.k8s.io/*", "k8s/*", null, null));
        window = AppHarness.open(stage, engine);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void droppedFileShowsAPreviewAndImportsOnlyAfterConfirmation(FxRobot robot) throws Exception {
        Path file = dir.resolve("rules.csv");
        Files.writeString(file, "name,source,target\n"
                + "quay-prom,quay.io/prometheus/prometheus,prometheus\n"
                + "k8s-more,registry.k8s.io/pause/*,k8s/pause/*\n");
        robot.interact(() -> window.select("Cache rules"));

        // A drop event with the file on its dragboard, delivered to the table: the real onDragDropped handler runs.
        TableView<?> table = robot.lookup("#" + RulesPage.TABLE_ID).queryTableView();
        dropFiles(robot, table, List.of(file.toFile()));

        waitUntil(() -> robot.lookup("#" + ImportPreviewDialog.TABLE_ID).tryQuery().isPresent());
        @SuppressWarnings("unchecked")
        TableView<ImportEntry> preview = robot.lookup("#" + ImportPreviewDialog.TABLE_ID).queryAs(TableView.class);
        assertThat(preview.getItems()).hasSize(2);
        assertThat(preview.getItems()).filteredOn(ImportEntry::valid).extracting(e -> e.rule().name()).containsExactly("quay-prom");
        assertThat(preview.getItems()).filteredOn(e -> !e.valid()).singleElement()
                .satisfies(e -> assertThat(e.problem()).contains("inside").contains("k8s-all"));
        assertThat(robot.lookup(n -> n instanceof javafx.scene.control.Labeled l && l.getText() != null
                && l.getText().startsWith("Refused:")).tryQuery()).isPresent();
        assertThat(engine.rules()).extracting(r -> r.name()).containsExactly("k8s-all");

        robot.clickOn("#confirmImport");

        waitUntil(() -> engine.rules().size() == 2);
        assertThat(engine.rules()).extracting(r -> r.name()).containsExactly("k8s-all", "quay-prom");
        waitUntil(() -> robot.lookup("#" + RulesPage.TABLE_ID).queryTableView().getItems().size() == 2);
    }

    /**
     * Delivers a DRAG_DROPPED event with {@code files} on its dragboard to {@code target}, so the table's own
     * onDragDropped handler runs. A robot drag gesture does not carry a drop under Monocle's headless platform, and
     * JavaFX has no public way to make a {@code Dragboard}: its own helper makes one on a local clipboard.
     */
    static void dropFiles(FxRobot robot, javafx.scene.Node target, List<File> files) {
        robot.interact(() -> {
            javafx.scene.input.Dragboard board = com.sun.javafx.scene.input.DragboardHelper.createDragboard(
                    com.sun.javafx.tk.Toolkit.getToolkit().createLocalClipboard());
            javafx.scene.input.ClipboardContent content = new javafx.scene.input.ClipboardContent();
            content.putFiles(files);
            board.setContent(content);
            javafx.geometry.Point2D at = target.localToScene(20, 40);
            javafx.geometry.Point2D screen = target.localToScreen(20, 40);
            javafx.scene.input.DragEvent drop = new javafx.scene.input.DragEvent(javafx.scene.input.DragEvent.DRAG_DROPPED, board,
                    at.getX(), at.getY(), screen.getX(), screen.getY(), javafx.scene.input.TransferMode.COPY, null, target, null);
            javafx.event.Event.fireEvent(target, drop);
            assertThat(drop.isDropCompleted()).isTrue();
        });
    }

    @Test
    void cancellingThePreviewChangesNothing(FxRobot robot) throws Exception {
        File file = Files.writeString(dir.resolve("one.csv"), "name,source,target\nghcr-app,ghcr.io/acme/app,app\n").toFile();
        robot.interact(() -> window.select("Cache rules"));
        TableView<?> table = robot.lookup("#" + RulesPage.TABLE_ID).queryTableView();
        dropFiles(robot, table, List.of(file));
        waitUntil(() -> robot.lookup("#" + ImportPreviewDialog.TABLE_ID).tryQuery().isPresent());

        // the preview's own Cancel: the Rules page has one too (a running sync's), and a lookup by text may find that one
        // and only once the dialog has had its layout pass (it is placed after it shows: a click computed before can miss)
        org.testfx.util.WaitForAsyncUtils.waitForFxEvents();
        javafx.scene.Node preview = robot.lookup("#" + ImportPreviewDialog.TABLE_ID).query();
        robot.clickOn(robot.from(preview.getScene().getRoot()).lookup("Cancel").<javafx.scene.control.Button>query());

        waitUntil(() -> robot.lookup("#" + ImportPreviewDialog.TABLE_ID).tryQuery().isEmpty());
        assertThat(engine.rules()).extracting(r -> r.name()).containsExactly("k8s-all");
    }
}
