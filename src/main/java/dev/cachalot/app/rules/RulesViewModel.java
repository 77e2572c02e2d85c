package dev.cachalot.app.rules;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Formats;
import dev.cachalot.app.common.LiveSubscription;
import dev.cachalot.app.common.Messages;
import dev.cachalot.engine.CredentialSetView;
import dev.cachalot.engine.EngineApi;
import dev.cachalot.engine.RuleState;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.ImportReport;
import dev.cachalot.stats.PullEvent;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/** The Cache rules page: the rule table with its filter, delete, credential-set change, import and export. */
public final class RulesViewModel {
    private final EngineApi engine;
    private final Async async;
    private final ObservableList<CacheRule> rules = FXCollections.observableArrayList();
    private final FilteredList<CacheRule> filtered = new FilteredList<>(rules, r -> true);
    private final ObservableList<String> credentialSets = FXCollections.observableArrayList();
    private final StringProperty filter = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper notice = new ReadOnlyStringWrapper("");
    private final LiveSubscription configChanges = new LiveSubscription();
    private final LiveSubscription pulls = new LiveSubscription();
    private volatile Map<String, RuleState> states = Map.of();

    public RulesViewModel(AppContext context) {
        this.engine = context.engine();
        this.async = context.async();
        filter.addListener((o, a, text) -> {
            String f = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
            filtered.setPredicate(r -> f.isEmpty() || (r.name() + " " + r.sourceRepository() + " " + r.targetRepository()
                    + " " + (r.credentialSet() == null ? "" : r.credentialSet())).toLowerCase(Locale.ROOT).contains(f));
        });
    }

    public void refresh() {
        async.run(() -> new Object[]{engine.rules(), engine.credentialSets(), engine.ruleStates()}, loaded -> {
            @SuppressWarnings("unchecked") List<CacheRule> rs = (List<CacheRule>) loaded[0];
            @SuppressWarnings("unchecked") List<CredentialSetView> cs = (List<CredentialSetView>) loaded[1];
            @SuppressWarnings("unchecked") Map<String, RuleState> st = (Map<String, RuleState>) loaded[2];
            states = st;
            rules.setAll(rs);
            credentialSets.setAll(cs.stream().map(CredentialSetView::name).toList());
            error.set("");
        }, e -> error.set(Messages.human(e)));
    }

    /** While the page is shown, rules and credential sets changed elsewhere (the CLI, another app) appear by themselves. */
    public void activate() {
        configChanges.refreshOn(async, this::refresh, engine::onConfigChanged);
        // a pull through a rule changes its last pull; image pulls alone, not each of their requests
        pulls.open(engine.onPull(e -> {
            if (e.kind() == PullEvent.Kind.IMAGE) async.post(this::refresh);
        }));
    }

    public void deactivate() {
        configChanges.close();
        pulls.close();
    }

    /** "ok 14:03" (today) or "ok 2026-12-01", "failed 14:03: the upstream refused access", or "no pulls yet". */
    public String lastPull(CacheRule rule) {
        RuleState state = states.get(rule.name());
        if (state == null || !state.pulled()) return "no pulls yet";
        String when = Formats.shortTime(state.lastPullAt());
        return state.lastPullFailed() ? "failed " + when + ": " + state.lastPullError() : "ok " + when;
    }

    /** The whole last pull, for the cell's tooltip: full time, what was pulled and the whole reason. */
    public String lastPullDetail(CacheRule rule) {
        RuleState state = states.get(rule.name());
        if (state == null || !state.pulled()) return "Nothing was pulled through this rule in the kept statistics.";
        String what = state.lastPullReference() == null ? "" : " (" + state.lastPullReference() + ")";
        return (state.lastPullFailed() ? "Failed " : "Served ") + Formats.time(state.lastPullAt()) + what
                + (state.lastPullFailed() ? ": " + state.lastPullError() : "");
    }

    /** The rule's upstream as last checked, in a word: "reachable", "needs login", "unreachable" or "not checked". */
    public String upstreamHealth(CacheRule rule) {
        RuleState state = states.get(rule.name());
        if (state == null || state.upstream() == null) return "not checked";
        return switch (state.upstream().result()) {
            case REACHABLE_ANONYMOUSLY -> "reachable";
            case NEEDS_LOGIN -> "needs login";
            case UNREACHABLE -> "unreachable";
        };
    }

    /** The upstream's last check in full, for the cell's tooltip. */
    public String upstreamHealthDetail(CacheRule rule) {
        RuleState state = states.get(rule.name());
        if (state == null || state.upstream() == null) return "Not checked since the engine started (Upstreams page: Check).";
        return state.upstream().summary() + " (checked " + Formats.time(state.upstream().checkedAt()) + ")";
    }

    public void delete(CacheRule rule) {
        async.run(() -> {
            engine.deleteRule(rule.name());
            return null;
        }, v -> {
            notice.set("Rule " + rule.name() + " deleted.");
            refresh();
        }, e -> error.set(Messages.human(e)));
    }

    /** Sets or clears ({@code null}) the credential set of a rule. */
    public void setCredentialSet(CacheRule rule, String credentialSet) {
        async.run(() -> engine.setRuleCredentialSet(rule.name(), credentialSet), r -> {
            notice.set("Rule " + r.name() + " now uses " + (credentialSet == null ? "anonymous pulls." : "credential set " + credentialSet + "."));
            refresh();
        }, e -> error.set(Messages.human(e)));
    }

    /** Dry run of an import: nothing changes until {@link #importConfirmed} is called. */
    public void previewImport(List<File> files, Consumer<ImportReport> onPreview) {
        List<Path> paths = files.stream().map(File::toPath).toList();
        error.set("");
        async.run(() -> engine.previewImport(paths, null), onPreview, e -> error.set(Messages.human(e)));
    }

    /** Imports the valid entries of files the user has seen in the preview. */
    public void importConfirmed(List<File> files) {
        List<Path> paths = files.stream().map(File::toPath).toList();
        async.run(() -> engine.importRules(paths, null, true), report -> {
            if (report.applied()) {
                notice.set("Imported " + report.imported() + " rule" + (report.imported() == 1 ? "" : "s") + ".");
            } else {
                error.set("Nothing was imported: " + String.join("; ", report.problems()));
            }
            refresh();
        }, e -> error.set(Messages.human(e)));
    }

    /** Writes the rules to {@code file} in {@code format}; null picks it by the file's extension. */
    public void export(File file, ExportFormat format) {
        String name = file.getName().toLowerCase(Locale.ROOT);
        ExportFormat chosen = format != null ? format
                : name.endsWith(".csv") ? ExportFormat.CSV
                : name.endsWith(".yaml") || name.endsWith(".yml") ? ExportFormat.CACHALOT_YAML : ExportFormat.CACHALOT_JSON;
        async.run(() -> {
            engine.exportRules(file.toPath(), chosen.id());
            return null;
        }, v -> notice.set("Exported " + rules.size() + " rules to " + file.getName() + " (" + chosen.description() + ")."),
                e -> error.set(Messages.human(e)));
    }

    public ObservableList<CacheRule> rules() { return filtered; }
    public ObservableList<String> credentialSets() { return credentialSets; }
    public StringProperty filterProperty() { return filter; }
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }
    /** Shows a line of news under the table (a rule was created in the wizard, …). */
    public void announce(String text) {
        error.set("");
        notice.set(text);
    }

    public ReadOnlyStringProperty noticeProperty() { return notice.getReadOnlyProperty(); }
}
