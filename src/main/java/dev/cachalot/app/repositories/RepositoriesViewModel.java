package dev.cachalot.app.repositories;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Formats;
import dev.cachalot.app.common.LiveSubscription;
import dev.cachalot.app.common.Messages;
import dev.cachalot.bundle.BundleExportReport;
import dev.cachalot.bundle.BundleImportReport;
import dev.cachalot.bundle.BundleSelection;
import dev.cachalot.engine.EngineApi;
import dev.cachalot.engine.ManifestView;
import dev.cachalot.engine.RepositoryView;
import dev.cachalot.engine.TagView;
import dev.cachalot.rules.PlatformFilter;
import dev.cachalot.rules.TagFilter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/** Browsing the local cache: repositories → tags → manifest and layers; pull into cache now; delete. */
public final class RepositoriesViewModel {
    private final EngineApi engine;
    private final Async async;
    private final ObservableList<RepositoryView> repositories = FXCollections.observableArrayList();
    private final FilteredList<RepositoryView> filtered = new FilteredList<>(repositories, r -> true);
    private final ObservableList<TagView> tags = FXCollections.observableArrayList();
    private final ObservableList<ManifestView.Layer> layers = FXCollections.observableArrayList();
    private final StringProperty filter = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper manifestJson = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper progressText = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper pulling = new ReadOnlyBooleanWrapper(false);
    /** 0 to 1, or -1 (indeterminate) while the total is not known yet. */
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(-1);
    /** The platform whose manifest is open from the selected tag's index ("" while the tag's own manifest shows). */
    private final ReadOnlyStringWrapper openedPlatform = new ReadOnlyStringWrapper("");
    private String selectedRepository;
    private TagView selectedTag;
    private Async.Cancellable pull;
    private final LiveSubscription pulls = new LiveSubscription();

    public RepositoriesViewModel(AppContext context) {
        this.engine = context.engine();
        this.async = context.async();
        filter.addListener((o, a, t) -> {
            String f = t == null ? "" : t.strip().toLowerCase(Locale.ROOT);
            filtered.setPredicate(r -> f.isEmpty() || r.name().contains(f));
        });
    }

    public void refresh() {
        async.run(engine::repositories, list -> {
            repositories.setAll(list);
            if (selectedRepository != null) selectRepository(selectedRepository);
        }, e -> error.set(Messages.human(e)));
    }

    /** Live: every pull refreshes the list, without the user pressing F5. */
    public void activate() {
        pulls.refreshOn(async, this::refresh, signal -> engine.onPull(e -> signal.run()));
    }

    public void deactivate() {
        pulls.close();
    }

    public void selectRepository(String repository) {
        selectedRepository = repository;
        if (repository == null) {
            tags.clear();
            return;
        }
        async.run(() -> engine.tags(repository), tags::setAll, e -> error.set(Messages.human(e)));
    }

    public void selectTag(TagView tag) {
        selectedTag = tag;
        openedPlatform.set("");
        if (tag == null || selectedRepository == null) {
            manifestJson.set("");
            layers.clear();
            return;
        }
        String repo = selectedRepository;
        async.run(() -> engine.manifest(repo, tag.digest()), m -> {
            manifestJson.set(m.map(ManifestView::prettyJson).orElse("The manifest is not in the cache."));
            layers.setAll(m.map(ManifestView::layers).orElse(java.util.List.of()));
        }, e -> error.set(Messages.human(e)));
    }

    /**
     * Opens one platform manifest of the selected tag's index, so its layers and JSON show (as Harbor clicks
     * through an index). A platform nobody pulled yet is not in the cache, and says so.
     */
    public void openPlatform(ManifestView.Layer child) {
        if (child == null || child.platform() == null || selectedRepository == null) return;
        String repo = selectedRepository;
        async.run(() -> engine.manifest(repo, child.digest()), m -> {
            openedPlatform.set(child.platform());
            manifestJson.set(m.map(ManifestView::prettyJson).orElse("The " + child.platform() + " manifest is not in the cache yet: "
                    + "pull that platform through the cache, or use Pull into cache… for every platform."));
            layers.setAll(m.map(ManifestView::layers).orElse(java.util.List.of()));
        }, e -> error.set(Messages.human(e)));
    }

    /** Back from a platform manifest to the index of the selected tag. */
    public void backToIndex() {
        selectTag(selectedTag);
    }

    public ReadOnlyStringProperty openedPlatformProperty() { return openedPlatform.getReadOnlyProperty(); }

    /** {@code docker pull <engine address>/<repository>:<tag>}. */
    public String pullCommand(String repository, String tag) {
        String address = engine.status().address();
        return "docker pull " + (address == null || address.isBlank() ? "127.0.0.1:5000" : address) + "/" + repository + ":" + tag;
    }

    /** Pulls a reference into the cache now, with progress and the option to cancel. */
    public void prefetch(String repository, String reference) {
        prefetch(repository, reference, done -> { });
    }

    /** As {@link #prefetch(String, String)}; {@code finished} gets the sentence saying the image is in the cache. */
    public void prefetch(String repository, String reference, Consumer<String> finished) {
        error.set("");
        pulling.set(true);
        progress.set(-1);
        String image = repository + (reference.startsWith("sha256:") ? "@" : ":") + reference;
        progressText.set("Pulling " + image + "…");
        pull = async.run(() -> {
            engine.prefetch(repository, reference, (Long bytes, Long total) -> async.post(() -> {
                if (!pulling.get()) return; // cancelled meanwhile
                progress.set(total > 0 ? Math.min(1.0, (double) bytes / total) : -1);
                progressText.set(progressText(image, bytes, total));
            }));
            return null;
        }, v -> {
            pulling.set(false);
            progress.set(1);
            progressText.set(image + " is in the cache.");
            refresh();
            finished.accept(progressText.get());
        }, e -> {
            pulling.set(false);
            progressText.set("");
            error.set(Messages.human(e));
        });
    }

    /** "Pulling team/app:1.0 — 12.0 MiB of 48.0 MiB (25 %)", or bytes alone while the total is unknown. */
    static String progressText(String image, long bytes, long total) {
        if (total <= 0) return "Pulling " + image + " — " + Formats.bytes(bytes);
        return "Pulling " + image + " — " + Formats.bytes(bytes) + " of " + Formats.bytes(total) + " ("
                + Formats.percent(Math.min(1.0, (double) bytes / total)) + ")";
    }

    public void cancelPrefetch() {
        if (pull != null) pull.cancel();
        pulling.set(false);
        progressText.set("Cancelled.");
    }

    /**
     * Writes the fully cached tags of {@code repository} that {@code tagFilter} selects (blank: all) to {@code file}
     * as a bundle, with progress and Cancel as a pull into the cache has; {@code finished} gets what was written.
     */
    public void exportBundle(String repository, String tagFilter, Path file, Consumer<String> finished) {
        TagFilter filter;
        try {
            filter = tagFilter == null || tagFilter.isBlank() ? TagFilter.ALL : TagFilter.parse(tagFilter);
        } catch (IllegalArgumentException e) {
            error.set(e.getMessage());
            return;
        }
        BundleSelection selection = BundleSelection.ofRepository(repository, filter, PlatformFilter.ALL);
        runBundleWork("Exporting " + repository, () -> engine.exportBundle(selection, file, progressTo("Exporting " + repository)),
                (BundleExportReport r) -> "Wrote " + file.getFileName() + ": " + r.tags().size() + " tag(s), " + Formats.bytes(r.bytes())
                        + (r.skipped().isEmpty() ? "." : "; left out (not fully cached): "
                        + String.join(", ", r.skipped().stream().map(BundleExportReport.Skipped::refName).toList()) + "."), finished);
    }

    /** Verifies a bundle and loads it into the cache, all or nothing, with progress and Cancel. */
    public void importBundle(Path file, Consumer<String> finished) {
        String what = "Importing " + file.getFileName();
        runBundleWork(what, () -> engine.importBundle(file, progressTo(what)),
                (BundleImportReport r) -> "Imported " + file.getFileName() + ": " + r.images() + " image(s), " + r.tags() + " tag(s), "
                        + Formats.bytes(r.bytes()) + " new, " + r.alreadyPresent() + " blob(s) already present.", finished);
    }

    private java.util.function.BiConsumer<Long, Long> progressTo(String what) {
        return (bytes, total) -> async.post(() -> {
            if (!pulling.get()) return; // cancelled meanwhile
            progress.set(total > 0 ? Math.min(1.0, (double) bytes / total) : -1);
            progressText.set(what + " — " + Formats.bytes(bytes) + (total > 0 ? " of " + Formats.bytes(total) : ""));
        });
    }

    private <R> void runBundleWork(String what, java.util.concurrent.Callable<R> work, java.util.function.Function<R, String> done,
                                   Consumer<String> finished) {
        error.set("");
        pulling.set(true);
        progress.set(-1);
        progressText.set(what + "…");
        pull = async.run(work, report -> {
            pulling.set(false);
            progress.set(1);
            progressText.set(done.apply(report));
            refresh();
            finished.accept(progressText.get());
        }, e -> {
            pulling.set(false);
            progressText.set("");
            error.set(Messages.human(e));
        });
    }

    public void deleteTag(String repository, String tag) {
        async.run(() -> {
            engine.deleteTag(repository, tag);
            return null;
        }, v -> refresh(), e -> error.set(Messages.human(e)));
    }

    public void deleteRepository(String repository) {
        async.run(() -> {
            engine.deleteRepository(repository);
            return null;
        }, v -> {
            selectedRepository = null;
            tags.clear();
            refresh();
        }, e -> error.set(Messages.human(e)));
    }

    public ObservableList<RepositoryView> repositories() { return filtered; }
    public ObservableList<TagView> tags() { return tags; }
    public ObservableList<ManifestView.Layer> layers() { return layers; }
    public StringProperty filterProperty() { return filter; }
    public ReadOnlyStringProperty manifestJsonProperty() { return manifestJson.getReadOnlyProperty(); }
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }
    public ReadOnlyStringProperty progressTextProperty() { return progressText.getReadOnlyProperty(); }
    public ReadOnlyDoubleProperty progressProperty() { return progress.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty pullingProperty() { return pulling.getReadOnlyProperty(); }
}
