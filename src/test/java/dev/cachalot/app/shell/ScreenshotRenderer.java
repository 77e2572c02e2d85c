package dev.cachalot.app.shell;

import dev.cachalot.app.common.Page;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.image.WritableImage;
import javax.imageio.ImageIO;

/**
 * Renders every page of a shown {@link MainWindow} to PNG ({@code overview.png}, {@code cache-rules.png}, …) so the
 * README's screenshots come from the project itself. Must run on the FX thread, with each page's data loaded
 * (select the page, let its background work finish, then call {@link #renderShown}).
 */
public final class ScreenshotRenderer {
    private ScreenshotRenderer() {
    }

    public static String fileName(Page page) {
        return page.title().toLowerCase(Locale.ROOT).replace(' ', '-') + ".png";
    }

    /** Snapshots the whole window as it is now into {@code folder/<page>.png}. */
    public static Path renderShown(MainWindow window, Page page, Path folder) throws IOException {
        return renderShown(window, folder, fileName(page));
    }

    /** Snapshots the whole window as it is now into {@code folder/fileName} (for variants such as the dark theme). */
    public static Path renderShown(MainWindow window, Path folder, String fileName) throws IOException {
        Files.createDirectories(folder);
        WritableImage image = window.stage().getScene().getRoot().snapshot(null, null);
        Path file = folder.resolve(fileName);
        ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", file.toFile());
        return file;
    }

    /**
     * Snapshots the window's content laid out at {@code width}×{@code height} into {@code folder/fileName}, off screen:
     * the content moves to a scene of that size for the snapshot and back. The headless screen (1280×800) cannot show
     * a window larger than itself, so a 1920×1080 picture cannot come from resizing the window.
     */
    public static Path renderAt(MainWindow window, Path folder, String fileName, double width, double height) throws IOException {
        Files.createDirectories(folder);
        javafx.scene.Scene shown = window.stage().getScene();
        javafx.scene.Parent root = shown.getRoot();
        shown.setRoot(new javafx.scene.Group());
        try {
            javafx.scene.Scene offscreen = new javafx.scene.Scene(root, width, height);
            offscreen.getStylesheets().setAll(shown.getStylesheets());
            WritableImage image = offscreen.snapshot(null);
            Path file = folder.resolve(fileName);
            ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", file.toFile());
            offscreen.setRoot(new javafx.scene.Group());
            return file;
        } finally {
            shown.setRoot(root);
        }
    }

    public static List<String> fileNames(MainWindow window) {
        List<String> names = new ArrayList<>();
        window.pages().forEach(p -> names.add(fileName(p)));
        return names;
    }
}
