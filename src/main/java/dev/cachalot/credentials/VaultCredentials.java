package dev.cachalot.credentials;

import dev.cachalot.upstream.UpstreamCredentials;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the upstream client calls for a credential set's login and to report how it fared: logins are read from the
 * vault on each call (nothing kept in memory between calls), health and Docker Hub rate limits are written to the
 * credential set.
 *
 * <p>Health reports come with every upstream call, so they are written only when the state or error code changes,
 * or when the last write is older than {@link #HEALTH_REFRESH} (so "last checked" stays roughly current).
 */
public final class VaultCredentials implements UpstreamCredentials {

    static final Duration HEALTH_REFRESH = Duration.ofMinutes(1);
    /** The health error code of a set whose secrets the vault cannot give now (shown by {@code credentials list}). */
    public static final String VAULT_LOCKED = "VaultLocked";
    private static final Logger log = LoggerFactory.getLogger(VaultCredentials.class);

    private final CredentialSetStore store;
    private final Vault vault;
    private final Clock clock;
    private final Map<String, Written> lastHealth = new ConcurrentHashMap<>();
    private final Map<String, List<String>> lastRateLimit = new ConcurrentHashMap<>();
    private final List<Capture> captures = new CopyOnWriteArrayList<>();
    /** Logins being tried before anything is saved, under names no credential set can have (they hold a colon). */
    private final Map<String, Login> trials = new ConcurrentHashMap<>();

    public VaultCredentials(CredentialSetStore store, Vault vault, Clock clock) {
        this.store = store;
        this.vault = vault;
        this.clock = clock;
    }

    @Override
    public Optional<Login> login(String credentialSet) {
        if (credentialSet == null) return Optional.empty();
        Login trial = trials.get(credentialSet);
        if (trial != null) return Optional.of(new Login(trial.username(), trial.password().clone())); // callers clear theirs
        Optional<CredentialSet> set = store.find(credentialSet);
        if (set.isEmpty()) return Optional.empty();
        char[] username = null;
        try {
            username = vault.resolve(set.get().usernameSecret()).orElse(null);
            Optional<char[]> password = vault.resolve(set.get().passwordSecret());
            if (username == null || password.isEmpty()) {
                password.ifPresent(p -> Arrays.fill(p, '\0'));
                return Optional.empty(); // the client reports SecretNotFound
            }
            return Optional.of(new Login(new String(username), password.get()));
        } catch (VaultException e) {
            // The vault cannot be opened (passphrase not set, key missing): say so on the set and to the client,
            // rather than asking the upstream anonymously and blaming its refusal.
            String why = "the credential set '" + credentialSet + "' cannot be read: " + e.getMessage();
            log.warn("{}", why);
            reportHealth(credentialSet, false, VAULT_LOCKED, why);
            throw new Unreadable(why);
        } finally {
            if (username != null) Arrays.fill(username, '\0');
        }
    }

    @Override
    public void reportHealth(String credentialSet, boolean healthy, String errorCode, String errorMessage) {
        if (credentialSet == null) return;
        for (Capture c : captures) {
            if (c.credentialSet.equals(credentialSet) && !healthy && c.firstFailureCode == null) {
                c.firstFailureCode = errorCode;
                c.firstFailureMessage = errorMessage;
            }
        }
        if (trials.containsKey(credentialSet)) return; // no set to record it on
        Instant now = clock.instant();
        CredentialSet.Health health = healthy ? CredentialSet.Health.Healthy : CredentialSet.Health.Unhealthy;
        String code = healthy ? null : errorCode;
        Written before = lastHealth.get(credentialSet);
        if (before != null && before.health == health && Objects.equals(before.errorCode, code)
                && Duration.between(before.at, now).compareTo(HEALTH_REFRESH) < 0) {
            return;
        }
        write(credentialSet, health, code, healthy ? null : errorMessage, now);
    }

    @Override
    public void reportRateLimit(String credentialSet, String limit, String remaining) {
        if (credentialSet == null || trials.containsKey(credentialSet)) return;
        List<String> values = Arrays.asList(limit, remaining);
        if (values.equals(lastRateLimit.put(credentialSet, values))) return;
        store.updateRateLimit(credentialSet, limit, remaining);
    }

    /** Records health now, whatever was written before (a validation the user asked for). */
    void write(String credentialSet, CredentialSet.Health health, String errorCode, String errorMessage, Instant at) {
        lastHealth.put(credentialSet, new Written(health, errorCode, at));
        store.updateHealth(credentialSet, health, errorCode, errorMessage, at);
    }

    /** Collects the first failure reported for {@code credentialSet}, on any thread, until closed. */
    Capture capture(String credentialSet) {
        Capture c = new Capture(credentialSet);
        captures.add(c);
        return c;
    }

    /**
     * Lends a login to the upstream client under a throwaway name, to check it before it is saved. {@code password}
     * is copied; the copy is cleared when the trial is closed.
     */
    Trial trial(String username, char[] password) {
        Trial t = new Trial("trial:" + java.util.UUID.randomUUID());
        trials.put(t.name, new Login(username, password.clone()));
        return t;
    }

    /** Forgets what was written for a deleted set, so a new set of the same name starts fresh. */
    void forget(String credentialSet) {
        lastHealth.remove(credentialSet);
        lastRateLimit.remove(credentialSet);
    }

    private record Written(CredentialSet.Health health, String errorCode, Instant at) {
    }

    /** A login lent for one check; {@link #name()} is what the upstream client is given as the credential set. */
    final class Trial implements AutoCloseable {
        private final String name;

        private Trial(String name) {
            this.name = name;
        }

        String name() {
            return name;
        }

        @Override
        public void close() {
            Login login = trials.remove(name);
            if (login != null) Arrays.fill(login.password(), '\0');
        }
    }

    /** The failure the upstream client reported while a validation ran (it knows e.g. a refused token realm). */
    final class Capture implements AutoCloseable {
        private final String credentialSet;
        private volatile String firstFailureCode;
        private volatile String firstFailureMessage;

        private Capture(String credentialSet) {
            this.credentialSet = credentialSet;
        }

        String failureCode() {
            return firstFailureCode;
        }

        String failureMessage() {
            return firstFailureMessage;
        }

        @Override
        public void close() {
            captures.remove(this);
        }
    }
}
