package dev.cachalot.app.shell;

import dev.cachalot.app.clientsetup.ClientSetupPage;
import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.AppPreferences;
import dev.cachalot.app.common.Page;
import dev.cachalot.app.common.Theme;
import dev.cachalot.app.common.Ui;
import dev.cachalot.app.credentials.CredentialsPage;
import dev.cachalot.app.overview.OverviewPage;
import dev.cachalot.app.repositories.RepositoriesPage;
import dev.cachalot.app.rules.RulesPage;
import dev.cachalot.app.settings.SettingsPage;
import dev.cachalot.app.stats.StatsPage;
import dev.cachalot.app.upstreams.UpstreamsPage;
import dev.cachalot.app.users.UsersPage;
import dev.cachalot.engine.EngineStatus;
import java.net.URI;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.RadioMenuItem;
import javafx.scene.control.Separator;
import javafx.scene.control.TextInputDialog;
import javafx.scene.control.ToggleGroup;
import javafx.scene.image.Image;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.controlsfx.control.StatusBar;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignS;

/**
 * The shell: menu, left navigation, the page shown, and a status bar. Remembers geometry, last page and theme;
 * starts the engine's server in the background and stops it when the window closes.
 *
 * <p>File → Connect to engine… puts a second window's contents (pages on a {@link RemoteConnection}) into the same
 * stage; the local window stays behind it, its server still serving, and comes back with "Back to local engine". A
 * remote window never starts or stops a server: that is done on the engine's own machine.
 */
public final class MainWindow {
    public static final String NAV_ID = "navigation";

    private final Stage stage;
    private final AppContext context;
    private final AppPreferences prefs;
    private final StatusBarViewModel statusBar;
    private final ServerViewModel server;
    private final RulesPage rulesPage;
    private final RepositoriesPage repositoriesPage;
    private final List<Page> pages;
    private final ListView<Page> navigation = new ListView<>();
    private final StackPane content = new StackPane();
    /** The engine's address when this window shows a remote engine; null for the local one. */
    private final URI remoteAddress;
    /** In a remote window: the local window to go back to. */
    private final MainWindow local;
    /** In the local window: the remote window shown in its place, if any. */
    private MainWindow remoteShown;
    private final Scene scene;
    private Page shown;
    private boolean closed;

    public MainWindow(Stage stage, AppContext context, AppPreferences prefs) {
        this(stage, context, prefs, null, null);
    }

    private MainWindow(Stage stage, AppContext context, AppPreferences prefs, URI remoteAddress, MainWindow local) {
        this.stage = stage;
        this.context = context;
        this.prefs = prefs;
        this.remoteAddress = remoteAddress;
        this.local = local;
        this.statusBar = new StatusBarViewModel(context);
        this.server = new ServerViewModel(context);
        this.rulesPage = new RulesPage(context);
        this.repositoriesPage = new RepositoriesPage(context);
        this.pages = List.of(new OverviewPage(context, () -> {
            select(rulesPage.title());
            rulesPage.openWizard();
        }), rulesPage, new CredentialsPage(context), new UpstreamsPage(context), repositoriesPage,
                new StatsPage(context), new ClientSetupPage(context), new UsersPage(context), new SettingsPage(context, remoteAddress == null
                        ? this::restartServer : this::tellRemoteRestart));

        navigation.setId(NAV_ID);
        navigation.getItems().setAll(pages);
        navigation.setPrefWidth(210);
        navigation.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(Page page, boolean empty) {
                super.updateItem(page, empty);
                setText(empty || page == null ? null : page.title());
                setGraphic(empty || page == null ? null : Ui.icon(page.icon()));
                setId(empty || page == null ? null : "nav-" + page.title().toLowerCase().replace(' ', '-'));
            }
        });
        navigation.getSelectionModel().selectedItemProperty().addListener((o, a, page) -> show(page));

        BorderPane root = new BorderPane();
        root.setTop(menuBar());
        root.setLeft(navigation);
        root.setCenter(content);
        root.setBottom(statusBar());
        Scene current = stage.getScene();
        scene = local != null && current != null ? new Scene(root, current.getWidth(), current.getHeight())
                : new Scene(root, prefs.getDouble("width", 1200), prefs.getDouble("height", 780));
        var css = MainWindow.class.getResource("/dev/cachalot/app/cachalot.css");
        if (css != null) scene.getStylesheets().add(css.toExternalForm());
        stage.setScene(scene);
        bindTitle();
        if (local != null) {
            // one theme for the app, whichever engine it shows
            context.themeProperty().bindBidirectional(local.context.themeProperty());
            return;
        }
        loadIcon();
        if (!Double.isNaN(prefs.getDouble("x", Double.NaN))) {
            stage.setX(prefs.getDouble("x", 0));
            stage.setY(prefs.getDouble("y", 0));
        }
        context.themeProperty().addListener((o, a, theme) -> {
            theme.apply();
            prefs.put("theme", theme.name());
        });
        context.themeProperty().set(Theme.parse(prefs.get("theme", Theme.LIGHT.name())));
        context.themeProperty().get().apply();
        stage.setOnHidden(e -> close());
    }

    private void bindTitle() {
        // the address in the title tells two windows (two data folders, or a remote engine) apart in the task bar
        stage.titleProperty().bind(Bindings.createStringBinding(() -> remoteAddress == null
                ? title(statusBar.statusProperty().get())
                : remoteTitle(remoteAddress, statusBar.statusProperty().get()), statusBar.statusProperty()));
    }

    /** "Cachalot — https://host:5000 (remote)"; the address stays while the engine does not answer. */
    static String remoteTitle(URI address, EngineStatus s) {
        boolean lost = s != null && s.state() == EngineStatus.State.ERROR;
        return "Cachalot — " + address + (lost ? " (remote, not answering)" : " (remote)");
    }

    /**
     * "Cachalot — 127.0.0.1:5000" while the cache serves there (the address tells two windows apart in the task bar);
     * an address it failed to start on is not one it serves.
     */
    static String title(dev.cachalot.engine.EngineStatus s) {
        if (s == null) return "Cachalot";
        boolean serving = s.state() == dev.cachalot.engine.EngineStatus.State.RUNNING
                || s.state() == dev.cachalot.engine.EngineStatus.State.STARTING;
        if (s.state() == dev.cachalot.engine.EngineStatus.State.ERROR) return "Cachalot — not serving";
        return serving && s.address() != null && !s.address().isBlank() ? "Cachalot — " + s.address() : "Cachalot";
    }

    /** Shows the window, selects the last page and starts the engine's server in the background (a local engine's). */
    public void show() {
        String last = prefs.get("page", pages.get(0).title());
        navigation.getSelectionModel().select(pages.stream().filter(p -> p.title().equals(last)).findFirst().orElse(pages.get(0)));
        stage.show();
        statusBar.start();
        if (remoteAddress == null) startServer(null);
    }

    /** The engine this window shows: "Local engine" or the remote engine's address. */
    public String engineName() {
        return remoteAddress == null ? "Local engine" : "Engine " + remoteAddress + " (remote)";
    }

    private void openConnectDialog() {
        MainWindow home = local == null ? this : local;
        ConnectEngineDialog.show(stage, new EngineConnectionViewModel(home.context.async(), new RecentEngines(prefs)),
                home::showRemote);
    }

    /** On the local window: shows {@code connection}'s engine in its place (replacing a remote one shown before). */
    private void showRemote(RemoteConnection connection) {
        if (remoteShown != null) {
            remoteShown.closeRemote();
        } else if (shown != null) {
            shown.deactivate(); // the local page stops following while it is not seen
        }
        remoteShown = new MainWindow(stage, connection.context(), prefs, connection.address(), this);
        remoteShown.show();
    }

    /** File → Back to local engine. */
    private void backToLocal() {
        MainWindow home = local == null ? this : local;
        if (home.remoteShown == null) return;
        home.remoteShown.closeRemote();
        home.remoteShown = null;
        stage.setScene(home.scene);
        home.bindTitle();
        if (home.shown != null) home.shown.activate();
    }

    /** Stops following the remote engine and closes its connection (in the background: closing may wait on the network). */
    private void closeRemote() {
        if (shown != null) shown.deactivate();
        statusBar.stop();
        context.async().run(() -> {
            context.shutDownEngine();
            return null;
        }, v -> { }, e -> { });
    }

    /** A remote engine's server is restarted on its machine: the new address is saved there, not applied from here. */
    private void tellRemoteRestart(String listen) {
        Alert alert = new Alert(Alert.AlertType.INFORMATION,
                "The engine at " + remoteAddress + " listens on " + listen + " once it is restarted on its own machine.");
        alert.initOwner(stage);
        alert.setHeaderText("Saved on the remote engine");
        alert.show();
    }

    private void startServer(String listenOrNull) {
        server.start(listenOrNull, statusBar::refreshCacheSize, askTheUser());
    }

    private void restartServer(String listen) {
        server.restart(listen, statusBar::refreshCacheSize, askTheUser());
    }

    /** A failed start becomes a question: another port, or quit when another Cachalot serves this data folder. */
    private ServerViewModel.StartFailure askTheUser() {
        return new ServerViewModel.StartFailure() {
            @Override
            public void portUnavailable(String listen, String reason) {
                offerAnotherPort(listen, reason);
            }

            @Override
            public void heldByAnotherCachalot(String reason) {
                offerToQuit(reason);
            }
        };
    }

    /** Another Cachalot serves this data folder: say so and offer to quit (this window could only show a stopped cache). */
    private void offerToQuit(String reason) {
        ButtonType quit = new ButtonType("Quit", ButtonBar.ButtonData.OK_DONE);
        ButtonType stay = new ButtonType("Keep this window open", ButtonBar.ButtonData.CANCEL_CLOSE);
        Alert alert = new Alert(Alert.AlertType.WARNING, "", quit, stay);
        alert.initOwner(stage);
        alert.setTitle("Cachalot is already running");
        alert.setHeaderText("Another Cachalot is already serving this cache.");
        alert.setContentText(reason + "\n\nUse the Cachalot that is running, or quit it first. To run a second cache "
                + "side by side, start this one with another data folder (CACHALOT_DATA or --data).");
        alert.getDialogPane().setId("alreadyServingDialog");
        alert.getDialogPane().setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        alert.resultProperty().addListener((o, a, result) -> {
            if (result == quit) stage.close();
        });
        alert.show();
    }

    /** The port is taken: say so and offer the next port instead of dying. */
    private void offerAnotherPort(String listen, String reason) {
        int colon = listen.lastIndexOf(':');
        String host = colon < 0 ? "127.0.0.1" : listen.substring(0, colon);
        int port = colon < 0 ? 5000 : Integer.parseInt(listen.substring(colon + 1));
        TextInputDialog dialog = new TextInputDialog(String.valueOf(port == 65535 ? 5001 : port + 1));
        dialog.initOwner(stage);
        dialog.setTitle("Cannot start the registry");
        String lower = reason.toLowerCase(java.util.Locale.ROOT);
        String why = lower.contains("in use") || lower.contains("bind")
                ? "Another program is already using port " + port + " on " + host + "."
                : reason;
        dialog.setHeaderText("The cache could not listen on " + listen + ".\n" + why);
        dialog.setContentText("Try another port on " + host + ":");
        dialog.getDialogPane().setId("portTakenDialog");
        dialog.resultProperty().addListener((o, a, text) -> {
            if (text == null) return;
            String t = text.strip();
            if (!t.matches("\\d{1,5}") || Integer.parseInt(t) < 1 || Integer.parseInt(t) > 65535) {
                offerAnotherPort(listen, "'" + t + "' is not a port number (1 to 65535).");
            } else {
                startServer(host + ":" + t);
            }
        });
        dialog.show();
    }

    private void show(Page page) {
        if (page == null || page == shown) return;
        if (shown != null) shown.deactivate();
        shown = page;
        content.getChildren().setAll(page.view());
        prefs.put("page", page.title());
        page.activate();
    }

    /** Selects a page by its title (for tests and the screenshot renderer). */
    public void select(String title) {
        pages.stream().filter(p -> p.title().equals(title)).findFirst().ifPresent(navigation.getSelectionModel()::select);
    }

    public List<Page> pages() {
        return pages;
    }

    public Stage stage() {
        return stage;
    }

    private MenuBar menuBar() {
        MenuItem newRule = item("New cache rule…", new KeyCodeCombination(KeyCode.N, KeyCombination.SHORTCUT_DOWN), () -> {
            select(rulesPage.title());
            rulesPage.openWizard();
        });
        MenuItem importRules = item("Import rules…", new KeyCodeCombination(KeyCode.I, KeyCombination.SHORTCUT_DOWN), () -> {
            select(rulesPage.title());
            rulesPage.chooseImport();
        });
        importRules.setId("menuImportRules");
        MenuItem exportRules = item("Export rules…", new KeyCodeCombination(KeyCode.E, KeyCombination.SHORTCUT_DOWN), () -> {
            select(rulesPage.title());
            rulesPage.chooseExport();
        });
        exportRules.setId("menuExportRules");
        MenuItem importBundle = item("Import bundle…", null, () -> {
            select(repositoriesPage.title());
            repositoriesPage.chooseImportBundle();
        });
        importBundle.setId("menuImportBundle");
        MenuItem quit = item("Quit", new KeyCodeCombination(KeyCode.Q, KeyCombination.SHORTCUT_DOWN), stage::close);
        MenuItem connect = item("Connect to engine…", new KeyCodeCombination(KeyCode.K, KeyCombination.SHORTCUT_DOWN),
                this::openConnectDialog);
        connect.setId("menuConnectEngine");
        MenuItem backToLocal = item("Back to local engine", new KeyCodeCombination(KeyCode.L,
                KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN), this::backToLocal);
        backToLocal.setId("menuLocalEngine");
        backToLocal.setDisable(remoteAddress == null);
        Menu file = new Menu("File", null, newRule, new javafx.scene.control.SeparatorMenuItem(), importRules, exportRules,
                new javafx.scene.control.SeparatorMenuItem(), importBundle, new javafx.scene.control.SeparatorMenuItem(),
                connect, backToLocal, new javafx.scene.control.SeparatorMenuItem(), quit);

        MenuItem delete = item("Delete…", new KeyCodeCombination(KeyCode.DELETE), () -> {
            if (shown != null) shown.deleteSelected();
        });
        MenuItem filter = item("Filter", new KeyCodeCombination(KeyCode.F, KeyCombination.SHORTCUT_DOWN), () -> {
            if (shown != null) shown.focusFilter();
        });
        Menu edit = new Menu("Edit", null, delete, filter);

        MenuItem refresh = item("Refresh", new KeyCodeCombination(KeyCode.F5), () -> {
            if (shown != null) shown.refresh();
            statusBar.refreshCacheSize();
        });
        ToggleGroup themes = new ToggleGroup();
        Menu theme = new Menu("Theme");
        for (Theme t : Theme.values()) {
            RadioMenuItem mi = new RadioMenuItem(t.toString());
            mi.setToggleGroup(themes);
            mi.setSelected(t == context.themeProperty().get());
            mi.setOnAction(e -> context.themeProperty().set(t));
            context.themeProperty().addListener((o, a, b) -> mi.setSelected(b == t));
            theme.getItems().add(mi);
        }
        Menu view = new Menu("View", null, refresh, theme);
        MenuItem about = new MenuItem("About Cachalot");
        about.setId("menuAbout");
        about.setOnAction(e -> AboutDialog.show(stage));
        Menu help = new Menu("Help", null, about);
        return new MenuBar(file, edit, view, help);
    }

    private static MenuItem item(String text, KeyCombination keys, Runnable action) {
        MenuItem mi = new MenuItem(text);
        mi.setAccelerator(keys);
        mi.setOnAction(e -> action.run());
        return mi;
    }

    /** ControlsFX's status bar: server state and address, cache size on the left, this session's pulls on the right. */
    private StatusBar statusBar() {
        Label state = new Label();
        state.setId("statusState");
        state.textProperty().bind(statusBar.stateTextProperty());
        state.setGraphic(Ui.icon(MaterialDesignS.SERVER_NETWORK));
        statusBar.statusProperty().addListener((o, a, s) -> {
            state.getStyleClass().removeAll("success", "danger", "warning");
            state.getStyleClass().add(s.state() == EngineStatus.State.RUNNING ? "success"
                    : s.state() == EngineStatus.State.ERROR ? "danger" : "warning");
        });
        Label engine = new Label(engineName());
        engine.setId("statusEngine");
        if (remoteAddress != null) engine.getStyleClass().add("warning"); // not this machine's cache: worth a glance
        Label address = new Label();
        address.setId("statusAddress");
        address.textProperty().bind(statusBar.addressProperty());
        Label size = new Label();
        size.setId("statusCacheSize");
        size.textProperty().bind(Bindings.concat("Cache: ", statusBar.cacheSizeProperty()));
        size.setGraphic(Ui.icon(MaterialDesignC.CACHED));
        Label pulls = new Label();
        pulls.setId("statusPulls");
        pulls.textProperty().bind(Bindings.concat("Pulls this session: ", statusBar.pullsProperty().asString()));
        StatusBar bar = new StatusBar();
        bar.setId("statusBar");
        bar.setText(""); // its own text would say "OK"; the state label says how the server is
        bar.getLeftItems().addAll(engine, new Separator(javafx.geometry.Orientation.VERTICAL), state, gap(), address, new Separator(javafx.geometry.Orientation.VERTICAL), size);
        bar.getRightItems().add(pulls);
        return bar;
    }

    private static Region gap() {
        Region gap = new Region();
        gap.setMinWidth(8);
        return gap;
    }

    /** The app icon in the sizes window managers pick from (generated from icons/cachalot.svg). */
    private void loadIcon() {
        for (int size : new int[]{16, 32, 64, 256}) {
            var url = MainWindow.class.getResource("/dev/cachalot/app/icons/cachalot-" + size + ".png");
            if (url != null) stage.getIcons().add(new Image(url.toExternalForm()));
        }
    }

    /** Saves geometry and stops the engine's server cleanly (in the background, so the FX thread is free). */
    public void close() {
        if (closed) return;
        closed = true;
        if (local != null) {
            local.close();
            return;
        }
        if (remoteShown != null) {
            remoteShown.closeRemote();
            remoteShown = null;
            shown = null; // deactivated when the remote engine was shown
        }
        if (!Double.isNaN(stage.getWidth())) {
            prefs.putDouble("width", stage.getWidth());
            prefs.putDouble("height", stage.getHeight());
            prefs.putDouble("x", stage.getX());
            prefs.putDouble("y", stage.getY());
        }
        prefs.flush();
        if (shown != null) shown.deactivate();
        statusBar.stop();
        server.stop();
    }

    public StatusBarViewModel statusBarModel() {
        return statusBar;
    }
}
