package dev.cachalot.app.rules;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Messages;
import dev.cachalot.engine.CredentialSetView;
import dev.cachalot.engine.EngineApi;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.CredentialSetName;
import dev.cachalot.rules.Upstream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The create-cache-rule wizard's state and checks, without a window. Steps: source registry → path, target and
 * name (checked live through {@link EngineApi#checkRule}) → authentication (as the upstream allows) → review.
 * Problems the engine reports about credentials belong to the authentication step; the others are shown
 * under the target (or the name, when they are about the rule name).
 */
public final class RuleWizardViewModel {

    /** How the rule authenticates upstream. */
    public enum AuthChoice { ANONYMOUS, EXISTING, NEW }

    private final EngineApi engine;
    private final Async async;
    private final AppContext context;

    private final ObservableList<Upstream> upstreams = FXCollections.observableArrayList();
    private final ObjectProperty<Upstream> upstream = new SimpleObjectProperty<>();
    private final ReadOnlyStringWrapper loginServer = new ReadOnlyStringWrapper("");
    private final StringProperty path = new SimpleStringProperty("");
    private final BooleanProperty wildcard = new SimpleBooleanProperty(false);
    private final ReadOnlyStringWrapper preview = new ReadOnlyStringWrapper("");
    private final StringProperty target = new SimpleStringProperty("");
    private final StringProperty name = new SimpleStringProperty("");
    /** What is wrong with the path as typed, known without the engine. */
    private final ReadOnlyStringWrapper localPathError = new ReadOnlyStringWrapper("");
    /** What the engine says about the source repository. */
    private final ReadOnlyStringWrapper enginePathError = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper pathError = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper targetError = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper nameError = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper checking = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper checkedValid = new ReadOnlyBooleanWrapper(false);

    private final ObjectProperty<AuthChoice> authChoice = new SimpleObjectProperty<>(AuthChoice.ANONYMOUS);
    private final ObservableList<String> credentialSets = FXCollections.observableArrayList();
    private final List<CredentialSetView> allCredentialSets = new ArrayList<>();
    private final StringProperty existingCredentialSet = new SimpleStringProperty();
    private final StringProperty newCredentialName = new SimpleStringProperty("");
    private final StringProperty newUsername = new SimpleStringProperty("");
    private final StringProperty newPassword = new SimpleStringProperty("");
    /** What stops the authentication step; shown as {@link #authError} except for untouched new-set fields. */
    private final ReadOnlyStringWrapper authProblem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper authError = new ReadOnlyStringWrapper("");
    /** Whether the user typed into the new-credential-set fields: empty fields on a fresh step are not a mistake. */
    private boolean newCredentialTyped;
    private final ReadOnlyStringWrapper engineAuthProblem = new ReadOnlyStringWrapper("");

    private final BooleanBinding sourceValid;
    private final BooleanBinding targetStepValid;
    private final BooleanBinding authStepValid;
    private final BooleanBinding authSkipped;
    private final ReadOnlyStringWrapper review = new ReadOnlyStringWrapper("");

    /** The empty-path hint turns into an error only once the user has typed (a fresh step is not a mistake). */
    private boolean pathTyped;
    private boolean targetEdited;
    private boolean nameEdited;
    private boolean applyingSuggestion;
    private long checkGeneration;

    public RuleWizardViewModel(AppContext context) {
        this.engine = context.engine();
        this.async = context.async();
        this.context = context;

        upstream.addListener((o, a, u) -> {
            loginServer.set(u == null ? "" : u.loginServer());
            authChoice.set(u != null && u.authMode() == AuthMode.AUTHENTICATED_ONLY ? AuthChoice.EXISTING : AuthChoice.ANONYMOUS);
            filterCredentialSets();
            onSourceChanged();
        });
        path.addListener((o, a, b) -> {
            if (b != null && !b.isEmpty()) pathTyped = true;
            if (interpretPath(b)) return; // the path was rewritten: its own change runs the checks
            onSourceChanged();
        });
        wildcard.addListener((o, a, b) -> onSourceChanged());
        target.addListener((o, a, b) -> {
            if (!applyingSuggestion) targetEdited = true;
            suggestName();
            check();
        });
        name.addListener((o, a, b) -> {
            if (!applyingSuggestion) nameEdited = true;
            check();
        });
        authChoice.addListener((o, a, b) -> check());
        existingCredentialSet.addListener((o, a, b) -> check());
        newCredentialName.addListener((o, a, b) -> {
            newCredentialTyped |= b != null && !b.isEmpty();
            updateAuthError();
            check();
        });
        newUsername.addListener((o, a, b) -> {
            newCredentialTyped |= b != null && !b.isEmpty();
            updateAuthError();
        });
        newPassword.addListener((o, a, b) -> {
            newCredentialTyped |= b != null && !b.isEmpty();
            updateAuthError();
        });

        pathError.bind(Bindings.createStringBinding(
                () -> localPathError.get().isEmpty() ? enginePathError.get() : localPathError.get(), localPathError, enginePathError));
        sourceValid = upstream.isNotNull();
        targetStepValid = Bindings.createBooleanBinding(
                () -> pathError.get().isEmpty() && (!path.get().isBlank() || wildcard.get()) && targetError.get().isEmpty()
                        && nameError.get().isEmpty() && checkedValid.get() && !checking.get(),
                pathError, path, wildcard, targetError, nameError, checkedValid, checking);
        authSkipped = Bindings.createBooleanBinding(
                () -> upstream.get() != null && upstream.get().authMode() == AuthMode.ANONYMOUS_ONLY, upstream);
        authStepValid = Bindings.createBooleanBinding(() -> authProblem.get().isEmpty(), authProblem);
        review.bind(Bindings.createStringBinding(this::reviewText, upstream, path, wildcard, target, name, authChoice,
                existingCredentialSet, newCredentialName, newUsername));
        updateAuthError();
    }

    /** Loads upstreams and credential sets from the engine and picks Docker Hub (the most common source). */
    public void load() {
        async.run(engine::upstreams, ups -> {
            upstreams.setAll(ups);
            if (upstream.get() == null) {
                upstream.set(ups.stream().filter(u -> u.loginServer().equals(SourcePreview.DOCKER_HUB)).findFirst()
                        .orElse(ups.isEmpty() ? null : ups.get(0)));
            }
        }, e -> enginePathError.set(Messages.human(e)));
        // Loaded on their own: a rule can be drafted even when credential sets cannot be listed.
        async.run(engine::credentialSets, creds -> {
            allCredentialSets.clear();
            allCredentialSets.addAll(creds);
            filterCredentialSets();
        }, e -> engineAuthProblem.set(Messages.human(e)));
    }

    private void filterCredentialSets() {
        String server = loginServer.get();
        credentialSets.setAll(allCredentialSets.stream().filter(c -> c.loginServer().equals(server))
                .map(CredentialSetView::name).toList());
        if (existingCredentialSet.get() == null || !credentialSets.contains(existingCredentialSet.get())) {
            existingCredentialSet.set(credentialSets.isEmpty() ? null : credentialSets.get(0));
        }
        if (credentialSets.isEmpty() && authChoice.get() == AuthChoice.EXISTING) {
            authChoice.set(AuthChoice.NEW);
        } else if (!credentialSets.isEmpty() && authChoice.get() == AuthChoice.NEW && newCredentialName.get().isBlank()
                && upstream.get() != null && upstream.get().authMode() == AuthMode.AUTHENTICATED_ONLY) {
            // the credential sets arrived after the upstream was chosen: an existing one is the likelier choice
            authChoice.set(AuthChoice.EXISTING);
        }
        updateAuthError();
    }

    private void onSourceChanged() {
        String server = loginServer.get();
        preview.set(server.isEmpty() ? "" : SourcePreview.fullSource(server, path.get(), wildcard.get()));
        localPathError.set(localPathProblem());
        if (!targetEdited) {
            boolean outer = applyingSuggestion;
            applyingSuggestion = true;
            target.set(SourcePreview.suggestTarget(path.get(), wildcard.get()));
            applyingSuggestion = outer;
        }
        suggestName();
        check();
    }

    /**
     * Reads what users type or paste into the path the way they mean it: a trailing {@code /*} ticks "All
     * repositories under this path" (a wildcard typed instead of ticked must not become a static rule on the parent),
     * and a leading login server ({@code docker.io/library/*}, a full source copied from elsewhere) picks that
     * registry and leaves the field. Rewrites the path when it changed anything.
     *
     * @return whether the path was rewritten
     */
    private boolean interpretPath(String typed) {
        if (typed == null) return false;
        String p = typed.strip();
        Upstream named = upstreamNamedIn(p);
        if (named != null) {
            p = p.substring(p.indexOf('/') + 1);
            if (!named.equals(upstream.get())) upstream.set(named);
        }
        if (p.equals("*") || p.endsWith("/*")) {
            p = p.substring(0, Math.max(0, p.length() - 2));
            wildcard.set(true);
        }
        if (p.equals(typed)) return false;
        path.set(p);
        return true;
    }

    /** The catalog upstream whose login server (or Docker Hub's API host) starts {@code p}, if one does. */
    private Upstream upstreamNamedIn(String p) {
        int slash = p.indexOf('/');
        if (slash <= 0) return null;
        String host = p.substring(0, slash).toLowerCase(Locale.ROOT);
        if (!host.contains(".") && !host.contains(":") && !host.equals("localhost")) return null; // a namespace, not a host
        if (host.equals("registry-1.docker.io") || host.equals("index.docker.io")) host = SourcePreview.DOCKER_HUB;
        for (Upstream u : upstreams) {
            if (u.loginServer().equalsIgnoreCase(host)) return u;
        }
        return null;
    }

    /** What can be said about the path without asking the engine. */
    private String localPathProblem() {
        String p = path.get() == null ? "" : path.get().strip();
        if (p.isEmpty()) return wildcard.get() || !pathTyped ? "" : "Enter the repository path, such as nginx or bitnami/redis.";
        if (p.contains("@") || p.substring(p.lastIndexOf('/') + 1).contains(":")) {
            return "Leave out the tag or digest: a rule covers the whole repository.";
        }
        if (!p.equals(p.toLowerCase(Locale.ROOT))) return "Repository paths are lowercase.";
        if (p.contains(" ")) return "Repository paths contain no spaces.";
        if (SourcePreview.DOCKER_HUB.equals(loginServer.get()) && p.equals("library") && !wildcard.get()) {
            return "library holds Docker Hub's official images: tick \"All repositories under this path\" to cache all"
                    + " of them, or name one image (nginx).";
        }
        return "";
    }

    private void suggestName() {
        if (nameEdited) return;
        boolean outer = applyingSuggestion;
        applyingSuggestion = true;
        name.set(SourcePreview.suggestName(target.get()));
        applyingSuggestion = outer;
    }

    /** The rule as drafted now. */
    public RuleDraft draft() {
        String source = SourcePreview.fullSource(loginServer.get(), path.get(), wildcard.get());
        return new RuleDraft(name.get().strip(), source, target.get().strip(), credentialSetName(), null);
    }

    private String credentialSetName() {
        return switch (authChoice.get()) {
            case ANONYMOUS -> null;
            case EXISTING -> existingCredentialSet.get();
            case NEW -> newCredentialName.get().isBlank() ? null : newCredentialName.get().strip();
        };
    }

    /** Asks the engine about the draft; stale answers (the user typed on meanwhile) are dropped. */
    private void check() {
        long generation = ++checkGeneration;
        boolean nothingTyped = (path.get() == null || path.get().isBlank()) && !wildcard.get();
        if (upstream.get() == null || !localPathError.get().isEmpty() || nothingTyped) {
            checkedValid.set(false);
            targetError.set("");
            nameError.set("");
            enginePathError.set("");
            return;
        }
        RuleDraft draft = draft();
        boolean creatingCredentialSet = authChoice.get() == AuthChoice.NEW;
        checking.set(true);
        async.run(() -> RuleProblems.of(engine::checkRule, draft, creatingCredentialSet), problems -> {
            if (generation != checkGeneration) return;
            checking.set(false);
            List<String> forPath = problems.path();
            List<String> forTarget = problems.target();
            List<String> forName = problems.name();
            List<String> forAuth = problems.auth();
            enginePathError.set(sentences(forPath));
            targetError.set(sentences(forTarget));
            nameError.set(sentences(forName));
            engineAuthProblem.set(sentences(forAuth));
            checkedValid.set(forPath.isEmpty() && forTarget.isEmpty() && forName.isEmpty());
            updateAuthError();
        }, e -> {
            if (generation != checkGeneration) return;
            checking.set(false);
            checkedValid.set(false);
            targetError.set(Messages.human(e));
        });
    }

    private static String sentences(List<String> problems) {
        return problems.stream().map(p -> Character.toUpperCase(p.charAt(0)) + p.substring(1) + (p.endsWith(".") ? "" : "."))
                .reduce((a, b) -> a + "\n" + b).orElse("");
    }

    private void updateAuthError() {
        Upstream u = upstream.get();
        String problem = "";
        if (u != null) {
            switch (authChoice.get()) {
                case ANONYMOUS -> {
                    if (!u.authMode().allowsAnonymous()) problem = u.displayName() + " needs a credential set: select one or create a new one.";
                }
                case EXISTING -> {
                    if (!u.authMode().allowsCredentials()) problem = u.displayName() + " allows anonymous pulls only.";
                    else if (existingCredentialSet.get() == null) problem = "Select a credential set for " + u.loginServer() + ".";
                }
                case NEW -> {
                    if (!CredentialSetName.isValid(newCredentialName.get().strip())) {
                        problem = "Name the credential set: 5 to 50 letters, digits or hyphens, starting with a letter or digit.";
                    } else if (allCredentialSets.stream().anyMatch(c -> c.name().equals(newCredentialName.get().strip()))) {
                        problem = "A credential set with this name already exists.";
                    } else if (newUsername.get().isBlank()) {
                        problem = "Enter the username.";
                    } else if (newPassword.get().isEmpty()) {
                        problem = "Enter the password or access token.";
                    }
                }
            }
        }
        boolean untouchedNewSet = u != null && authChoice.get() == AuthChoice.NEW && !newCredentialTyped && !problem.isEmpty();
        if (problem.isEmpty()) problem = engineAuthProblem.get();
        authProblem.set(problem);
        authError.set(untouchedNewSet ? "" : problem);
    }

    private String reviewText() {
        Upstream u = upstream.get();
        if (u == null) return "";
        String auth = switch (authChoice.get()) {
            case ANONYMOUS -> "anonymous";
            case EXISTING -> "credential set " + existingCredentialSet.get();
            case NEW -> "new credential set " + newCredentialName.get() + " (user " + newUsername.get() + ")";
        };
        return "Rule name:          " + name.get() + "\n"
                + "Source repository:  " + SourcePreview.fullSource(u.loginServer(), path.get(), wildcard.get()) + "\n"
                + "Target repository:  " + target.get() + "\n"
                + "Authentication:     " + auth + "\n"
                + "Upstream:           " + u.displayName() + " (" + u.endpoint() + ")";
    }

    /**
     * Creates the credential set (if a new one was asked for, once its login is accepted upstream) and then the rule.
     *
     * @param created receives the new rule; {@code failed} the reason in words
     */
    public void finish(Consumer<CacheRule> created, Consumer<String> failed) {
        RuleDraft draft = draft();
        AuthChoice choice = authChoice.get();
        String credName = newCredentialName.get().strip();
        String username = newUsername.get();
        char[] password = newPassword.get().toCharArray();
        String server = loginServer.get();
        async.run(() -> {
            if (choice == AuthChoice.NEW) {
                // signed in first, as the credential wizard does: a wrong password is not saved behind the user's back
                var check = engine.checkLogin(server, username, password.clone());
                if (!check.accepted()) {
                    java.util.Arrays.fill(password, '\0');
                    throw new IllegalArgumentException("Sign-in failed, so nothing was saved: " + check.errorMessage()
                            + " Correct the login (or create the set on the Credentials page to save it anyway).");
                }
                engine.createCredentialSet(credName, server, username, password);
            }
            return engine.createRule(draft);
        }, rule -> {
            newPassword.set("");
            created.accept(rule);
        }, e -> failed.accept(Messages.human(e)));
    }

    public ObservableList<Upstream> upstreams() { return upstreams; }
    public ObjectProperty<Upstream> upstreamProperty() { return upstream; }
    public ReadOnlyStringProperty loginServerProperty() { return loginServer.getReadOnlyProperty(); }
    public StringProperty pathProperty() { return path; }
    public BooleanProperty wildcardProperty() { return wildcard; }
    public ReadOnlyStringProperty previewProperty() { return preview.getReadOnlyProperty(); }
    public StringProperty targetProperty() { return target; }
    public StringProperty nameProperty() { return name; }
    public ReadOnlyStringProperty pathErrorProperty() { return pathError.getReadOnlyProperty(); }
    public ReadOnlyStringProperty targetErrorProperty() { return targetError.getReadOnlyProperty(); }
    public ReadOnlyStringProperty nameErrorProperty() { return nameError.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty checkingProperty() { return checking.getReadOnlyProperty(); }
    public ObjectProperty<AuthChoice> authChoiceProperty() { return authChoice; }
    public ObservableList<String> credentialSets() { return credentialSets; }
    public StringProperty existingCredentialSetProperty() { return existingCredentialSet; }
    public StringProperty newCredentialNameProperty() { return newCredentialName; }
    public StringProperty newUsernameProperty() { return newUsername; }
    public StringProperty newPasswordProperty() { return newPassword; }
    public ReadOnlyStringProperty authErrorProperty() { return authError.getReadOnlyProperty(); }
    public BooleanBinding sourceStepValid() { return sourceValid; }
    public BooleanBinding targetStepValid() { return targetStepValid; }
    public BooleanBinding authStepValid() { return authStepValid; }
    public BooleanBinding authStepSkipped() { return authSkipped; }
    public ReadOnlyStringProperty reviewProperty() { return review.getReadOnlyProperty(); }

    /** What the upstream allows, in words, for the authentication step. */
    public String authModeText() {
        Upstream u = upstream.get();
        if (u == null) return "";
        return switch (u.authMode()) {
            case AUTHENTICATED_ONLY -> u.displayName() + " requires a credential set for pulls through a cache rule.";
            case ANONYMOUS_ONLY -> u.displayName() + " allows anonymous pulls only.";
            case BOTH -> u.displayName() + " allows anonymous pulls; a credential set gives access to private images and higher limits.";
        };
    }

    /** For sub-forms that talk to the engine themselves (the custom registry form). */
    AppContext context() {
        return context;
    }
}
