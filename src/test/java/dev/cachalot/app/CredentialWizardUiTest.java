package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.button;
import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.shell.MainWindow;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.ButtonBar.ButtonData;
import javafx.scene.control.Labeled;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

@ExtendWith(ApplicationExtension.class)
class CredentialWizardUiTest {
    private static final String SECRET = "Sup3r-Secret-Token";
    private final FakeEngine engine = new FakeEngine();
    private MainWindow window;

    @Start
    void start(Stage stage) {
        window = AppHarness.open(stage, engine);
    }

    @Test
    void storesTheSecretInTheVaultAndNeverShowsItOutsideThePasswordField(FxRobot robot) {
        robot.interact(() -> window.select("Credentials"));
        robot.clickOn("#createCredentialSet");
        waitUntil(() -> "docker.io".equals(robot.lookup("#credLoginServer").queryAs(TextField.class).getText()));
        assertThat(robot.lookup("#credName").queryAs(TextField.class).getText()).isEqualTo("docker-io-creds");
        robot.clickOn(button(robot, ButtonData.NEXT_FORWARD));
        robot.clickOn("#credUsername").write("alice");
        robot.clickOn("#credPassword").write(SECRET);
        waitUntil(() -> !button(robot, ButtonData.FINISH).isDisabled());
        assertThat(textsOutsidePasswordFields()).noneMatch(t -> t.contains(SECRET));

        robot.clickOn(button(robot, ButtonData.FINISH));

        waitUntil(() -> robot.lookup("#credentialsTable").queryTableView().getItems().size() == 1);
        assertThat(engine.vaultSecret("vault:docker-io-creds-password")).isEqualTo(SECRET);
        assertThat(textsOutsidePasswordFields()).anyMatch(t -> t.equals("vault:docker-io-creds-password"));
        assertThat(textsOutsidePasswordFields()).noneMatch(t -> t.contains(SECRET));
    }

    private static List<String> textsOutsidePasswordFields() {
        List<String> texts = new java.util.ArrayList<>();
        for (Node n : AppHarness.allNodes()) {
            if (n instanceof Labeled l && l.getText() != null) texts.add(l.getText());
            if (n instanceof TextInputControl t && !(n instanceof PasswordField) && t.getText() != null) texts.add(t.getText());
        }
        return texts;
    }
}
