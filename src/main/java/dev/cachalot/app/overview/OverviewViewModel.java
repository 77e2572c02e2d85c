package dev.cachalot.app.overview;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Coalescer;
import dev.cachalot.app.common.Formats;
import dev.cachalot.app.common.LiveSubscription;
import dev.cachalot.app.common.Messages;
import dev.cachalot.engine.EngineApi;
import dev.cachalot.engine.EngineStatus;
import dev.cachalot.stats.RepositoryStats;
import dev.cachalot.stats.StatsTotals;
import dev.cachalot.stats.TimeBucket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/** Overview figures and chart data for the last 24 hours, refreshed on every pull while the page is shown. */
public final class OverviewViewModel {
    private final EngineApi engine;
    private final Async async;
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("—");
    private final ReadOnlyStringWrapper repositories = new ReadOnlyStringWrapper("—");
    private final ReadOnlyStringWrapper cacheSize = new ReadOnlyStringWrapper("—");
    private final ReadOnlyStringWrapper hitRatio = new ReadOnlyStringWrapper("—");
    private final ReadOnlyStringWrapper bytesFromCache = new ReadOnlyStringWrapper("—");
    private final ReadOnlyStringWrapper upstreamSaved = new ReadOnlyStringWrapper("—");
    private final ReadOnlyStringWrapper upstreamFetched = new ReadOnlyStringWrapper("—");
    private final ReadOnlyStringWrapper hubPullsAvoided = new ReadOnlyStringWrapper("—");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ObservableList<TimeBucket> buckets = FXCollections.observableArrayList();
    private final ObservableList<RepositoryStats> top = FXCollections.observableArrayList();
    private final javafx.beans.property.ReadOnlyBooleanWrapper noRules = new javafx.beans.property.ReadOnlyBooleanWrapper(false);
    private final LiveSubscription live = new LiveSubscription();

    public OverviewViewModel(AppContext context) {
        this.engine = context.engine();
        this.async = context.async();
    }

    private record Snapshot(EngineStatus status, int repositories, long size, StatsTotals totals, List<TimeBucket> buckets,
                            List<RepositoryStats> top, boolean noRules) {
    }

    public void refresh() {
        // 24 whole-hour buckets ending with the current hour, so each hour label appears once on the chart
        Instant since = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).minus(Duration.ofHours(23));
        async.run(() -> new Snapshot(engine.status(), engine.repositories().size(), engine.cacheSizeBytes(), engine.totals(since),
                engine.pullsOverTime(since, Duration.ofHours(1)), engine.repositoryStats(since), engine.rules().isEmpty()), s -> {
            noRules.set(s.noRules());
            status.set(describe(s.status()));
            repositories.set(String.valueOf(s.repositories()));
            cacheSize.set(Formats.bytes(s.size()));
            // no pulls answered yet: a ratio of 0 % would read as "the cache never hits"
            StatsTotals t = s.totals();
            hitRatio.set(t.hasHitRatio() ? Formats.percent(t.hitRatio()) : "—");
            upstreamFetched.set(Formats.bytes(t.upstreamBytes()));
            bytesFromCache.set(Formats.bytes(s.totals().bytesFromCache()));
            upstreamSaved.set(Formats.bytes(s.totals().bytesFromCache()));
            hubPullsAvoided.set(String.valueOf(s.totals().dockerHubPullsAvoided()));
            buckets.setAll(s.buckets());
            top.setAll(rankServed(s.top()));
            error.set("");
        }, e -> error.set(Messages.human(e)));
    }

    /**
     * The most pulled repositories by pulls that were answered with an image: one that only ever failed (a typo, an
     * upstream that refuses it) or only had blobs fetched was never served and does not rank.
     */
    static List<RepositoryStats> rankServed(List<RepositoryStats> stats) {
        return stats.stream().filter(r -> r.served() > 0)
                .sorted(java.util.Comparator.comparingLong(RepositoryStats::served).reversed()
                        .thenComparing(RepositoryStats::repository))
                .limit(8).toList();
    }

    static String describe(EngineStatus s) {
        return switch (s.state()) {
            case RUNNING -> "Running";
            case STARTING -> "Starting";
            case STOPPED -> "Stopped";
            case ERROR -> "Error";
        };
    }

    /** Live while shown: pulls and status changes refresh the figures. */
    public void activate() {
        refresh();
        Coalescer refresher = new Coalescer(async, this::refresh);
        live.open(engine.onPull(e -> refresher.signal()), engine.onStatus(s -> async.post(() -> status.set(describe(s)))));
    }

    public void deactivate() {
        live.close();
    }

    public ReadOnlyStringProperty statusProperty() { return status.getReadOnlyProperty(); }
    public ReadOnlyStringProperty repositoriesProperty() { return repositories.getReadOnlyProperty(); }
    public ReadOnlyStringProperty cacheSizeProperty() { return cacheSize.getReadOnlyProperty(); }
    public ReadOnlyStringProperty hitRatioProperty() { return hitRatio.getReadOnlyProperty(); }
    public ReadOnlyStringProperty bytesFromCacheProperty() { return bytesFromCache.getReadOnlyProperty(); }
    public ReadOnlyStringProperty upstreamSavedProperty() { return upstreamSaved.getReadOnlyProperty(); }
    public ReadOnlyStringProperty upstreamFetchedProperty() { return upstreamFetched.getReadOnlyProperty(); }
    public ReadOnlyStringProperty hubPullsAvoidedProperty() { return hubPullsAvoided.getReadOnlyProperty(); }
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }
    public ObservableList<TimeBucket> buckets() { return buckets; }
    public ObservableList<RepositoryStats> top() { return top; }
    /** True while no cache rule exists: the first thing to do is create one. */
    public javafx.beans.property.ReadOnlyBooleanProperty noRulesProperty() { return noRules.getReadOnlyProperty(); }
}
