package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.button;
import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.api.ManagementApi;
import dev.cachalot.api.client.RemoteEngine;
import dev.cachalot.app.shell.ConnectEngineDialog;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.Upstream;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Ports;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.prefs.Preferences;
import javafx.scene.control.ButtonBar.ButtonData;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The app on a remote engine: {@code cachalot serve} in a child JVM on a loopback port, reached through File → Connect
 * to engine…; its rules show, a rule made in the app lands on it, its loss and return show in the status bar, and
 * File → Back to local engine shows the app's own engine again.
 */
@ExtendWith(ApplicationExtension.class)
class RemoteEngineUiTest {
    /** Hang guards only. */
    private static final Duration START_LIMIT = Duration.ofSeconds(90);
    private static final Duration PICK_UP_LIMIT = Duration.ofSeconds(60);

    @TempDir
    static Path temp;
    private static Process serve;
    private static int port;
    private static String url;
    private static DockerRegistryFixture upstream;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Engine localEngine;
    private MainWindow window;
    private Stage stage;
    private Preferences prefs;

    @BeforeAll
    static void startAnEngineProcessWithARule() throws Exception {
        upstream = SharedRegistries.open();
        port = Ports.free();
        url = "http://127.0.0.1:" + port;
        serve = startServe("serve.err");
        awaitEngine();
        try (RemoteEngine api = new RemoteEngine(URI.create(url), null)) {
            api.addUpstream(upstream.hostPort(), upstream.url(), null);
            api.createRule(new RuleDraft("from-api", upstream.hostPort() + "/team/api", "team/api", null, null));
        }
    }

    @AfterAll
    static void stopTheEngineProcess() throws InterruptedException {
        if (serve != null) serve.destroyForcibly().waitFor(); // gone before its data folder is deleted
    }

    @Start
    void start(Stage stage) {
        this.stage = stage;
        prefs = Preferences.userRoot().node("/dev/cachalot/test/remote-" + System.nanoTime());
        localEngine = TestEngine.open(temp.resolve("local-" + System.nanoTime()));
        window = AppHarness.open(stage, localEngine, prefs);
    }

    @AfterEach
    void close(FxRobot robot) {
        robot.interact(window::close);
        localEngine.close();
    }

    @Test
    void connectsShowsAndChangesTheRemoteRulesFollowsItsLossAndReturnAndGoesBackToTheLocalEngine(FxRobot robot) throws Exception {
        waitUntil(() -> "Running".equals(robot.lookup("#statusState").queryAs(Label.class).getText()));
        assertThat(robot.lookup("#statusEngine").queryAs(Label.class).getText()).isEqualTo("Local engine");

        robot.clickOn("File").clickOn("Connect to engine…");
        waitUntil(() -> robot.lookup("#" + ConnectEngineDialog.ID).tryQuery().isPresent());
        @SuppressWarnings("unchecked")
        ComboBox<String> address = robot.lookup("#engineAddress").queryAs(ComboBox.class);
        robot.clickOn(address.getEditor()).write(url);
        robot.clickOn("#engineConnect");

        waitUntil(() -> stage.getTitle().equals("Cachalot — " + url + " (remote)"));
        assertThat(robot.lookup("#statusEngine").queryAs(Label.class).getText()).isEqualTo("Engine " + url + " (remote)");
        waitUntil(() -> "Running".equals(robot.lookup("#statusState").queryAs(Label.class).getText()));

        robot.clickOn("#nav-cache-rules");
        TableView<CacheRule> table = robot.lookup("#rulesTable").queryTableView();
        waitUntil(() -> table.getItems().stream().map(CacheRule::name).toList().contains("from-api"));

        createRuleInTheWizard(robot, "team/ui");
        await().atMost(PICK_UP_LIMIT).until(() -> rulesOnTheEngine().contains("\"" + upstream.hostPort() + "/team/ui\""));
        waitUntil(() -> table.getItems().stream().anyMatch(r -> r.sourceRepository().equals(upstream.hostPort() + "/team/ui")));
        assertThat(localEngine.rules()).as("the rule went to the remote engine only").isEmpty();
        everyPageLoadsWithoutAnError(robot);

        serve.destroyForcibly().waitFor();
        Label state = robot.lookup("#statusState").queryAs(Label.class);
        await().atMost(PICK_UP_LIMIT).until(() -> state.getText().startsWith("Error: connection to " + url + " lost"));
        assertThat(stage.getTitle()).isEqualTo("Cachalot — " + url + " (remote, not answering)");

        serve = startServe("serve-again.err");
        awaitEngine();
        await().atMost(PICK_UP_LIMIT).until(() -> state.getText().equals("Running"));
        waitUntil(() -> stage.getTitle().equals("Cachalot — " + url + " (remote)"));

        robot.clickOn("File").clickOn("Back to local engine");
        waitUntil(() -> "Local engine".equals(robot.lookup("#statusEngine").queryAs(Label.class).getText()));
        waitUntil(() -> !stage.getTitle().contains("remote"));
        robot.interact(() -> window.select("Cache rules"));
        TableView<CacheRule> localRules = robot.lookup("#rulesTable").queryTableView();
        waitUntil(() -> localRules.getItems().isEmpty());

        // the address is offered next time; no token is kept in the app's settings
        robot.clickOn("File").clickOn("Connect to engine…");
        waitUntil(() -> robot.lookup("#" + ConnectEngineDialog.ID).tryQuery().isPresent());
        @SuppressWarnings("unchecked")
        ComboBox<String> again = robot.lookup("#engineAddress").queryAs(ComboBox.class);
        assertThat(again.getItems()).containsExactly(url);
        assertThat(prefs.get("recentEngines", "")).isEqualTo(url + "\t\n");
        robot.clickOn(button(robot, ButtonData.CANCEL_CLOSE));
    }

    /** Every page of the remote window, each shown once: none shows an error (as RealEngineUiTest on a local one). */
    private static void everyPageLoadsWithoutAnError(FxRobot robot) {
        @SuppressWarnings("unchecked")
        javafx.scene.control.ListView<dev.cachalot.app.common.Page> navigation =
                robot.lookup("#" + MainWindow.NAV_ID).queryAs(javafx.scene.control.ListView.class);
        for (dev.cachalot.app.common.Page page : List.copyOf(navigation.getItems())) {
            robot.interact(() -> navigation.getSelectionModel().select(page));
            org.testfx.util.WaitForAsyncUtils.sleep(300, java.util.concurrent.TimeUnit.MILLISECONDS);
            org.testfx.util.WaitForAsyncUtils.waitForFxEvents();
            List<String> errors = AppHarness.allNodes().stream()
                    .filter(n -> n.getStyleClass().contains("error-message") && n.isVisible())
                    .map(n -> ((Label) n).getText()).toList();
            assertThat(errors).as("errors on " + page.title() + " of the remote engine").isEmpty();
        }
        robot.interact(() -> navigation.getSelectionModel().select(navigation.getItems().stream()
                .filter(p -> p.title().equals("Cache rules")).findFirst().orElseThrow()));
    }

    private void createRuleInTheWizard(FxRobot robot, String path) {
        robot.clickOn("#createRule");
        waitUntil(() -> robot.lookup("#ruleRegistry").tryQuery().isPresent());
        @SuppressWarnings("unchecked")
        ComboBox<Upstream> registry = robot.lookup("#ruleRegistry").queryAs(ComboBox.class);
        waitUntil(() -> registry.getItems().stream().anyMatch(u -> u.loginServer().equals(upstream.hostPort())));
        Upstream ours = registry.getItems().stream().filter(u -> u.loginServer().equals(upstream.hostPort())).findFirst().orElseThrow();
        robot.interact(() -> registry.setValue(ours));
        robot.clickOn(button(robot, ButtonData.NEXT_FORWARD));
        robot.clickOn("#rulePath").write(path);
        waitUntil(() -> !button(robot, ButtonData.NEXT_FORWARD).isDisabled());
        robot.clickOn(button(robot, ButtonData.NEXT_FORWARD)); // authentication: anonymous, as the registry allows
        robot.clickOn(button(robot, ButtonData.NEXT_FORWARD)); // review
        waitUntil(() -> !button(robot, ButtonData.FINISH).isDisabled());
        robot.clickOn(button(robot, ButtonData.FINISH));
    }

    /** The engine's rules as its API lists them (JSON), read without the app. */
    private String rulesOnTheEngine() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + ManagementApi.PREFIX + "/rules")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static Process startServe(String stderrName) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "dev.cachalot.Main",
                "--data", temp.resolve("engine-data").toString(), "serve", "--listen", "127.0.0.1:" + port)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(temp.resolve("serve.out").toFile()))
                .redirectError(temp.resolve(stderrName).toFile());
        builder.environment().put("CACHALOT_VAULT_PASSPHRASE", "engine-vault-passphrase");
        return builder.start();
    }

    private static void awaitEngine() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (true) {
            if (!serve.isAlive()) {
                throw new AssertionError("serve exited with " + serve.exitValue() + ":\n" + Files.readString(temp.resolve("serve.err")));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url + "/v2/")).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) return;
            } catch (ConnectException e) {
                // not listening yet
            }
            if (System.nanoTime() - deadline > 0) throw new AssertionError("serve did not answer within " + START_LIMIT);
            Thread.sleep(200);
        }
    }
}
