package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.rules.RulesPage;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.oci.MediaTypes;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Ports;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.TestImages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
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
 * The rules table shows each rule's real state on the real engine: its last pull (ok, or failed with the reason) and
 * its upstream's health, where it used to say "Succeeded" for every rule; an imported ACR rule is dated by its import.
 */
@ExtendWith(ApplicationExtension.class)
class RuleStateUiTest {
    @TempDir
    Path data;
    private static DockerRegistryFixture upstream;
    private Engine engine;
    private MainWindow window;
    private String downServer;

    @BeforeAll
    static void startUpstream() {
        upstream = SharedRegistries.open();
    }

    @Start
    void start(Stage stage) {
        engine = TestEngine.open(data);
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft("state-served", upstream.hostPort() + "/*", "up/*", null, null));
        // an upstream nothing listens on: its pulls fail and its check says why
        downServer = "127.0.0.1:" + Ports.free();
        engine.addUpstream(downServer, "http://" + downServer, null);
        engine.createRule(new RuleDraft("state-down", downServer + "/*", "down/*", null, null));
        engine.createRule(new RuleDraft("state-idle", upstream.hostPort() + "/idle/app", "idle-app", null, null));
        window = AppHarness.open(stage, engine);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    @Test
    void lastPullAndUpstreamHealthPerRuleAndImportedRulesDatedByTheirImport(FxRobot robot) throws Exception {
        new RegistryPusher(upstream.url()).push("state/app", "1.0", new TestImages(17).dockerImage());
        waitUntil(() -> "Running".equals(robot.lookup("#statusState").queryAs(Label.class).getText()));
        String address = robot.lookup("#statusAddress").queryAs(Label.class).getText();
        robot.interact(() -> window.select("Cache rules"));
        @SuppressWarnings("unchecked")
        TableView<CacheRule> table = robot.lookup("#" + RulesPage.TABLE_ID).queryAs(TableView.class);
        List<String> columns = table.getColumns().stream().map(TableColumn::getText).toList();
        assertThat(columns).contains("Last pull", "Upstream").doesNotContain("State");
        waitUntil(() -> cell(table, "state-idle", "Last pull").equals("no pulls yet"));
        assertThat(cell(table, "state-idle", "Upstream")).isEqualTo("not checked");

        assertThat(getManifest(address, "up/state/app", "1.0")).isEqualTo(200);
        assertThat(getManifest(address, "down/some/app", "1.0")).isGreaterThanOrEqualTo(500);
        engine.checkUpstream(upstream.hostPort());
        engine.checkUpstream(downServer);
        engine.flushEvents();

        waitUntil(() -> cell(table, "state-served", "Last pull").startsWith("ok "));
        waitUntil(() -> cell(table, "state-down", "Last pull").startsWith("failed "));
        assertThat(cell(table, "state-down", "Last pull")).as("the reason is shown").contains(": ")
                .matches(".*(unreachable|refused|unavailable|connect).*");
        robot.interact(() -> window.select("Overview"));
        robot.interact(() -> window.select("Cache rules"));
        waitUntil(() -> cell(table, "state-served", "Upstream").equals("reachable"));
        assertThat(cell(table, "state-down", "Upstream")).startsWith("unreachable");
        assertThat(cell(table, "state-idle", "Last pull")).isEqualTo("no pulls yet");

        // an ACR rule created in 2023 is created here when imported
        Instant beforeImport = Instant.now();
        Path acr = Files.writeString(data.resolve("acr.json"), """
                [{"creationDate": "2023-09-21T09:30:00.000000+00:00", "name": "imported-acr",
                  "provisioningState": "Succeeded", "sourceRepository": "%s/imported/app",
                  "targetRepository": "imported-app", "type": "Microsoft.ContainerRegistry/registries/cacheRules"}]
                """.formatted(upstream.hostPort()));
        assertThat(engine.importRules(List.of(acr), null, false).applied()).isTrue();
        robot.interact(() -> window.select("Overview"));
        robot.interact(() -> window.select("Cache rules"));
        waitUntil(() -> table.getItems().stream().anyMatch(r -> r.name().equals("imported-acr")));
        CacheRule imported = table.getItems().stream().filter(r -> r.name().equals("imported-acr")).findFirst().orElseThrow();
        assertThat(imported.creationDate()).isAfterOrEqualTo(beforeImport.minusSeconds(1));
    }

    private static String cell(TableView<CacheRule> table, String rule, String column) {
        TableColumn<CacheRule, ?> c = table.getColumns().stream().filter(col -> col.getText().equals(column)).findFirst().orElseThrow();
        return table.getItems().stream().filter(r -> r.name().equals(rule)).findFirst()
                .map(r -> String.valueOf(c.getCellData(r))).orElse("");
    }

    private static int getManifest(String address, String repository, String tag) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address + "/v2/" + repository + "/manifests/" + tag))
                .header("Accept", String.join(", ", MediaTypes.DEFAULT_ACCEPT)).GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
