package dev.cachalot.app.rules;

import dev.cachalot.rules.ImportEntry;
import dev.cachalot.rules.ImportReport;
import java.util.List;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Rectangle2D;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar.ButtonData;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.VBox;
import javafx.scene.text.Font;
import javafx.scene.text.Text;
import javafx.stage.Screen;
import javafx.stage.Window;

/**
 * Shows what an import would do, entry by entry, valid or refused with the reason. Nothing changes unless the user
 * presses the import button; {@code onConfirm} then runs.
 */
public final class ImportPreviewDialog {
    public static final String TABLE_ID = "importPreviewTable";

    private ImportPreviewDialog() {
    }

    public static Dialog<ButtonType> show(Window owner, ImportReport report, Runnable onConfirm) {
        long valid = report.entries().stream().filter(ImportEntry::valid).count();
        long refused = report.entries().size() - valid;
        ButtonType importButton = new ButtonType(valid == 1 ? "Import 1 valid rule" : "Import " + valid + " valid rules", ButtonData.OK_DONE);
        Dialog<ButtonType> dialog = new Dialog<>();
        dialog.setTitle("Import cache rules");
        dialog.setHeaderText(valid + " valid, " + refused + " refused. Nothing changes until you import.");
        if (owner != null) dialog.initOwner(owner);
        dialog.setResizable(true);

        TableView<ImportEntry> table = new TableView<>();
        table.setId(TABLE_ID);
        table.getItems().setAll(report.entries());
        List<ImportEntry> entries = report.entries();
        Font font = cellFont();
        table.getColumns().add(column("Where", ImportEntry::location, entries, font));
        table.getColumns().add(column("Name", e -> e.rule() == null ? "" : e.rule().name(), entries, font));
        table.getColumns().add(column("Source", e -> e.rule() == null ? "" : e.rule().sourceRepository(), entries, font));
        table.getColumns().add(column("Target", e -> e.rule() == null ? "" : e.rule().targetRepository(), entries, font));
        table.getColumns().add(column("Status", e -> e.valid() ? "Valid" : "Refused: " + e.problem(), entries, font));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);

        VBox content = new VBox(8, table);
        for (String problem : report.problems()) {
            Label l = new Label(problem);
            l.getStyleClass().add("danger");
            content.getChildren().add(l);
        }
        dialog.getDialogPane().setContent(content);
        // As wide as the columns' content, within the screen: a preview whose every column is cut tells nothing.
        double columns = table.getColumns().stream().mapToDouble(TableColumn::getPrefWidth).sum();
        Rectangle2D screen = (owner == null ? Screen.getPrimary()
                : Screen.getScreensForRectangle(owner.getX(), owner.getY(), owner.getWidth(), owner.getHeight()).stream()
                .findFirst().orElse(Screen.getPrimary())).getVisualBounds();
        double width = Math.min(Math.max(640, columns + 60), screen.getWidth() * 0.95);
        double height = Math.min(Math.max(360, 200 + 28 * entries.size()), screen.getHeight() * 0.85);
        dialog.getDialogPane().setPrefSize(width, height);
        dialog.setOnShown(e -> {
            // the dialog's window otherwise keeps the width it was first laid out at (600 px under some window managers)
            dialog.setWidth(width);
            dialog.setX(screen.getMinX() + Math.max(0, (screen.getWidth() - width) / 2));
        });
        dialog.getDialogPane().getButtonTypes().addAll(importButton, ButtonType.CANCEL);
        Button ok = (Button) dialog.getDialogPane().lookupButton(importButton);
        ok.setId("confirmImport");
        ok.setDisable(valid == 0 || !report.problems().isEmpty());
        dialog.resultProperty().addListener((o, a, result) -> {
            if (result == importButton) onConfirm.run();
        });
        dialog.show();
        return dialog;
    }

    /** A column as wide as its widest value (or title), at most {@link #MAX_COLUMN}: longer reasons show in full when widened. */
    private static TableColumn<ImportEntry, String> column(String title, Function<ImportEntry, String> value, List<ImportEntry> entries,
                                                           Font font) {
        TableColumn<ImportEntry, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cd -> new ReadOnlyStringWrapper(value.apply(cd.getValue())));
        double widest = textWidth(title, font) + 30; // the header also holds the sort arrow
        for (ImportEntry e : entries) widest = Math.max(widest, textWidth(value.apply(e), font) + CELL_PADDING);
        c.setPrefWidth(Math.min(widest, MAX_COLUMN));
        // the reason (last column) takes what is left; the short columns keep their width rather than cut a name
        if (!title.equals("Status")) c.setMinWidth(c.getPrefWidth());
        return c;
    }

    private static final double CELL_PADDING = 24;
    private static final double MAX_COLUMN = 520;

    private static double textWidth(String s, Font font) {
        Text t = new Text(s == null ? "" : s);
        t.setFont(font);
        return Math.ceil(t.getLayoutBounds().getWidth());
    }

    /** The font table cells get from the theme (measured on a label styled as a cell would be). */
    private static Font cellFont() {
        Label probe = new Label();
        new javafx.scene.Scene(new javafx.scene.Group(probe));
        probe.applyCss();
        return probe.getFont();
    }
}
