package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.button;
import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.app.upstreams.UpstreamRow;
import dev.cachalot.app.upstreams.UpstreamsPage;
import dev.cachalot.engine.Engine;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.Upstream;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar.ButtonData;
import javafx.scene.control.ComboBox;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
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
 * A custom registry added from the portal alone: "Custom registry…" in the rule wizard with Debian's docker-registry on
 * loopback as the endpoint, Test connection, a rule finished on it that skopeo then pulls through; the Upstreams page
 * lists the registry as healthy and refuses to remove it while the rule uses it, naming the rule.
 */
@ExtendWith(ApplicationExtension.class)
class CustomRegistryUiTest {
    @TempDir
    static Path temp;
    private DockerRegistryFixture upstream;
    private Engine engine;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        upstream = SharedRegistries.open();
        engine = TestEngine.open(temp.resolve("data-" + System.nanoTime()));
        window = AppHarness.open(stage, engine);
    }

    @AfterEach
    void stop() {
        if (engine != null) engine.close();
    }

    @Test
    void aCustomRegistryAddedInTheRuleWizardServesTheRuleAndIsListedHealthyAndKeptWhileUsed(FxRobot robot) {
        TestImage image = new TestImages(51).dockerImage();
        upstream.pusher().push("custom-ui/team/app", "1.0", image);
        robot.interact(() -> window.select("Cache rules"));
        robot.clickOn("#createRule");
        waitUntil(() -> robot.lookup("#ruleRegistry").tryQuery().isPresent());
        @SuppressWarnings("unchecked")
        ComboBox<Upstream> registry = robot.lookup("#ruleRegistry").queryAs(ComboBox.class);
        waitUntil(() -> registry.getValue() != null && registry.getItems().size() > 1);
        Upstream custom = registry.getItems().get(registry.getItems().size() - 1);
        assertThat(custom.displayName()).isEqualTo("Custom registry…");
        robot.interact(() -> registry.setValue(custom));
        assertThat(button(robot, ButtonData.NEXT_FORWARD).isDisabled()).as("no registry chosen yet").isTrue();

        robot.clickOn("#customEndpoint").write(upstream.url());
        robot.clickOn("#customTestConnection");
        waitUntil(() -> robot.lookup("#customTestResult").queryAs(Label.class).getText().equals("Reachable anonymously"));
        robot.clickOn("#customSaveRegistry");
        waitUntil(() -> registry.getValue() != null && upstream.hostPort().equals(registry.getValue().loginServer()));
        assertThat(robot.lookup("#ruleLoginServer").queryAs(TextField.class).getText()).isEqualTo(upstream.hostPort());

        robot.clickOn(button(robot, ButtonData.NEXT_FORWARD));
        robot.clickOn("#rulePath").write("custom-ui/team");
        robot.clickOn("#ruleWildcard");
        TextField target = robot.lookup("#ruleTarget").queryAs(TextField.class);
        robot.interact(() -> target.setText("cust/*"));
        waitUntil(() -> !button(robot, ButtonData.NEXT_FORWARD).isDisabled());
        robot.clickOn(button(robot, ButtonData.NEXT_FORWARD)); // authentication: anonymous, as the registry allows
        robot.clickOn(button(robot, ButtonData.NEXT_FORWARD)); // review
        waitUntil(() -> !button(robot, ButtonData.FINISH).isDisabled());
        robot.clickOn(button(robot, ButtonData.FINISH));
        waitUntil(() -> engine.rules().stream().anyMatch(r -> r.sourceRepository().equals(upstream.hostPort() + "/custom-ui/team/*")));
        CacheRule rule = engine.rules().stream().filter(r -> r.targetRepository().equals("cust/*")).findFirst().orElseThrow();

        waitUntil(() -> robot.lookup("#statusState").queryAs(Label.class).getText().equals("Running"));
        String address = robot.lookup("#statusAddress").queryAs(Label.class).getText();
        Skopeo.Result pull = new Skopeo().copy(address + "/cust/app:1.0", temp.resolve("pulled"));
        assertThat(pull.exitCode()).as(pull.stderr()).isZero();
        assertThat(Skopeo.read(temp.resolve("pulled")).manifestDigest()).isEqualTo(image.digest());
        assertThat(engine.repositories()).anySatisfy(r -> assertThat(r.name()).isEqualTo("cust/app"));

        robot.interact(() -> window.select("Upstreams"));
        @SuppressWarnings("unchecked")
        TableView<UpstreamRow> table = robot.lookup("#" + UpstreamsPage.TABLE_ID).queryAs(TableView.class);
        waitUntil(() -> table.getItems().stream().anyMatch(r -> r.upstream().loginServer().equals(upstream.hostPort())
                && r.kind().equals("Custom") && r.health().equals("Healthy (anonymous)")));
        assertThat(table.getItems()).anySatisfy(r -> assertThat(r.upstream().loginServer()).isEqualTo("docker.io"));
        robot.interact(() -> table.getSelectionModel().select(table.getItems().stream()
                .filter(r -> r.upstream().loginServer().equals(upstream.hostPort())).findFirst().orElseThrow()));
        robot.clickOn("#removeUpstream");
        waitUntil(() -> robot.lookup(".dialog-pane").tryQuery().isPresent());
        DialogPane confirm = robot.lookup(".dialog-pane").queryAs(DialogPane.class);
        assertThat(confirm.getContentText()).contains(rule.name());
        robot.clickOn((Button) confirm.lookupButton(confirm.getButtonTypes().stream()
                .filter(b -> b.getButtonData() == ButtonData.OK_DONE).findFirst().orElseThrow()));

        waitUntil(() -> robot.lookup("#upstreamsError").queryAs(Label.class).getText().contains(rule.name()));
        assertThat(engine.upstreams()).anySatisfy(u -> assertThat(u.loginServer()).isEqualTo(upstream.hostPort()));
    }

    @Test
    void aCustomRegistryThatWantsALoginIsAddedInTheCredentialWizardAndTheSetIsCreatedForIt(FxRobot robot) {
        DockerRegistryFixture withLogin = SharedRegistries.withLogin();
        robot.interact(() -> window.select("Credentials"));
        robot.clickOn("#createCredentialSet");
        waitUntil(() -> robot.lookup("#credRegistry").tryQuery().isPresent());
        @SuppressWarnings("unchecked")
        ComboBox<Upstream> registry = robot.lookup("#credRegistry").queryAs(ComboBox.class);
        waitUntil(() -> registry.getValue() != null);
        robot.interact(() -> registry.setValue(registry.getItems().get(registry.getItems().size() - 1)));

        robot.clickOn("#customEndpoint").write(withLogin.url());
        robot.clickOn("#customTestConnection");
        waitUntil(() -> robot.lookup("#customTestResult").queryAs(Label.class).getText().equals("Reachable, needs a login"));
        robot.clickOn("#customSaveRegistry");
        waitUntil(() -> registry.getValue() != null && withLogin.hostPort().equals(registry.getValue().loginServer()));
        assertThat(robot.lookup("#credLoginServer").queryAs(TextField.class).getText()).isEqualTo(withLogin.hostPort());

        robot.clickOn(button(robot, ButtonData.NEXT_FORWARD));
        robot.clickOn("#credUsername").write(SharedRegistries.USER);
        robot.clickOn("#credPassword").write(SharedRegistries.PASSWORD);
        waitUntil(() -> !button(robot, ButtonData.FINISH).isDisabled());
        robot.clickOn(button(robot, ButtonData.FINISH));

        waitUntil(() -> engine.credentialSets().stream().anyMatch(c -> c.loginServer().equals(withLogin.hostPort())));
        assertThat(engine.upstreams()).anySatisfy(u -> assertThat(u.loginServer()).isEqualTo(withLogin.hostPort()));
    }
}
