package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.repositories.RepositoriesPage;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.ManifestView;
import dev.cachalot.engine.RepositoryView;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.engine.TagView;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableRow;
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

/** On Repositories, an image index's platform manifests open to show their layers (as Harbor), and Back returns. */
@ExtendWith(ApplicationExtension.class)
class IndexClickThroughUiTest {
    @TempDir
    Path data;
    private static DockerRegistryFixture upstream;
    private Engine engine;
    private MainWindow window;
    private TestImage index;

    @BeforeAll
    static void startUpstream() {
        upstream = SharedRegistries.open();
    }

    @Start
    void start(Stage stage) {
        engine = TestEngine.open(data);
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft("clickthrough", upstream.hostPort() + "/clickthrough/*", "ct/*", null, null));
        index = new TestImages(29).ociIndex();
        new RegistryPusher(upstream.url()).push("clickthrough/multi", "1.0", index);
        engine.prefetch("ct/multi", "1.0", (java.util.function.Consumer<Long>) bytes -> { });
        window = AppHarness.open(stage, engine);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    @Test
    void aPlatformManifestOfAnIndexOpensToItsLayersAndBackToTheIndex(FxRobot robot) {
        robot.interact(() -> window.select("Repositories"));
        @SuppressWarnings("unchecked")
        TableView<RepositoryView> repos = robot.lookup("#" + RepositoriesPage.TABLE_ID).queryAs(TableView.class);
        waitUntil(() -> repos.getItems().stream().anyMatch(r -> r.name().equals("ct/multi")));
        robot.interact(() -> repos.getSelectionModel().select(
                repos.getItems().stream().filter(r -> r.name().equals("ct/multi")).findFirst().orElseThrow()));
        @SuppressWarnings("unchecked")
        TableView<TagView> tags = robot.lookup("#tagsTable").queryAs(TableView.class);
        waitUntil(() -> !tags.getItems().isEmpty());
        robot.interact(() -> tags.getSelectionModel().select(0));

        @SuppressWarnings("unchecked")
        TableView<ManifestView.Layer> layers = robot.lookup("#layersTable").queryAs(TableView.class);
        waitUntil(() -> layers.getItems().size() == 2 && layers.getItems().stream().allMatch(l -> l.platform() != null));
        ManifestView.Layer arm64 = layers.getItems().stream().filter(l -> l.platform().contains("arm64")).findFirst().orElseThrow();
        assertThat(robot.lookup("#openPlatformManifest").queryAs(Button.class).isVisible()).isTrue();

        // a double click on the platform's row, as a user would
        TableRow<?> row = robot.lookup(".table-row-cell").queryAllAs(TableRow.class).stream()
                .filter(r -> r.getItem() == arm64).findFirst().orElseThrow();
        robot.doubleClickOn(row);

        waitUntil(() -> !layers.getItems().isEmpty() && layers.getItems().stream().allMatch(l -> l.platform() == null));
        assertThat(layers.getItems()).extracting(ManifestView.Layer::cached).containsOnly(true);
        assertThat(robot.lookup("#openedPlatform").queryAs(Label.class).getText()).isEqualTo("Platform " + arm64.platform() + " of the index");
        Button back = robot.lookup("#backToIndex").queryAs(Button.class);
        assertThat(back.isVisible()).isTrue();

        robot.clickOn(back);
        waitUntil(() -> layers.getItems().size() == 2 && layers.getItems().stream().allMatch(l -> l.platform() != null));
        assertThat(robot.lookup("#openedPlatform").queryAs(Label.class).getText()).isEmpty();

        // the Open button does the same for the selected platform
        robot.interact(() -> layers.getSelectionModel().select(arm64));
        robot.clickOn("#openPlatformManifest");
        waitUntil(() -> !layers.getItems().isEmpty() && layers.getItems().stream().allMatch(l -> l.platform() == null));
    }
}
