package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.AppPreferences;
import dev.cachalot.app.common.FxAsync;
import dev.cachalot.app.repositories.RepositoriesPage;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.app.stats.StatsPage;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineSettings;
import dev.cachalot.engine.RepositoryView;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.engine.TagView;
import dev.cachalot.stats.PullEvent;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import java.util.prefs.Preferences;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.Labeled;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
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
 * The whole way: the app's engine in front of Debian's docker-registry on loopback, skopeo pulls through it, and the
 * repository, its tag and a pull count of 1 appear in Repositories and Pull statistics without a manual refresh; a
 * second pull shows as a cache hit and counts 2, live.
 */
@ExtendWith(ApplicationExtension.class)
class PullThroughEndToEndUiTest {
    @TempDir
    static Path temp;
    private static DockerRegistryFixture upstream;
    private Engine engine;
    private MainWindow window;

    @BeforeAll
    static void startUpstream() {
        upstream = SharedRegistries.open();
    }


    @Start
    void start(Stage stage) {
        engine = Engine.open(new DataFolder(temp.resolve("data")));
        engine.updateSettings(new EngineSettings("127.0.0.1:0", "revalidate", 0));
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft("upstream-all", upstream.hostPort() + "/*", "up/*", null, null));
        Preferences node = Preferences.userRoot().node("/dev/cachalot/test/e2e-" + System.nanoTime());
        window = new MainWindow(stage, new AppContext(engine, new FxAsync(2), temp.toString()), new AppPreferences(node));
        window.show();
    }

    @AfterEach
    void stop() {
        if (engine != null) engine.close();
    }

    @Test
    void aSkopeoPullShowsUpInRepositoriesAndStatisticsWithoutARefresh(FxRobot robot) {
        TestImage image = new TestImages(7).dockerImage();
        new RegistryPusher(upstream.url()).push("team/app", "1.0", image);
        robot.interact(() -> window.select("Repositories"));
        waitUntil(() -> robot.lookup("#statusState").queryAs(Label.class).getText().equals("Running"));
        String address = robot.lookup("#statusAddress").queryAs(Label.class).getText();
        @SuppressWarnings("unchecked")
        TableView<RepositoryView> repos = robot.lookup("#" + RepositoriesPage.TABLE_ID).queryAs(TableView.class);
        assertThat(repos.getItems()).isEmpty();
        assertThat(robot.lookup("#statusPulls").queryAs(Label.class).getText()).isEqualTo("Pulls this session: 0");

        Skopeo.Result pull = new Skopeo().copy(address + "/up/team/app:1.0", temp.resolve("pulled"));
        assertThat(pull.exitCode()).as(pull.stderr()).isZero();

        waitUntil(() -> repos.getItems().stream().anyMatch(r -> r.name().equals("up/team/app") && r.pullCount() == 1));
        waitUntil(() -> robot.lookup("#statusPulls").queryAs(Label.class).getText().equals("Pulls this session: 1"));
        robot.interact(() -> repos.getSelectionModel().select(
                repos.getItems().stream().filter(r -> r.name().equals("up/team/app")).findFirst().orElseThrow()));
        @SuppressWarnings("unchecked")
        TableView<TagView> tags = robot.lookup("#tagsTable").queryAs(TableView.class);
        waitUntil(() -> tags.getItems().stream().anyMatch(t -> t.tag().equals("1.0") && t.digest().equals(image.digest())));

        robot.interact(() -> window.select("Pull statistics"));
        @SuppressWarnings("unchecked")
        TableView<PullEvent> events = robot.lookup("#" + StatsPage.EVENTS_ID).queryAs(TableView.class);
        waitUntil(() -> events.getItems().stream().anyMatch(e -> e.repository().equals("up/team/app")
                && e.kind() == PullEvent.Kind.MANIFEST && e.outcome() == PullEvent.Outcome.MISS));
        @SuppressWarnings("unchecked")
        TableView<dev.cachalot.stats.RepositoryStats> perRepository = robot.lookup("#repositoryStatsTable").queryAs(TableView.class);
        waitUntil(() -> perRepository.getItems().stream().anyMatch(r -> r.repository().equals("up/team/app") && r.pulls() == 1));

        // a second pull while the statistics are shown: served from the cache, and every count follows by itself
        Skopeo.Result again = new Skopeo().copy(address + "/up/team/app:1.0", temp.resolve("pulled-again"));
        assertThat(again.exitCode()).as(again.stderr()).isZero();
        waitUntil(() -> events.getItems().stream().anyMatch(e -> e.repository().equals("up/team/app")
                && e.kind() == PullEvent.Kind.MANIFEST && e.outcome() == PullEvent.Outcome.HIT));
        waitUntil(() -> perRepository.getItems().stream().anyMatch(r -> r.repository().equals("up/team/app") && r.pulls() == 2));
        waitUntil(() -> robot.lookup("#statusPulls").queryAs(Label.class).getText().equals("Pulls this session: 2"));

        // "Pull into cache…" on Repositories; the user moves on, and a notification says when the image is in
        new RegistryPusher(upstream.url()).push("team/tool", "2.0", new TestImages(8).ociImage());
        robot.interact(() -> window.select("Repositories"));
        robot.clickOn("#prefetch");
        waitUntil(() -> robot.lookup(".dialog-pane .text-field").tryQuery().isPresent());
        TextField reference = robot.lookup(".dialog-pane .text-field").queryAs(TextField.class);
        robot.interact(() -> {
            reference.setText("up/team/tool:2.0");
            DialogPane dialog = (DialogPane) reference.getScene().lookup(".dialog-pane");
            ((Button) dialog.lookupButton(ButtonType.OK)).fire();
        });
        robot.interact(() -> window.select("Pull statistics"));
        waitUntil(() -> AppHarness.allNodes().stream().anyMatch(n -> n instanceof Labeled l && n.isVisible()
                && "up/team/tool:2.0 is in the cache.".equals(l.getText())));
        assertThat(AppHarness.allNodes()).anyMatch(n -> n instanceof Labeled l && "Pull finished".equals(l.getText()));
        assertThat(engine.repositories()).anyMatch(r -> r.name().equals("up/team/tool"));
    }
}
