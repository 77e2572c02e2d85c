package dev.cachalot.app.rules;

import dev.cachalot.app.common.FieldDecorations;
import dev.cachalot.app.common.Ui;
import dev.cachalot.app.common.WizardDialog;
import dev.cachalot.app.upstreams.CustomRegistryChoice;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.Upstream;
import java.util.List;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/** The create-cache-rule wizard's window; all logic lives in {@link RuleWizardViewModel}. */
public final class RuleWizard {
    private RuleWizard() {
    }

    public static WizardDialog open(Window owner, RuleWizardViewModel vm, Consumer<CacheRule> created) {
        // Step 1: source registry
        ComboBox<Upstream> registry = new ComboBox<>();
        registry.setId("ruleRegistry");
        VBox customRegistry = CustomRegistryChoice.attach(registry, vm.upstreams(), vm.upstreamProperty(), vm.context());
        registry.setMaxWidth(Double.MAX_VALUE);
        TextField loginServer = new TextField();
        loginServer.setId("ruleLoginServer");
        loginServer.setEditable(false);
        loginServer.textProperty().bind(vm.loginServerProperty());
        VBox sourceStep = form(
                "Source registry", registry,
                "Login server", loginServer,
                null, Ui.hint("The login server comes from the registry catalog and cannot be changed here."),
                null, customRegistry);

        // Step 2: path, target, name
        TextField path = new TextField();
        path.setId("rulePath");
        path.setPromptText("nginx, bitnami/redis, dotnet/sdk");
        bindRewritable(path, vm.pathProperty());
        CheckBox wildcard = new CheckBox("All repositories under this path");
        wildcard.setId("ruleWildcard");
        wildcard.selectedProperty().bindBidirectional(vm.wildcardProperty());
        Label preview = new Label();
        preview.setId("rulePreview");
        preview.getStyleClass().add("text-bold");
        preview.textProperty().bind(vm.previewProperty());
        Label pathError = Ui.errorLabel(vm.pathErrorProperty());
        pathError.setId("rulePathError");
        TextField target = new TextField();
        target.setId("ruleTarget");
        target.textProperty().bindBidirectional(vm.targetProperty());
        Label targetError = Ui.errorLabel(vm.targetErrorProperty());
        targetError.setId("ruleTargetError");
        TextField name = new TextField();
        name.setId("ruleName");
        name.textProperty().bindBidirectional(vm.nameProperty());
        Label nameError = Ui.errorLabel(vm.nameErrorProperty());
        nameError.setId("ruleNameError");
        FieldDecorations marks = new FieldDecorations();
        marks.decorate(path, vm.pathErrorProperty());
        marks.decorate(target, vm.targetErrorProperty());
        marks.decorate(name, vm.nameErrorProperty());
        VBox pathStep = form(
                "Repository path", new VBox(4, path, wildcard, pathError),
                "Full source", preview,
                "Target (local namespace)", new VBox(4, target, targetError),
                "Rule name", new VBox(4, name, nameError));

        // Step 3: authentication
        ToggleGroup group = new ToggleGroup();
        RadioButton anonymous = radio("Anonymous", "authAnonymous", group);
        RadioButton existing = radio("Use an existing credential set", "authExisting", group);
        RadioButton create = radio("Create a new credential set", "authNew", group);
        Runnable syncRadios = () -> {
            switch (vm.authChoiceProperty().get()) {
                case ANONYMOUS -> anonymous.setSelected(true);
                case EXISTING -> existing.setSelected(true);
                case NEW -> create.setSelected(true);
            }
        };
        syncRadios.run();
        vm.authChoiceProperty().addListener((o, a, b) -> syncRadios.run());
        group.selectedToggleProperty().addListener((o, a, t) -> {
            if (t == anonymous) vm.authChoiceProperty().set(RuleWizardViewModel.AuthChoice.ANONYMOUS);
            if (t == existing) vm.authChoiceProperty().set(RuleWizardViewModel.AuthChoice.EXISTING);
            if (t == create) vm.authChoiceProperty().set(RuleWizardViewModel.AuthChoice.NEW);
        });
        Label modeText = Ui.hint("");
        modeText.textProperty().bind(Bindings.createStringBinding(vm::authModeText, vm.upstreamProperty()));
        anonymous.disableProperty().bind(Bindings.createBooleanBinding(
                () -> vm.upstreamProperty().get() != null && !vm.upstreamProperty().get().authMode().allowsAnonymous(), vm.upstreamProperty()));
        ComboBox<String> existingSets = new ComboBox<>(vm.credentialSets());
        existingSets.setId("authExistingSet");
        existingSets.valueProperty().bindBidirectional(vm.existingCredentialSetProperty());
        existingSets.disableProperty().bind(existing.selectedProperty().not());
        existingSets.setPromptText("No credential set for this registry yet");
        existingSets.setMaxWidth(Double.MAX_VALUE);
        existing.disableProperty().bind(Bindings.isEmpty(vm.credentialSets()));
        TextField credName = new TextField();
        credName.setId("authNewName");
        credName.setPromptText("credential set name");
        credName.textProperty().bindBidirectional(vm.newCredentialNameProperty());
        TextField username = new TextField();
        username.setId("authNewUsername");
        username.setPromptText("username");
        username.textProperty().bindBidirectional(vm.newUsernameProperty());
        PasswordField password = new PasswordField();
        password.setId("authNewPassword");
        password.setPromptText("password or access token");
        password.textProperty().bindBidirectional(vm.newPasswordProperty());
        GridPane newGrid = Ui.form();
        Ui.formRow(newGrid, 0, "Credential set name", credName);
        Ui.formRow(newGrid, 1, "Username", username);
        Ui.formRow(newGrid, 2, "Password or token", password);
        VBox newBox = new VBox(6, newGrid);
        newBox.disableProperty().bind(create.selectedProperty().not());
        Label authError = Ui.errorLabel(vm.authErrorProperty());
        authError.setId("ruleAuthError");
        // the choices' own fields sit indented under their radio button
        VBox existingBox = new VBox(existingSets);
        existingBox.setPadding(new javafx.geometry.Insets(0, 0, 4, 26));
        newBox.setPadding(new javafx.geometry.Insets(0, 0, 0, 26));
        VBox authStep = new VBox(8, modeText, anonymous, existing, existingBox, create, newBox, authError);

        // Step 4: review
        TextArea review = new TextArea();
        review.setId("ruleReview");
        review.setEditable(false);
        review.setStyle("-fx-font-family: monospace;");
        review.setWrapText(true);
        review.setPrefRowCount(8);
        review.textProperty().bind(vm.reviewProperty());
        VBox.setVgrow(review, Priority.ALWAYS);
        VBox reviewStep = new VBox(8, Ui.hint("Finish creates the rule. Images are cached on their first pull."), review);

        WizardDialog wizard = new WizardDialog(owner, "Create cache rule", List.of(
                new WizardDialog.Step("Source registry", sourceStep, vm.sourceStepValid()),
                new WizardDialog.Step("Repository and target", pathStep, vm.targetStepValid()),
                new WizardDialog.Step("Authentication", authStep, vm.authStepValid(), vm.authStepSkipped()),
                new WizardDialog.Step("Review", reviewStep, vm.targetStepValid())),
                done -> vm.finish(rule -> {
                    done.accept(null);
                    created.accept(rule);
                }, done::accept));
        wizard.dialog().getDialogPane().setId("ruleWizard");
        vm.load();
        wizard.show();
        return wizard;
    }

    /**
     * Binds a field both ways to a property its model may rewrite while the field's own change is being handled (a
     * typed {@code /*} leaves the path): a bidirectional binding drops such a nested change, so the field is brought
     * in line once the change is done.
     */
    private static void bindRewritable(TextField field, javafx.beans.property.StringProperty model) {
        field.setText(model.get());
        field.textProperty().addListener((o, a, b) -> model.set(b));
        model.addListener((o, a, b) -> javafx.application.Platform.runLater(() -> {
            String now = model.get() == null ? "" : model.get();
            if (!now.equals(field.getText())) {
                field.setText(now);
                field.positionCaret(now.length());
            }
        }));
    }

    private static RadioButton radio(String text, String id, ToggleGroup group) {
        RadioButton r = new RadioButton(text);
        r.setId(id);
        r.setToggleGroup(group);
        return r;
    }

    /** Label/field pairs in a two-column grid; a null label puts the node under the previous field. */
    static VBox form(Object... labelsAndNodes) {
        GridPane grid = Ui.form();
        for (int i = 0; i < labelsAndNodes.length; i += 2) {
            Ui.formRow(grid, i / 2, (String) labelsAndNodes[i], (javafx.scene.Node) labelsAndNodes[i + 1]);
        }
        return new VBox(grid);
    }
}
