package dev.cachalot.app;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.AppPreferences;
import dev.cachalot.app.common.FxAsync;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.engine.Engine;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.prefs.Preferences;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/** Opens the real main window on a TestFX stage with the given engine; preferences go to a test node. */
final class AppHarness {
    private AppHarness() {
    }

    static MainWindow open(Stage stage, Engine engine) {
        return open(stage, engine, Preferences.userRoot().node("/dev/cachalot/test/" + System.nanoTime()));
    }

    static MainWindow open(Stage stage, Engine engine, Preferences node) {
        AppContext context = new AppContext(engine, new FxAsync(2), engine.dataFolder().root().toString());
        MainWindow window = new MainWindow(stage, context, new AppPreferences(node));
        window.show();
        return window;
    }

    /**
     * Waits for what a person would wait for. The bound is generous on purpose: it is only reached when something is
     * wrong, and a machine running two test JVMs beside the servers they start once needed over 10 s for one page.
     */
    static void waitUntil(BooleanSupplier condition) {
        try {
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> {
                WaitForAsyncUtils.waitForFxEvents();
                return condition.getAsBoolean();
            });
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("condition not met within 30 s", e);
        }
    }

    /** The dialog button with this {@link ButtonBar.ButtonData} (Finish's text has a trailing space in ControlsFX). */
    static Button button(FxRobot robot, ButtonBar.ButtonData data) {
        return robot.lookup(n -> n instanceof Button && ButtonBar.getButtonData(n) == data && n.isVisible())
                .queryAllAs(Button.class).stream().findFirst().orElseThrow(() -> new AssertionError("no " + data + " button"));
    }

    /**
     * The tooltip of the error mark ControlsFX draws on {@code field}'s corner, if one is shown: a visible icon without
     * text, with a tooltip, over the field's bounds in the field's window.
     */
    static java.util.Optional<String> errorMarkOn(javafx.scene.control.Control field) {
        if (field.getScene() == null) return java.util.Optional.empty();
        javafx.geometry.Bounds fieldBounds = field.localToScene(field.getBoundsInLocal());
        List<Node> nodes = new java.util.ArrayList<>();
        collect(field.getScene().getRoot(), nodes);
        return nodes.stream()
                .filter(n -> n instanceof javafx.scene.control.Label l && l.getTooltip() != null && l.getGraphic() != null
                        && (l.getText() == null || l.getText().isEmpty()) && n.isVisible())
                .filter(n -> n.localToScene(n.getBoundsInLocal()).intersects(fieldBounds))
                .map(n -> ((javafx.scene.control.Label) n).getTooltip().getText())
                .findFirst();
    }

    static List<Node> allNodes() {
        List<Node> nodes = new java.util.ArrayList<>();
        for (Window w : Window.getWindows()) {
            if (w.getScene() != null) collect(w.getScene().getRoot(), nodes);
        }
        return nodes;
    }

    private static void collect(Node node, Collection<Node> into) {
        into.add(node);
        if (node instanceof Parent p) {
            for (Node child : p.getChildrenUnmodifiable()) collect(child, into);
        }
    }
}
