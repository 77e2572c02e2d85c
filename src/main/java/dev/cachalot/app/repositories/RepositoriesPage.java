package dev.cachalot.app.repositories;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Formats;
import dev.cachalot.app.common.Page;
import dev.cachalot.app.common.Tables;
import dev.cachalot.app.common.Ui;
import dev.cachalot.engine.ManifestView;
import dev.cachalot.engine.RepositoryView;
import dev.cachalot.engine.TagView;
import java.time.Instant;
import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputDialog;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignA;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignD;
import org.kordamp.ikonli.materialdesign2.MaterialDesignP;

/** Repositories: the local cache, its tags, a tag's manifest and layers. */
public final class RepositoriesPage implements Page {
    public static final String TABLE_ID = "repositoriesTable";
    private final RepositoriesViewModel vm;
    private final TableView<RepositoryView> repos = new TableView<>();
    private final TableView<TagView> tags = new TableView<>();
    private final TextField filter = new TextField();
    private final VBox root;

    public RepositoriesPage(AppContext context) {
        this.vm = new RepositoriesViewModel(context);
        filter.setId("repositoriesFilter");
        filter.setPromptText("Filter repositories (Ctrl+F)");
        filter.textProperty().bindBidirectional(vm.filterProperty());
        HBox.setHgrow(filter, Priority.ALWAYS);

        repos.setId(TABLE_ID);
        repos.setItems(vm.repositories());
        repos.getColumns().add(Tables.text("Repository", RepositoryView::name, 240));
        repos.getColumns().add(Tables.sorted("Size", RepositoryView::sizeBytes, Formats::bytes, 90));
        repos.getColumns().add(Tables.sorted("Tags", RepositoryView::tagCount, String::valueOf, 60));
        repos.getColumns().add(Tables.sorted("Last pulled", r -> r.lastPulled() == null ? Instant.EPOCH : r.lastPulled(), Formats::time, 165));
        repos.getColumns().add(Tables.sorted("Pulls", RepositoryView::pullCount, String::valueOf, 60));
        repos.getColumns().add(Tables.text("Origin", RepositoriesPage::origin, RepositoriesPage::origin, 280));
        repos.setPlaceholder(Ui.hint("Nothing cached yet. Pull an image through the cache (see Client setup), or use Pull into cache…"));
        repos.getSelectionModel().selectedItemProperty().addListener((o, a, r) -> vm.selectRepository(r == null ? null : r.name()));
        repos.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);

        tags.setId("tagsTable");
        tags.setItems(vm.tags());
        tags.getColumns().add(Tables.text("Tag", TagView::tag, 90));
        tags.getColumns().add(Tables.text("Digest", t -> Formats.shortDigest(t.digest()), TagView::digest, 165));
        tags.getColumns().add(Tables.text("Type", t -> Formats.mediaType(t.mediaType()), TagView::mediaType, 140));
        tags.getColumns().add(Tables.text("Platforms", t -> t.platforms().isEmpty() ? "—" : String.join(", ", t.platforms()),
                t -> t.platforms().isEmpty() ? "a single-platform image" : String.join("\n", t.platforms()), 190));
        tags.getColumns().add(Tables.sorted("Size", TagView::sizeBytes, Formats::bytes, 90));
        tags.getColumns().add(Tables.sorted("Last pulled", t -> t.lastPulled() == null ? Instant.EPOCH : t.lastPulled(), Formats::time, 165));
        tags.getColumns().add(Tables.sorted("Pulls", TagView::pullCount, String::valueOf, 60));
        tags.getSelectionModel().selectedItemProperty().addListener((o, a, t) -> vm.selectTag(t));
        tags.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);

        TextArea manifest = new TextArea();
        manifest.setId("manifestJson");
        manifest.setEditable(false);
        manifest.getStyleClass().add("monospace");
        manifest.setStyle("-fx-font-family: monospace;");
        manifest.textProperty().bind(vm.manifestJsonProperty());
        manifest.setPromptText("Select a tag to see its manifest.");
        TableView<ManifestView.Layer> layers = new TableView<>(vm.layers());
        layers.setId("layersTable");
        layers.getColumns().add(Tables.text("Digest", l -> Formats.shortDigest(l.digest()), ManifestView.Layer::digest, 165));
        layers.getColumns().add(Tables.text("Type", l -> Formats.mediaType(l.mediaType()), ManifestView.Layer::mediaType, 150));
        layers.getColumns().add(Tables.sorted("Size", ManifestView.Layer::size, Formats::bytes, 90));
        layers.getColumns().add(Tables.text("In cache", l -> l.cached() ? "yes" : "not yet", 80));
        layers.getColumns().add(Tables.text("Platform", l -> l.platform() == null ? "" : l.platform(), 140));
        layers.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);

        Button copy = new Button("Copy docker pull", Ui.icon(MaterialDesignC.CONTENT_COPY));
        copy.setId("copyPullCommand");
        copy.setTooltip(new javafx.scene.control.Tooltip("Copies the docker pull command of the selected tag"));
        copy.setOnAction(e -> {
            RepositoryView r = repos.getSelectionModel().getSelectedItem();
            TagView t = tags.getSelectionModel().getSelectedItem();
            if (r != null) Ui.copyToClipboard(vm.pullCommand(r.name(), t == null ? "latest" : t.tag()));
        });
        copy.disableProperty().bind(repos.getSelectionModel().selectedItemProperty().isNull());
        Button pull = new Button("Pull into cache…", Ui.icon(MaterialDesignP.PROGRESS_DOWNLOAD));
        pull.setId("prefetch");
        pull.setOnAction(e -> askPrefetch());
        pull.disableProperty().bind(vm.pullingProperty());
        Button exportBundle = new Button("Export bundle…", Ui.icon(MaterialDesignP.PACKAGE_DOWN));
        exportBundle.setId("exportBundle");
        exportBundle.setTooltip(new javafx.scene.control.Tooltip("Writes the selected repository's cached images to a tar file"
                + " (an OCI image layout) for a machine without network; drop such a file here to import it"));
        exportBundle.setOnAction(e -> chooseExportBundle());
        exportBundle.disableProperty().bind(repos.getSelectionModel().selectedItemProperty().isNull().or(vm.pullingProperty()));
        Button delete = new Button("Delete…", Ui.icon(MaterialDesignD.DELETE));
        delete.setId("deleteRepositoryOrTag");
        delete.setOnAction(e -> deleteSelected());
        delete.disableProperty().bind(repos.getSelectionModel().selectedItemProperty().isNull());
        ProgressBar progress = new ProgressBar();
        progress.setId("prefetchProgress");
        progress.setPrefWidth(220);
        progress.progressProperty().bind(vm.progressProperty());
        progress.visibleProperty().bind(vm.pullingProperty());
        progress.managedProperty().bind(progress.visibleProperty());
        Button cancel = new Button("Cancel");
        cancel.visibleProperty().bind(vm.pullingProperty());
        cancel.managedProperty().bind(cancel.visibleProperty());
        cancel.setOnAction(e -> vm.cancelPrefetch());
        Label progressText = new Label();
        progressText.setId("prefetchText");
        progressText.textProperty().bind(vm.progressTextProperty());

        // an index lists platform manifests: a double click (or Enter, or Open) shows one's layers, Back the index again
        Button open = new Button("Open platform", Ui.icon(MaterialDesignA.ARROW_RIGHT));
        open.setId("openPlatformManifest");
        open.setOnAction(e -> vm.openPlatform(layers.getSelectionModel().getSelectedItem()));
        open.disableProperty().bind(javafx.beans.binding.Bindings.createBooleanBinding(() -> {
            ManifestView.Layer l = layers.getSelectionModel().getSelectedItem();
            return l == null || l.platform() == null;
        }, layers.getSelectionModel().selectedItemProperty()));
        Button back = new Button("Back to index", Ui.icon(MaterialDesignA.ARROW_LEFT));
        back.setId("backToIndex");
        back.setOnAction(e -> vm.backToIndex());
        back.visibleProperty().bind(vm.openedPlatformProperty().isNotEmpty());
        back.managedProperty().bind(back.visibleProperty());
        Label opened = new Label();
        opened.setId("openedPlatform");
        opened.getStyleClass().add("text-muted");
        opened.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> vm.openedPlatformProperty().get().isEmpty()
                ? "" : "Platform " + vm.openedPlatformProperty().get() + " of the index", vm.openedPlatformProperty()));
        layers.setRowFactory(t -> {
            javafx.scene.control.TableRow<ManifestView.Layer> row = new javafx.scene.control.TableRow<>();
            row.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && !row.isEmpty()) vm.openPlatform(row.getItem());
            });
            return row;
        });
        layers.setOnKeyPressed(e -> {
            if (e.getCode() == javafx.scene.input.KeyCode.ENTER) vm.openPlatform(layers.getSelectionModel().getSelectedItem());
        });
        HBox platformBar = new HBox(8, back, open, opened);
        platformBar.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        VBox layersBox = new VBox(6, platformBar, layers);
        VBox.setVgrow(layers, Priority.ALWAYS);
        Tab layersTab = new Tab("Layers", layersBox);
        // an index lists platform manifests, not layers: say which the user is looking at, and offer to open one
        vm.layers().addListener((javafx.collections.ListChangeListener<ManifestView.Layer>) c -> {
            boolean index = !vm.layers().isEmpty() && vm.layers().stream().allMatch(l -> l.platform() != null);
            layersTab.setText(index ? "Platform manifests" : "Layers");
            open.setVisible(index);
        });
        open.managedProperty().bind(open.visibleProperty());
        open.setVisible(false);
        platformBar.visibleProperty().bind(open.visibleProperty().or(back.visibleProperty()));
        platformBar.managedProperty().bind(platformBar.visibleProperty());
        Tab manifestTab = new Tab("Manifest", manifest);
        TabPane details = new TabPane(layersTab, manifestTab);
        details.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        SplitPane split = new SplitPane(titled("Cached repositories", repos), titled("Tags of the selected repository", tags), details);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.34, 0.64);
        VBox.setVgrow(split, Priority.ALWAYS);
        cancel.setId("cancelPrefetch");
        HBox progressRow = new HBox(8, progress, cancel, progressText);
        progressRow.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        progressRow.visibleProperty().bind(vm.progressTextProperty().isNotEmpty());
        progressRow.managedProperty().bind(progressRow.visibleProperty());
        tags.setPlaceholder(Ui.hint("Select a repository to see its tags."));
        layers.setPlaceholder(Ui.hint("Select a tag to see its manifest's layers; for an image index, open a platform to see its layers."));
        // at 1024 px the filter gives way, not the buttons' labels
        for (Button b : java.util.List.of(copy, pull, exportBundle, delete)) b.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        filter.setMinWidth(120);
        root = Ui.pageBox(Ui.title("Repositories"), new HBox(8, filter, copy, pull, exportBundle, delete),
                progressRow, Ui.errorLabel(vm.errorProperty()), split);
        root.setOnDragOver(e -> {
            if (e.getDragboard().hasFiles()) e.acceptTransferModes(javafx.scene.input.TransferMode.COPY);
            e.consume();
        });
        root.setOnDragDropped(e -> {
            boolean taken = e.getDragboard().hasFiles() && handleDroppedFiles(e.getDragboard().getFiles());
            e.setDropCompleted(taken);
            e.consume();
        });
    }

    /** "rule team-all, from team/big" for a cached repository; "local (pushed)" for a plain one. */
    static String origin(RepositoryView r) {
        if (!r.cached()) return "local (pushed)";
        String rule = r.ruleName() == null ? "cached" : "rule " + r.ruleName();
        return r.upstream() == null ? rule : rule + ", from " + r.upstream();
    }

    /** A table with a small caption above it, so the three stacked parts of the page say what they are. */
    private static VBox titled(String caption, TableView<?> table) {
        Label l = new Label(caption);
        l.getStyleClass().addAll("text-muted", "text-small");
        VBox box = new VBox(4, l, table);
        box.setPadding(new javafx.geometry.Insets(4, 0, 0, 0));
        VBox.setVgrow(table, Priority.ALWAYS);
        return box;
    }

    /** A bundle ({@code .tar}) dropped on the page is imported; other files are not ours to take. */
    public boolean handleDroppedFiles(java.util.List<java.io.File> files) {
        java.util.Optional<java.io.File> bundle = files.stream().filter(f -> f.getName().toLowerCase(java.util.Locale.ROOT).endsWith(".tar"))
                .findFirst();
        bundle.ifPresent(f -> vm.importBundle(f.toPath(), finishedNotice("Bundle imported")));
        return bundle.isPresent();
    }

    /** Asks for a bundle and imports it (the File menu's Import bundle). */
    public void chooseImportBundle() {
        javafx.stage.FileChooser chooser = new javafx.stage.FileChooser();
        chooser.setTitle("Import bundle");
        chooser.getExtensionFilters().add(new javafx.stage.FileChooser.ExtensionFilter("Bundles (OCI image layout tar)", "*.tar"));
        java.io.File file = chooser.showOpenDialog(Ui.windowOf(root).orElse(null));
        if (file != null) vm.importBundle(file.toPath(), finishedNotice("Bundle imported"));
    }

    /** Asks which tags and where, then exports the selected repository as a bundle. */
    private void chooseExportBundle() {
        RepositoryView r = repos.getSelectionModel().getSelectedItem();
        if (r == null) return;
        TextInputDialog d = new TextInputDialog("");
        d.setTitle("Export bundle");
        d.setHeaderText("Which tags of " + r.name() + "? Only fully cached tags are written.");
        d.setContentText("Tags (blank: all; 3.19,3.20 · 3.* · re:REGEX · semver:>=3.19 <4)");
        Ui.windowOf(root).ifPresent(d::initOwner);
        d.showAndWait().ifPresent(tagFilter -> {
            javafx.stage.FileChooser chooser = new javafx.stage.FileChooser();
            chooser.setTitle("Export bundle");
            chooser.setInitialFileName(r.name().replace('/', '-') + ".tar");
            chooser.getExtensionFilters().add(new javafx.stage.FileChooser.ExtensionFilter("Bundles (OCI image layout tar)", "*.tar"));
            java.io.File file = chooser.showSaveDialog(Ui.windowOf(root).orElse(null));
            if (file != null) vm.exportBundle(r.name(), tagFilter, file.toPath(), finishedNotice("Bundle written"));
        });
    }

    /** Long work can outlast the page: its notice goes to the window, wherever the user is by then. */
    private java.util.function.Consumer<String> finishedNotice(String title) {
        javafx.stage.Window window = Ui.windowOf(root).orElse(null);
        return text -> Ui.notifyDone(window, title, text);
    }

    private void askPrefetch() {
        RepositoryView r = repos.getSelectionModel().getSelectedItem();
        TextInputDialog d = new TextInputDialog(r == null ? "library/nginx:latest" : r.name() + ":latest");
        d.setTitle("Pull into cache");
        d.setHeaderText("Pull an image into the cache now (all platforms)");
        d.setContentText("Repository:tag or @digest");
        Ui.windowOf(root).ifPresent(d::initOwner);
        // a pull can outlast the page: the notice goes to the window, wherever the user is by then
        javafx.stage.Window window = Ui.windowOf(root).orElse(null);
        java.util.function.Consumer<String> finished = text -> Ui.notifyDone(window, "Pull finished", text);
        d.resultProperty().addListener((o, a, text) -> {
            if (text == null || text.isBlank()) return;
            String t = text.strip();
            int at = t.indexOf('@');
            int colon = t.lastIndexOf(':');
            if (at > 0) vm.prefetch(t.substring(0, at), t.substring(at + 1), finished);
            else if (colon > t.lastIndexOf('/')) vm.prefetch(t.substring(0, colon), t.substring(colon + 1), finished);
            else vm.prefetch(t, "latest", finished);
        });
        d.show();
    }

    @Override
    public void deleteSelected() {
        RepositoryView r = repos.getSelectionModel().getSelectedItem();
        if (r == null) return;
        TagView t = tags.getSelectionModel().getSelectedItem();
        if (t != null) {
            Ui.confirm(Ui.windowOf(root).orElse(null), "Delete tag " + r.name() + ":" + t.tag() + "?",
                    "The next pull of this tag fetches it from the upstream again.", "Delete tag", () -> vm.deleteTag(r.name(), t.tag()));
        } else {
            Ui.confirm(Ui.windowOf(root).orElse(null), "Delete repository " + r.name() + "?",
                    "All its tags and manifests leave the cache (" + Formats.bytes(r.sizeBytes()) + ").", "Delete repository",
                    () -> vm.deleteRepository(r.name()));
        }
    }

    @Override public String title() { return "Repositories"; }
    @Override public Ikon icon() { return MaterialDesignD.DATABASE; }
    @Override public Node view() { return root; }
    @Override public void activate() { vm.activate(); }
    @Override public void deactivate() { vm.deactivate(); }
    @Override public void refresh() { vm.refresh(); }
    @Override public void focusFilter() { filter.requestFocus(); }
}
