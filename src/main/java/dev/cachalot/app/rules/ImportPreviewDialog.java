package dev.cachalot.app.rules;

import dev.cachalot.rules.ImportEntry;
import dev.cachalot.rules.ImportReport;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar.ButtonData;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.VBox;
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
        table.getColumns().add(column("Where", ImportEntry::location, 110));
        table.getColumns().add(column("Name", e -> e.rule() == null ? "" : e.rule().name(), 120));
        table.getColumns().add(column("Source", e -> e.rule() == null ? "" : e.rule().sourceRepository(), 200));
        table.getColumns().add(column("Target", e -> e.rule() == null ? "" : e.rule().targetRepository(), 120));
        table.getColumns().add(column("Status", e -> e.valid() ? "Valid" : "Refused: " + e.problem(), 320));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);

        VBox content = new VBox(8, table);
        for (String problem : report.problems()) {
            Label l = new Label(problem);
            l.getStyleClass().add("danger");
            content.getChildren().add(l);
        }
        dialog.getDialogPane().setContent(content);
        dialog.getDialogPane().setPrefSize(860, 420);
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

    private static TableColumn<ImportEntry, String> column(String title, java.util.function.Function<ImportEntry, String> value, double width) {
        TableColumn<ImportEntry, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cd -> new ReadOnlyStringWrapper(value.apply(cd.getValue())));
        c.setPrefWidth(width);
        return c;
    }
}
