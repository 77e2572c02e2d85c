package dev.cachalot.app.shell;

import java.io.File;
import java.util.function.Consumer;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/**
 * File → Connect to engine…: the address (recent ones offered), a token or a user and password, and for https an optional CA file whose
 * fingerprint must be confirmed. The dialog stays open on a failure and says why under the fields.
 */
public final class ConnectEngineDialog {
    public static final String ID = "connectEngineDialog";

    private ConnectEngineDialog() {
    }

    public static void show(Window owner, EngineConnectionViewModel vm, Consumer<RemoteConnection> connected) {
        Dialog<ButtonType> dialog = new Dialog<>();
        dialog.initOwner(owner);
        dialog.setTitle("Connect to engine");
        dialog.setHeaderText("Manage a Cachalot engine running elsewhere (cachalot serve).");
        dialog.getDialogPane().setId(ID);
        ButtonType connect = new ButtonType("Connect", ButtonBar.ButtonData.OK_DONE);
        dialog.getDialogPane().getButtonTypes().addAll(connect, ButtonType.CANCEL);

        ComboBox<String> address = new ComboBox<>();
        address.setId("engineAddress");
        address.setEditable(true);
        address.setPromptText("https://host:5000");
        address.getItems().setAll(vm.recentAddresses());
        address.setPrefWidth(380);
        address.getEditor().textProperty().bindBidirectional(vm.addressProperty());
        address.valueProperty().addListener((o, a, picked) -> {
            if (picked != null) vm.addressProperty().set(picked);
        });

        TextField user = new TextField();
        user.setId("engineUser");
        user.setPromptText("optional: log in with a password instead of a token");
        user.textProperty().bindBidirectional(vm.userProperty());
        Label secretLabel = new Label();
        secretLabel.textProperty().bind(javafx.beans.binding.Bindings.when(vm.userProperty().isEmpty())
                .then("Token:").otherwise("Password:"));

        PasswordField token = new PasswordField();
        token.setId("engineToken");
        token.setPromptText("the engine's API token (empty if it has no users)");
        token.textProperty().bindBidirectional(vm.tokenProperty());

        TextField caFile = new TextField();
        caFile.setId("engineCaFile");
        caFile.setPromptText("empty: the system's certificate authorities");
        caFile.textProperty().bindBidirectional(vm.caFileProperty());
        Button browse = new Button("Choose…");
        browse.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle("The engine's CA certificate (ca.crt)");
            File file = chooser.showOpenDialog(dialog.getDialogPane().getScene().getWindow());
            if (file != null) vm.caFileProperty().set(file.getAbsolutePath());
        });
        HBox caRow = new HBox(6, caFile, browse);
        HBox.setHgrow(caFile, Priority.ALWAYS);
        Label caLabel = new Label("CA certificate:");
        caLabel.visibleProperty().bind(vm.httpsProperty());
        caRow.visibleProperty().bind(vm.httpsProperty());

        Label fingerprint = new Label();
        fingerprint.setId("engineCaFingerprint");
        fingerprint.setWrapText(true);
        fingerprint.textProperty().bind(vm.caFingerprintProperty());
        CheckBox trusted = new CheckBox("I compared this fingerprint with the engine's CA and trust it");
        trusted.setId("engineCaTrusted");
        trusted.selectedProperty().bindBidirectional(vm.caTrustedProperty());
        fingerprint.visibleProperty().bind(vm.needsTrustProperty());
        trusted.visibleProperty().bind(vm.needsTrustProperty().and(vm.caFingerprintProperty().isNotEmpty()));

        Label error = new Label();
        error.setId("engineConnectError");
        error.setWrapText(true);
        error.getStyleClass().add("danger");
        error.textProperty().bind(vm.errorProperty());

        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(8);
        grid.addRow(0, new Label("Engine address:"), address);
        grid.addRow(1, new Label("User:"), user);
        grid.addRow(2, secretLabel, token);
        grid.addRow(3, caLabel, caRow);
        grid.add(fingerprint, 1, 4);
        grid.add(trusted, 1, 5);
        grid.add(error, 0, 6, 2, 1);
        grid.setMaxWidth(560);
        dialog.getDialogPane().setContent(grid);

        Button connectButton = (Button) dialog.getDialogPane().lookupButton(connect);
        connectButton.setId("engineConnect");
        connectButton.disableProperty().bind(vm.canConnectProperty().not());
        // the dialog closes only once the engine answered; until then it shows progress or the reason it failed
        connectButton.addEventFilter(ActionEvent.ACTION, e -> {
            e.consume();
            vm.connect(c -> {
                if (!dialog.isShowing()) { // cancelled while connecting: the user no longer wants this engine
                    c.context().shutDownEngine();
                    return;
                }
                dialog.setResult(connect);
                dialog.close();
                connected.accept(c);
            });
        });
        connectButton.textProperty().bind(javafx.beans.binding.Bindings.when(vm.connectingProperty())
                .then("Connecting…").otherwise("Connect"));
        dialog.show();
        address.getEditor().requestFocus();
    }
}
