package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.AppPreferences;
import dev.cachalot.app.common.FxAsync;
import dev.cachalot.app.common.Theme;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.engine.CredentialSetView;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineSettings;
import dev.cachalot.engine.EngineStatus;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.prefs.Preferences;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The shell on the real engine, whose saved port another program holds (a loopback socket of the test). */
@ExtendWith(ApplicationExtension.class)
class ShellUiTest {
    private static DockerRegistryFixture registry;
    @TempDir
    Path temp;
    private final Preferences node = Preferences.userRoot().node("/dev/cachalot/test/shell-" + System.nanoTime());
    private ServerSocket otherProgram;
    private Path data;
    private Engine engine;
    private Stage stage;
    private MainWindow window;

    @BeforeAll
    static void startRegistry() {
        registry = SharedRegistries.open();
    }


    @Start
    void start(Stage stage) throws IOException {
        this.stage = stage;
        otherProgram = portWithAFreeSuccessor();
        data = temp.resolve("data");
        engine = TestEngine.open(data);
        engine.updateSettings(new EngineSettings("127.0.0.1:" + otherProgram.getLocalPort(), "revalidate", 0));
        engine.createRule(new RuleDraft("dotnet-sdk", "mcr.microsoft.com/dotnet/sdk", "dotnet/sdk", null, null));
        window = new MainWindow(stage, new AppContext(engine, new FxAsync(2), data.toString()), new AppPreferences(node));
        window.show();
    }

    @AfterEach
    void stop() throws IOException {
        engine.close();
        otherProgram.close();
    }

    /** Holds a loopback port whose next port is free now, so the dialog's suggestion (the next port) can be taken. */
    private static ServerSocket portWithAFreeSuccessor() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            if (held.getLocalPort() < 65535) {
                try (ServerSocket probe = new ServerSocket(held.getLocalPort() + 1, 1, InetAddress.getLoopbackAddress())) {
                    return held;
                } catch (IOException taken) {
                    // the next port is in use: try another
                }
            }
            held.close();
        }
        throw new IllegalStateException("no loopback port with a free successor");
    }

    @Test
    void aTakenPortIsExplainedAndAnotherPortStartsTheRegistry(FxRobot robot) {
        int taken = otherProgram.getLocalPort();
        waitUntil(() -> robot.lookup("#portTakenDialog").tryQuery().isPresent());
        DialogPane dialog = robot.lookup("#portTakenDialog").queryAs(DialogPane.class);
        assertThat(dialog.getHeaderText()).contains("127.0.0.1:" + taken).contains("Another program is already using port " + taken);
        TextField port = robot.from(dialog).lookup(".text-field").queryAs(TextField.class);
        assertThat(port.getText()).isEqualTo(String.valueOf(taken + 1));

        robot.clickOn((Button) dialog.lookupButton(dialog.getButtonTypes().stream()
                .filter(b -> b.getButtonData() == ButtonBar.ButtonData.OK_DONE).findFirst().orElseThrow()));

        waitUntil(() -> robot.lookup("#statusState").queryAs(Label.class).getText().equals("Running"));
        assertThat(robot.lookup("#statusAddress").queryAs(Label.class).getText()).isEqualTo("127.0.0.1:" + (taken + 1));
        assertThat(engine.settings().listen()).isEqualTo("127.0.0.1:" + (taken + 1));
    }

    @Test
    void helpAboutShowsTheBuildsVersion(FxRobot robot) {
        closePortDialog(robot);
        robot.clickOn("Help");
        robot.clickOn("About Cachalot");
        waitUntil(() -> robot.lookup("#aboutDialog").tryQuery().isPresent());
        DialogPane about = robot.lookup("#aboutDialog").queryAs(DialogPane.class);
        assertThat(about.getHeaderText()).isEqualTo("Cachalot " + dev.cachalot.BuildVersion.current());
        robot.interact(() -> about.getScene().getWindow().hide());
    }

    @Test
    void deleteKeyAsksFirstAndDeletesTheSelectedRuleOnlyAfterConfirmation(FxRobot robot) {
        closePortDialog(robot);
        robot.interact(() -> window.select("Cache rules"));
        waitUntil(() -> robot.lookup("#rulesTable").queryTableView().getItems().size() == 1);
        robot.clickOn("dotnet-sdk");
        robot.type(KeyCode.DELETE);
        waitUntil(() -> robot.lookup("Delete rule").tryQuery().isPresent());
        assertThat(engine.rules()).hasSize(1);

        robot.clickOn("Delete rule");

        waitUntil(() -> engine.rules().isEmpty());
        waitUntil(() -> robot.lookup("#rulesTable").queryTableView().getItems().isEmpty());
    }

    @Test
    void aCredentialsPageLeftNoLongerFollowsChangesAndCatchesUpWhenShownAgain(FxRobot robot) {
        closePortDialog(robot);
        robot.interact(() -> window.select("Credentials"));
        TableView<CredentialSetView> table = robot.lookup("#credentialsTable").queryTableView();
        robot.interact(() -> window.select("Overview"));

        AtomicInteger announced = new AtomicInteger();
        try (AutoCloseable probe = engine.onConfigChanged(announced::incrementAndGet);
             Engine cli = Engine.open(new DataFolder(data), TestEngine.NO_PASSPHRASE)) {
            cli.addUpstream(registry.hostPort(), registry.url(), null);
            cli.createCredentialSet("team-registry", registry.hostPort(), "robot", "s3cret-from-cli".toCharArray());
            // the app's engine took the set in and told its listeners, none of them a page now
            waitUntil(() -> announced.get() > 0);
            WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS);
            WaitForAsyncUtils.waitForFxEvents();
            assertThat(table.getItems()).as("the page left did not refresh").isEmpty();
        } catch (Exception e) {
            throw new AssertionError(e);
        }

        robot.interact(() -> window.select("Credentials"));
        waitUntil(() -> table.getItems().stream().anyMatch(c -> c.name().equals("team-registry")));
    }

    @Test
    void remembersLastPageAndThemeAndStopsTheEngineOnClose(FxRobot robot) {
        closePortDialog(robot);
        robot.interact(() -> window.select("Settings"));
        @SuppressWarnings("unchecked")
        javafx.scene.control.ComboBox<Theme> theme = robot.lookup("#settingsTheme").queryAs(javafx.scene.control.ComboBox.class);
        robot.interact(() -> theme.setValue(Theme.DARK));
        robot.interact(() -> window.select("Client setup"));
        engine.startServer("127.0.0.1:0"); // serving, so the close has a server to stop
        robot.interact(() -> stage.close());
        waitUntil(() -> engine.status().state() == EngineStatus.State.STOPPED);

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
