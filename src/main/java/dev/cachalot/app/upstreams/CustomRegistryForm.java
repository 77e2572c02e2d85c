package dev.cachalot.app.upstreams;

import dev.cachalot.app.common.Ui;
import dev.cachalot.rules.Upstream;
import java.io.File;
import java.util.function.Consumer;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignF;
import org.kordamp.ikonli.materialdesign2.MaterialDesignP;

/**
 * The fields of a custom registry, shared by both wizards' "Custom registry…" choice and the Upstreams page:
 * endpoint, optional CA certificate file, Test connection and its answer, and the button that saves it.
 */
public final class CustomRegistryForm {
    private final VBox root;

    public CustomRegistryForm(CustomRegistryViewModel vm, Consumer<Upstream> saved) {
        TextField endpoint = new TextField();
        endpoint.setId("customEndpoint");
        endpoint.setPromptText("https://registry.example.com:5000");
        endpoint.textProperty().bindBidirectional(vm.endpointProperty());
        Label endpointError = Ui.errorLabel(vm.endpointErrorProperty());
        endpointError.setId("customEndpointError");
        TextField caFile = new TextField();
        caFile.setId("customCaFile");
        caFile.setPromptText("optional CA file (PEM)");
        caFile.textProperty().bindBidirectional(vm.caFileProperty());
        HBox.setHgrow(caFile, Priority.ALWAYS);
        Button browse = new Button("Browse…", Ui.icon(MaterialDesignF.FOLDER_OPEN));
        browse.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle("CA certificate (PEM)");
            File f = chooser.showOpenDialog(Ui.windowOf(browse).orElse(null));
            if (f != null) vm.caFileProperty().set(f.getAbsolutePath());
        });
        Button test = new Button("Test connection", Ui.icon(MaterialDesignC.CHECK_NETWORK));
        test.setId("customTestConnection");
        test.disableProperty().bind(vm.canSubmit().not());
        test.setOnAction(e -> vm.testConnection());
        Button save = new Button(vm.isEditing() ? "Save registry" : "Add registry", Ui.icon(MaterialDesignP.PLUS));
        save.setId("customSaveRegistry");
        save.getStyleClass().add("accent");
        save.disableProperty().bind(vm.canSubmit().not());
        save.setOnAction(e -> vm.save(saved));
        Label result = new Label();
        result.setId("customTestResult");
        result.setWrapText(true);
        result.textProperty().bind(vm.testResultProperty());
        Label error = Ui.errorLabel(vm.errorProperty());
        error.setId("customError");

        GridPane grid = Ui.form();
        Ui.formRow(grid, 0, "Endpoint", new VBox(4, endpoint, endpointError));
        Ui.formRow(grid, 1, "CA certificate", new HBox(6, caFile, browse));
        Ui.formRow(grid, 2, null, new HBox(8, test, save));
        Ui.formRow(grid, 3, null, new VBox(4, result, error));
        Label hint = Ui.hint("Rules name it by the endpoint's host[:port]. A CA file is needed only when the registry's "
                + "HTTPS certificate is signed by a private CA. Anonymous pulls and credential sets are both allowed.");
        hint.setWrapText(true);
        root = new VBox(6, grid, hint);
        root.setId("customRegistryForm");
    }

    public VBox view() {
        return root;
    }
}
