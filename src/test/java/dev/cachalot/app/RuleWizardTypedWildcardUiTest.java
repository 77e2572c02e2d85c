package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.button;
import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.engine.Engine;
import java.nio.file.Path;
import javafx.scene.control.ButtonBar.ButtonData;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * A wildcard typed into the rule wizard's path (rather than ticked) means a wildcard: the box ticks itself, the
 * {@code /*} leaves the field, and Docker Hub's {@code library/} is never doubled into {@code library/library}.
 */
@ExtendWith(ApplicationExtension.class)
class RuleWizardTypedWildcardUiTest {
    @TempDir
    Path data;
    private Engine engine;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        engine = TestEngine.open(data);
        window = AppHarness.open(stage, engine);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private void openPathStep(FxRobot robot) {
        robot.interact(() -> window.select("Cache rules"));
        robot.clickOn("#createRule");
        waitUntil(() -> "docker.io".equals(robot.lookup("#ruleLoginServer").queryAs(TextField.class).getText()));
        robot.clickOn(button(robot, ButtonData.NEXT_FORWARD));
    }

    private static String preview(FxRobot robot) {
        return robot.lookup("#rulePreview").queryAs(Label.class).getText();
    }

    @Test
    void typedSlashStarTicksAllRepositoriesAndLeavesTheField(FxRobot robot) {
        openPathStep(robot);
        robot.clickOn("#rulePath").write("library/*");

        waitUntil(() -> robot.lookup("#ruleWildcard").queryAs(CheckBox.class).isSelected());
        waitUntil(() -> "library".equals(robot.lookup("#rulePath").queryAs(TextField.class).getText()));
        waitUntil(() -> preview(robot).equals("docker.io/library/*"));
        waitUntil(() -> "library/*".equals(robot.lookup("#ruleTarget").queryAs(TextField.class).getText()));
        waitUntil(() -> !button(robot, ButtonData.NEXT_FORWARD).isDisabled());
        assertThat(preview(robot)).doesNotContain("library/library");
    }

    @Test
    void aPastedFullSourceLosesItsLoginServer(FxRobot robot) {
        openPathStep(robot);
        TextField path = robot.lookup("#rulePath").queryAs(TextField.class);
        robot.interact(() -> path.setText("docker.io/library/*"));

        waitUntil(() -> robot.lookup("#ruleWildcard").queryAs(CheckBox.class).isSelected());
        waitUntil(() -> "library".equals(path.getText()));
        waitUntil(() -> preview(robot).equals("docker.io/library/*"));

        robot.interact(() -> {
            robot.lookup("#ruleWildcard").queryAs(CheckBox.class).setSelected(false);
            path.setText("docker.io/library/nginx");
        });
        waitUntil(() -> "library/nginx".equals(path.getText()));
        waitUntil(() -> preview(robot).equals("docker.io/library/nginx"));
    }

    @Test
    void libraryAloneIsRefusedWithTheReasonNotDoubled(FxRobot robot) {
        openPathStep(robot);
        robot.clickOn("#rulePath").write("library");

        waitUntil(() -> robot.lookup("#rulePathError").queryAs(Label.class).getText().contains("All repositories under this path"));
        assertThat(preview(robot)).doesNotContain("library/library");
        assertThat(button(robot, ButtonData.NEXT_FORWARD).isDisabled()).isTrue();
    }
}
