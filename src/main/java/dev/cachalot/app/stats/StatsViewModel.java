package dev.cachalot.app.stats;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Coalescer;
import dev.cachalot.app.common.LiveSubscription;
import dev.cachalot.app.common.Messages;
import dev.cachalot.engine.EngineApi;
import dev.cachalot.stats.PullEvent;
import dev.cachalot.stats.RepositoryStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/** Pull statistics: recent events (live), per-repository aggregates, a time range, CSV export. */
public final class StatsViewModel {
    /** Time ranges the page offers. */
    public enum Range {
        HOUR("Last hour", Duration.ofHours(1)), DAY("Last 24 hours", Duration.ofDays(1)),
        WEEK("Last 7 days", Duration.ofDays(7)), ALL("All time", null);

        final String label;
        final Duration length;

        Range(String label, Duration length) {
            this.label = label;
            this.length = length;
        }

        Instant since() {
            return length == null ? null : Instant.now().minus(length);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    static final int RECENT_LIMIT = 500;
    private final EngineApi engine;
    private final Async async;
    private final ObservableList<PullEvent> events = FXCollections.observableArrayList();
    private final ObservableList<RepositoryStats> aggregates = FXCollections.observableArrayList();
    private final ObjectProperty<Range> range = new SimpleObjectProperty<>(Range.DAY);
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper notice = new ReadOnlyStringWrapper("");
    private final LiveSubscription pulls = new LiveSubscription();

    public StatsViewModel(AppContext context) {
        this.engine = context.engine();
        this.async = context.async();
        range.addListener((o, a, b) -> refresh());
    }

    public void refresh() {
        Range r = range.get();
        Instant since = r.since();
        async.run(() -> new Object[]{engine.recentPulls(RECENT_LIMIT), engine.repositoryStats(since)}, loaded -> {
            @SuppressWarnings("unchecked") List<PullEvent> es = (List<PullEvent>) loaded[0];
            @SuppressWarnings("unchecked") List<RepositoryStats> rs = (List<RepositoryStats>) loaded[1];
            events.setAll(es.stream().filter(e -> since == null || !e.at().isBefore(since)).toList());
            aggregates.setAll(rs);
            error.set("");
        }, e -> error.set(Messages.human(e)));
    }

    /** Live: new events go on top as they happen; aggregates follow. */
    public void activate() {
        refresh();
        Coalescer aggregatesRefresher = new Coalescer(async,
                () -> async.run(() -> engine.repositoryStats(range.get().since()), aggregates::setAll, x -> { }));
        pulls.open(engine.onPull(e -> {
            async.post(() -> {
                events.add(0, e);
                if (events.size() > RECENT_LIMIT) events.remove(RECENT_LIMIT, events.size());
            });
            aggregatesRefresher.signal();
        }));
    }

    public void deactivate() {
        pulls.close();
    }

    /** The events shown, as CSV with a header line. */
    public static String toCsv(List<PullEvent> events) {
        StringBuilder sb = new StringBuilder("time,repository,reference,digest,kind,outcome,bytes,upstream_bytes,duration_micros,client,error\n");
        for (PullEvent e : events) {
            sb.append(e.at()).append(',').append(csv(e.repository())).append(',').append(csv(e.reference())).append(',')
                    .append(csv(e.digest())).append(',').append(e.kind()).append(',').append(e.outcome()).append(',')
                    .append(e.bytes()).append(',').append(e.upstreamBytes()).append(',').append(e.durationMicros()).append(',')
                    .append(csv(e.client())).append(',').append(csv(e.error())).append('\n');
        }
        return sb.toString();
    }

    private static String csv(String s) {
        if (s == null) return "";
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    public void exportCsv(Path file) {
        List<PullEvent> snapshot = List.copyOf(events);
        async.run(() -> {
            try {
                Files.writeString(file, toCsv(snapshot), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IOException("cannot write " + file.getFileName() + ": " + e.getMessage(), e);
            }
            return snapshot.size();
        }, n -> notice.set("Exported " + n + " pull events to " + file.getFileName() + "."), e -> error.set(Messages.human(e)));
    }

    public ObservableList<PullEvent> events() { return events; }
    public ObservableList<RepositoryStats> aggregates() { return aggregates; }
    public ObjectProperty<Range> rangeProperty() { return range; }
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }
    public ReadOnlyStringProperty noticeProperty() { return notice.getReadOnlyProperty(); }
}
