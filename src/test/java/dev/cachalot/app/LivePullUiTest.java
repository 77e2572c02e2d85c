package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.repositories.RepositoriesPage;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.app.stats.StatsPage;
import dev.cachalot.engine.RepositoryView;
import dev.cachalot.stats.PullEvent;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

@ExtendWith(ApplicationExtension.class)
class LivePullUiTest {
    private final FakeEngine engine = new FakeEngine();
    private MainWindow window;

    @Start
    void start(Stage stage) {
        window = AppHarness.open(stage, engine);
    }

    @Test
    void pullEventsUpdateCounterRepositoriesAndStatisticsWithoutARefresh(FxRobot robot) {
        robot.interact(() -> window.select("Repositories"));
        waitUntil(() -> robot.lookup("#statusState").queryAs(Label.class).getText().equals("Running"));
        assertThat(robot.lookup("#statusPulls").queryAs(Label.class).getText()).isEqualTo("Pulls this session: 0");

        engine.emitPull("library/redis", "7", PullEvent.Outcome.MISS, 1_000_000);

        waitUntil(() -> robot.lookup("#statusPulls").queryAs(Label.class).getText().equals("Pulls this session: 1"));
        @SuppressWarnings("unchecked")
        TableView<RepositoryView> repos = robot.lookup("#" + RepositoriesPage.TABLE_ID).queryAs(TableView.class);
        waitUntil(() -> repos.getItems().stream().anyMatch(r -> r.name().equals("library/redis") && r.pullCount() == 1));

        robot.interact(() -> window.select("Pull statistics"));
        waitUntil(() -> robot.lookup("#" + StatsPage.EVENTS_ID).queryTableView().getItems().size() == 1);
        engine.emitPull("library/redis", "7", PullEvent.Outcome.HIT, 1_000_000);
        waitUntil(() -> robot.lookup("#" + StatsPage.EVENTS_ID).queryTableView().getItems().size() == 2);
        waitUntil(() -> robot.lookup("#statusPulls").queryAs(Label.class).getText().equals("Pulls this session: 2"));
    }
}
