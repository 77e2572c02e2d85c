package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.button;
import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.rules.CacheRule;
import java.nio.file.Path;
import javafx.scene.control.ButtonBar.ButtonData;
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

/** The rule wizard on the real engine: the overlap it blocks and the rule it creates are the engine's. */
@ExtendWith(ApplicationExtension.class)
class RuleWizardUiTest {
    @TempDir
    Path data;
    private Engine engine;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        TestEngine.addUncheckedCredentialSet(data, "hub-creds", "docker.io", "alice", "hub-token");
        engine = TestEngine.open(data);
        engine.createRule(new RuleDraft("nginx-old", "docker.io/library/nginx", "nginx", "hub-creds", null));
        window = AppHarness.open(stage, engine);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void autofillsDockerHubInsertsLibraryBlocksAnOverlapAndCreatesTheRule(FxRobot robot) {
        robot.interact(() -> window.select("Cache rules"));
        robot.clickOn("#createRule");
        waitUntil(() -> "docker.io".equals(robot.lookup("#ruleLoginServer").queryAs(TextField.class).getText()));
        TextField loginServer = robot.lookup("#ruleLoginServer").queryAs(TextField.class);
        assertThat(loginServer.isEditable()).isFalse();

        robot.clickOn(button(robot, ButtonData.NEXT_FORWARD));
        robot.clickOn("#rulePath").write("nginx");
        waitUntil(() -> robot.lookup("#rulePreview").queryAs(Label.class).getText().equals("docker.io/library/nginx"));

        // The suggested target "nginx" is taken by another rule: the reason shows under the field and Next stays off.
        waitUntil(() -> robot.lookup("#ruleTargetError").queryAs(Label.class).getText().contains("nginx-old"));
        Label targetError = robot.lookup("#ruleTargetError").queryAs(Label.class);
        assertThat(targetError.isVisible()).isTrue();
        assertThat(button(robot, ButtonData.NEXT_FORWARD).isDisabled()).isTrue();
        // the field itself carries ControlsFX's error mark, the same reason in its tooltip
        TextField target = robot.lookup("#ruleTarget").queryAs(TextField.class);
        waitUntil(() -> AppHarness.errorMarkOn(target).isPresent());
        assertThat(AppHarness.errorMarkOn(target).orElseThrow()).isEqualTo(targetError.getText());

        robot.interact(target::clear);
        robot.clickOn(target).write("web/nginx");
        waitUntil(() -> targetError.getText().isEmpty() && !button(robot, ButtonData.NEXT_FORWARD).isDisabled());
        waitUntil(() -> AppHarness.errorMarkOn(target).isEmpty());

        robot.clickOn(button(robot, ButtonData.NEXT_FORWARD)); // authentication: Docker Hub requires a credential set
        waitUntil(() -> robot.lookup("#authExisting").tryQuery().isPresent());
        robot.clickOn(button(robot, ButtonData.NEXT_FORWARD)); // review
        waitUntil(() -> !button(robot, ButtonData.FINISH).isDisabled());
        robot.clickOn(button(robot, ButtonData.FINISH));

        waitUntil(() -> engine.rules().stream().anyMatch(r -> r.targetRepository().equals("web/nginx")));
        CacheRule created = engine.rules().stream().filter(r -> r.targetRepository().equals("web/nginx")).findFirst().orElseThrow();
        assertThat(created.sourceRepository()).isEqualTo("docker.io/library/nginx");
        assertThat(created.credentialSet()).isEqualTo("hub-creds");
        waitUntil(() -> robot.lookup("#rulesTable").queryTableView().getItems().contains(created));
    }
}
