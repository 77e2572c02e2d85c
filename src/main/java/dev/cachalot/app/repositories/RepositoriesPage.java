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
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputDialog;
import javafx.geometry.Orientation;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.Ikon;
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
        repos.getColumns().add(Tables.text("Repository", RepositoryView::name, 200));
        repos.getColumns().add(Tables.sorted("Size", RepositoryView::sizeBytes, Formats::bytes, 90));
        repos.getColumns().add(Tables.sorted("Tags", RepositoryView::tagCount, String::valueOf, 50));
        repos.getColumns().add(Tables.sorted("Last pulled", r -> r.lastPulled() == null ? Instant.EPOCH : r.lastPulled(), Formats::time, 150));
        repos.getColumns().add(Tables.sorted("Pulls", RepositoryView::pullCount, String::valueOf, 60));
        repos.getColumns().add(Tables.text("Kind", r -> r.cached() ? "cached" + (r.upstream() == null ? "" : " from " + r.upstream()) : "local", 140));
        repos.setPlaceholder(new Label("Nothing cached yet. Pull an image through the cache, or use Pull into cache."));
        repos.getSelectionModel().selectedItemProperty().addListener((o, a, r) -> vm.selectRepository(r == null ? null : r.name()));

        tags.setId("tagsTable");
        tags.setItems(vm.tags());
        tags.getColumns().add(Tables.text("Tag", TagView::tag, 100));
        tags.getColumns().add(Tables.text("Digest", t -> Formats.shortDigest(t.digest()), 150));
        tags.getColumns().add(Tables.text("Media type", TagView::mediaType, 200));
        tags.getColumns().add(Tables.text("Platforms", t -> String.join(", ", t.platforms()), 150));
        tags.getColumns().add(Tables.sorted("Size", TagView::sizeBytes, Formats::bytes, 90));
        tags.getColumns().add(Tables.sorted("Last pulled", t -> t.lastPulled() == null ? Instant.EPOCH : t.lastPulled(), Formats::time, 150));
        tags.getColumns().add(Tables.sorted("Pulls", TagView::pullCount, String::valueOf, 60));
        tags.getSelectionModel().selectedItemProperty().addListener((o, a, t) -> vm.selectTag(t));

        TextArea manifest = new TextArea();
        manifest.setId("manifestJson");
        manifest.setEditable(false);
        manifest.setStyle("-fx-font-family: monospace;");
        manifest.textProperty().bind(vm.manifestJsonProperty());
        TableView<ManifestView.Layer> layers = new TableView<>(vm.layers());
        layers.getColumns().add(Tables.text("Layer", l -> Formats.shortDigest(l.digest()), 160));
        layers.getColumns().add(Tables.text("Media type", ManifestView.Layer::mediaType, 220));
        layers.getColumns().add(Tables.sorted("Size", ManifestView.Layer::size, Formats::bytes, 90));
        layers.getColumns().add(Tables.text("Cached", l -> l.cached() ? "yes" : "no", 60));
        layers.getColumns().add(Tables.text("Platform", l -> l.platform() == null ? "" : l.platform(), 100));

        Button copy = new Button("Copy docker pull", Ui.icon(MaterialDesignC.CONTENT_COPY));
        copy.setId("copyPullCommand");
        copy.setOnAction(e -> {
            RepositoryView r = repos.getSelectionModel().getSelectedItem();
            TagView t = tags.getSelectionModel().getSelectedItem();
            if (r != null) Ui.copyToClipboard(vm.pullCommand(r.name(), t == null ? "latest" : t.tag()));
        });
        copy.disableProperty().bind(repos.getSelectionModel().selectedItemProperty().isNull());
        Button pull = new Button("Pull into cache…", Ui.icon(MaterialDesignP.PROGRESS_DOWNLOAD));
        pull.setId("prefetch");
        pull.setOnAction(e -> askPrefetch());
        Button delete = new Button("Delete…", Ui.icon(MaterialDesignD.DELETE));
        delete.setId("deleteRepositoryOrTag");
        delete.setOnAction(e -> deleteSelected());
        delete.disableProperty().bind(repos.getSelectionModel().selectedItemProperty().isNull());
        ProgressBar progress = new ProgressBar();
        progress.setId("prefetchProgress");
        progress.visibleProperty().bind(vm.pullingProperty());
        Button cancel = new Button("Cancel");
        cancel.visibleProperty().bind(vm.pullingProperty());
        cancel.setOnAction(e -> vm.cancelPrefetch());
        Label progressText = new Label();
        progressText.textProperty().bind(vm.progressTextProperty());

        SplitPane details = new SplitPane(tags, new SplitPane(manifest, layers));
        details.setOrientation(Orientation.VERTICAL);
        ((SplitPane) details.getItems().get(1)).setOrientation(Orientation.HORIZONTAL);
        SplitPane split = new SplitPane(repos, details);
        split.setDividerPositions(0.5);
        VBox.setVgrow(split, Priority.ALWAYS);
        cancel.setId("cancelPrefetch");
        HBox progressRow = new HBox(8, progress, cancel, progressText);
        progressRow.visibleProperty().bind(vm.progressTextProperty().isNotEmpty());
        progressRow.managedProperty().bind(progressRow.visibleProperty());
        tags.setPlaceholder(new Label("Select a repository to see its tags."));
        layers.setPlaceholder(new Label("Select a tag to see its layers."));
        repos.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        root = Ui.pageBox(Ui.title("Repositories"), new HBox(8, filter, copy, pull, delete),
                progressRow, Ui.errorLabel(vm.errorProperty()), split);
    }

    private void askPrefetch() {
        RepositoryView r = repos.getSelectionModel().getSelectedItem();
        TextInputDialog d = new TextInputDialog(r == null ? "library/nginx:latest" : r.name() + ":latest");
        d.setTitle("Pull into cache");
        d.setHeaderText("Pull an image into the cache now (all platforms)");
        d.setContentText("Repository:tag or @digest");
        Ui.windowOf(root).ifPresent(d::initOwner);
        d.resultProperty().addListener((o, a, text) -> {
            if (text == null || text.isBlank()) return;
            String t = text.strip();
            int at = t.indexOf('@');
            int colon = t.lastIndexOf(':');
            if (at > 0) vm.prefetch(t.substring(0, at), t.substring(at + 1));
            else if (colon > t.lastIndexOf('/')) vm.prefetch(t.substring(0, colon), t.substring(colon + 1));
            else vm.prefetch(t, "latest");
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
