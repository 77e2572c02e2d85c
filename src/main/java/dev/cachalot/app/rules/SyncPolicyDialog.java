package dev.cachalot.app.rules;

import dev.cachalot.app.common.Ui;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.rules.SyncPolicy;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar.ButtonData;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * A rule's sync policy as a person edits it: passive or active, which tags (the CLI's FILTER: a glob, a list,
 * {@code re:REGEX} or {@code semver:RANGE}), which platforms, how often, and for a wildcard rule which repositories.
 * The engine checks what is typed on Save; its refusal shows under the fields, in its own words, and the dialog stays
 * open to fix it.
 */
public final class SyncPolicyDialog {
    public static final String ID = "syncPolicyDialog";

    private SyncPolicyDialog() {
    }

    public static Dialog<ButtonType> show(Window owner, CacheRule rule, RuleSyncViewModel vm, Runnable onSaved) {
        SyncPolicy current = rule.sync();
        Dialog<ButtonType> dialog = new Dialog<>();
        dialog.setTitle("Sync policy");
        dialog.setHeaderText("Sync policy of rule " + rule.name() + " (" + rule.sourceRepository() + ")");
        if (owner != null) dialog.initOwner(owner);
        dialog.getDialogPane().setId(ID);

        ToggleGroup modes = new ToggleGroup();
        RadioButton passive = new RadioButton("Passive: cache what clients pull");
        passive.setId("syncPassive");
        passive.setToggleGroup(modes);
        RadioButton active = new RadioButton("Active: also fetch the selected tags on a schedule");
        active.setId("syncActive");
        active.setToggleGroup(modes);
        (current.isActive() ? active : passive).setSelected(true);

        TextField tags = field("syncTags", current.tags().text().equals("*") ? "" : current.tags().text(), "every tag");
        TextField platforms = field("syncPlatforms", current.platforms().text(), "every platform");
        TextField interval = field("syncInterval", SyncPolicy.intervalText(current.interval()), "12h");
        TextField repositories = field("syncRepositories", String.join(",", current.repositories()), "the repositories cached already");
        CheckBox referrers = new CheckBox("Also sync referrers (signatures, SBOMs)");
        referrers.setId("syncReferrers");
        referrers.setSelected(current.referrers());

        GridPane form = Ui.form();
        int row = 0;
        Ui.formRow(form, row++, "Mode", new VBox(6, passive, active));
        Ui.formRow(form, row++, "Tags", new VBox(4, tags, Ui.hint("A glob (3.*), a list (3.19,3.20), re:REGEX or semver:RANGE"
                + " (semver:>=3.19 <4); empty for every tag.")));
        Ui.formRow(form, row++, "Platforms", new VBox(4, platforms, Ui.hint("Comma-separated, such as linux/amd64,linux/arm64;"
                + " an index is kept whole, only these platforms' images are fetched.")));
        Ui.formRow(form, row++, "Every", new VBox(4, interval, Ui.hint("30m, 12h, 1d: from 1m to 366d.")));
        if (rule.isWildcard()) {
            Ui.formRow(form, row++, "Repositories", new VBox(4, repositories, Ui.hint("Comma-separated, each the part of the name"
                    + " that stands for * (nginx,alpine); empty for the repositories already cached under the rule.")));
        }
        Ui.formRow(form, row, null, referrers);

        ReadOnlyStringWrapper refusal = new ReadOnlyStringWrapper("");
        Label error = Ui.errorLabel(refusal.getReadOnlyProperty());
        error.setId("syncPolicyError");
        // wrapped lines keep their height (a label squeezed below its preferred height ends in "…")
        error.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        form.lookupAll(".text-muted").forEach(n -> ((Label) n).setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE));
        dialog.getDialogPane().setContent(new VBox(12, form, error));
        dialog.getDialogPane().setPrefWidth(620);
        // A refusal adds lines under the form: the window grows to show them, instead of squeezing the hints to "…".
        refusal.addListener((o, was, now) -> javafx.application.Platform.runLater(() -> {
            if (dialog.getDialogPane().getScene() != null) dialog.getDialogPane().getScene().getWindow().sizeToScene();
        }));

        ButtonType saveType = new ButtonType("Save", ButtonData.OK_DONE);
        dialog.getDialogPane().getButtonTypes().addAll(saveType, ButtonType.CANCEL);
        Button save = (Button) dialog.getDialogPane().lookupButton(saveType);
        save.setId("saveSyncPolicy");
        // the engine decides: the dialog closes only once it took the policy
        save.addEventFilter(ActionEvent.ACTION, e -> {
            e.consume();
            refusal.set("");
            save.setDisable(true);
            SyncDraft draft = new SyncDraft(active.isSelected() ? "active" : "passive", tags.getText(), platforms.getText(),
                    interval.getText(), rule.isWildcard() ? repositories.getText() : null, Boolean.toString(referrers.isSelected()),
                    null, null);
            vm.savePolicy(rule, draft, changed -> {
                dialog.setResult(saveType);
                dialog.close();
                onSaved.run();
            }, message -> {
                save.setDisable(false);
                refusal.set(message);
            });
        });
        dialog.show();
        return dialog;
    }

    private static TextField field(String id, String text, String prompt) {
        TextField f = new TextField(text);
        f.setId(id);
        f.setPromptText(prompt);
        HBox.setHgrow(f, javafx.scene.layout.Priority.ALWAYS);
        return f;
    }
}
