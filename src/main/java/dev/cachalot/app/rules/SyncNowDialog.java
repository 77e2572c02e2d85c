package dev.cachalot.app.rules;

import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Ui;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.sync.SyncReport;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar.ButtonData;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.kordamp.ikonli.materialdesign2.MaterialDesignE;

/**
 * Sync now, as {@code cachalot rules sync NAME [--tag T] [--dry-run]} offers it: every tag the rule's policy selects or
 * one tag, and before starting, if wished, a dry run's preview of what the run would fetch (each tag, manifests, blobs,
 * bytes; nothing stored, no blob downloaded). The run itself goes on in the engine once started; the rule's sync pane
 * shows its progress and Cancel, so this dialog closes as soon as the engine took it.
 */
public final class SyncNowDialog {
    public static final String ID = "syncNowDialog";

    private SyncNowDialog() {
    }

    public static Dialog<ButtonType> show(Window owner, CacheRule rule, RuleSyncViewModel vm) {
        Dialog<ButtonType> dialog = new Dialog<>();
        dialog.setTitle("Sync now");
        dialog.setHeaderText("Sync rule " + rule.name() + " now (" + rule.sourceRepository() + ")");
        if (owner != null) dialog.initOwner(owner);
        dialog.getDialogPane().setId(ID);

        TextField tag = new TextField();
        tag.setId("syncNowTag");
        tag.setPromptText("every tag the policy selects");
        ReadOnlyStringWrapper tagProblem = new ReadOnlyStringWrapper("");
        Label tagError = grows(Ui.errorLabel(tagProblem.getReadOnlyProperty()));
        tagError.setId("syncNowTagError");
        String selects = rule.sync().tags().text().equals("*") ? "every tag" : "the tags " + rule.sync().tags().text();
        Label tagHint = grows(Ui.hint("Only this tag, whether or not the policy's filter takes it; empty for what the policy"
                + " selects (" + selects + ")."));

        Button preview = new Button("Preview (dry run)", Ui.icon(MaterialDesignE.EYE_OUTLINE));
        preview.setId("previewSync");
        preview.setMinWidth(Region.USE_PREF_SIZE);
        Label previewHint = grows(Ui.hint("Asks the upstream what a run would fetch; stores nothing, downloads no blob."));
        HBox.setHgrow(previewHint, Priority.ALWAYS);
        HBox previewRow = new HBox(10, preview, previewHint);
        previewRow.setAlignment(javafx.geometry.Pos.CENTER_LEFT);

        ReadOnlyStringWrapper previewText = new ReadOnlyStringWrapper("");
        Label summary = grows(new Label());
        summary.setId("syncPreviewSummary");
        summary.setWrapText(true);
        summary.textProperty().bind(previewText.getReadOnlyProperty());
        summary.visibleProperty().bind(summary.textProperty().isNotEmpty());
        summary.managedProperty().bind(summary.visibleProperty());
        ListView<String> tags = new ListView<>();
        tags.setId("syncPreviewTags");
        tags.setPrefHeight(150);
        tags.visibleProperty().bind(javafx.beans.binding.Bindings.isNotEmpty(tags.getItems()));
        tags.managedProperty().bind(tags.visibleProperty());

        ReadOnlyStringWrapper refusal = new ReadOnlyStringWrapper("");
        Label error = grows(Ui.errorLabel(refusal.getReadOnlyProperty()));
        error.setId("syncNowError");

        GridPane form = Ui.form();
        Ui.formRow(form, 0, "Tag", new VBox(4, tag, tagError, tagHint));
        VBox content = new VBox(12, form, previewRow, summary, tags, error);
        dialog.getDialogPane().setContent(content);
        dialog.getDialogPane().setPrefWidth(620);

        ButtonType startType = new ButtonType("Sync now", ButtonData.OK_DONE);
        dialog.getDialogPane().getButtonTypes().addAll(startType, ButtonType.CANCEL);
        Button start = (Button) dialog.getDialogPane().lookupButton(startType);
        start.setId("startSync");
        dialog.getDialogPane().lookupButton(ButtonType.CANCEL).setId("closeSyncNow");

        Async.Cancellable[] previewing = {null};
        Runnable stopPreview = () -> {
            if (previewing[0] != null) previewing[0].cancel();
            previewing[0] = null;
            preview.setDisable(false);
        };
        Runnable resize = () -> Ui.growToFit(dialog);
        // a refusal adds lines: the window grows to show them, instead of pushing the buttons out of it
        tagProblem.addListener((o, was, now) -> resize.run());
        refusal.addListener((o, was, now) -> resize.run());
        // a preview answers for the tag it was asked about: another tag makes it stale
        tag.textProperty().addListener((o, was, now) -> {
            stopPreview.run();
            tagProblem.set("");
            previewText.set("");
            tags.getItems().clear();
        });
        preview.setOnAction(e -> {
            stopPreview.run();
            refusal.set("");
            tagProblem.set(RuleSyncViewModel.tagProblem(tag.getText()));
            if (!tagProblem.get().isEmpty()) return;
            tags.getItems().clear();
            previewText.set("Looking…");
            preview.setDisable(true);
            previewing[0] = vm.preview(tag.getText(), previewText::set, (SyncReport report) -> {
                previewing[0] = null;
                preview.setDisable(false);
                previewText.set(RuleSyncViewModel.previewSummary(report));
                report.tags().forEach(t -> tags.getItems().add(RuleSyncViewModel.previewLine(t)));
                resize.run();
            }, message -> {
                previewing[0] = null;
                preview.setDisable(false);
                previewText.set("");
                refusal.set(message);
            });
        });
        // the engine decides: the dialog closes only once it took the run
        start.addEventFilter(ActionEvent.ACTION, e -> {
            e.consume();
            stopPreview.run();
            refusal.set("");
            tagProblem.set(RuleSyncViewModel.tagProblem(tag.getText()));
            if (!tagProblem.get().isEmpty()) return;
            start.setDisable(true);
            vm.syncNow(tag.getText(), () -> {
                dialog.setResult(startType);
                dialog.close();
            }, message -> {
                start.setDisable(false);
                refusal.set(message);
            });
        });
        dialog.setOnHidden(e -> stopPreview.run());
        // the tag first: with the focus on Sync now, a space typed for the tag would start a run of every tag
        dialog.setOnShown(e -> javafx.application.Platform.runLater(tag::requestFocus));
        dialog.show();
        return dialog;
    }

    /** A wrapped label keeps the height of all its lines (squeezed below it, JavaFX ends it in "…"). */
    private static Label grows(Label l) {
        l.setMinHeight(Region.USE_PREF_SIZE);
        return l;
    }
}
