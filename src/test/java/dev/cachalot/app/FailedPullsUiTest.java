package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.app.stats.StatsPage;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.oci.MediaTypes;
import dev.cachalot.stats.PullEvent;
import dev.cachalot.stats.RepositoryStats;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.TestImages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.chart.BarChart;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.control.Labeled;
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
 * A pull that fails through the real engine (a tag the loopback upstream does not have) says why on Pull statistics,
 * counts in the per-repository Failed column, and a repository that was never served does not rank among the top
 * repositories on Overview.
 */
@ExtendWith(ApplicationExtension.class)
class FailedPullsUiTest {
    @TempDir
    Path data;
    private static DockerRegistryFixture upstream;
    private Engine engine;
    private MainWindow window;

    @BeforeAll
    static void startUpstream() {
        upstream = SharedRegistries.open();
    }

    @Start
    void start(Stage stage) {
        engine = TestEngine.open(data);
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft("upstream-all", upstream.hostPort() + "/*", "up/*", null, null));
        window = AppHarness.open(stage, engine);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    @Test
    void aFailedPullShowsItsReasonCountsAsFailedAndDoesNotRank(FxRobot robot) throws Exception {
        new RegistryPusher(upstream.url()).push("failing/served", "1.0", new TestImages(11).dockerImage());
        waitUntil(() -> "Running".equals(robot.lookup("#statusState").queryAs(Label.class).getText()));
        String address = robot.lookup("#statusAddress").queryAs(Label.class).getText();
        assertThat(getManifest(address, "up/failing/served", "1.0")).isEqualTo(200);
        assertThat(getManifest(address, "up/failing/never-there", "1.0")).isEqualTo(404);

        robot.interact(() -> window.select("Pull statistics"));
        @SuppressWarnings("unchecked")
        TableView<PullEvent> events = robot.lookup("#" + StatsPage.EVENTS_ID).queryAs(TableView.class);
        waitUntil(() -> events.getItems().stream().anyMatch(e -> e.outcome() == PullEvent.Outcome.FAILED));
        PullEvent failed = events.getItems().stream().filter(e -> e.outcome() == PullEvent.Outcome.FAILED).findFirst().orElseThrow();
        assertThat(failed.repository()).isEqualTo("up/failing/never-there");
        assertThat(failed.error()).isNotBlank();
        // the Result cell says "failed" and why
        waitUntil(() -> AppHarness.allNodes().stream().anyMatch(n -> n instanceof Labeled l && n.isVisible()
                && l.getText() != null && l.getText().equals("failed: " + failed.error())));

        @SuppressWarnings("unchecked")
        TableView<RepositoryStats> perRepository = robot.lookup("#repositoryStatsTable").queryAs(TableView.class);
        List<String> columns = perRepository.getColumns().stream().map(TableColumn::getText).toList();
        assertThat(columns).contains("Failed");
        waitUntil(() -> perRepository.getItems().stream()
                .anyMatch(r -> r.repository().equals("up/failing/never-there") && r.failed() == 1));
        @SuppressWarnings("unchecked")
        TableColumn<RepositoryStats, ?> failedColumn = perRepository.getColumns().get(columns.indexOf("Failed"));
        RepositoryStats neverThere = perRepository.getItems().stream()
                .filter(r -> r.repository().equals("up/failing/never-there")).findFirst().orElseThrow();
        assertThat(String.valueOf(failedColumn.getCellData(neverThere))).isEqualTo("1");

        robot.interact(() -> window.select("Overview"));
        @SuppressWarnings("unchecked")
        BarChart<Number, String> top = robot.lookup("#topRepositoriesChart").queryAs(BarChart.class);
        waitUntil(() -> categories(top).contains("up/failing/served"));
        assertThat(categories(top)).doesNotContain("up/failing/never-there");
    }

    private static List<String> categories(BarChart<Number, String> chart) {
        return chart.getData().stream().flatMap(s -> s.getData().stream()).map(XYChart.Data::getYValue).toList();
    }

    private static int getManifest(String address, String repository, String tag) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address + "/v2/" + repository + "/manifests/" + tag))
                .header("Accept", String.join(", ", MediaTypes.DEFAULT_ACCEPT)).GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
