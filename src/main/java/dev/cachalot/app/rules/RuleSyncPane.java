package dev.cachalot.app.rules;

import dev.cachalot.app.common.Ui;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignS;

/**
 * Under the rules table, the selected rule's sync: its policy, last and next run, Sync now… (one tag or all, with a dry
 * run's preview first if wished), and while a run goes on (started here or anywhere else) its progress (tags done of
 * those selected, bytes fetched) with Cancel. Hidden while no rule is selected.
 */
final class RuleSyncPane {
    private final VBox root;

    RuleSyncPane(RuleSyncViewModel vm, Runnable syncNowDialog, Runnable editPolicy) {
        Label heading = new Label("Sync");
        heading.getStyleClass().add("title-4");
        Label policy = bound("ruleSyncPolicy", vm.policyProperty());
        Label last = bound("ruleSyncLast", vm.lastRunProperty());
        Label next = bound("ruleSyncNext", vm.nextRunProperty());
        next.getStyleClass().add("text-muted");

        Button syncNow = new Button("Sync now…", Ui.icon(MaterialDesignS.SYNC));
        syncNow.setId("syncNow");
        syncNow.setMinWidth(Region.USE_PREF_SIZE);
        syncNow.setOnAction(e -> syncNowDialog.run());
        syncNow.disableProperty().bind(vm.runningProperty());
        Button edit = new Button("Sync policy…", Ui.icon(MaterialDesignC.CALENDAR_SYNC));
        edit.setId("editSyncPolicy");
        edit.setMinWidth(Region.USE_PREF_SIZE);
        edit.setOnAction(e -> editPolicy.run());

        ProgressBar bar = new ProgressBar();
        bar.setId("ruleSyncProgressBar");
        bar.progressProperty().bind(vm.progressProperty());
        bar.setPrefWidth(220);
        Label progressText = bound("ruleSyncProgress", vm.progressTextProperty());
        Button cancel = new Button("Cancel", Ui.icon(MaterialDesignC.CLOSE_CIRCLE_OUTLINE));
        cancel.setId("cancelSync");
        cancel.setMinWidth(Region.USE_PREF_SIZE);
        cancel.setOnAction(e -> vm.cancel());
        HBox progress = new HBox(8, bar, progressText, cancel);
        progress.setId("ruleSyncRun");
        progress.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        HBox.setHgrow(progressText, Priority.ALWAYS);
        progress.visibleProperty().bind(vm.runningProperty());
        progress.managedProperty().bind(progress.visibleProperty());

        Label error = Ui.errorLabel(vm.errorProperty());
        error.setId("ruleSyncError");
        HBox buttons = new HBox(8, syncNow, edit);
        HBox head = new HBox(12, heading, policy);
        head.setAlignment(javafx.geometry.Pos.BASELINE_LEFT);
        root = new VBox(6, head, last, next, progress, buttons, error);
        root.setId("ruleSyncPane");
        root.getStyleClass().add("bordered");
        root.setStyle("-fx-padding: 10; -fx-border-color: -color-border-default; -fx-border-radius: 4;");
        root.visibleProperty().bind(vm.selectedProperty().isNotNull());
        root.managedProperty().bind(root.visibleProperty());
    }

    private static Label bound(String id, javafx.beans.value.ObservableValue<String> text) {
        Label l = new Label();
        l.setId(id);
        l.setWrapText(true);
        // a wrapped line needs its height: without this the VBox keeps one line and cuts the rest to "…"
        l.setMinHeight(Region.USE_PREF_SIZE);
        l.textProperty().bind(text);
        return l;
    }

    VBox view() {
        return root;
    }
}
