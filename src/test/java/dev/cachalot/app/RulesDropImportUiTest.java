package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.rules.ImportPreviewDialog;
import dev.cachalot.app.rules.RulesPage;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.rules.ImportEntry;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

@ExtendWith(ApplicationExtension.class)
class RulesDropImportUiTest {
    private final FakeEngine engine = new FakeEngine().withRule("k8s-all", "registry.k8s.io/*", "k8s/*", null);
    private MainWindow window;
    @TempDir
    Path dir;

    @Start
    void start(Stage stage) {
        window = AppHarness.open(stage, engine);
    }

    @Test
    void droppedFileShowsAPreviewAndImportsOnlyAfterConfirmation(FxRobot robot) throws Exception {
        Path file = dir.resolve("rules.csv");
        Files.writeString(file, "name,source,target\n"
                + "quay-prom,quay.io/prometheus/prometheus,prometheus\n"
                + "k8s-more,registry.k8s.io/pause/*,k8s/pause/*\n");
        robot.interact(() -> window.select("Cache rules"));
        RulesPage page = (RulesPage) window.pages().stream().filter(p -> p instanceof RulesPage).findFirst().orElseThrow();

        // The table's onDragDropped hands the dragboard's files to this method.
        robot.interact(() -> page.handleDroppedFiles(List.of(file.toFile())));

        waitUntil(() -> robot.lookup("#" + ImportPreviewDialog.TABLE_ID).tryQuery().isPresent());
        @SuppressWarnings("unchecked")
        TableView<ImportEntry> preview = robot.lookup("#" + ImportPreviewDialog.TABLE_ID).queryAs(TableView.class);
        assertThat(preview.getItems()).hasSize(2);
        assertThat(preview.getItems()).filteredOn(ImportEntry::valid).extracting(e -> e.rule().name()).containsExactly("quay-prom");
        assertThat(preview.getItems()).filteredOn(e -> !e.valid()).singleElement()
                .satisfies(e -> assertThat(e.problem()).contains("overlaps").contains("k8s-all"));
        assertThat(robot.lookup(n -> n instanceof javafx.scene.control.Labeled l && l.getText() != null
                && l.getText().startsWith("Refused:")).tryQuery()).isPresent();
        assertThat(engine.rules()).extracting(r -> r.name()).containsExactly("k8s-all");

        robot.clickOn("#confirmImport");

        waitUntil(() -> engine.rules().size() == 2);
        assertThat(engine.rules()).extracting(r -> r.name()).containsExactly("k8s-all", "quay-prom");
        waitUntil(() -> robot.lookup("#" + RulesPage.TABLE_ID).queryTableView().getItems().size() == 2);
    }

    @Test
    void cancellingThePreviewChangesNothing(FxRobot robot) throws Exception {
        File file = Files.writeString(dir.resolve("one.csv"), "ghcr-app,ghcr.io/acme/app,app\n").toFile();
        RulesPage page = (RulesPage) window.pages().stream().filter(p -> p instanceof RulesPage).findFirst().orElseThrow();
        robot.interact(() -> page.handleDroppedFiles(List.of(file)));
        waitUntil(() -> robot.lookup("#" + ImportPreviewDialog.TABLE_ID).tryQuery().isPresent());

        robot.clickOn("Cancel");

        waitUntil(() -> robot.lookup("#" + ImportPreviewDialog.TABLE_ID).tryQuery().isEmpty());
        assertThat(engine.rules()).extracting(r -> r.name()).containsExactly("k8s-all");
        assertThat(engine.importedFiles()).isEmpty();
    }
}
