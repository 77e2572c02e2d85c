package dev.cachalot.app.settings;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Page;
import dev.cachalot.app.common.Theme;
import dev.cachalot.app.common.Ui;
import java.util.function.Consumer;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;

/** Settings: listen address (restarts the server), data folder (read-only), freshness, cache size, theme. */
public final class SettingsPage implements Page {
    private final SettingsViewModel vm;
    private final VBox root;

    public SettingsPage(AppContext context, Consumer<String> restartServer) {
        this.vm = new SettingsViewModel(context, restartServer);
        TextField host = field("settingsHost", vm.hostProperty());
        TextField port = field("settingsPort", vm.portProperty());
        TextField freshness = field("settingsFreshness", vm.freshnessProperty());
        freshness.setPromptText("revalidate or ttl:10m");
        TextField size = field("settingsMaxCacheSize", vm.maxCacheSizeProperty());
        TextField data = new TextField(vm.dataFolder());
        data.setId("settingsDataFolder");
        data.setEditable(false);
        ComboBox<Theme> theme = new ComboBox<>();
        theme.setId("settingsTheme");
        theme.getItems().setAll(Theme.values());
        theme.valueProperty().bindBidirectional(vm.themeProperty());

        GridPane grid = Ui.form();
        grid.setMaxWidth(760);
        int row = 0;
        row = add(grid, row, "Listen address", host, new VBox(2, Ui.errorLabel(vm.hostErrorProperty()),
                Ui.hint("Keep 127.0.0.1 unless other machines must pull through this cache. Saving a new address restarts the registry.")));
        row = add(grid, row, "Port", port, Ui.errorLabel(vm.portErrorProperty()));
        row = add(grid, row, "Data folder", data, Ui.hint("Set with CACHALOT_DATA or --data before starting; moving it needs a restart of the app."));
        row = add(grid, row, "Default tag freshness", freshness, new VBox(2, Ui.errorLabel(vm.freshnessErrorProperty()),
                Ui.hint("revalidate: check the upstream on every tag pull; ttl:10m: trust a cached tag for 10 minutes.")));
        row = add(grid, row, "Maximum cache size", size, new VBox(2, Ui.errorLabel(vm.sizeErrorProperty()),
                Ui.hint("Such as 20 GiB; 0 for no limit. The least recently pulled content goes first.")));
        add(grid, row, "Theme", theme, Ui.hint("Applies at once."));

        Button save = new Button("Save settings", Ui.icon(MaterialDesignC.CONTENT_SAVE));
        save.setId("saveSettings");
        save.getStyleClass().add("accent");
        save.disableProperty().bind(vm.validProperty().not());
        save.setOnAction(e -> vm.save());
        Label message = new Label();
        message.textProperty().bind(vm.saveMessageProperty());
        root = Ui.pageBox(Ui.title("Settings"), grid, save, message, Ui.errorLabel(vm.saveErrorProperty()));
    }

    private static TextField field(String id, javafx.beans.property.StringProperty p) {
        TextField f = new TextField();
        f.setId(id);
        f.textProperty().bindBidirectional(p);
        return f;
    }

    private static int add(GridPane grid, int row, String label, Node field, Node below) {
        Ui.formRow(grid, row, label, new VBox(4, field, below));
        return row + 1;
    }

    @Override public String title() { return "Settings"; }
    @Override public Ikon icon() { return MaterialDesignC.COG; }
    @Override public Node view() { return root; }
    @Override public void activate() { vm.load(); }
    @Override public void refresh() { vm.load(); }
}
