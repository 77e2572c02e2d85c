package dev.cachalot.app.credentials;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.FieldDecorations;
import dev.cachalot.app.common.Formats;
import dev.cachalot.app.common.Page;
import dev.cachalot.app.common.Tables;
import dev.cachalot.app.common.Ui;
import dev.cachalot.app.common.WizardDialog;
import dev.cachalot.app.upstreams.CustomRegistryChoice;
import dev.cachalot.engine.CredentialSetView;
import dev.cachalot.rules.Upstream;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignA;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignD;
import org.kordamp.ikonli.materialdesign2.MaterialDesignK;
import org.kordamp.ikonli.materialdesign2.MaterialDesignP;

/** Credentials: table (the vault reference, never the secret), create wizard, validate now, delete. */
public final class CredentialsPage implements Page {
    public static final String TABLE_ID = "credentialsTable";
    private final AppContext context;
    private final CredentialsViewModel vm;
    private final TableView<CredentialSetView> table = new TableView<>();
    private final TextField filter = new TextField();
    private final VBox root;

    public CredentialsPage(AppContext context) {
        this.context = context;
        this.vm = new CredentialsViewModel(context);
        filter.setId("credentialsFilter");
        filter.setPromptText("Filter credential sets (Ctrl+F)");
        filter.textProperty().bindBidirectional(vm.filterProperty());
        HBox.setHgrow(filter, Priority.ALWAYS);
        Button create = new Button("Create credential set", Ui.icon(MaterialDesignP.PLUS));
        create.setId("createCredentialSet");
        create.getStyleClass().add("accent");
        create.setOnAction(e -> openWizard());
        Button validate = new Button("Validate now", Ui.icon(MaterialDesignC.CHECK_NETWORK));
        validate.setId("validateCredentialSet");
        validate.setOnAction(e -> {
            CredentialSetView s = table.getSelectionModel().getSelectedItem();
            if (s != null) vm.validate(s);
        });
        Button update = new Button("Update credentials", Ui.icon(MaterialDesignA.ACCOUNT_EDIT));
        update.setId("updateCredentials");
        update.setOnAction(e -> {
            CredentialSetView s = table.getSelectionModel().getSelectedItem();
            if (s != null) openUpdate(s);
        });
        Button delete = new Button("Delete", Ui.icon(MaterialDesignD.DELETE));
        delete.setId("deleteCredentialSet");
        delete.setOnAction(e -> deleteSelected());
        for (Button b : List.of(create, update, validate, delete)) b.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // the filter gives way first
        filter.setMinWidth(120);
        update.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        validate.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        delete.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());

        table.setId(TABLE_ID);
        table.setItems(vm.credentialSets());
        table.getColumns().add(Tables.text("Name", CredentialSetView::name, 150));
        table.getColumns().add(Tables.text("Login server", CredentialSetView::loginServer, 150));
        table.getColumns().add(Tables.text("Password in vault", CredentialSetView::passwordSecret, CredentialSetView::passwordSecret, 170));
        table.getColumns().add(Tables.text("Health", c -> health(c), c -> health(c), 150));
        table.getColumns().add(Tables.text("Last checked", c -> Formats.time(c.lastChecked()), 165));
        table.getColumns().add(Tables.text("Hub pulls left", c -> c.rateLimitRemaining() == null ? "—"
                : c.rateLimitRemaining() + (c.rateLimitLimit() == null ? "" : " of " + c.rateLimitLimit()), 120));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPlaceholder(Ui.hint("No credential sets yet. Docker Hub rules need one; other registries need one for private images."));
        VBox.setVgrow(table, Priority.ALWAYS);
        Label notice = new Label();
        notice.textProperty().bind(vm.noticeProperty());
        root = Ui.pageBox(Ui.title("Credentials"), new HBox(8, filter, create, update, validate, delete),
                Ui.errorLabel(vm.errorProperty()), table, notice);
    }

    public void openWizard() {
        CredentialWizardViewModel w = new CredentialWizardViewModel(context);
        ComboBox<Upstream> registry = new ComboBox<>();
        registry.setId("credRegistry");
        VBox customRegistry = CustomRegistryChoice.attach(registry, w.upstreams(), w.upstreamProperty(), context);
        registry.setMaxWidth(Double.MAX_VALUE);
        TextField loginServer = new TextField();
        loginServer.setId("credLoginServer");
        loginServer.setEditable(false);
        loginServer.textProperty().bind(w.loginServerProperty());
        TextField name = new TextField();
        name.setId("credName");
        name.textProperty().bindBidirectional(w.nameProperty());
        TextField username = new TextField();
        username.setId("credUsername");
        username.textProperty().bindBidirectional(w.usernameProperty());
        PasswordField password = new PasswordField();
        password.setId("credPassword");
        password.setPromptText("password or access token");
        password.textProperty().bindBidirectional(w.passwordProperty());

        new FieldDecorations().decorate(name, w.nameErrorProperty());
        GridPane first = grid("Registry", new VBox(4, registry, customRegistry, Ui.errorLabel(w.loadErrorProperty())), "Login server", loginServer, "Name", new VBox(4, name, Ui.errorLabel(w.nameErrorProperty())));
        GridPane second = grid("Username", username, "Password", new VBox(4, password, Ui.errorLabel(w.signInErrorProperty())));
        Button test = new Button("Test sign-in", Ui.icon(MaterialDesignC.CHECK_NETWORK));
        test.setId("credTestLogin");
        test.setOnAction(e -> w.testLogin());
        test.disableProperty().bind(w.secondStepValid().not().or(w.testingProperty()));
        Label result = new Label();
        result.setId("credLoginResult");
        result.setWrapText(true);
        result.textProperty().bind(w.loginResultProperty());
        w.loginRefusedProperty().addListener((o, a, refused) -> {
            result.getStyleClass().remove(refused ? "success" : "danger");
            if (!result.getStyleClass().contains(refused ? "danger" : "success")) result.getStyleClass().add(refused ? "danger" : "success");
        });
        CheckBox saveAnyway = new CheckBox("Save anyway (the set is stored as Unhealthy until its login works)");
        saveAnyway.setId("credSaveAnyway");
        saveAnyway.selectedProperty().bindBidirectional(w.saveAnywayProperty());
        saveAnyway.visibleProperty().bind(w.loginRefusedProperty());
        saveAnyway.managedProperty().bind(saveAnyway.visibleProperty());
        VBox secondBox = new VBox(8, second, new HBox(8, test, result), saveAnyway,
                Ui.hint("Finish signs in to the registry before it saves. Username and password are stored in Cachalot's local vault; tables show only the vault reference."));
        WizardDialog wizard = new WizardDialog(Ui.windowOf(root).orElse(null), "Create credential set", List.of(
                new WizardDialog.Step("Registry and name", new VBox(first), w.firstStepValid()),
                new WizardDialog.Step("Sign-in", secondBox, w.secondStepValid())),
                done -> w.finish(view -> {
                    done.accept(null);
                    vm.refresh();
                }, done::accept));
        wizard.dialog().getDialogPane().setId("credentialWizard");
        w.load();
        wizard.show();
    }

    /** "Update credentials": a new username and password for the selected set, checked against its upstream on saving. */
    private void openUpdate(CredentialSetView set) {
        UpdateCredentialsViewModel u = new UpdateCredentialsViewModel(context, set.name());
        TextField username = new TextField();
        username.setId("updateUsername");
        username.textProperty().bindBidirectional(u.usernameProperty());
        PasswordField password = new PasswordField();
        password.setId("updatePassword");
        password.setPromptText("password or access token");
        password.textProperty().bindBidirectional(u.passwordProperty());
        GridPane form = grid("Credential set", new Label(set.name() + " (" + set.loginServer() + ")"), "Username", username,
                "Password", new VBox(4, password, Ui.errorLabel(u.errorProperty())));
        VBox box = new VBox(8, form, Ui.hint("The new login replaces the old one in the vault and is checked against "
                + set.loginServer() + " at once. Rules that use this set use the new login on their next pull."));
        WizardDialog dialog = new WizardDialog(Ui.windowOf(root).orElse(null), "Update credentials", List.of(
                new WizardDialog.Step("New username and password", box, u.valid())),
                done -> u.finish(view -> {
                    done.accept(null);
                    vm.updated(view);
                }, done::accept));
        dialog.dialog().getDialogPane().setId("updateCredentialsDialog");
        dialog.show();
    }

    /** "Healthy", or "Unhealthy: reason" (the reason is also the cell's tooltip when it does not fit). */
    static String health(CredentialSetView c) {
        String h = c.health() == null ? "Not checked" : String.valueOf(c.health());
        return c.errorMessage() == null || c.errorMessage().isBlank() ? h : h + ": " + c.errorMessage();
    }

    private static GridPane grid(Object... pairs) {
        GridPane g = Ui.form();
        for (int i = 0; i < pairs.length; i += 2) Ui.formRow(g, i / 2, (String) pairs[i], (Node) pairs[i + 1]);
        return g;
    }

    @Override
    public void deleteSelected() {
        CredentialSetView s = table.getSelectionModel().getSelectedItem();
        if (s == null) return;
        vm.rulesUsing(s, rules -> Ui.confirm(Ui.windowOf(root).orElse(null), "Delete credential set " + s.name() + "?",
                rules.isEmpty() ? "No rule uses it. Its secrets are removed from the vault."
                        : "It is used by: " + String.join(", ", rules) + ". Change those rules first; deleting will be refused.",
                "Delete credential set", () -> vm.delete(s)));
    }

    @Override public String title() { return "Credentials"; }
    @Override public Ikon icon() { return MaterialDesignK.KEY_CHAIN; }
    @Override public Node view() { return root; }
    @Override public void activate() { vm.activate(); }
    @Override public void deactivate() { vm.deactivate(); }
    @Override public void refresh() { vm.refresh(); }
    @Override public void focusFilter() { filter.requestFocus(); }
}
