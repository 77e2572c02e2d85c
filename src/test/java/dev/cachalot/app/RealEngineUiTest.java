package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.AppPreferences;
import dev.cachalot.app.common.FxAsync;
import dev.cachalot.app.common.Page;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineSettings;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.storage.DataFolder;
import java.nio.file.Path;
import java.util.List;
import java.util.prefs.Preferences;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.controlsfx.control.StatusBar;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The app on the real engine (a temporary data folder, an ephemeral loopback port): every page loads without an error. */
@ExtendWith(ApplicationExtension.class)
class RealEngineUiTest {
    @TempDir
    static Path data;
    private Engine engine;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        engine = Engine.open(new DataFolder(data.resolve("cachalot")));
        engine.updateSettings(new EngineSettings("127.0.0.1:0", "revalidate", 0));
        engine.createRule(new RuleDraft("dotnet-sdk", "mcr.microsoft.com/dotnet/sdk", "dotnet/sdk", null, null));
        Preferences node = Preferences.userRoot().node("/dev/cachalot/test/real-" + System.nanoTime());
        window = new MainWindow(stage, new AppContext(engine, new FxAsync(2), data.toString()), new AppPreferences(node));
        window.show();
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void everyPageLoadsFromTheRealEngineWithoutAnError(FxRobot robot) {
        waitUntil(() -> robot.lookup("#statusState").queryAs(Label.class).getText().equals("Running"));
        assertThat(robot.lookup("#statusAddress").queryAs(Label.class).getText()).startsWith("127.0.0.1:").doesNotEndWith(":0");
        // ControlsFX's status bar holds the state, with no "OK" of its own beside it
        StatusBar bar = robot.lookup("#statusBar").queryAs(StatusBar.class);
        assertThat(bar.getText()).isEmpty();
        assertThat(robot.from(bar).lookup("#statusState").tryQuery()).isPresent();
        assertThat(robot.from(bar).lookup("#statusPulls").tryQuery()).isPresent();
        for (Page page : window.pages()) {
            robot.interact(() -> window.select(page.title()));
            org.testfx.util.WaitForAsyncUtils.sleep(200, java.util.concurrent.TimeUnit.MILLISECONDS);
            org.testfx.util.WaitForAsyncUtils.waitForFxEvents();
            List<String> errors = AppHarness.allNodes().stream()
                    .filter(n -> n.getStyleClass().contains("error-message") && n.isVisible())
                    .map(n -> ((Label) n).getText()).toList();
            assertThat(errors).as("errors on " + page.title()).isEmpty();
        }
        robot.interact(() -> window.select("Cache rules"));
        waitUntil(() -> robot.lookup("#rulesTable").queryTableView().getItems().size() == 1);
    }
}
