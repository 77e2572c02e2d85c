package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.AppPreferences;
import dev.cachalot.app.common.FxAsync;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineSettings;
import dev.cachalot.storage.DataFolder;
import java.nio.file.Path;
import java.util.prefs.Preferences;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.DialogPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * A second Cachalot on a data folder another one already serves: another port would not help, so the app says
 * that Cachalot is already running and offers to quit, instead of the "port taken" dialog.
 */
@ExtendWith(ApplicationExtension.class)
class RealEngineAlreadyServingUiTest {
    @TempDir
    static Path data;
    private Engine running;
    private Engine second;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        DataFolder folder = new DataFolder(data.resolve("cachalot"));
        running = Engine.open(folder);
        running.updateSettings(new EngineSettings("127.0.0.1:0", "revalidate", 0));
        running.startServer("127.0.0.1:0");
        second = Engine.open(folder);
        Preferences node = Preferences.userRoot().node("/dev/cachalot/test/serving-" + System.nanoTime());
        new MainWindow(stage, new AppContext(second, new FxAsync(2), folder.root().toString()), new AppPreferences(node)).show();
    }

    @AfterEach
    void close() {
        second.close();
        running.close();
    }

    @Test
    void saysAnotherCachalotServesTheFolderAndOffersToQuitInsteadOfAnotherPort(FxRobot robot) {
        waitUntil(() -> robot.lookup("#alreadyServingDialog").tryQuery().isPresent());
        assertThat(robot.lookup("#portTakenDialog").tryQuery()).isEmpty();
        DialogPane dialog = robot.lookup("#alreadyServingDialog").queryAs(DialogPane.class);
        assertThat(dialog.getHeaderText()).contains("Another Cachalot is already serving this cache");
        assertThat(dialog.getContentText()).contains(data.resolve("cachalot").toString());

        ButtonType quit = dialog.getButtonTypes().stream().filter(b -> b.getButtonData() == ButtonBar.ButtonData.OK_DONE)
                .findFirst().orElseThrow();
        assertThat(quit.getText()).isEqualTo("Quit");
        robot.clickOn(dialog.lookupButton(quit));

        waitUntil(() -> !stage.isShowing());
    }
}
