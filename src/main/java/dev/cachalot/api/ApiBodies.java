package dev.cachalot.api;

import java.util.List;

/**
 * The request and answer bodies of the management API that are not engine types already (those go as they are:
 * {@code CacheRule}, {@code Upstream}, {@code CredentialSetView}...). docs/api/openapi.yaml documents each.
 */
public final class ApiBodies {
    private ApiBodies() {
    }

    /** A rule as typed: {@code freshness} null means the engine's default. */
    public record NewRule(String name, String sourceRepository, String targetRepository, String credentialSet,
                          String freshness) {
    }

    /** What may change in a rule: its credential set (null: pull anonymously). */
    public record RuleChange(String credentialSet) {
    }

    public record Problems(List<String> problems) {
    }

    public record RuleFile(String name, String content) {
    }

    /**
     * Rule files to import together, as the CLI's {@code rules import} takes them: each by its file name (the format is
     * detected from it and the content when {@code format} is null), with its content.
     */
    public record ImportRequest(List<RuleFile> files, String format, boolean validOnly, String onConflict, boolean dryRun) {
    }

    public record NewUpstream(String loginServer, String endpoint, String caCertPem) {
    }

    public record UpstreamChange(String endpoint, String caCertPem) {
    }

    /** A login server of the catalog, or an endpoint not added yet (with extra trust). */
    public record UpstreamCheckRequest(String upstream, String caCertPem) {
    }

    /**
     * A new credential set: with a login ({@code username}, {@code password}, stored in the engine's vault) or with the
     * names of vault secrets that exist already ({@code usernameSecret}, {@code passwordSecret}); not both.
     */
    public record NewCredentialSet(String name, String loginServer, String username, String password,
                                   String usernameSecret, String passwordSecret) {
    }

    /** A new login, or other vault secrets (null keeps a reference as it is); not both. */
    public record CredentialSetChange(String username, String password, String usernameSecret, String passwordSecret) {
    }

    public record LoginAttempt(String loginServer, String username, String password) {
    }

    public record SecretValue(String value) {
    }

    public record PrefetchRequest(String repository, String reference) {
    }

    /** A garbage collection on request; {@code dryRun}: delete nothing, answer what would go. */
    public record GarbageCollectionRequest(boolean dryRun) {
    }

    public record ByteCount(long bytes) {
    }

    /**
     * A new server-mode user. The password is a char array so the engine can clear it once hashed; it is never
     * answered, logged or printed.
     */
    public record NewUser(String name, String role, String repositories, char[] password) {
        @Override
        public String toString() {
            return "NewUser[" + name + ", " + role + ", " + repositories + "]";
        }
    }

    /**
     * A new access token for {@code user}. {@code expires}: a number of seconds, days, hours or minutes ({@code 30d},
     * {@code 12h}, {@code 90m}), or {@code never}; absent means 30 days, as {@code cachalot tokens create} does.
     */
    public record NewAccessToken(String name, String user, String expires) {
    }

    // ---- active sync

    /**
     * A sync run asked for now ({@code POST /rules/{name}/sync}): {@code tag} null for every tag the rule's filter
     * takes; {@code dryRun} stores nothing and answers the report; {@code wait} answers the report when the run ends
     * instead of 202 as soon as it started ({@code wait} in JSON; the name is taken in Java).
     */
    public record SyncRunRequest(String tag, boolean dryRun, @com.fasterxml.jackson.annotation.JsonProperty("wait") boolean waitForEnd) {
    }

    /** Whether a running sync was asked to stop (false: none was running in this engine). */
    public record SyncCancel(boolean cancelled) {
    }
}
