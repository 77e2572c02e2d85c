package dev.cachalot.app.shell;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Coalescer;
import dev.cachalot.app.common.Formats;
import dev.cachalot.app.common.LiveSubscription;
import dev.cachalot.engine.EngineApi;
import dev.cachalot.engine.EngineStatus;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/** The status bar: the engine's address and state, cache size and a live count of pulls since the app started. */
public final class StatusBarViewModel {
    private final EngineApi engine;
    private final Async async;
    private final ReadOnlyObjectWrapper<EngineStatus> status = new ReadOnlyObjectWrapper<>(
            new EngineStatus(EngineStatus.State.STOPPED, "", null));
    private final ReadOnlyStringWrapper stateText = new ReadOnlyStringWrapper("Stopped");
    private final ReadOnlyStringWrapper address = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper cacheSize = new ReadOnlyStringWrapper("—");
    private final ReadOnlyLongWrapper pulls = new ReadOnlyLongWrapper(0);
    private final LiveSubscription live = new LiveSubscription();

    public StatusBarViewModel(AppContext context) {
        this.engine = context.engine();
        this.async = context.async();
        status.addListener((o, a, s) -> {
            address.set(s.address() == null ? "" : s.address());
            stateText.set(switch (s.state()) {
                case RUNNING -> "Running";
                case STARTING -> "Starting…";
                case STOPPED -> "Stopped";
                case ERROR -> "Error" + (s.message() == null ? "" : ": " + s.message());
            });
        });
    }

    /** Subscribes to the engine's status and pull events; they arrive on engine threads and are moved to the UI thread. */
    public void start() {
        Coalescer sizeRefresher = new Coalescer(async, this::refreshCacheSize);
        live.open(engine.onStatus(s -> async.post(() -> status.set(s))), engine.onPull(e -> {
            // a pull is a manifest GET (as StatsTotals counts); blob events only change the cache size
            // a failed pull served nothing: counting it would overstate what the cache did
            if (e.kind() == dev.cachalot.stats.PullEvent.Kind.IMAGE && e.outcome() != dev.cachalot.stats.PullEvent.Outcome.FAILED) async.post(() -> pulls.set(pulls.get() + 1));
            sizeRefresher.signal();
        }));
        async.run(engine::status, status::set, e -> { });
        refreshCacheSize();
    }

    public void refreshCacheSize() {
        async.run(engine::cacheSizeBytes, size -> cacheSize.set(Formats.bytes(size)), e -> cacheSize.set("—"));
    }

    public void stop() {
        live.close();
    }

    public ReadOnlyObjectProperty<EngineStatus> statusProperty() { return status.getReadOnlyProperty(); }
    public ReadOnlyStringProperty stateTextProperty() { return stateText.getReadOnlyProperty(); }
    public ReadOnlyStringProperty addressProperty() { return address.getReadOnlyProperty(); }
    public ReadOnlyStringProperty cacheSizeProperty() { return cacheSize.getReadOnlyProperty(); }
    public ReadOnlyLongProperty pullsProperty() { return pulls.getReadOnlyProperty(); }
}
