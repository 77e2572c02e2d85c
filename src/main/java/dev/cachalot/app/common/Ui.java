package dev.cachalot.app.common;

import java.util.Optional;
import javafx.beans.value.ObservableValue;
import javafx.geometry.HPos;
import javafx.geometry.Insets;
import javafx.geometry.VPos;
import javafx.scene.Node;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.controlsfx.control.Notifications;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.javafx.FontIcon;

/** Small building blocks the pages share. */
public final class Ui {
    private Ui() {
    }

    /** A label for an error shown under the field that caused it; hidden while the text is empty. */
    public static Label errorLabel(ObservableValue<String> text) {
        Label l = new Label();
        l.getStyleClass().addAll("danger", "error-message");
        l.setWrapText(true);
        l.textProperty().bind(text);
        l.visibleProperty().bind(l.textProperty().isNotEmpty());
        l.managedProperty().bind(l.visibleProperty());
        return l;
    }

    public static Label title(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("title-3");
        return l;
    }

    public static Label hint(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("text-muted");
        l.setWrapText(true);
        return l;
    }

    /**
     * A two-column form: labels never shrink to "…" and sit level with the first line of their field, even when
     * a hint or an error is stacked under the field.
     */
    public static GridPane form() {
        GridPane grid = new GridPane();
        grid.setHgap(12);
        grid.setVgap(10);
        ColumnConstraints labels = new ColumnConstraints();
        labels.setMinWidth(Region.USE_PREF_SIZE);
        labels.setHalignment(HPos.LEFT);
        ColumnConstraints fields = new ColumnConstraints();
        fields.setHgrow(Priority.ALWAYS);
        fields.setFillWidth(true);
        grid.getColumnConstraints().addAll(labels, fields);
        return grid;
    }

    /** Adds a label and its field (a node or a box with the field first) as row {@code row} of a {@link #form()}. */
    public static void formRow(GridPane form, int row, String label, Node field) {
        if (label != null) {
            Label l = new Label(label);
            l.setMinWidth(Region.USE_PREF_SIZE);
            // level with the text inside a field; a plain value (a label) needs no offset
            l.setPadding(new Insets(field instanceof Label ? 0 : 7, 0, 0, 0));
            GridPane.setValignment(l, VPos.TOP);
            form.add(l, 0, row);
        }
        form.add(field, 1, row);
        GridPane.setValignment(field, VPos.TOP);
        GridPane.setHgrow(field, Priority.ALWAYS);
    }

    public static FontIcon icon(Ikon ikon) {
        return new FontIcon(ikon);
    }

    public static VBox pageBox(Node... children) {
        VBox box = new VBox(12, children);
        box.setPadding(new Insets(16));
        return box;
    }

    public static void copyToClipboard(String text) {
        ClipboardContent c = new ClipboardContent();
        c.putString(text);
        Clipboard.getSystemClipboard().setContent(c);
    }

    /**
     * Asks before a destructive action; {@code onYes} runs only when the user confirms. Non-blocking, so tests and
     * the FX thread never wait on a nested loop.
     */
    public static Alert confirm(Window owner, String header, String detail, String actionLabel, Runnable onYes) {
        ButtonType action = new ButtonType(actionLabel, ButtonBar.ButtonData.OK_DONE);
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION, detail, action, ButtonType.CANCEL);
        alert.setTitle("Please confirm");
        alert.setHeaderText(header);
        if (owner != null) alert.initOwner(owner);
        alert.resultProperty().addListener((o, old, result) -> {
            if (result == action) onYes.run();
        });
        alert.show();
        return alert;
    }

    public static void inform(Window owner, String header, String detail) {
        Alert alert = new Alert(Alert.AlertType.INFORMATION, detail, ButtonType.OK);
        alert.setHeaderText(header);
        if (owner != null) alert.initOwner(owner);
        alert.show();
    }

    /**
     * A ControlsFX notification in the corner of {@code owner} for an action that finished in the background: it
     * fades after a few seconds and needs no click.
     */
    public static void notifyDone(Window owner, String title, String text) {
        Notifications notice = Notifications.create().title(title).text(text)
                .position(javafx.geometry.Pos.BOTTOM_RIGHT).hideAfter(javafx.util.Duration.seconds(6));
        if (owner != null) notice.owner(owner);
        notice.showInformation();
    }

    /**
     * Grows an open dialog's window to its content's new size (a refusal or a preview added lines), within the screen
     * it is on: what does not fit then scrolls, if the dialog's content is in a scroll pane, instead of going off screen.
     */
    public static void growToFit(javafx.scene.control.Dialog<?> dialog) {
        javafx.application.Platform.runLater(() -> {
            if (dialog.getDialogPane().getScene() == null) return;
            Window w = dialog.getDialogPane().getScene().getWindow();
            w.sizeToScene();
            javafx.geometry.Rectangle2D screen = javafx.stage.Screen.getScreensForRectangle(w.getX(), w.getY(), w.getWidth(),
                    w.getHeight()).stream().findFirst().orElse(javafx.stage.Screen.getPrimary()).getVisualBounds();
            if (w.getHeight() > screen.getHeight()) w.setHeight(screen.getHeight());
            if (w.getY() + w.getHeight() > screen.getMaxY()) w.setY(Math.max(screen.getMinY(), screen.getMaxY() - w.getHeight()));
        });
    }

    public static Optional<Window> windowOf(Node node) {
        return node.getScene() == null ? Optional.empty() : Optional.ofNullable(node.getScene().getWindow());
    }
}
