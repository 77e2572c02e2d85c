package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.common.Page;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.app.shell.ScreenshotRenderer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Renders every page to PNG. Output folder: system property {@code cachalot.screenshots} (default
 * {@code target/screenshots}); for the README run with {@code -Dcachalot.screenshots=docs/screenshots}.
 */
@ExtendWith(ApplicationExtension.class)
class PageScreenshotsTest {
    private MainWindow window;

    @Start
    void start(Stage stage) {
        stage.setWidth(1280);
        stage.setHeight(800);
        window = AppHarness.open(stage, new FakeEngine().withSampleData());
    }

    @Test
    void rendersEachPageToAPng(FxRobot robot) throws Exception {
        Path folder = Path.of(System.getProperty("cachalot.screenshots", "target/screenshots"));
        for (Page page : window.pages()) {
            robot.interact(() -> window.select(page.title()));
            WaitForAsyncUtils.sleep(300, java.util.concurrent.TimeUnit.MILLISECONDS); // let the page's background load land
            WaitForAsyncUtils.waitForFxEvents();
            if (page.title().equals("Repositories")) {
                // show a repository's tags and a manifest, as a user browsing the cache sees them
                robot.interact(() -> robot.lookup("#repositoriesTable").queryTableView().getSelectionModel().select(0));
                waitUntil(() -> !robot.lookup("#tagsTable").queryTableView().getItems().isEmpty());
                robot.interact(() -> robot.lookup("#tagsTable").queryTableView().getSelectionModel().select(0));
                WaitForAsyncUtils.sleep(300, java.util.concurrent.TimeUnit.MILLISECONDS);
                WaitForAsyncUtils.waitForFxEvents();
            }
            AtomicReference<Path> file = new AtomicReference<>();
            robot.interact(() -> {
                try {
                    file.set(ScreenshotRenderer.renderShown(window, page, folder));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            waitUntil(() -> file.get() != null);
            assertThat(Files.size(file.get())).isGreaterThan(5_000);
        }
        assertThat(folder.resolve("overview.png")).exists();
        assertThat(folder.resolve("cache-rules.png")).exists();
    }
}
