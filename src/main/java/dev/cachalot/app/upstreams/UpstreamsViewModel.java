package dev.cachalot.app.upstreams;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.LiveSubscription;
import dev.cachalot.app.common.Messages;
import dev.cachalot.engine.EngineApi;
import dev.cachalot.engine.UpstreamCheck;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.Upstream;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Upstreams page's state: the catalog and the custom upstreams with their last health check. Custom upstreams not
 * checked yet are checked when the page is shown (they are the user's own endpoints, as Harbor checks its registry
 * endpoints); catalog upstreams only on "Check now", so opening a page never contacts a public registry by itself.
 */
public final class UpstreamsViewModel {
    private final EngineApi engine;
    private final Async async;
    private final ObservableList<UpstreamRow> rows = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper notice = new ReadOnlyStringWrapper("");
    private final LiveSubscription configChanges = new LiveSubscription();

    public UpstreamsViewModel(AppContext context) {
        this.engine = context.engine();
        this.async = context.async();
    }

    public void refresh() {
        async.run(this::load, list -> {
            rows.setAll(list);
            error.set("");
        }, e -> error.set(Messages.human(e)));
    }

    private List<UpstreamRow> load() {
        Map<String, UpstreamCheck> checks = engine.upstreamChecks();
        return engine.upstreams().stream().map(u -> new UpstreamRow(u, checks.get(u.loginServer()))).toList();
    }

    /** Shown: custom upstreams never checked are checked now; changes from the CLI or another app appear by themselves. */
    public void activate() {
        configChanges.refreshOn(async, this::refresh, engine::onConfigChanged);
        async.run(() -> {
            Map<String, UpstreamCheck> checks = engine.upstreamChecks();
            for (Upstream u : engine.upstreams()) {
                if (!u.builtIn() && !checks.containsKey(u.loginServer())) engine.checkUpstream(u.loginServer());
            }
            return load();
        }, rows::setAll, e -> error.set(Messages.human(e)));
    }

    public void deactivate() {
        configChanges.close();
    }

    public void check(UpstreamRow row) {
        notice.set("Checking " + row.upstream().loginServer() + "…");
        async.run(() -> engine.checkUpstream(row.upstream().loginServer()), c -> {
            notice.set(c.loginServer() + ": " + c.summary());
            refresh();
        }, e -> {
            notice.set("");
            error.set(Messages.human(e));
        });
    }

    /** The names of the rules pulling from an upstream, for the remove confirmation. */
    public void rulesUsing(UpstreamRow row, Consumer<List<String>> answer) {
        String server = row.upstream().loginServer();
        async.run(() -> engine.rules().stream()
                        .filter(r -> r.sourceRepository().equals(server) || r.sourceRepository().startsWith(server + "/"))
                        .map(CacheRule::name).sorted().toList(),
                answer, e -> error.set(Messages.human(e)));
    }

    /** Removes a custom upstream; the engine refuses while rules use it, and its reason names them. */
    public void remove(UpstreamRow row) {
        String server = row.upstream().loginServer();
        async.run(() -> {
            engine.removeUpstream(server);
            return null;
        }, v -> {
            error.set("");
            notice.set("Upstream " + server + " removed.");
            refresh();
        }, e -> {
            notice.set("");
            error.set("Cannot remove " + server + ": " + Messages.human(e));
        });
    }

    public void saved(Upstream u) {
        notice.set("Upstream " + u.loginServer() + " saved.");
        async.run(() -> {
            engine.checkUpstream(u.loginServer());
            return load();
        }, rows::setAll, e -> error.set(Messages.human(e)));
    }

    public ObservableList<UpstreamRow> rows() { return rows; }
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }
    public ReadOnlyStringProperty noticeProperty() { return notice.getReadOnlyProperty(); }
}
