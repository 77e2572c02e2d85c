package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.AppPreferences;
import dev.cachalot.app.common.FxAsync;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineSettings;
import dev.cachalot.storage.DataFolder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.prefs.Preferences;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.DialogPane;
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

/** A port held by another program: the real engine refuses it, the app says so and starts on the port the user picks. */
@ExtendWith(ApplicationExtension.class)
class RealEnginePortTakenUiTest {
    @TempDir
    static Path data;
    private ServerSocket otherProgram;
    private Engine engine;
    private Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        otherProgram = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        engine = Engine.open(new DataFolder(data.resolve("cachalot")));
        engine.updateSettings(new EngineSettings("127.0.0.1:" + otherProgram.getLocalPort(), "revalidate", 0));
        Preferences node = Preferences.userRoot().node("/dev/cachalot/test/port-" + System.nanoTime());
        new MainWindow(stage, new AppContext(engine, new FxAsync(2), data.toString()), new AppPreferences(node)).show();
    }

    @AfterEach
    void close() throws Exception {
        engine.close();
        otherProgram.close();
    }

    @Test
    void saysThePortIsTakenAndStartsOnTheOneTheUserPicks(FxRobot robot) throws Exception {
        waitUntil(() -> robot.lookup("#portTakenDialog").tryQuery().isPresent());
        DialogPane dialog = robot.lookup("#portTakenDialog").queryAs(DialogPane.class);
        assertThat(dialog.getHeaderText()).contains("Another program is already using port " + otherProgram.getLocalPort());
        // the window does not claim an address it could not serve on
        waitUntil(() -> !stage.getTitle().contains(":" + otherProgram.getLocalPort()));
        assertThat(stage.getTitle()).isEqualTo("Cachalot — not serving");

        int free;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = probe.getLocalPort();
        }
        TextField port = robot.from(dialog).lookup(".text-field").queryAs(TextField.class);
        robot.interact(() -> port.setText(String.valueOf(free)));
        ButtonType ok = dialog.getButtonTypes().stream().filter(b -> b.getButtonData() == ButtonBar.ButtonData.OK_DONE).findFirst().orElseThrow();
        robot.clickOn(dialog.lookupButton(ok));

        waitUntil(() -> robot.lookup("#statusState").queryAs(Label.class).getText().equals("Running"));
        assertThat(robot.lookup("#statusAddress").queryAs(Label.class).getText()).isEqualTo("127.0.0.1:" + free);
        assertThat(engine.settings().listen()).isEqualTo("127.0.0.1:" + free);
        assertThat(stage.getTitle()).isEqualTo("Cachalot — 127.0.0.1:" + free);
    }
}
