package dev.cachalot.app.users;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Formats;
import dev.cachalot.app.common.Page;
import dev.cachalot.app.common.Tables;
import dev.cachalot.app.common.Ui;
import dev.cachalot.app.common.WizardDialog;
import dev.cachalot.engine.AccessTokenView;
import dev.cachalot.engine.CreatedAccessToken;
import dev.cachalot.engine.UserView;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignA;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignD;
import org.kordamp.ikonli.materialdesign2.MaterialDesignK;

/**
 * Users and access tokens of server mode: who may pull or push when the engine checks credentials. A token's secret
 * is shown once, in the dialog right after it is made; the tables never show secrets.
 */
public final class UsersPage implements Page {
    public static final String USERS_TABLE_ID = "usersTable";
    public static final String TOKENS_TABLE_ID = "tokensTable";
    private final UsersViewModel vm;
    private final TableView<UserView> users = new TableView<>();
    private final TableView<AccessTokenView> tokens = new TableView<>();
    private final VBox root;

    public UsersPage(AppContext context) {
        this.vm = new UsersViewModel(context);

        Button addUser = button("Add user…", "addUser", Ui.icon(MaterialDesignA.ACCOUNT_PLUS));
        addUser.getStyleClass().add("accent");
        addUser.setOnAction(e -> openAddUser());
        Button removeUser = button("Remove…", "removeUser", Ui.icon(MaterialDesignD.DELETE));
        removeUser.setOnAction(e -> confirmRemoveUser());
        removeUser.disableProperty().bind(users.getSelectionModel().selectedItemProperty().isNull());
        addUser.setDisable(!vm.available());

        users.setId(USERS_TABLE_ID);
        users.setItems(vm.users());
        users.getColumns().add(Tables.text("Name", UserView::name, 160));
        users.getColumns().add(Tables.text("Role", UserView::role, 90));
        users.getColumns().add(Tables.text("Repositories", UserView::repositories, UserView::repositories, 200));
        users.getColumns().add(Tables.text("Created", u -> Formats.time(u.created()), 165));
        users.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        users.setPlaceholder(Ui.hint("No users yet."));

        Button createToken = button("Create token…", "createToken", Ui.icon(MaterialDesignK.KEY_PLUS));
        createToken.setOnAction(e -> openCreateToken());
        createToken.disableProperty().bind(javafx.beans.binding.Bindings.isEmpty(vm.users()));
        Button revoke = button("Revoke…", "revokeToken", Ui.icon(MaterialDesignK.KEY_REMOVE));
        revoke.setOnAction(e -> confirmRevoke());
        revoke.disableProperty().bind(tokens.getSelectionModel().selectedItemProperty().isNull());

        tokens.setId(TOKENS_TABLE_ID);
        tokens.setItems(vm.tokens());
        tokens.getColumns().add(Tables.text("Name", AccessTokenView::name, 160));
        tokens.getColumns().add(Tables.text("User", AccessTokenView::user, 120));
        tokens.getColumns().add(Tables.text("Created", t -> Formats.time(t.created()), 150));
        tokens.getColumns().add(Tables.text("Expires", t -> t.expires() == null ? "Never" : Formats.time(t.expires()), 150));
        tokens.getColumns().add(Tables.text("Last used", t -> t.lastUsed() == null ? "Never" : Formats.time(t.lastUsed()), 150));
        tokens.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        tokens.setPlaceholder(Ui.hint("No access tokens. A token stands in for a password in docker login or CACHALOT_TOKEN."));
        VBox.setVgrow(users, Priority.ALWAYS);
        VBox.setVgrow(tokens, Priority.ALWAYS);

        Label hint = Ui.hint("Users and tokens only matter when the engine checks credentials: serve --auth required "
                + "(needed to listen beyond loopback). The app's own loopback server does not ask for them.");
        hint.setId("usersAuthHint");
        Label notice = new Label();
        notice.setId("usersNotice");
        notice.setWrapText(true);
        notice.textProperty().bind(vm.noticeProperty());
        Label usersError = Ui.errorLabel(vm.errorProperty());
        usersError.setId("usersError");
        root = Ui.pageBox(Ui.title("Users and access tokens"), hint, usersError,
                new HBox(8, Ui.title("Users"), spacer(), addUser, removeUser), users,
                new HBox(8, Ui.title("Access tokens"), spacer(), createToken, revoke), tokens, notice);
    }

    private static Button button(String text, String id, Node icon) {
        Button b = new Button(text, icon);
        b.setId(id);
        b.setMinWidth(Region.USE_PREF_SIZE);
        return b;
    }

    private static Region spacer() {
        Region r = new Region();
        HBox.setHgrow(r, Priority.ALWAYS);
        return r;
    }

    public void openAddUser() {
        if (!vm.available()) return;
        AddUserViewModel a = vm.addUser();
        TextField name = new TextField();
        name.setId("userName");
        name.textProperty().bindBidirectional(a.nameProperty());
        ChoiceBox<String> role = new ChoiceBox<>();
        role.setId("userRole");
        role.getItems().setAll(AddUserViewModel.ROLES);
        role.valueProperty().bindBidirectional(a.roleProperty());
        TextField repositories = new TextField();
        repositories.setId("userRepositories");
        repositories.textProperty().bindBidirectional(a.repositoriesProperty());
        PasswordField password = new PasswordField();
        password.setId("userPassword");
        password.textProperty().bindBidirectional(a.passwordProperty());
        PasswordField confirm = new PasswordField();
        confirm.setId("userPasswordConfirm");
        confirm.textProperty().bindBidirectional(a.confirmProperty());
        // compact, so the engine's refusal under it stays in view without scrolling
        GridPane form = grid("Name", name, "Role", role, "Repositories", repositories, "Password", password,
                "Confirm password", new VBox(4, confirm, Ui.errorLabel(a.mismatchProperty())));
        VBox box = new VBox(8, form, Ui.hint("pull: pull only; push: also push; admin: also manage the engine. "
                + "Repositories: * for all, team/* for a namespace, or one repository."));
        WizardDialog dialog = new WizardDialog(Ui.windowOf(root).orElse(null), "Add user", List.of(
                new WizardDialog.Step("New user", box, a.valid())),
                done -> a.finish(view -> {
                    done.accept(null);
                    vm.done("User " + view.name() + " added (" + view.role() + ").");
                }, done::accept));
        dialog.dialog().getDialogPane().setId("addUserDialog");
        dialog.show();
    }

    public void openCreateToken() {
        if (!vm.available()) return;
        CreateTokenViewModel t = vm.createToken();
        TextField name = new TextField();
        name.setId("tokenName");
        name.setPromptText("e.g. ci-pipeline");
        name.textProperty().bindBidirectional(t.nameProperty());
        ChoiceBox<String> user = new ChoiceBox<>();
        user.setId("tokenUser");
        user.getItems().setAll(t.users());
        user.valueProperty().bindBidirectional(t.userProperty());
        ChoiceBox<CreateTokenViewModel.Expiry> expiry = new ChoiceBox<>();
        expiry.setId("tokenExpiry");
        expiry.getItems().setAll(CreateTokenViewModel.Expiry.values());
        expiry.valueProperty().bindBidirectional(t.expiryProperty());
        GridPane form = grid("Name", name, "User", user, "Expires after", expiry);
        VBox box = new VBox(8, form, Ui.hint("The token acts with its user's role and repositories."));
        WizardDialog dialog = new WizardDialog(Ui.windowOf(root).orElse(null), "Create access token", List.of(
                new WizardDialog.Step("New access token", box, t.valid())),
                done -> t.finish(created -> {
                    done.accept(null);
                    vm.done("Access token " + created.token().name() + " created for " + created.token().user() + ".");
                    showSecretOnce(created);
                }, done::accept));
        dialog.dialog().getDialogPane().setId("createTokenDialog");
        dialog.show();
    }

    /** The secret, in the one place it ever appears: gone with this dialog. */
    private void showSecretOnce(CreatedAccessToken created) {
        TextField secret = new TextField(created.secret());
        secret.setId("tokenSecret");
        secret.setEditable(false);
        secret.setPrefColumnCount(48);
        HBox.setHgrow(secret, Priority.ALWAYS);
        Button copy = new Button("Copy", Ui.icon(MaterialDesignC.CONTENT_COPY));
        copy.setId("copyTokenSecret");
        copy.setMinWidth(Region.USE_PREF_SIZE);
        copy.setOnAction(e -> Ui.copyToClipboard(secret.getText()));
        Label warning = new Label("Copy it now: this secret is not shown again. Cachalot keeps only its hash.");
        warning.getStyleClass().add("warning");
        warning.setWrapText(true);
        Dialog<ButtonType> dialog = new Dialog<>();
        Ui.windowOf(root).ifPresent(dialog::initOwner);
        dialog.setTitle("Access token created");
        dialog.setHeaderText("Access token " + created.token().name() + " for " + created.token().user());
        dialog.getDialogPane().setId("tokenSecretDialog");
        dialog.getDialogPane().setContent(new VBox(8, new HBox(8, secret, copy), warning));
        dialog.getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        dialog.setOnHidden(e -> secret.clear());
        dialog.show();
    }

    private void confirmRemoveUser() {
        UserView u = users.getSelectionModel().getSelectedItem();
        if (u == null) return;
        Ui.confirm(Ui.windowOf(root).orElse(null), "Remove user " + u.name() + "?",
                "Their access tokens are revoked with them; clients signed in as " + u.name() + " are refused from their next request.",
                "Remove user", () -> vm.removeUser(u));
    }

    private void confirmRevoke() {
        AccessTokenView t = tokens.getSelectionModel().getSelectedItem();
        if (t == null) return;
        Ui.confirm(Ui.windowOf(root).orElse(null), "Revoke access token " + t.name() + "?",
                "Clients using it are refused from their next request. This cannot be undone.",
                "Revoke token", () -> vm.revokeToken(t));
    }

    private static GridPane grid(Object... pairs) {
        GridPane g = Ui.form();
        for (int i = 0; i < pairs.length; i += 2) Ui.formRow(g, i / 2, (String) pairs[i], (Node) pairs[i + 1]);
        return g;
    }

    /** Delete: revokes the selected token if one is selected, else removes the selected user (after confirmation). */
    @Override
    public void deleteSelected() {
        if (tokens.getSelectionModel().getSelectedItem() != null) {
            confirmRevoke();
        } else {
            confirmRemoveUser();
        }
    }

    @Override public String title() { return "Users"; }
    @Override public Ikon icon() { return MaterialDesignA.ACCOUNT_MULTIPLE; }
    @Override public Node view() { return root; }
    @Override public void refresh() { vm.refresh(); }
}
