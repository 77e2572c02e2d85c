package dev.cachalot.app.rules;

import dev.cachalot.app.common.Ui;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.rules.SyncPolicy;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar.ButtonData;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * A rule's sync policy as a person edits it: passive or active, which tags (each kind of filter the CLI's FILTER
 * takes, chosen from a list: exact tags, a prefix, a suffix, a part, a glob, a regular expression, a version range or
 * the latest N versions), which platforms, which artifact types to include or leave out, how often, referrers, and for
 * a wildcard rule which repositories. The engine checks what is typed on Save; each of its refusals shows under the
 * field it is about, in its own words (the CLI's), and the dialog stays open to fix it.
 */
public final class SyncPolicyDialog {
    public static final String ID = "syncPolicyDialog";

    /** Where a refusal shows: under the field its sentence is about, or under the whole form. */
    enum Field {
        TAGS, PLATFORMS, INTERVAL, REPOSITORIES, INCLUDE_TYPES, EXCLUDE_TYPES, FORM;

        /** The field one of {@code SyncPolicy.with}'s sentences is about (they begin with the setting's name). */
        static Field of(String problem) {
            String p = problem.toLowerCase(Locale.ROOT);
            if (p.startsWith("sync tags")) return TAGS;
            if (p.startsWith("sync platforms")) return PLATFORMS;
            if (p.startsWith("sync interval")) return INTERVAL;
            if (p.startsWith("sync repositor")) return REPOSITORIES;
            if (p.startsWith("sync artifact types to include")) return INCLUDE_TYPES;
            // "artifact type 'x' is both included and excluded": the exclusion is the one to take back
            if (p.startsWith("sync artifact types to exclude") || p.startsWith("artifact type '")) return EXCLUDE_TYPES;
            return FORM;
        }
    }

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

        Map<Field, ReadOnlyStringWrapper> problems = new EnumMap<>(Field.class);
        for (Field f : Field.values()) problems.put(f, new ReadOnlyStringWrapper(""));

        TagFilterChoice.Shown shownTags = TagFilterChoice.of(current.tags().text());
        ComboBox<TagFilterChoice> tagKind = new ComboBox<>();
        tagKind.setId("syncTagKind");
        tagKind.getItems().setAll(TagFilterChoice.values());
        tagKind.setValue(shownTags.kind());
        tagKind.setMinWidth(Region.USE_PREF_SIZE);
        TextField tags = field("syncTags", shownTags.value(), "");
        Label tagsHint = hint("");
        Runnable kindChosen = () -> {
            TagFilterChoice kind = tagKind.getValue();
            tags.setDisable(!kind.takesValue());
            tags.setPromptText(kind.takesValue() ? "such as " + kind.example() : "");
            tagsHint.setText(kind.takesValue() ? kind.hint() : "Every tag of each repository the rule covers.");
        };
        tagKind.valueProperty().addListener((o, was, now) -> kindChosen.run());
        kindChosen.run();
        HBox tagRow = new HBox(8, tagKind, tags);

        TextField platforms = field("syncPlatforms", current.platforms().text(), "every platform");
        TextField interval = field("syncInterval", SyncPolicy.intervalText(current.interval()), "12h");
        TextField repositories = field("syncRepositories", String.join(",", current.repositories()), "the repositories cached already");
        TextField include = field("syncIncludeTypes", String.join(",", current.includeArtifactTypes()), "include: every type");
        TextField exclude = field("syncExcludeTypes", String.join(",", current.excludeArtifactTypes()), "exclude: none");
        CheckBox referrers = new CheckBox("Also sync referrers (signatures, SBOMs)");
        referrers.setId("syncReferrers");
        referrers.setSelected(current.referrers());

        GridPane form = Ui.form();
        int row = 0;
        Ui.formRow(form, row++, "Mode", new VBox(6, passive, active));
        Ui.formRow(form, row++, "Tags", new VBox(4, tagRow, error("syncTagsError", problems.get(Field.TAGS)), tagsHint));
        Ui.formRow(form, row++, "Platforms", new VBox(4, platforms, error("syncPlatformsError", problems.get(Field.PLATFORMS)),
                hint("Comma-separated, such as linux/amd64,linux/arm64; an index is kept whole, only these platforms' images"
                        + " are fetched.")));
        // the two fields share the row evenly; their refusals go under both, where a long sentence has the full width
        include.setPrefWidth(0);
        exclude.setPrefWidth(0);
        Ui.formRow(form, row++, "Artifact types", new VBox(4, new HBox(8, include, exclude),
                error("syncIncludeTypesError", problems.get(Field.INCLUDE_TYPES)),
                error("syncExcludeTypesError", problems.get(Field.EXCLUDE_TYPES)),
                hint("To include / to leave out: media types, comma-separated, such as application/vnd.oci.image.config.v1+json"
                        + " (an image's type is its config's); a trailing * takes a prefix.")));
        Ui.formRow(form, row++, "Every", new VBox(4, interval, error("syncIntervalError", problems.get(Field.INTERVAL)),
                hint("30m, 12h, 1d: from 1m to 366d.")));
        if (rule.isWildcard()) {
            Ui.formRow(form, row++, "Repositories", new VBox(4, repositories, error("syncRepositoriesError",
                    problems.get(Field.REPOSITORIES)), hint("Comma-separated, each the part of the name that stands for *"
                    + " (nginx,alpine); empty for the repositories already cached under the rule.")));
        }
        Ui.formRow(form, row, null, referrers);

        Label error = error("syncPolicyError", problems.get(Field.FORM));
        ScrollPane content = new ScrollPane(new VBox(12, form, error));
        content.setFitToWidth(true);
        content.getStyleClass().add("edge-to-edge");
        dialog.getDialogPane().setContent(content);
        dialog.getDialogPane().setPrefWidth(660);
        // A refusal adds lines under the fields: the window grows to show them, instead of squeezing the hints to "…".
        problems.values().forEach(p -> p.addListener((o, was, now) -> Ui.growToFit(dialog)));

        ButtonType saveType = new ButtonType("Save", ButtonData.OK_DONE);
        dialog.getDialogPane().getButtonTypes().addAll(saveType, ButtonType.CANCEL);
        Button save = (Button) dialog.getDialogPane().lookupButton(saveType);
        save.setId("saveSyncPolicy");
        // the engine decides: the dialog closes only once it took the policy
        save.addEventFilter(ActionEvent.ACTION, e -> {
            e.consume();
            problems.values().forEach(p -> p.set(""));
            TagFilterChoice kind = tagKind.getValue();
            if (kind.takesValue() && tags.getText().isBlank()) {
                problems.get(Field.TAGS).set("Sync tags: type what to take (" + kind.label().toLowerCase(Locale.ROOT)
                        + "), or choose " + TagFilterChoice.EVERY.label() + ".");
                return;
            }
            save.setDisable(true);
            SyncDraft draft = new SyncDraft(active.isSelected() ? "active" : "passive", kind.filter(tags.getText()),
                    platforms.getText(), interval.getText(), rule.isWildcard() ? repositories.getText() : null,
                    Boolean.toString(referrers.isSelected()), include.getText(), exclude.getText());
            vm.savePolicy(rule, draft, changed -> {
                dialog.setResult(saveType);
                dialog.close();
                onSaved.run();
            }, (List<String> refused) -> {
                save.setDisable(false);
                for (String problem : refused) {
                    Field about = Field.of(problem);
                    // a field this rule does not show cannot hold its refusal: the form's line does
                    ReadOnlyStringWrapper under = problems.get(about == Field.REPOSITORIES && !rule.isWildcard() ? Field.FORM : about);
                    under.set(under.get().isEmpty() ? problem : under.get() + "\n" + problem);
                }
            });
        });
        dialog.show();
        return dialog;
    }

    private static TextField field(String id, String text, String prompt) {
        TextField f = new TextField(text);
        f.setId(id);
        f.setPromptText(prompt);
        HBox.setHgrow(f, Priority.ALWAYS);
        return f;
    }

    /** Wrapped lines keep their height: a label squeezed below its preferred height ends in "…". */
    private static Label hint(String text) {
        Label l = Ui.hint(text);
        l.setMinHeight(Region.USE_PREF_SIZE);
        return l;
    }

    private static Label error(String id, ReadOnlyStringWrapper text) {
        Label l = Ui.errorLabel(text.getReadOnlyProperty());
        l.setId(id);
        l.setMinHeight(Region.USE_PREF_SIZE);
        return l;
    }
}
