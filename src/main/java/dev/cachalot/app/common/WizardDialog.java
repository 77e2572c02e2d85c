package dev.cachalot.app.common;

import java.util.List;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.beans.value.ObservableBooleanValue;
import javafx.event.ActionEvent;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar.ButtonData;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * A step-by-step dialog in the manner of ControlsFX's {@code Wizard}: Back, Next, Finish and Cancel carry the same
 * {@link ButtonData} (so tests find Finish by {@code ButtonData.FINISH}); Next and Finish stay disabled while the
 * current step is invalid; skipped steps (an auth step the upstream does not allow) are passed over.
 * Finish hands control to the caller, which closes the dialog on success or shows an error and keeps it open.
 */
public final class WizardDialog {

    /** One page of the wizard. {@code skipped} steps are not shown. */
    public record Step(String title, Node content, ObservableBooleanValue valid, ObservableBooleanValue skipped) {
        public Step(String title, Node content, ObservableBooleanValue valid) {
            this(title, content, valid, new SimpleBooleanProperty(false));
        }
    }

    public static final ButtonType BACK = new ButtonType("Back", ButtonData.BACK_PREVIOUS);
    public static final ButtonType NEXT = new ButtonType("Next", ButtonData.NEXT_FORWARD);
    public static final ButtonType FINISH = new ButtonType("Finish", ButtonData.FINISH);

    private final Dialog<ButtonType> dialog = new Dialog<>();
    private final List<Step> steps;
    private final IntegerProperty current = new SimpleIntegerProperty(-1);
    private final BooleanProperty busy = new SimpleBooleanProperty(false);
    private final StringProperty error = new SimpleStringProperty("");
    private final BorderPane body = new BorderPane();
    private final Label stepTitle = new Label();
    private final HBox trail = new HBox(6);
    private Button nextButton;
    private Button finishButton;

    /**
     * @param onFinish called on Finish with a callback: pass null on success (the dialog closes) or an error
     *                 message (shown, the dialog stays open)
     */
    public WizardDialog(Window owner, String title, List<Step> steps, Consumer<Consumer<String>> onFinish) {
        this.steps = List.copyOf(steps);
        dialog.setTitle(title);
        if (owner != null) dialog.initOwner(owner);
        dialog.setResizable(true);
        dialog.getDialogPane().getButtonTypes().addAll(BACK, NEXT, FINISH, ButtonType.CANCEL);
        // Width fixed, height from the steps: the window grows to the tallest step shown (see fitWindow)
        dialog.getDialogPane().setPrefWidth(MIN_WIDTH);
        dialog.getDialogPane().setMinHeight(MIN_HEIGHT);
        dialog.getDialogPane().getStyleClass().add("cachalot-wizard");

        stepTitle.getStyleClass().add("title-3");
        ProgressIndicator spinner = new ProgressIndicator();
        spinner.setPrefSize(18, 18);
        spinner.visibleProperty().bind(busy);
        Label errorLabel = Ui.errorLabel(error);
        errorLabel.setId("wizardError");
        trail.setId("wizardSteps");
        trail.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        HBox titleRow = new HBox(8, stepTitle, spinner);
        titleRow.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        VBox top = new VBox(6, trail, titleRow, new javafx.scene.control.Separator());
        top.setPadding(new javafx.geometry.Insets(0, 0, 10, 0));
        body.setTop(top);
        body.setBottom(errorLabel);
        body.setPadding(new javafx.geometry.Insets(16, 20, 4, 20));
        dialog.getDialogPane().setContent(body);

        Button back = button(BACK);
        Button next = button(NEXT);
        Button finish = button(FINISH);
        nextButton = next;
        finishButton = finish;
        back.addEventFilter(ActionEvent.ACTION, e -> {
            e.consume();
            move(-1);
        });
        next.addEventFilter(ActionEvent.ACTION, e -> {
            e.consume();
            move(+1);
        });
        finish.addEventFilter(ActionEvent.ACTION, e -> {
            e.consume();
            error.set("");
            busy.set(true);
            onFinish.accept(problem -> {
                busy.set(false);
                if (problem == null) {
                    dialog.setResult(FINISH);
                    dialog.close();
                } else {
                    error.set(problem);
                }
            });
        });

        current.addListener((o, a, b) -> showStep());
        back.disableProperty().bind(Bindings.createBooleanBinding(() -> busy.get() || neighbour(-1) < 0, current, busy));
        next.disableProperty().bind(Bindings.createBooleanBinding(
                () -> busy.get() || neighbour(+1) < 0 || !currentValid(), dependencies()));
        finish.disableProperty().bind(Bindings.createBooleanBinding(
                () -> busy.get() || neighbour(+1) >= 0 || !allValid(), dependencies()));
        for (Step step : steps) step.skipped().addListener((o, a, b) -> {
            if (current.get() >= 0) showTrail();
        });
        current.set(neighbour(+1, -1));
    }

    private javafx.beans.Observable[] dependencies() {
        java.util.List<javafx.beans.Observable> deps = new java.util.ArrayList<>();
        deps.add(current);
        deps.add(busy);
        for (Step s : steps) {
            deps.add(s.valid());
            deps.add(s.skipped());
        }
        return deps.toArray(javafx.beans.Observable[]::new);
    }

    private Button button(ButtonType type) {
        return (Button) dialog.getDialogPane().lookupButton(type);
    }

    private boolean currentValid() {
        int i = current.get();
        return i >= 0 && steps.get(i).valid().get();
    }

    private boolean allValid() {
        return steps.stream().allMatch(s -> s.skipped().get() || s.valid().get());
    }

    private int neighbour(int direction) {
        return neighbour(direction, current.get());
    }

    private int neighbour(int direction, int from) {
        for (int i = from + direction; i >= 0 && i < steps.size(); i += direction) {
            if (!steps.get(i).skipped().get()) return i;
        }
        return -1;
    }

    private void move(int direction) {
        int target = neighbour(direction);
        if (target >= 0) current.set(target);
    }

    private void showStep() {
        Step step = steps.get(current.get());
        stepTitle.setText("Step " + (visibleIndex() + 1) + ": " + step.title());
        showTrail();
        // Enter moves on: Next until the last step, then Finish
        boolean last = neighbour(+1) < 0;
        if (nextButton != null) {
            nextButton.setDefaultButton(!last);
            finishButton.setDefaultButton(last);
        }
        VBox holder = new VBox(step.content());
        holder.setFillWidth(true);
        // a step taller than the window scrolls; it never pushes the button row out of the window
        ScrollPane scroll = new ScrollPane(holder);
        scroll.setFitToWidth(true);
        scroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        scroll.getStyleClass().add("edge-to-edge");
        body.setCenter(scroll);
        if (dialog.isShowing()) javafx.application.Platform.runLater(this::fitWindow);
        error.set("");
        // Typing goes straight into the step's first field; without one, the default button takes the focus. Never
        // leave it where the old step's content was: it would fall to Cancel, and Enter on a focused button fires it.
        javafx.application.Platform.runLater(() -> firstField(step.content())
                .orElse(neighbour(+1) < 0 ? finishButton : nextButton).requestFocus());
    }

    private static java.util.Optional<Node> firstField(Node node) {
        if (node instanceof javafx.scene.control.TextInputControl t && t.isEditable() && !t.isDisabled()) return java.util.Optional.of(t);
        if (node instanceof javafx.scene.Parent p) {
            for (Node child : p.getChildrenUnmodifiable()) {
                java.util.Optional<Node> found = firstField(child);
                if (found.isPresent()) return found;
            }
        }
        return java.util.Optional.empty();
    }

    /** "Source registry › Repository and target › …" with the current step in bold, so users see how far they are. */
    private void showTrail() {
        trail.getChildren().clear();
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).skipped().get()) continue;
            if (!trail.getChildren().isEmpty()) {
                Label sep = new Label("›");
                sep.getStyleClass().add("text-muted");
                trail.getChildren().add(sep);
            }
            Label l = new Label(steps.get(i).title());
            l.getStyleClass().add(i == current.get() ? "text-bold" : "text-muted");
            trail.getChildren().add(l);
        }
    }

    private int visibleIndex() {
        int n = 0;
        for (int i = 0; i < current.get(); i++) {
            if (!steps.get(i).skipped().get()) n++;
        }
        return n;
    }

    public Dialog<ButtonType> dialog() {
        return dialog;
    }

    public void show() {
        dialog.setOnShown(e -> fitWindow());
        dialog.show();
    }

    /**
     * Grows the window to what the current step needs, within the screen. A dialog's window keeps the size of the
     * step it opened with (and some window managers open it narrower than asked), so a taller step, such as Docker
     * Hub's authentication with a new credential set, would otherwise lose its button row below the window's edge.
     */
    private void fitWindow() {
        javafx.scene.Scene scene = dialog.getDialogPane().getScene();
        if (scene == null || scene.getWindow() == null) return;
        Window window = scene.getWindow();
        javafx.scene.layout.Region pane = dialog.getDialogPane();
        double chromeWidth = Math.max(0, window.getWidth() - scene.getWidth());
        double chromeHeight = Math.max(0, window.getHeight() - scene.getHeight());
        javafx.geometry.Rectangle2D screen = javafx.stage.Screen.getScreensForRectangle(window.getX(), window.getY(),
                Math.max(1, window.getWidth()), Math.max(1, window.getHeight())).stream().findFirst()
                .orElse(javafx.stage.Screen.getPrimary()).getVisualBounds();
        // Never narrower than the step needs: without a window manager the window keeps the width it was first given,
        // and a step whose controls need more is drawn past the window's right edge, Finish with it.
        double needed = Math.max(MIN_WIDTH, Math.max(scene.getWidth(), pane.minWidth(-1)));
        double width = Math.min(needed + chromeWidth, screen.getWidth());
        double height = Math.min(Math.max(MIN_HEIGHT, pane.prefHeight(width - chromeWidth)) + chromeHeight, screen.getHeight());
        if (width > window.getWidth()) window.setWidth(width);
        if (height > window.getHeight()) window.setHeight(height);
        if (window.getY() + window.getHeight() > screen.getMaxY()) window.setY(Math.max(screen.getMinY(), screen.getMaxY() - window.getHeight()));
    }

    private static final double MIN_WIDTH = 640;
    private static final double MIN_HEIGHT = 460;
}
