package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.button;
import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.app.users.CreateTokenViewModel;
import dev.cachalot.app.users.UsersPage;
import dev.cachalot.engine.AccessTokenView;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.UserView;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import javafx.scene.control.ButtonBar.ButtonData;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Labeled;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The Users page on the real engine: a user typed into the dialog is added, a token made for them shows its secret
 * once (and no list shows it after), revoking and removing reach the engine, and a password the engine refuses is
 * refused in the dialog with the engine's words.
 */
@ExtendWith(ApplicationExtension.class)
class UsersPageUiTest {
    private static final String PASSWORD = "correct-horse-battery";
    @TempDir
    Path dir;
    private Engine engine;
    private MainWindow window;

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
    void addsAUserMakesATokenShownOnceRevokesItAndRemovesTheUser(FxRobot robot) {
        robot.clickOn("#nav-users");
        TableView<UserView> users = robot.lookup("#" + UsersPage.USERS_TABLE_ID).queryTableView();
        TableView<AccessTokenView> tokens = robot.lookup("#" + UsersPage.TOKENS_TABLE_ID).queryTableView();

        robot.clickOn("#addUser");
        robot.clickOn("#userName").write("ci-bot");
        @SuppressWarnings("unchecked")
        ChoiceBox<String> role = robot.lookup("#userRole").queryAs(ChoiceBox.class);
        robot.interact(() -> role.getSelectionModel().select("push"));
        TextInputControl repositories = robot.lookup("#userRepositories").queryAs(TextInputControl.class);
        assertThat(repositories.getText()).isEqualTo("*");
        robot.interact(repositories::clear);
        robot.clickOn("#userRepositories").write("team/*");
        robot.clickOn("#userPassword").write(PASSWORD);
        robot.clickOn("#userPasswordConfirm").write(PASSWORD);
        waitUntil(() -> !button(robot, ButtonData.FINISH).isDisabled());
        robot.clickOn(button(robot, ButtonData.FINISH));

        waitUntil(() -> users.getItems().stream().anyMatch(u -> u.name().equals("ci-bot")));
        assertThat(engine.users()).singleElement().satisfies(u -> {
            assertThat(u.name()).isEqualTo("ci-bot");
            assertThat(u.role()).isEqualTo("push");
            assertThat(u.repositories()).isEqualTo("team/*");
        });

        robot.clickOn("#createToken");
        robot.clickOn("#tokenName").write("pipeline");
        @SuppressWarnings("unchecked")
        ChoiceBox<CreateTokenViewModel.Expiry> expiry = robot.lookup("#tokenExpiry").queryAs(ChoiceBox.class);
        robot.interact(() -> expiry.getSelectionModel().select(CreateTokenViewModel.Expiry.DAYS_30));
        assertThat(robot.lookup("#tokenUser").queryAs(ChoiceBox.class).getValue()).isEqualTo("ci-bot");
        waitUntil(() -> !button(robot, ButtonData.FINISH).isDisabled());
        Instant before = Instant.now();
        robot.clickOn(button(robot, ButtonData.FINISH));

        waitUntil(() -> robot.lookup("#tokenSecret").tryQuery().isPresent());
        TextField secretField = robot.lookup("#tokenSecret").queryAs(TextField.class);
        String secret = secretField.getText();
        assertThat(secret).isNotBlank();
        assertThat(secretField.isEditable()).isFalse();
        assertThat(texts()).anyMatch(t -> t.contains("not shown again"));
        robot.clickOn("#copyTokenSecret");
        assertThat(fxClipboard(robot)).isEqualTo(secret);
        waitUntil(() -> tokens.getItems().stream().anyMatch(t -> t.name().equals("pipeline")));
        assertThat(engine.accessTokens()).singleElement().satisfies(t -> {
            assertThat(t.user()).isEqualTo("ci-bot");
            assertThat(t.expires()).isBetween(before.plus(Duration.ofDays(30)).minusSeconds(60),
                    Instant.now().plus(Duration.ofDays(30)).plusSeconds(60));
            assertThat(t.lastUsed()).isNull();
        });

        robot.clickOn(button(robot, ButtonData.CANCEL_CLOSE));
        waitUntil(() -> robot.lookup("#tokenSecret").tryQuery().isEmpty());
        assertThat(texts()).as("the secret is nowhere on screen once its dialog is closed").noneMatch(t -> t.contains(secret));
        assertThat(texts()).contains("pipeline", "ci-bot", "Never");
        assertThat(tokens.getItems().toString()).doesNotContain(secret);

        robot.interact(() -> tokens.getSelectionModel().select(0));
        robot.clickOn("#revokeToken");
        waitUntil(() -> robot.lookup("Revoke token").tryQuery().isPresent());
        robot.clickOn("Revoke token");
        waitUntil(() -> tokens.getItems().isEmpty());
        assertThat(engine.accessTokens()).isEmpty();
        assertThat(engine.users()).extracting(UserView::name).containsExactly("ci-bot");

        robot.interact(() -> users.getSelectionModel().select(0));
        robot.clickOn("#removeUser");
        waitUntil(() -> robot.lookup("Remove user").tryQuery().isPresent());
        robot.clickOn("Remove user");
        waitUntil(() -> users.getItems().isEmpty());
        assertThat(engine.users()).isEmpty();
    }

    @Test
    void aPasswordTooShortIsRefusedInTheDialogWithTheEnginesWords(FxRobot robot) {
        robot.clickOn("#nav-users");
        robot.clickOn("#addUser");
        robot.clickOn("#userName").write("alice");
        robot.clickOn("#userPassword").write("short");
        robot.clickOn("#userPasswordConfirm").write("short");
        waitUntil(() -> !button(robot, ButtonData.FINISH).isDisabled());
        robot.clickOn(button(robot, ButtonData.FINISH));

        waitUntil(() -> !robot.lookup("#wizardError").queryAs(Labeled.class).getText().isEmpty());
        assertThat(robot.lookup("#wizardError").queryAs(Labeled.class).getText()).containsIgnoringCase("at least 8 characters");
        assertThat(robot.lookup("#addUserDialog").tryQuery()).as("the dialog stays open").isPresent();
        assertThat(engine.users()).isEmpty();

        // a confirmation that differs is caught before the engine is asked
        TextInputControl confirm = robot.lookup("#userPasswordConfirm").queryAs(TextInputControl.class);
        robot.clickOn(confirm).write("x");
        assertThat(confirm.getText()).as("the confirmation typed").hasSize(6);
        waitUntil(() -> texts().contains("The two passwords differ."));
        assertThat(button(robot, ButtonData.FINISH).isDisabled()).as("Finish while the passwords differ").isTrue();
    }

    private static String fxClipboard(FxRobot robot) {
        String[] got = new String[1];
        robot.interact(() -> got[0] = javafx.scene.input.Clipboard.getSystemClipboard().getString());
        return got[0];
    }

    private static List<String> texts() {
        return AppHarness.allNodes().stream().map(n -> n instanceof Labeled l ? l.getText()
                        : n instanceof TextInputControl t ? t.getText() : null)
                .filter(t -> t != null && !t.isEmpty()).collect(Collectors.toList());
    }
}
