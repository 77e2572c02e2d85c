package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.button;
import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.engine.Engine;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.ButtonBar.ButtonData;
import javafx.scene.control.Label;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
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
 * A new user's first minutes on the real engine with no rules: Overview says a rule comes first and opens the wizard;
 * the wizard's new-credential fields are labelled and quiet until typed into; Import and Export are in the File menu.
 */
@ExtendWith(ApplicationExtension.class)
class FirstStepsUiTest {
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

    @Test
    void withNoRulesOverviewSaysToCreateOneAndOpensTheWizard(FxRobot robot) {
        robot.interact(() -> window.select("Overview"));
        waitUntil(() -> robot.lookup("#overviewGetStarted").tryQuery().map(Node::isVisible).orElse(false));
        assertThat(robot.lookup("#overviewNoRules").queryAs(Label.class).getText()).contains("create one first");

        robot.clickOn("#overviewCreateRule");
        waitUntil(() -> robot.lookup("#ruleWizard").tryQuery().isPresent());
        assertThat(window.stage().getScene().lookup("#rulesTable")).isNotNull();
    }

    @Test
    void newCredentialFieldsAreLabelledAndShowNoErrorBeforeTyping(FxRobot robot) {
        robot.interact(() -> window.select("Cache rules"));
        robot.clickOn("#createRule");
        waitUntil(() -> "docker.io".equals(robot.lookup("#ruleLoginServer").queryAs(TextField.class).getText()));
        robot.clickOn(button(robot, ButtonData.NEXT_FORWARD));
        robot.clickOn("#rulePath").write("nginx");
        waitUntil(() -> !button(robot, ButtonData.NEXT_FORWARD).isDisabled());
        robot.clickOn(button(robot, ButtonData.NEXT_FORWARD));
        waitUntil(() -> robot.lookup("#authNewName").tryQuery().map(Node::isVisible).orElse(false));

        // Docker Hub with no credential set yet: a new one, its fields labelled, nothing marked wrong yet
        List<String> labels = robot.lookup("#ruleWizard .label").queryAllAs(Label.class).stream().map(Label::getText).toList();
        assertThat(labels).contains("Credential set name", "Username", "Password or token");
        assertThat(robot.lookup("#ruleAuthError").queryAs(Label.class).getText()).isEmpty();
        assertThat(button(robot, ButtonData.NEXT_FORWARD).isDisabled()).isTrue();

        robot.clickOn("#authNewName").write("hub-login");
        waitUntil(() -> robot.lookup("#ruleAuthError").queryAs(Label.class).getText().equals("Enter the username."));
    }

    @Test
    void importAndExportAreInTheFileMenu(FxRobot robot) {
        MenuBar bar = robot.lookup(".menu-bar").queryAs(MenuBar.class);
        List<String> file = bar.getMenus().get(0).getItems().stream().map(MenuItem::getText).toList();
        assertThat(bar.getMenus().get(0).getText()).isEqualTo("File");
        assertThat(file).contains("Import rules…", "Export rules…");
    }
}
