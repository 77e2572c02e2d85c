package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.AppPreferences;
import dev.cachalot.app.common.FxAsync;
import dev.cachalot.app.common.Theme;
import dev.cachalot.app.shell.MainWindow;
import java.util.prefs.Preferences;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

@ExtendWith(ApplicationExtension.class)
class ShellUiTest {
    private final FakeEngine engine = new FakeEngine().portTaken("127.0.0.1:5000")
            .withRule("hello-world", "docker.io/library/hello-world", "hello-world", null);
    private final Preferences node = Preferences.userRoot().node("/dev/cachalot/test/shell-" + System.nanoTime());
    private Stage stage;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        window = new MainWindow(stage, new AppContext(engine, new FxAsync(2), "/tmp/data"), new AppPreferences(node));
        window.show();
    }

    @Test
    void aTakenPortIsExplainedAndAnotherPortStartsTheRegistry(FxRobot robot) {
        waitUntil(() -> robot.lookup("#portTakenDialog").tryQuery().isPresent());
        DialogPane dialog = robot.lookup("#portTakenDialog").queryAs(DialogPane.class);
        assertThat(dialog.getHeaderText()).contains("127.0.0.1:5000").contains("Another program is already using port 5000");
        TextField port = robot.from(dialog).lookup(".text-field").queryAs(TextField.class);
        assertThat(port.getText()).isEqualTo("5001");

        robot.clickOn((Button) dialog.lookupButton(dialog.getButtonTypes().stream()
                .filter(b -> b.getButtonData() == ButtonBar.ButtonData.OK_DONE).findFirst().orElseThrow()));

        waitUntil(() -> robot.lookup("#statusState").queryAs(Label.class).getText().equals("Running"));
        assertThat(robot.lookup("#statusAddress").queryAs(Label.class).getText()).isEqualTo("127.0.0.1:5001");
        assertThat(engine.settings().listen()).isEqualTo("127.0.0.1:5001");
    }

    @Test
    void deleteKeyAsksFirstAndDeletesTheSelectedRuleOnlyAfterConfirmation(FxRobot robot) {
        closePortDialog(robot);
        robot.interact(() -> window.select("Cache rules"));
        waitUntil(() -> robot.lookup("#rulesTable").queryTableView().getItems().size() == 1);
        robot.clickOn("hello-world");
        robot.type(KeyCode.DELETE);
        waitUntil(() -> robot.lookup("Delete rule").tryQuery().isPresent());
        assertThat(engine.rules()).hasSize(1);

        robot.clickOn("Delete rule");

        waitUntil(() -> engine.rules().isEmpty());
        waitUntil(() -> robot.lookup("#rulesTable").queryTableView().getItems().isEmpty());
    }

    @Test
    void onlyTheShownRulesOrCredentialsPageListensForConfigurationChanges(FxRobot robot) {
        closePortDialog(robot);
        robot.interact(() -> window.select("Cache rules"));
        assertThat(engine.configListenerCount()).isEqualTo(1);
        robot.interact(() -> window.select("Credentials"));
        assertThat(engine.configListenerCount()).isEqualTo(1);
        robot.interact(() -> window.select("Overview"));
        assertThat(engine.configListenerCount()).isZero();
    }

    @Test
    void remembersLastPageAndThemeAndStopsTheEngineOnClose(FxRobot robot) {
        closePortDialog(robot);
        robot.interact(() -> window.select("Settings"));
        @SuppressWarnings("unchecked")
        javafx.scene.control.ComboBox<Theme> theme = robot.lookup("#settingsTheme").queryAs(javafx.scene.control.ComboBox.class);
        robot.interact(() -> theme.setValue(Theme.DARK));
        robot.interact(() -> window.select("Client setup"));
        robot.interact(() -> stage.close());
        waitUntil(engine::isStopped);

        AppPreferences prefs = new AppPreferences(node);
        assertThat(prefs.get("page", "")).isEqualTo("Client setup");
        assertThat(prefs.get("theme", "")).isEqualTo("DARK");
        assertThat(prefs.getDouble("width", 0)).isGreaterThan(0);
        robot.interact(Theme.LIGHT::apply); // the theme is global to the JVM: leave it as other tests expect
    }

    private static void closePortDialog(FxRobot robot) {
        waitUntil(() -> robot.lookup("#portTakenDialog").tryQuery().isPresent());
        robot.interact(() -> robot.lookup("#portTakenDialog").queryAs(DialogPane.class).getScene().getWindow().hide());
    }
}
