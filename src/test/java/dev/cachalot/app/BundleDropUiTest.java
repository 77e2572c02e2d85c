package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.repositories.RepositoriesPage;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.bundle.BundleArchive;
import dev.cachalot.engine.Engine;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.MenuBar;
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
 * A bundle dropped on the Repositories page is imported by the real engine, with the page's progress row; then
 * Export bundle… is offered for the selected repository, and the File menu offers Import bundle….
 */
@ExtendWith(ApplicationExtension.class)
class BundleDropUiTest {
    private static final TestImage IMAGE = new TestImages(61).ociImage();

    private Engine engine;
    private MainWindow window;
    @TempDir
    Path dir;

    @Start
    void start(Stage stage) {
        engine = TestEngine.open(dir.resolve("data"));
        window = AppHarness.open(stage, engine);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void aDroppedBundleIsImportedAndTheRepositoryCanBeExportedAgain(FxRobot robot) throws Exception {
        Path bundle = Files.write(dir.resolve("offline.tar"), BundleArchive.of(IMAGE, "team/offline:1.0").bytes());
        robot.interact(() -> window.select("Repositories"));
        Button export = robot.lookup("#exportBundle").queryButton();
        assertThat(export.isDisabled()).isTrue();

        TableView<?> table = robot.lookup("#" + RepositoriesPage.TABLE_ID).queryTableView();
        RulesDropImportUiTest.dropFiles(robot, table, List.of(bundle.toFile()));

        waitUntil(() -> table.getItems().size() == 1);
        assertThat(engine.tags("team/offline")).singleElement().satisfies(t -> assertThat(t.digest()).isEqualTo(IMAGE.digest()));
        waitUntil(() -> robot.lookup("#prefetchText").queryAs(Label.class).getText().startsWith("Imported offline.tar: 1 image(s), 1 tag(s)"));

        robot.interact(() -> table.getSelectionModel().select(0));
        assertThat(export.isDisabled()).isFalse();
        MenuBar menu = robot.lookup(n -> n instanceof MenuBar).queryAs(MenuBar.class);
        assertThat(menu.getMenus().get(0).getItems()).anySatisfy(i -> assertThat(i.getId()).isEqualTo("menuImportBundle"));
    }
}
