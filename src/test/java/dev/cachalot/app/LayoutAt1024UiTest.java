package dev.cachalot.app;

import static dev.cachalot.app.AppHarness.button;
import static dev.cachalot.app.AppHarness.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.rules.ImportPreviewDialog;
import dev.cachalot.app.rules.RulesPage;
import dev.cachalot.app.shell.MainWindow;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar.ButtonData;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Labeled;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * At 1024×700 (a small laptop screen) nothing a user must read or press is cut: every page's buttons show their whole
 * label, the import preview opens wide enough for its columns, and the rule wizard's Docker Hub authentication step
 * keeps its button row inside the dialog. A label is cut when the text JavaFX draws for it differs from its text
 * (JavaFX draws "Impo…" for "Import…" when it does not fit).
 */
@ExtendWith(ApplicationExtension.class)
class LayoutAt1024UiTest {
    @TempDir
    Path dir;
    private Engine engine;
    private MainWindow window;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        TestEngine.addUncheckedCredentialSet(dir.resolve("data"), "hub-creds", "docker.io", "alice", "hub-token");
        engine = TestEngine.open(dir.resolve("data"));
        engine.createRule(new RuleDraft("k8s-all", "registry.k8s.io/*", "k8s/*", null, null));
        window = AppHarness.open(stage, engine);
        stage.setWidth(1024);
        stage.setHeight(700);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void everyPagesButtonsShowTheirWholeLabel(FxRobot robot) {
        List<String> cut = new ArrayList<>();
        for (String page : List.of("Overview", "Cache rules", "Credentials", "Upstreams", "Repositories", "Pull statistics",
                "Client setup", "Users", "Settings")) {
            robot.interact(() -> window.select(page));
            waitUntil(() -> true);
            for (Node n : visibleNodes(stage.getScene().getRoot())) {
                if (n instanceof Button b && b.getText() != null && !b.getText().isEmpty() && cutLabel(b)) {
                    cut.add(page + ": " + b.getText() + " drawn as '" + drawn(b) + "'");
                }
                if (n instanceof Button b && b.localToScene(b.getLayoutBounds()).getMaxX() > stage.getScene().getWidth() + 0.5) {
                    cut.add(page + ": " + b.getText() + " beyond the window's right edge");
                }
                if (n instanceof Button b && b.getTooltip() == null && (b.getText() == null || b.getText().isEmpty())) {
                    cut.add(page + ": a button with an icon only and no tooltip");
                }
            }
        }
        assertThat(cut).isEmpty();
    }

    @Test
    void theImportPreviewIsWideEnoughForItsColumns(FxRobot robot) throws Exception {
        Path file = dir.resolve("rules.csv");
        Files.writeString(file, "name,source,target\n"
                + "quay-prometheus-server,quay.io/prometheus/prometheus,monitoring/prometheus\n"
                + "k8s-more,registry.k8s.io/pause/*,k8s/pause/*\n");
        robot.interact(() -> window.select("Cache rules"));
        TableView<?> table = robot.lookup("#" + RulesPage.TABLE_ID).queryTableView();
        RulesDropImportUiTest.dropFiles(robot, table, List.of(new File(file.toString())));
        waitUntil(() -> robot.lookup("#" + ImportPreviewDialog.TABLE_ID).tryQuery().isPresent());
        TableView<?> preview = robot.lookup("#" + ImportPreviewDialog.TABLE_ID).queryTableView();
        waitUntil(() -> preview.getWidth() > 0);

        Window dialog = preview.getScene().getWindow();
        assertThat(dialog.getWidth()).as("wider than the 600 px it opened at").isGreaterThan(600);
        assertThat(dialog.getWidth()).as("and still on the screen")
                .isLessThanOrEqualTo(javafx.stage.Screen.getPrimary().getVisualBounds().getWidth());
        List<String> cut = new ArrayList<>();
        for (Node n : visibleNodes(preview)) {
            if (n instanceof TableCell<?, ?> c && c.getText() != null && !c.getText().isEmpty()
                    && !c.getText().startsWith("Refused:") && cutLabel(c)) {
                cut.add(c.getText() + " drawn as '" + drawn(c) + "'");
            }
        }
        assertThat(cut).as("cells cut in the preview").isEmpty();
    }

    @Test
    void theDockerHubAuthenticationStepKeepsItsButtonsInsideTheDialog(FxRobot robot) {
        robot.interact(() -> window.select("Cache rules"));
        robot.clickOn("#createRule");
        waitUntil(() -> "docker.io".equals(robot.lookup("#ruleLoginServer").queryAs(TextField.class).getText()));
        robot.clickOn(button(robot, ButtonData.NEXT_FORWARD));
        robot.clickOn("#rulePath").write("nginx");
        waitUntil(() -> !button(robot, ButtonData.NEXT_FORWARD).isDisabled());
        robot.clickOn(button(robot, ButtonData.NEXT_FORWARD));
        waitUntil(() -> robot.lookup("#authNewName").tryQuery().isPresent());
        robot.clickOn("#authNew");
        waitUntil(() -> true);

        DialogPane pane = robot.lookup("#ruleWizard").queryAs(DialogPane.class);
        // what the dialog's window shows: its scene, as large as the window
        Bounds paneBounds = new javafx.geometry.BoundingBox(0, 0, pane.getScene().getWidth(), pane.getScene().getHeight());
        for (ButtonData data : List.of(ButtonData.BACK_PREVIOUS, ButtonData.NEXT_FORWARD, ButtonData.FINISH)) {
            Button b = button(robot, data);
            Bounds bounds = b.localToScene(b.getLayoutBounds());
            assertThat(paneBounds.contains(bounds)).as(b.getText() + " inside the dialog's window").isTrue();
            assertThat(cutLabel(b)).as(b.getText() + " drawn as '" + drawn(b) + "'").isFalse();
        }
        for (String id : List.of("#authNewName", "#authNewUsername", "#authNewPassword", "#ruleAuthError")) {
            Node field = robot.lookup(id).query();
            assertThat(paneBounds.contains(field.localToScene(field.getLayoutBounds()))).as(id + " inside the dialog's window").isTrue();
        }
        assertThat(pane.getScene().getWindow().getHeight()).isLessThanOrEqualTo(700);
    }

    @Test
    void theRuleWizardsFirstStepFitsItsWindowWithItsFinishButton(FxRobot robot) {
        robot.interact(() -> window.select("Cache rules"));
        robot.clickOn("#createRule");
        waitUntil(() -> "docker.io".equals(robot.lookup("#ruleLoginServer").queryAs(TextField.class).getText()));
        waitUntil(() -> true);

        assertFirstStepInsideItsWindow(robot);

        // the same with "Custom registry…" chosen: its form (endpoint, CA certificate, Test connection) joins the step
        @SuppressWarnings("unchecked")
        javafx.scene.control.ComboBox<dev.cachalot.rules.Upstream> registry = robot.lookup("#ruleRegistry").queryAs(javafx.scene.control.ComboBox.class);
        robot.interact(() -> registry.getSelectionModel().select(registry.getItems().size() - 1));
        waitUntil(() -> true);
        assertFirstStepInsideItsWindow(robot);
    }

    private void assertFirstStepInsideItsWindow(FxRobot robot) {
        DialogPane pane = robot.lookup("#ruleWizard").queryAs(DialogPane.class);
        double sceneWidth = pane.getScene().getWidth();
        StringBuilder sizes = new StringBuilder("window " + pane.getScene().getWindow().getWidth() + ", scene " + sceneWidth
                + ", pane min/pref " + pane.minWidth(-1) + "/" + pane.prefWidth(-1));
        assertThat(pane.getScene().getWindow().getWidth()).as("on a 1024 px screen").isLessThanOrEqualTo(1024);
        assertThat(pane.getWidth()).as("the dialog is drawn within its window: " + sizes).isLessThanOrEqualTo(sceneWidth + 0.5);
        for (Node n : visibleNodes(pane)) {
            if (n instanceof javafx.scene.control.Control c && c.localToScene(c.getLayoutBounds()).getMaxX() > sceneWidth + 0.5) {
                sizes.append("; ").append(c.getClass().getSimpleName()).append(c.getId() == null ? "" : "#" + c.getId())
                        .append(" ends at ").append(c.localToScene(c.getLayoutBounds()).getMaxX());
            }
        }
        Button finish = button(robot, ButtonData.FINISH);
        assertThat(finish.localToScene(finish.getLayoutBounds()).getMaxX()).as("Finish inside the window: " + sizes)
                .isLessThanOrEqualTo(sceneWidth + 0.5);
        assertThat(sizes.toString()).as("every control inside the window").doesNotContain(" ends at ");
    }

    /** Whether JavaFX drew less than the label's text (an ellipsis in place of the end). */
    private static boolean cutLabel(Labeled l) {
        String drawn = drawn(l);
        return drawn != null && !drawn.equals(l.getText());
    }

    private static String drawn(Labeled l) {
        for (Node child : l.getChildrenUnmodifiable()) {
            if (child instanceof Text t && t.getClass().getSimpleName().equals("LabeledText")) return t.getText();
        }
        return null;
    }

    private static List<Node> visibleNodes(Node root) {
        List<Node> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(Node node, List<Node> out) {
        if (!node.isVisible()) return;
        out.add(node);
        if (node instanceof Parent p) {
            for (Node child : p.getChildrenUnmodifiable()) collect(child, out);
        }
    }
}
