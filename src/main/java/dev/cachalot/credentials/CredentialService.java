package dev.cachalot.credentials;

import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.CredentialSetLookup;
import dev.cachalot.rules.CredentialSetName;
import dev.cachalot.rules.RuleStore;
import dev.cachalot.rules.Upstream;
import dev.cachalot.rules.UpstreamCatalog;
import dev.cachalot.rules.UpstreamStore;
import dev.cachalot.storage.Database;
import dev.cachalot.upstream.UpstreamClient;
import dev.cachalot.upstream.UpstreamException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The use cases on credential sets and vault secrets that the engine (and through it the CLI and the app) calls.
 *
 * <p>Configuration changes run in one transaction after taking the configuration lock (the same row lock the rules
 * take), so a credential set cannot be deleted while a rule that uses it is being created.
 */
public final class CredentialService {

    /** Codes the exception tells as well as the client's report does; the message is then said in plainer words. */
    private static final java.util.Set<String> FROM_EXCEPTION = java.util.Set.of("UpstreamUnauthorized", "UpstreamUnreachable");

    private final Database database;
    private final CredentialSetStore store;
    private final RuleStore rules;
    private final UpstreamStore upstreams;
    private final Vault vault;
    private final VaultCredentials credentials;
    private final UpstreamClient client;
    private final Clock clock;

    /**
     * @param credentials the same instance the upstream client reports to (validation reads what it reported)
     * @param client      the upstream client for {@link #validate}; null when there is none (then sets are not
     *                    checked on creation and {@code validate} reports an error)
     */
    public CredentialService(Database database, CredentialSetStore store, RuleStore rules, UpstreamStore upstreams,
                             Vault vault, VaultCredentials credentials, UpstreamClient client, Clock clock) {
        this.database = database;
        this.store = store;
        this.rules = rules;
        this.upstreams = upstreams;
        this.vault = vault;
        this.credentials = credentials;
        this.client = client;
        this.clock = clock;
    }

    // ---- credential sets ----

    /**
     * Creates a credential set referencing existing vault secrets, then (with an upstream client) validates it.
     *
     * @throws CredentialSetException when the name, login server or secrets are refused
     */
    public CredentialSet create(String name, String loginServer, String usernameSecretId, String passwordSecretId) {
        String server = checkNameAndServer(name, loginServer);
        requireSecret(usernameSecretId);
        requireSecret(passwordSecretId);
        insert(name, server, usernameSecretId, passwordSecretId);
        return client == null ? show(name).orElseThrow() : validate(name);
    }

    /**
     * Creates a credential set with a new login: stores {@code vault:<name>-username} and {@code vault:<name>-password}
     * (the name in lowercase) and references them. {@code password} is cleared.
     */
    public CredentialSet createWithLogin(String name, String loginServer, String username, char[] password) {
        try {
            String server = checkNameAndServer(name, loginServer);
            if (username == null || username.isBlank()) throw new CredentialSetException("the username is empty");
            if (password == null || password.length == 0) throw new CredentialSetException("the password is empty");
            // Checked before the vault is touched: a taken name must not overwrite another set's secrets.
            nameTaken(name, store.list()).ifPresent(problem -> {
                throw new CredentialSetException(problem);
            });
            String base = name.toLowerCase(Locale.ROOT);
            String usernameName = base + "-username";
            String passwordName = base + "-password";
            for (String secret : List.of(usernameName, passwordName)) {
                List<String> users = setsUsing(SecretId.of(secret));
                if (!users.isEmpty()) {
                    throw new CredentialSetException("secret '" + secret + "' already belongs to credential set '"
                            + users.get(0) + "': choose another name");
                }
            }
            boolean hadUsername = vault.exists(usernameName);
            boolean hadPassword = vault.exists(passwordName);
            vault.set(usernameName, username.toCharArray());
            vault.set(passwordName, password);
            try {
                insert(name, server, SecretId.of(usernameName), SecretId.of(passwordName));
            } catch (RuntimeException e) {
                if (!hadUsername) vault.delete(usernameName);
                if (!hadPassword) vault.delete(passwordName);
                throw e;
            }
        } finally {
            if (password != null) Arrays.fill(password, '\0');
        }
        return client == null ? show(name).orElseThrow() : validate(name);
    }

    /** In creation order. */
    public List<CredentialSet> list() {
        return store.list();
    }

    public Optional<CredentialSet> show(String name) {
        return store.find(name);
    }

    /**
     * Points a credential set at other secrets (null keeps one), then (with an upstream client) validates it.
     *
     * @throws CredentialSetException when there is no such set or a secret is refused
     */
    public CredentialSet update(String name, String usernameSecretIdOrNull, String passwordSecretIdOrNull) {
        CredentialSet set = require(name);
        String username = usernameSecretIdOrNull == null ? set.usernameSecret() : usernameSecretIdOrNull;
        String password = passwordSecretIdOrNull == null ? set.passwordSecret() : passwordSecretIdOrNull;
        if (usernameSecretIdOrNull != null) requireSecret(username);
        if (passwordSecretIdOrNull != null) requireSecret(password);
        database.inTransaction(c -> {
            lockConfiguration(c);
            return store.updateSecrets(c, name, username, password);
        });
        return client == null ? show(name).orElseThrow() : validate(name);
    }

    /**
     * Deletes a credential set, and the secrets {@link #createWithLogin} made for it when no other set uses them.
     *
     * @throws CredentialSetException when there is no such set, or naming the rules that still use it
     */
    public void delete(String name) {
        CredentialSet deleted = database.inTransaction(c -> {
            lockConfiguration(c);
            CredentialSet set = store.find(c, name)
                    .orElseThrow(() -> new CredentialSetException("there is no credential set named '" + name + "'"));
            List<String> users = rules.list(c).stream()
                    .filter(r -> name.equals(r.credentialSet())).map(CacheRule::name).sorted().toList();
            if (!users.isEmpty()) {
                throw new CredentialSetException("credential set '" + name + "' is used by "
                        + (users.size() == 1 ? "rule '" + users.get(0) + "'" : "rules '" + String.join("', '", users) + "'")
                        + ": change or delete " + (users.size() == 1 ? "it" : "them") + " first");
            }
            store.delete(c, name);
            return set;
        });
        credentials.forget(name);
        String base = name.toLowerCase(Locale.ROOT);
        for (String own : List.of(deleted.usernameSecret(), deleted.passwordSecret())) {
            if (own == null || SecretId.problem(own) != null) continue;
            String secret = SecretId.name(own);
            boolean madeForIt = secret.equals(base + "-username") || secret.equals(base + "-password");
            if (madeForIt && setsUsing(own).isEmpty()) vault.delete(secret);
        }
    }

    /**
     * Checks the set now: its secrets exist, then the upstream accepts the login ({@code GET /v2/}). Records and
     * returns its health; the error code says what failed.
     */
    public CredentialSet validate(String name) {
        CredentialSet set = require(name);
        Instant now = clock.instant();
        Verdict verdict = check(set);
        CredentialSet.Health health = verdict.code == null ? CredentialSet.Health.Healthy : CredentialSet.Health.Unhealthy;
        credentials.write(name, health, verdict.code, verdict.message, now);
        return show(name).orElseThrow();
    }

    /**
     * Tries a login against {@code loginServer}'s upstream without saving anything (a wizard's check before it
     * stores a set). {@code password} is cleared.
     *
     * @throws CredentialSetException when the login server is unknown or takes no credentials
     */
    public LoginCheck checkLogin(String loginServer, String username, char[] password) {
        try {
            String serverProblem = UpstreamCatalog.loginServerProblem(loginServer);
            if (serverProblem != null) throw new CredentialSetException(serverProblem);
            String server = UpstreamCatalog.canonicalLoginServer(loginServer);
            if (username == null || username.isBlank()) throw new CredentialSetException("the username is empty");
            if (password == null || password.length == 0) throw new CredentialSetException("the password is empty");
            try (VaultCredentials.Trial trial = credentials.trial(username, password)) {
                Verdict verdict = tryLogin(server, trial.name(), "of user '" + username + "'");
                return new LoginCheck(verdict.code, verdict.message);
            }
        } finally {
            if (password != null) Arrays.fill(password, '\0');
        }
    }

    /**
     * Replaces the username and password of a set (stored as {@code vault:<name>-username} and
     * {@code vault:<name>-password}, as {@link #createWithLogin} names them), then (with an upstream client) validates
     * it. Secrets the set referenced before are left in the vault: other sets may use them. {@code password} is cleared.
     *
     * @throws CredentialSetException when there is no such set, a value is empty, or those secrets belong to another set
     */
    public CredentialSet updateLogin(String name, String username, char[] password) {
        try {
            require(name);
            if (username == null || username.isBlank()) throw new CredentialSetException("the username is empty");
            if (password == null || password.length == 0) throw new CredentialSetException("the password is empty");
            String base = name.toLowerCase(Locale.ROOT);
            String usernameName = base + "-username";
            String passwordName = base + "-password";
            for (String secret : List.of(usernameName, passwordName)) {
                List<String> others = setsUsing(SecretId.of(secret)).stream().filter(s -> !s.equals(name)).toList();
                if (!others.isEmpty()) {
                    throw new CredentialSetException("secret '" + secret + "' belongs to credential set '" + others.get(0) + "'");
                }
            }
            vault.set(usernameName, username.toCharArray());
            vault.set(passwordName, password);
            database.inTransaction(c -> {
                lockConfiguration(c);
                return store.updateSecrets(c, name, SecretId.of(usernameName), SecretId.of(passwordName));
            });
        } finally {
            if (password != null) Arrays.fill(password, '\0');
        }
        return client == null ? show(name).orElseThrow() : validate(name);
    }

    /** For {@code RuleService}: a rule may only name an existing set made for its upstream. */
    public CredentialSetLookup lookup() {
        return name -> store.find(name).map(CredentialSet::loginServer);
    }

    // ---- secrets ----

    /** Stores a secret in the vault; {@code value} is cleared. */
    public void setSecret(String name, char[] value) {
        try {
            String problem = SecretId.nameProblem(name);
            if (problem != null) throw new CredentialSetException(problem);
            if (value == null || value.length == 0) throw new CredentialSetException("the value of secret '" + name + "' is empty");
            vault.set(name, value);
        } finally {
            if (value != null) Arrays.fill(value, '\0');
        }
    }

    /** The names of the secrets; never their values. */
    public List<String> secretNames() {
        return vault.list();
    }

    /**
     * Deletes a secret; refused while credential sets reference it.
     *
     * @return false when there was no such secret
     */
    public boolean deleteSecret(String name) {
        String problem = SecretId.nameProblem(name);
        if (problem != null) throw new CredentialSetException(problem);
        List<String> users = setsUsing(SecretId.of(name));
        if (!users.isEmpty()) {
            throw new CredentialSetException("secret '" + name + "' is used by credential set"
                    + (users.size() == 1 ? " '" + users.get(0) + "'" : "s '" + String.join("', '", users) + "'")
                    + ": update or delete " + (users.size() == 1 ? "it" : "them") + " first");
        }
        return vault.delete(name);
    }

    // ---- checks ----

    private Verdict check(CredentialSet set) {
        for (String secretId : new String[]{set.usernameSecret(), set.passwordSecret()}) {
            try {
                Optional<char[]> value = vault.resolve(secretId);
                if (value.isEmpty()) {
                    return new Verdict("SecretNotFound", "secret '" + secretId + "' does not exist in the vault");
                }
                Arrays.fill(value.get(), '\0');
            } catch (VaultException e) {
                return new Verdict(VaultCredentials.VAULT_LOCKED, e.getMessage());
            }
        }
        return tryLogin(set.loginServer(), set.name(), "of credential set '" + set.name() + "'");
    }

    /** Logs in to {@code loginServer}'s upstream as the client knows {@code credentialSet}; {@code whose} names it in messages. */
    private Verdict tryLogin(String loginServer, String credentialSet, String whose) {
        Optional<Upstream> upstream = new UpstreamCatalog(upstreams.list()).find(loginServer);
        if (upstream.isEmpty()) {
            return new Verdict("UpstreamError", "no upstream is known for login server '" + loginServer + "'");
        }
        if (client == null) {
            return new Verdict("UpstreamError", "no upstream client is available to check the login");
        }
        try (VaultCredentials.Capture capture = credentials.capture(credentialSet)) {
            try {
                client.checkLogin(upstream.get(), credentialSet);
            } catch (UpstreamException e) {
                if (capture.failureCode() != null && !FROM_EXCEPTION.contains(capture.failureCode())) {
                    return new Verdict(capture.failureCode(), capture.failureMessage());
                }
                return switch (e.kind()) {
                    case UNAUTHORIZED, DENIED -> new Verdict("UpstreamUnauthorized",
                            upstream.get().displayName() + " refused the login " + whose + ": " + e.getMessage());
                    case UNAVAILABLE -> new Verdict("UpstreamUnreachable",
                            upstream.get().displayName() + " could not be reached: " + e.getMessage());
                    case CREDENTIALS_UNREADABLE -> new Verdict(VaultCredentials.VAULT_LOCKED, e.getMessage());
                    default -> new Verdict("UpstreamError", upstream.get().displayName() + " answered: " + e.getMessage());
                };
            } catch (UnsupportedOperationException e) {
                return new Verdict("UpstreamError", "this engine cannot check logins yet");
            }
            if (capture.failureCode() != null) {
                // The call went through without our login (a refused token realm, missing secrets): not healthy.
                return new Verdict(capture.failureCode(), capture.failureMessage());
            }
        }
        return new Verdict(null, null);
    }

    private String checkNameAndServer(String name, String loginServer) {
        String nameProblem = CredentialSetName.problem(name);
        if (nameProblem != null) throw new CredentialSetException(nameProblem);
        String serverProblem = UpstreamCatalog.loginServerProblem(loginServer);
        if (serverProblem != null) throw new CredentialSetException(serverProblem);
        String server = UpstreamCatalog.canonicalLoginServer(loginServer);
        Upstream upstream = new UpstreamCatalog(upstreams.list()).find(server).orElseThrow(() -> new CredentialSetException(
                "no upstream is known for login server '" + server + "': add it as a custom upstream first"));
        if (!upstream.authMode().allowsCredentials()) {
            throw new CredentialSetException(upstream.displayName() + " (" + upstream.loginServer()
                    + ") allows anonymous pulls only: it takes no credential set");
        }
        return server;
    }

    private void requireSecret(String secretId) {
        String problem = SecretId.problem(secretId);
        if (problem != null) throw new CredentialSetException(problem);
        if (!vault.exists(SecretId.name(secretId))) {
            throw new CredentialSetException(new SecretNotFoundException(secretId).getMessage());
        }
    }

    private CredentialSet require(String name) {
        return store.find(name).orElseThrow(() -> new CredentialSetException("there is no credential set named '" + name + "'"));
    }

    private void insert(String name, String server, String usernameSecret, String passwordSecret) {
        database.inTransaction(c -> {
            lockConfiguration(c);
            Optional<String> taken = nameTaken(name, store.list(c));
            if (taken.isPresent()) throw new CredentialSetException(taken.get());
            // Milliseconds: what the database keeps exactly, so a set reads back equal to what was written.
            Instant created = Instant.ofEpochMilli(clock.millis());
            store.insert(c, new CredentialSet(name, server, usernameSecret, passwordSecret, CredentialSet.Health.Healthy,
                    null, null, null, null, null, created));
            return null;
        });
    }

    /** Names differing only in case would be confusing in every list (and share vault secret names): one of them. */
    private static Optional<String> nameTaken(String name, List<CredentialSet> existing) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (CredentialSet other : existing) {
            if (other.name().toLowerCase(Locale.ROOT).equals(lower)) {
                return Optional.of(other.name().equals(name)
                        ? "a credential set named '" + name + "' already exists"
                        : "credential set name '" + name + "' differs only in case from the existing set '" + other.name() + "'");
            }
        }
        return Optional.empty();
    }

    private List<String> setsUsing(String secretId) {
        List<String> users = new ArrayList<>();
        for (CredentialSet s : store.list()) {
            if (secretId.equals(s.usernameSecret()) || secretId.equals(s.passwordSecret())) users.add(s.name());
        }
        return users;
    }

    /** The configuration lock that rules take too (see {@code RuleService}). */
    private static void lockConfiguration(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM config_version WHERE id = 1 FOR UPDATE");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
        }
    }

    private record Verdict(String code, String message) {
    }
}
