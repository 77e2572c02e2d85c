package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.button;
import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.AppPreferences;
import dev.cachalot.app.common.FxAsync;
import dev.cachalot.app.credentials.CredentialsPage;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.credentials.Keyring;
import dev.cachalot.credentials.PassphrasePrompt;
import dev.cachalot.credentials.Vault;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.engine.CredentialSetView;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineSettings;
import dev.cachalot.rules.Upstream;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.prefs.Preferences;
import java.util.stream.Stream;
import javafx.scene.Node;
import javafx.scene.control.ButtonBar.ButtonData;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Labeled;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The credential wizard on the real engine and its real vault (no passphrase in the environment, no keyring: a key
 * file in the data folder), checked against Debian's docker-registry with htpasswd: the set is Healthy with the right
 * password, Unhealthy with a reason with a wrong one, and the secret shows in no table, no label, no field but the
 * password field, and in no file of the data folder; the table shows the vault reference instead.
 */
@ExtendWith(ApplicationExtension.class)
class CredentialWizardOnRealEngineUiTest {
    private static final String USER = SharedRegistries.USER;
    private static final String SECRET = SharedRegistries.PASSWORD;

    private static DockerRegistryFixture upstream;
    @TempDir
    Path temp;
    private Engine engine;
    private Path data;

    @BeforeAll
    static void startUpstream() {
        upstream = SharedRegistries.withLogin();
    }


    @Start
    void start(Stage stage) {
        data = temp.resolve("data");
        // an environment without CACHALOT_VAULT_PASSPHRASE and no keyring: the vault falls back to its key file
        VaultOptions noPassphrase = new VaultOptions(name -> null, Keyring.NONE, PassphrasePrompt.NONE, VaultOptions.MIN_ITERATIONS);
        engine = Engine.open(new DataFolder(data), noPassphrase);
        engine.updateSettings(new EngineSettings("127.0.0.1:0", "revalidate", 0));
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        Preferences node = Preferences.userRoot().node("/dev/cachalot/test/cred-real-" + System.nanoTime());
        new MainWindow(stage, new AppContext(engine, new FxAsync(2), data.toString()), new AppPreferences(node)).show();
    }

    @AfterEach
    void stop() {
        if (engine != null) engine.close();
    }

    @Test
    void storesTheSecretInTheKeyFileVaultAndTheSetIsHealthyAgainstTheRegistry(FxRobot robot) {
        CredentialSetView set = createThroughTheWizard(robot, "team-registry", SECRET);

        assertThat(set.health()).isEqualTo("Healthy");
        assertThat(set.errorMessage()).isNull();
        assertThat(set.lastChecked()).isNotNull();
        assertThat(data.resolve("vault").resolve(Vault.KEY_FILE_NAME)).isRegularFile();
        assertThat(TestEngine.vaultSecret(data, "vault:team-registry-password")).isEqualTo(SECRET);
        assertThat(textsOnScreen()).contains("vault:team-registry-password").noneMatch(t -> t.contains(SECRET));
        assertThat(filesContaining(data, SECRET)).isEmpty();
    }

    @Test
    void aWrongPasswordIsRefusedInTheWizardAndSavedOnlyOnPurpose(FxRobot robot) {
        String wrong = "Not-The-Password-7";
        fillTheWizard(robot, "wrong-password", wrong);

        robot.clickOn(button(robot, ButtonData.FINISH));
        // the wizard stays open with the upstream's answer; nothing is saved
        waitUntil(() -> robot.lookup("#credLoginResult").queryAs(Labeled.class).getText().startsWith("Sign-in failed: "));
        waitUntil(() -> !robot.lookup("#wizardError").queryAs(Labeled.class).getText().isEmpty());
        assertThat(robot.lookup("#credentialWizard").tryQuery()).isPresent();
        assertThat(engine.credentialSets()).isEmpty();
        assertThat(textsOnScreen()).noneMatch(t -> t.contains(wrong));

        // saving it anyway is a choice made after seeing the refusal
        robot.clickOn("#credSaveAnyway");
        robot.clickOn(button(robot, ButtonData.FINISH));
        CredentialSetView set = rowOf(robot, "wrong-password");
        assertThat(set.health()).isEqualTo("Unhealthy");
        assertThat(set.errorMessage()).isNotBlank().doesNotContain(wrong);
        assertThat(textsOnScreen()).anyMatch(t -> t.startsWith("Unhealthy: ")).noneMatch(t -> t.contains(wrong));
        assertThat(filesContaining(data, wrong)).isEmpty();
    }

    @Test
    void testSignInSaysWhetherTheLoginWorksBeforeFinish(FxRobot robot) {
        fillTheWizard(robot, "tried-first", "Not-The-Password-7");
        robot.clickOn("#credTestLogin");
        waitUntil(() -> robot.lookup("#credLoginResult").queryAs(Labeled.class).getText().startsWith("Sign-in failed: "));
        assertThat(robot.lookup("#credSaveAnyway").queryAs(javafx.scene.control.CheckBox.class).isVisible()).isTrue();

        PasswordField password = robot.lookup("#credPassword").queryAs(PasswordField.class);
        robot.interact(() -> password.setText(SECRET));
        // a changed login has not been tried yet
        assertThat(robot.lookup("#credLoginResult").queryAs(Labeled.class).getText()).isEmpty();
        assertThat(robot.lookup("#credSaveAnyway").queryAs(javafx.scene.control.CheckBox.class).isVisible()).isFalse();
        robot.clickOn("#credTestLogin");
        waitUntil(() -> robot.lookup("#credLoginResult").queryAs(Labeled.class).getText().startsWith("Signed in to "));
        assertThat(engine.credentialSets()).isEmpty();
    }

    @Test
    void updateCredentialsReplacesAWrongPasswordAndTheSetTurnsHealthy(FxRobot robot) {
        engine.createCredentialSet("team-update", upstream.hostPort(), USER, "Not-The-Password-7".toCharArray());
        robot.clickOn("#nav-credentials");
        @SuppressWarnings("unchecked")
        TableView<CredentialSetView> table = robot.lookup("#" + CredentialsPage.TABLE_ID).queryAs(TableView.class);
        waitUntil(() -> table.getItems().stream().anyMatch(c -> c.name().equals("team-update") && c.health().equals("Unhealthy")));
        robot.interact(() -> table.getSelectionModel().select(0));

        robot.clickOn("#updateCredentials");
        robot.clickOn("#updateUsername").write(USER);
        robot.clickOn("#updatePassword").write(SECRET);
        waitUntil(() -> !button(robot, ButtonData.FINISH).isDisabled());
        robot.clickOn(button(robot, ButtonData.FINISH));

        waitUntil(() -> table.getItems().stream().anyMatch(c -> c.name().equals("team-update") && c.health().equals("Healthy")));
        assertThat(TestEngine.vaultSecret(data, "vault:team-update-password")).isEqualTo(SECRET);
        assertThat(textsOnScreen()).noneMatch(t -> t.contains(SECRET));
    }

    @Test
    void theDeletedNoticeGoesOnceTheSetIsCreatedAgain(FxRobot robot) {
        createThroughTheWizard(robot, "team-again", SECRET);
        @SuppressWarnings("unchecked")
        TableView<CredentialSetView> table = robot.lookup("#" + CredentialsPage.TABLE_ID).queryAs(TableView.class);
        robot.interact(() -> table.getSelectionModel().select(0));
        robot.clickOn("#deleteCredentialSet");
        waitUntil(() -> robot.lookup("Delete credential set").tryQuery().isPresent());
        robot.clickOn("Delete credential set");
        waitUntil(() -> textsOnScreen().contains("Credential set team-again deleted."));

        createThroughTheWizard(robot, "team-again", SECRET);
        waitUntil(() -> !textsOnScreen().contains("Credential set team-again deleted."));
    }

    /** Registry (the custom upstream) → name → username and password → Finish; returns the row that appears. */
    private CredentialSetView createThroughTheWizard(FxRobot robot, String name, String password) {
        fillTheWizard(robot, name, password);
        robot.clickOn(button(robot, ButtonData.FINISH));
        return rowOf(robot, name);
    }

    private CredentialSetView rowOf(FxRobot robot, String name) {
        @SuppressWarnings("unchecked")
        TableView<CredentialSetView> table = robot.lookup("#" + CredentialsPage.TABLE_ID).queryAs(TableView.class);
        waitUntil(() -> table.getItems().stream().anyMatch(c -> c.name().equals(name)));
        waitUntil(() -> textsOnScreen().contains(name)); // the row is drawn, so its cells count in the checks below
        return table.getItems().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    /** Registry (the custom upstream) → name → username and password, up to Finish. */
    private void fillTheWizard(FxRobot robot, String name, String password) {
        robot.clickOn("#nav-credentials");
        robot.clickOn("#createCredentialSet");
        // Docker Hub comes first, its name suggested
        waitUntil(() -> "docker.io".equals(robot.lookup("#credLoginServer").queryAs(TextField.class).getText()));
        assertThat(robot.lookup("#credName").queryAs(TextField.class).getText()).isEqualTo("docker-io-creds");
        @SuppressWarnings("unchecked")
        ComboBox<Upstream> registry = robot.lookup("#credRegistry").queryAs(ComboBox.class);
        waitUntil(() -> registry.getItems().stream().anyMatch(u -> u.loginServer().equals(upstream.hostPort())));
        robot.interact(() -> registry.setValue(registry.getItems().stream()
                .filter(u -> u.loginServer().equals(upstream.hostPort())).findFirst().orElseThrow()));
        assertThat(robot.lookup("#credLoginServer").queryAs(TextField.class).getText()).isEqualTo(upstream.hostPort());
        TextField nameField = robot.lookup("#credName").queryAs(TextField.class);
        robot.interact(() -> nameField.setText("ab"));
        waitUntil(() -> AppHarness.errorMarkOn(nameField).filter(t -> t.contains("5 to 50")).isPresent());
        robot.interact(() -> nameField.setText(name));
        waitUntil(() -> AppHarness.errorMarkOn(nameField).isEmpty());
        robot.clickOn(button(robot, ButtonData.NEXT_FORWARD));
        robot.clickOn("#credUsername").write(USER);
        robot.clickOn("#credPassword").write(password);
        waitUntil(() -> !button(robot, ButtonData.FINISH).isDisabled());
        assertThat(textsOnScreen()).noneMatch(t -> t.contains(password));
    }

    /** Every text a user can see or hover: labels, table cells, tooltips, and fields other than password fields. */
    private static List<String> textsOnScreen() {
        List<String> texts = new ArrayList<>();
        for (Node n : AppHarness.allNodes()) {
            if (n instanceof Labeled l && l.getText() != null) texts.add(l.getText());
            if (n instanceof Labeled l && l.getTooltip() != null) texts.add(l.getTooltip().getText());
            if (n instanceof TextInputControl t && !(n instanceof PasswordField) && t.getText() != null) texts.add(t.getText());
        }
        return texts;
    }

    private static List<Path> filesContaining(Path folder, String secret) {
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).filter(f -> contains(read(f), needle)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return new byte[0]; // a file the engine holds open or removed meanwhile: nothing to find in it
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return true;
        }
        return false;
    }
}
