package dev.cachalot.app.upstreams;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Formats;
import dev.cachalot.app.common.Page;
import dev.cachalot.app.common.Tables;
import dev.cachalot.app.common.Ui;
import javafx.beans.binding.Bindings;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignD;
import org.kordamp.ikonli.materialdesign2.MaterialDesignP;
import org.kordamp.ikonli.materialdesign2.MaterialDesignS;

/**
 * Upstreams: the catalog and the custom registries, with login server, endpoint, auth and last health check; custom
 * ones can be added, edited (endpoint and CA certificate) and removed (refused, with the rule names, while rules use them).
 */
public final class UpstreamsPage implements Page {
    public static final String TABLE_ID = "upstreamsTable";
    private final AppContext context;
    private final UpstreamsViewModel vm;
    private final TableView<UpstreamRow> table = new TableView<>();
    private final VBox root;

    public UpstreamsPage(AppContext context) {
        this.context = context;
        this.vm = new UpstreamsViewModel(context);
        Button add = new Button("Add custom registry", Ui.icon(MaterialDesignP.PLUS));
        add.setId("addUpstream");
        add.getStyleClass().add("accent");
        add.setOnAction(e -> openForm(null));
        Button edit = new Button("Edit", Ui.icon(MaterialDesignP.PENCIL));
        edit.setId("editUpstream");
        edit.setOnAction(e -> {
            UpstreamRow row = table.getSelectionModel().getSelectedItem();
            if (row != null && !row.upstream().builtIn()) openForm(row);
        });
        Button check = new Button("Check now", Ui.icon(MaterialDesignC.CHECK_NETWORK));
        check.setId("checkUpstream");
        check.setOnAction(e -> {
            UpstreamRow row = table.getSelectionModel().getSelectedItem();
            if (row != null) vm.check(row);
        });
        Button remove = new Button("Remove", Ui.icon(MaterialDesignD.DELETE));
        remove.setId("removeUpstream");
        remove.setOnAction(e -> deleteSelected());
        var selected = table.getSelectionModel().selectedItemProperty();
        var notCustom = Bindings.createBooleanBinding(() -> selected.get() == null || selected.get().upstream().builtIn(), selected);
        edit.disableProperty().bind(notCustom);
        remove.disableProperty().bind(notCustom);
        check.disableProperty().bind(selected.isNull());

        table.setId(TABLE_ID);
        table.setItems(vm.rows());
        table.getColumns().add(Tables.text("Upstream", UpstreamRow::name, UpstreamRow::name, 170));
        table.getColumns().add(Tables.text("Login server", r -> r.upstream().loginServer(), r -> r.upstream().loginServer(), 150));
        table.getColumns().add(Tables.text("Endpoint", UpstreamRow::endpoint, UpstreamRow::endpoint, 200));
        table.getColumns().add(Tables.text("Auth", UpstreamRow::auth, 150));
        table.getColumns().add(Tables.text("Health", UpstreamRow::health, UpstreamRow::health, 170));
        table.getColumns().add(Tables.text("Last checked", r -> r.lastCheck() == null ? "—" : Formats.time(r.lastCheck().checkedAt()), 150));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        VBox.setVgrow(table, Priority.ALWAYS);
        Label error = Ui.errorLabel(vm.errorProperty());
        error.setId("upstreamsError");
        Label notice = new Label();
        notice.setId("upstreamsNotice");
        notice.textProperty().bind(vm.noticeProperty());
        root = Ui.pageBox(Ui.title("Upstreams"),
                Ui.hint("The registries rules pull from. Health is the last answer of the registry's /v2/ to a request without credentials."),
                new HBox(8, add, edit, check, remove), error, table, notice);
    }

    private void openForm(UpstreamRow row) {
        CustomRegistryViewModel form = row == null ? new CustomRegistryViewModel(context) : new CustomRegistryViewModel(context, row.upstream());
        Dialog<Void> dialog = new Dialog<>();
        Ui.windowOf(root).ifPresent(dialog::initOwner);
        dialog.setTitle(row == null ? "Add custom registry" : "Edit " + row.upstream().loginServer());
        dialog.getDialogPane().setId("customRegistryDialog");
        dialog.getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        dialog.getDialogPane().setContent(new CustomRegistryForm(form, u -> {
            dialog.close();
            vm.saved(u);
        }).view());
        dialog.getDialogPane().setPrefWidth(620);
        dialog.show();
    }

    @Override
    public void deleteSelected() {
        UpstreamRow row = table.getSelectionModel().getSelectedItem();
        if (row == null || row.upstream().builtIn()) return;
        vm.rulesUsing(row, rules -> Ui.confirm(Ui.windowOf(root).orElse(null), "Remove upstream " + row.upstream().loginServer() + "?",
                rules.isEmpty() ? "No rule pulls from it." : "Rules pull from it: " + String.join(", ", rules)
                        + ". Delete or change them first; removing will be refused.",
                "Remove upstream", () -> vm.remove(row)));
    }

    @Override public String title() { return "Upstreams"; }
    @Override public Ikon icon() { return MaterialDesignS.SERVER_NETWORK; }
    @Override public Node view() { return root; }
    @Override public void activate() { vm.activate(); }
    @Override public void deactivate() { vm.deactivate(); }
    @Override public void refresh() { vm.refresh(); }
}
