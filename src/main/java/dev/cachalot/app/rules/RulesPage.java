package dev.cachalot.app.rules;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Formats;
import dev.cachalot.app.common.Page;
import dev.cachalot.app.common.Tables;
import dev.cachalot.app.common.Ui;
import dev.cachalot.rules.CacheRule;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceDialog;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.input.DragEvent;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignD;
import org.kordamp.ikonli.materialdesign2.MaterialDesignE;
import org.kordamp.ikonli.materialdesign2.MaterialDesignI;
import org.kordamp.ikonli.materialdesign2.MaterialDesignK;
import org.kordamp.ikonli.materialdesign2.MaterialDesignP;

/** Cache rules: table, filter, create, change credential set, delete, import (also by dropping files) and export. */
public final class RulesPage implements Page {
    public static final String TABLE_ID = "rulesTable";
    private static final String NONE = "(anonymous)";

    private final AppContext context;
    private final RulesViewModel vm;
    private final RuleSyncViewModel syncVm;
    private final TableView<CacheRule> table = new TableView<>();
    private final TextField filter = new TextField();
    private final VBox root;
    /** The rule last selected, kept across reloads. */
    private String selectedName;
    private boolean active;
    /** Whether the window showing the page is minimized: nobody sees the sync statuses then, so they are not polled. */
    private final javafx.beans.value.ObservableValue<Boolean> iconified;

    public RulesPage(AppContext context) {
        this.context = context;
        this.vm = new RulesViewModel(context);
        this.syncVm = new RuleSyncViewModel(context);

        filter.setId("rulesFilter");
        filter.setPromptText("Filter rules (Ctrl+F)");
        filter.textProperty().bindBidirectional(vm.filterProperty());
        HBox.setHgrow(filter, Priority.ALWAYS);
        filter.setMinWidth(120);

        Button create = button("Create rule", MaterialDesignP.PLUS, "createRule", this::openWizard);
        create.getStyleClass().add("accent");
        Button editCreds = button("Credential set…", MaterialDesignK.KEY, "editRuleCredentials", this::editCredentialSet);
        Button delete = button("Delete", MaterialDesignD.DELETE, "deleteRule", this::deleteSelected);
        Button importButton = button("Import…", MaterialDesignI.IMPORT, "importRules", this::chooseImport);
        Button export = button("Export…", MaterialDesignE.EXPORT, "exportRules", this::chooseExport);
        editCreds.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        delete.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        Region gap = new Region();
        HBox toolbar = new HBox(8, filter, gap, create, editCreds, delete, importButton, export);

        table.setId(TABLE_ID);
        table.setItems(vm.rules());
        table.getColumns().add(Tables.text("Name", CacheRule::name, 140));
        table.getColumns().add(Tables.text("Source", CacheRule::sourceRepository, CacheRule::sourceRepository, 240));
        table.getColumns().add(Tables.text("Target", CacheRule::targetRepository, 150));
        table.getColumns().add(Tables.text("Credential set", r -> r.credentialSet() == null ? "none (anonymous)" : r.credentialSet(), 150));
        table.getColumns().add(Tables.sorted("Created", CacheRule::creationDate, Formats::shortTime, 100));
        table.getColumns().add(Tables.text("Last pull", vm::lastPull, vm::lastPullDetail, 130));
        table.getColumns().add(Tables.text("Upstream", vm::upstreamHealth, vm::upstreamHealthDetail, 110));
        table.getColumns().add(Tables.text("Sync", syncVm::summary, syncVm::detail, 170));
        // a refresh brings equal rules with a new state: the cells must ask again
        // a reload follows a change elsewhere (the CLI, a pull, another portal): the syncs are looked at again with it
        vm.rules().addListener((javafx.collections.ListChangeListener<CacheRule>) c -> {
            table.refresh();
            reselect();
            syncVm.look();
        });
        syncVm.looksProperty().addListener((o, a, b) -> table.refresh());
        table.getSelectionModel().selectedItemProperty().addListener((o, a, rule) -> {
            if (rule != null) selectedName = rule.name();
            syncVm.selectedProperty().set(rule);
        });
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPlaceholder(new Label("No cache rules yet. Create one, or drop JSON, YAML or CSV rule files here."));
        table.setOnDragOver(this::dragOver);
        table.setOnDragDropped(e -> {
            boolean accepted = e.getDragboard().hasFiles();
            if (accepted) handleDroppedFiles(new ArrayList<>(e.getDragboard().getFiles()));
            e.setDropCompleted(accepted);
            e.consume();
        });
        VBox.setVgrow(table, Priority.ALWAYS);

        Label error = Ui.errorLabel(vm.errorProperty());
        error.setId("rulesError");
        Label notice = new Label();
        notice.getStyleClass().add("success");
        notice.textProperty().bind(vm.noticeProperty());
        RuleSyncPane sync = new RuleSyncPane(syncVm, this::openSyncNow, this::editSyncPolicy);
        root = Ui.pageBox(Ui.title("Cache rules"), toolbar, error, table, sync.view(), notice);
        iconified = root.sceneProperty().flatMap(javafx.scene.Scene::windowProperty)
                .flatMap(w -> w instanceof javafx.stage.Stage s ? s.iconifiedProperty() : null).orElse(false);
        iconified.addListener((o, was, now) -> {
            if (!active) return;
            if (now) {
                syncVm.stop();
            } else {
                syncVm.start();
            }
        });
    }

    /**
     * A reload replaces the rule objects, and the table drops its selection with them: the same rule (by name) is
     * selected again, so its sync pane stays, with its new settings.
     */
    private void reselect() {
        if (selectedName == null || table.getSelectionModel().getSelectedItem() != null) return;
        table.getItems().stream().filter(r -> r.name().equals(selectedName)).findFirst()
                .ifPresent(r -> table.getSelectionModel().select(r));
    }

    private void editSyncPolicy() {
        CacheRule rule = table.getSelectionModel().getSelectedItem();
        if (rule == null) return;
        SyncPolicyDialog.show(Ui.windowOf(root).orElse(null), rule, syncVm, () -> {
            vm.announce("Sync policy of rule " + rule.name() + " saved.");
            vm.refresh();
        });
    }

    private void openSyncNow() {
        CacheRule rule = table.getSelectionModel().getSelectedItem();
        if (rule == null) return;
        SyncNowDialog.show(Ui.windowOf(root).orElse(null), rule, syncVm);
    }

    private static Button button(String text, Ikon icon, String id, Runnable action) {
        Button b = new Button(text, Ui.icon(icon));
        b.setId(id);
        // the filter gives way first: a button cut to "De…" cannot be read
        b.setMinWidth(Region.USE_PREF_SIZE);
        b.setOnAction(e -> action.run());
        return b;
    }

    private void dragOver(DragEvent e) {
        if (e.getDragboard().hasFiles()) e.acceptTransferModes(TransferMode.COPY);
        e.consume();
    }

    /** Where dropped files go (also the Import… button): a preview first, import only after the user confirms. */
    public void handleDroppedFiles(List<File> files) {
        if (files.isEmpty()) return;
        vm.previewImport(files, report -> ImportPreviewDialog.show(Ui.windowOf(root).orElse(null), report,
                () -> vm.importConfirmed(files)));
    }

    public void openWizard() {
        RuleWizardViewModel wizardVm = new RuleWizardViewModel(context);
        RuleWizard.open(Ui.windowOf(root).orElse(null), wizardVm, rule -> {
            vm.refresh();
            vm.announce("Rule " + rule.name() + " created: pulls of " + rule.targetRepository() + " now come from "
                    + rule.sourceRepository() + " and are cached on first pull.");
        });
    }

    private void editCredentialSet() {
        CacheRule rule = table.getSelectionModel().getSelectedItem();
        if (rule == null) return;
        List<String> choices = new ArrayList<>();
        choices.add(NONE);
        choices.addAll(vm.credentialSets());
        ChoiceDialog<String> dialog = new ChoiceDialog<>(rule.credentialSet() == null ? NONE : rule.credentialSet(), choices);
        dialog.setTitle("Credential set");
        dialog.setHeaderText("Credential set for rule " + rule.name());
        Ui.windowOf(root).ifPresent(dialog::initOwner);
        dialog.resultProperty().addListener((o, a, choice) -> {
            if (choice != null) vm.setCredentialSet(rule, NONE.equals(choice) ? null : choice);
        });
        dialog.show();
    }

    @Override
    public void deleteSelected() {
        CacheRule rule = table.getSelectionModel().getSelectedItem();
        if (rule == null) return;
        Ui.confirm(Ui.windowOf(root).orElse(null), "Delete rule " + rule.name() + "?",
                "Pulls of " + rule.targetRepository() + " will no longer come from " + rule.sourceRepository()
                        + ". Images already cached stay until you delete them.", "Delete rule", () -> vm.delete(rule));
    }

    /** Asks for rule files and previews their import (the toolbar's and the File menu's Import). */
    public void chooseImport() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Import cache rules");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Rule files", "*.json", "*.yaml", "*.yml", "*.csv"));
        List<File> files = chooser.showOpenMultipleDialog(Ui.windowOf(root).orElse(null));
        if (files != null) handleDroppedFiles(files);
    }

    /** Asks where to write the rules (the toolbar's and the File menu's Export). */
    public void chooseExport() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Export cache rules");
        chooser.setInitialFileName("cache-rules.json");
        for (ExportFormat format : ExportFormat.values()) chooser.getExtensionFilters().add(format.filter());
        File file = chooser.showSaveDialog(Ui.windowOf(root).orElse(null));
        if (file == null) return;
        FileChooser.ExtensionFilter chosen = chooser.getSelectedExtensionFilter();
        exportTo(file, java.util.Arrays.stream(ExportFormat.values())
                .filter(f -> chosen != null && f.description().equals(chosen.getDescription())).findFirst().orElse(null));
    }

    /** Writes the rules to {@code file} in {@code format} (null: by the file's extension); Export's chooser ends here. */
    public void exportTo(File file, ExportFormat format) {
        vm.export(file, format);
    }

    @Override
    public String title() {
        return "Cache rules";
    }

    @Override
    public Ikon icon() {
        return MaterialDesignC.CACHED;
    }

    @Override
    public Node view() {
        return root;
    }

    @Override
    public void activate() {
        active = true;
        vm.activate();
        if (!iconified.getValue()) syncVm.start();
    }

    @Override
    public void deactivate() {
        active = false;
        vm.deactivate();
        syncVm.stop();
    }

    @Override
    public void refresh() {
        vm.refresh();
        syncVm.look();
    }

    @Override
    public void focusFilter() {
        filter.requestFocus();
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
