package dev.cachalot.app.credentials;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.LiveSubscription;
import dev.cachalot.app.common.Messages;
import dev.cachalot.engine.CredentialSetView;
import dev.cachalot.engine.EngineApi;
import dev.cachalot.rules.CacheRule;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/** Credential sets (never their secrets: the engine only hands out vault references). */
public final class CredentialsViewModel {
    private final EngineApi engine;
    private final Async async;
    private final ObservableList<CredentialSetView> sets = FXCollections.observableArrayList();
    private final FilteredList<CredentialSetView> filtered = new FilteredList<>(sets, c -> true);
    private final StringProperty filter = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper notice = new ReadOnlyStringWrapper("");
    private final LiveSubscription configChanges = new LiveSubscription();
    /** The set the "deleted" notice is about, so the notice goes once a set of that name exists again. */
    private String deletedName;

    public CredentialsViewModel(AppContext context) {
        this.engine = context.engine();
        this.async = context.async();
        filter.addListener((o, a, t) -> {
            String f = t == null ? "" : t.strip().toLowerCase(Locale.ROOT);
            filtered.setPredicate(c -> f.isEmpty() || (c.name() + " " + c.loginServer()).toLowerCase(Locale.ROOT).contains(f));
        });
    }

    public void refresh() {
        async.run(engine::credentialSets, list -> {
            sets.setAll(list);
            error.set("");
            if (deletedName != null && list.stream().anyMatch(c -> c.name().equals(deletedName))) {
                deletedName = null;
                notice.set("");
            }
        }, e -> error.set(Messages.human(e)));
    }

    /** While the page is shown, credential sets created or deleted elsewhere (the CLI, another app) appear by themselves. */
    public void activate() {
        configChanges.refreshOn(async, this::refresh, engine::onConfigChanged);
    }

    public void deactivate() {
        configChanges.close();
    }

    public void validate(CredentialSetView set) {
        deletedName = null;
        notice.set("Checking " + set.name() + " against " + set.loginServer() + "…");
        async.run(() -> engine.validateCredentialSet(set.name()), v -> {
            notice.set(v.name() + ": " + v.health() + (v.errorMessage() == null ? "" : " — " + v.errorMessage()));
            refresh();
        }, e -> {
            notice.set("");
            error.set(Messages.human(e));
        });
    }

    /** After "Update credentials": says how the new login fared and shows it in the table. */
    public void updated(CredentialSetView v) {
        deletedName = null;
        notice.set(v.name() + " updated: " + v.health() + (v.errorMessage() == null ? "" : " — " + v.errorMessage()));
        refresh();
    }

    /** The names of rules that use a set, for the delete confirmation. */
    public void rulesUsing(CredentialSetView set, java.util.function.Consumer<List<String>> answer) {
        async.run(() -> engine.rules().stream().filter(r -> set.name().equals(r.credentialSet())).map(CacheRule::name).toList(),
                answer, e -> error.set(Messages.human(e)));
    }

    public void delete(CredentialSetView set) {
        async.run(() -> {
            engine.deleteCredentialSet(set.name());
            return null;
        }, v -> {
            notice.set("Credential set " + set.name() + " deleted.");
            deletedName = set.name();
            refresh();
        }, e -> error.set(Messages.human(e)));
    }

    public ObservableList<CredentialSetView> credentialSets() { return filtered; }
    public StringProperty filterProperty() { return filter; }
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }
    public ReadOnlyStringProperty noticeProperty() { return notice.getReadOnlyProperty(); }
}
