package dev.cachalot.engine;

import dev.cachalot.bundle.BundleExportReport;
import dev.cachalot.bundle.BundleImportReport;
import dev.cachalot.bundle.BundleSelection;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.ImportReport;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.rules.Upstream;
import dev.cachalot.stats.PullEvent;
import dev.cachalot.stats.RepositoryStats;
import dev.cachalot.stats.StatsTotals;
import dev.cachalot.stats.TimeBucket;
import dev.cachalot.sync.SyncProgress;
import dev.cachalot.sync.SyncReport;
import dev.cachalot.sync.SyncRequest;
import dev.cachalot.sync.SyncStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The one door to the engine for the desktop app and the CLI. Every method may block on disk or network:
 * the app calls it off the FX thread. Validation failures throw {@link dev.cachalot.rules.RuleValidationException}
 * or {@link IllegalArgumentException} with a message fit to show to a user.
 */
public interface EngineApi {

    // ---- the registry server ----

    EngineStatus status();

    /** Listens for status changes (called on an engine thread). Returns a handle that unsubscribes. */
    AutoCloseable onStatus(Consumer<EngineStatus> listener);

    /** Starts (or restarts) the registry server on {@code host:port}; throws with a clear message if the port is taken. */
    void startServer(String listen);

    void stopServer();

    // ---- cache rules and upstreams ----

    List<CacheRule> rules();

    /**
     * Each rule's state: its last image pull (time, and the reason when it failed) and its upstream's last check,
     * by rule name. Rules never pulled through and upstreams never checked have nulls there.
     */
    java.util.Map<String, RuleState> ruleStates();

    /** Problems a draft would be refused for, empty if it is valid (for live checks while typing). */
    List<String> checkRule(RuleDraft draft);

    CacheRule createRule(RuleDraft draft);

    CacheRule setRuleCredentialSet(String ruleName, String credentialSetOrNull);

    // ---- active sync ----

    /**
     * Changes a rule's sync policy; the change's null fields keep the rule's settings ({@code SyncDraft.mode("active")}
     * switches it on as it was set before). Used by the very next sync run and the scheduler of every engine.
     *
     * @throws dev.cachalot.rules.RuleValidationException when there is no such rule, or with every reason the change is refused
     */
    default CacheRule updateRuleSync(String ruleName, SyncDraft change) {
        throw new UnsupportedOperationException("this engine does not offer active sync");
    }

    /**
     * Syncs a rule now on the calling thread, reporting progress as it goes (on this thread); a real run becomes the
     * rule's last run. Interrupting the calling thread or {@link #cancelSync} stops it between steps, leaving every tag
     * as it was or whole. A report with failures is returned, not thrown.
     *
     * @throws IllegalArgumentException when there is no such rule
     * @throws IllegalStateException    when the rule's sync is running already (in this engine, or another one sharing its database)
     */
    default SyncReport syncRule(String ruleName, SyncRequest request, Consumer<SyncProgress> progress) {
        throw new UnsupportedOperationException("this engine does not offer active sync");
    }

    /**
     * Starts a sync run of the rule in the background and returns (the portal's Sync now); its progress shows in
     * {@link #syncStatuses()}, its outcome as the rule's last run.
     *
     * @return false when the rule's sync is running already (in this engine or another one sharing its database)
     * @throws IllegalArgumentException when there is no such rule, or for a dry run (use {@link #syncRule})
     */
    default boolean startSync(String ruleName, SyncRequest request) {
        throw new UnsupportedOperationException("this engine does not offer active sync");
    }

    /** Asks a running sync of the rule to stop (the portal's Cancel). @return false when none is running in this engine */
    default boolean cancelSync(String ruleName) {
        throw new UnsupportedOperationException("this engine does not offer active sync");
    }

    /**
     * The whole report of the rule's last real sync run made by this engine (what changed: every tag and what became of
     * it, the errors, the waits for upstream limits); empty when it has not run here since the engine started, in which
     * case {@link #syncStatuses()} still has the last run's summary.
     */
    default Optional<SyncReport> lastSyncReport(String ruleName) {
        return Optional.empty();
    }

    /** Each rule's sync status (last run, next scheduled run, progress while running), by rule name. */
    default java.util.Map<String, SyncStatus> syncStatuses() {
        throw new UnsupportedOperationException("this engine does not offer active sync");
    }

    void deleteRule(String name);

    /** The built-in catalog followed by custom upstreams. */
    List<Upstream> upstreams();

    Upstream addUpstream(String loginServer, String endpoint, String caCertPemOrNull);

    /**
     * Changes the endpoint or CA certificate of a custom upstream; its login server (which rules name) stays.
     * Refused for a built-in upstream or one that does not exist.
     */
    Upstream updateUpstream(String loginServer, String endpoint, String caCertPemOrNull);

    /** Removes a custom upstream; refused with the names of the rules that still pull from it. */
    void removeUpstream(String loginServer);

    /**
     * Pings an upstream's {@code GET /v2/} without credentials and records the answer as its last check. Takes a login
     * server of the catalog, or an endpoint {@code http(s)://host[:port]} not added yet (checked with
     * {@code caCertPemOrNull} as extra trust).
     */
    UpstreamCheck checkUpstream(String loginServerOrEndpoint, String caCertPemOrNull);

    default UpstreamCheck checkUpstream(String loginServerOrEndpoint) {
        return checkUpstream(loginServerOrEndpoint, null);
    }

    /** The last check of each upstream checked since the engine started, by login server. */
    java.util.Map<String, UpstreamCheck> upstreamChecks();

    /** Checks rule files without changing anything (dry run). {@code format} null: detect. */
    ImportReport previewImport(List<Path> files, String format);

    /** Imports rule files atomically. {@code validOnly}: import the valid entries even when others are refused. */
    ImportReport importRules(List<Path> files, String format, boolean validOnly);

    /** Writes rules (and credential-set metadata, custom upstreams) to a file in {@code format}. */
    void exportRules(Path file, String format);

    /**
     * Listens for rules, upstreams, credential sets or settings changed by another process on the same data folder
     * (the CLI, a second app): called on an engine thread once this engine has reloaded them, within about a second
     * of the change. Changes made through this engine are not announced: its caller knows of them. Returns a handle
     * that unsubscribes.
     */
    AutoCloseable onConfigChanged(Runnable listener);

    // ---- credential sets ----

    List<CredentialSetView> credentialSets();

    /** Creates a credential set, storing username and password in the vault. {@code password} is cleared. */
    CredentialSetView createCredentialSet(String name, String loginServer, String username, char[] password);

    /**
     * Tries a login against the upstream of {@code loginServer} without saving anything, so a wizard can tell a wrong
     * password before the set is stored. {@code password} is cleared.
     */
    LoginCheckView checkLogin(String loginServer, String username, char[] password);

    /**
     * Replaces a credential set's username and password (in the vault), then checks it against its upstream and
     * records its health. {@code password} is cleared.
     */
    CredentialSetView updateCredentialSetLogin(String name, String username, char[] password);

    /** Checks the credential set against its upstream now and records its health. */
    CredentialSetView validateCredentialSet(String name);

    /** Deletes a credential set; refused with the names of the rules that still use it. */
    void deleteCredentialSet(String name);

    // ---- cached repositories ----

    List<RepositoryView> repositories();

    List<TagView> tags(String repository);

    Optional<ManifestView> manifest(String repository, String digest);

    void deleteTag(String repository, String tag);

    void deleteRepository(String repository);

    /** Pulls {@code repository:tag} (or {@code @digest}) into the cache now, all platforms, reporting bytes. */
    void prefetch(String repository, String reference, Consumer<Long> bytesFetched);

    /**
     * As {@link #prefetch(String, String, Consumer)}, reporting bytes fetched so far and the expected total
     * ({@code -1} while unknown, i.e. until the manifests are in). Engines that cannot tell report {@code -1} throughout.
     */
    default void prefetch(String repository, String reference, java.util.function.BiConsumer<Long, Long> bytesAndTotal) {
        prefetch(repository, reference, (Consumer<Long>) bytes -> bytesAndTotal.accept(bytes, -1L));
    }

    long cacheSizeBytes();

    // ---- offline bundles ----

    /**
     * Writes the fully cached images of {@code selection} to {@code file} as an OCI image layout in a tar archive
     * (bundle.BundleLayout); selected tags that are not fully cached are left out and reported. Reports bytes
     * written and the total as it goes. Interrupting the calling thread cancels it, leaving no file.
     *
     * @throws IllegalArgumentException for an unknown rule or repository
     * @throws dev.cachalot.bundle.BundleException when nothing selected is cached, the file cannot be written, or it
     *                                             was cancelled
     */
    BundleExportReport exportBundle(BundleSelection selection, Path file, java.util.function.BiConsumer<Long, Long> bytesAndTotal);

    default BundleExportReport exportBundle(BundleSelection selection, Path file) {
        return exportBundle(selection, file, (bytes, total) -> { });
    }

    /**
     * Verifies a bundle and loads it into this cache, all or nothing: each repository under the rule that serves its
     * name, or as a local repository. Reports bytes of the archive read and its size as it goes. Interrupting the
     * calling thread cancels it, leaving nothing behind.
     *
     * @throws dev.cachalot.bundle.BundleException when the bundle is damaged or hostile, or it was cancelled (nothing
     *                                             is left behind)
     */
    BundleImportReport importBundle(Path file, java.util.function.BiConsumer<Long, Long> bytesAndTotal);

    default BundleImportReport importBundle(Path file) {
        return importBundle(file, (bytes, total) -> { });
    }

    // ---- pull statistics ----

    StatsTotals totals(Instant since);

    List<RepositoryStats> repositoryStats(Instant since);

    List<PullEvent> recentPulls(int limit);

    List<TimeBucket> pullsOverTime(Instant since, Duration bucket);

    /** Listens for pull events as they happen (called on an engine thread). */
    AutoCloseable onPull(Consumer<PullEvent> listener);

    // ---- settings ----

    EngineSettings settings();

    void updateSettings(EngineSettings settings);
}
