package dev.cachalot.engine;

import dev.cachalot.bundle.BundleExportReport;
import dev.cachalot.bundle.BundleImportReport;
import dev.cachalot.bundle.BundleSelection;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.metrics.EngineMetrics;
import dev.cachalot.registry.RegistryServer;
import dev.cachalot.registry.TlsFiles;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.FreshnessPolicy;
import dev.cachalot.rules.ImportReport;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.rules.Upstream;
import dev.cachalot.rules.io.ConflictPolicy;
import dev.cachalot.rules.io.RuleFormat;
import dev.cachalot.security.AccessToken;
import dev.cachalot.security.Passwords;
import dev.cachalot.security.RepositoryPattern;
import dev.cachalot.security.Role;
import dev.cachalot.security.TokenSecrets;
import dev.cachalot.security.User;
import dev.cachalot.stats.PullEvent;
import dev.cachalot.stats.RepositoryStats;
import dev.cachalot.stats.StatsTotals;
import dev.cachalot.stats.TimeBucket;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.GarbageCollector;
import dev.cachalot.sync.SyncProgress;
import dev.cachalot.sync.SyncReport;
import dev.cachalot.sync.SyncRequest;
import dev.cachalot.sync.SyncStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Handler;

/**
 * The caching engine of one data folder: metadata, blob store, rules, the upstream client, pull statistics, and
 * (when started) the registry server. Opening it is cheap and safe while another process serves the same folder;
 * only {@link #startServer} takes the folder's serving lock.
 *
 * <p>A facade: {@link EngineParts} wires the parts, {@link ConfigWatcher} keeps the configuration current,
 * {@link ServerLifecycle} starts and stops the server; this class turns API calls into calls on them.
 */
public final class Engine implements EngineAdmin {

    private final EngineParts parts;
    private final ConfigWatcher config;
    private final ServerLifecycle server;
    private final UpstreamChecks upstreamChecks;

    private Engine(DataFolder folder, Clock clock, VaultOptions vaultOptions) {
        this(folder, clock, EngineOptions.withVault(vaultOptions));
    }

    private Engine(DataFolder folder, Clock clock, EngineOptions options) {
        this.parts = new EngineParts(folder, clock, options.vault(), options.sharedDatabase().orElse(null),
                options.s3Storage(), options.garbageGrace());
        this.config = parts.config;
        this.server = new ServerLifecycle(parts, options.tokenKeyFile());
        this.upstreamChecks = new UpstreamChecks(parts.upstreamClient, this::upstreams, clock);
        config.start();
    }

    /** Opens the engine of the data folder at {@code folder} (creating it), without serving. */
    public static Engine open(Path folder, EngineOptions options) {
        return new Engine(new DataFolder(folder), Clock.systemUTC(), options);
    }

    /** As {@link #open(Path, EngineOptions)} with {@link EngineOptions#system()}. */
    public static Engine open(Path folder) {
        return open(folder, EngineOptions.system());
    }

    /** {@code CACHALOT_DATA} if set, else the platform's user data folder (e.g. {@code ~/.local/share/cachalot}). */
    public static Path defaultDataFolder() {
        return DataFolder.defaultLocation().root();
    }

    /**
     * Loads the registry server's classes. A process about to serve calls it on a spare thread while it opens the
     * engine: the two overlap on a second core, and start to ready is shorter.
     */
    public static void preloadServer() {
        RegistryServer.preload();
        EngineMetrics.preload();
    }

    /** Opens the engine of {@code folder} (creating it), without serving. */
    public static Engine open(DataFolder folder) {
        return new Engine(folder, Clock.systemUTC(), VaultOptions.system());
    }

    /** Opens the engine with vault options of the caller's choosing (tests fake the keyring and the environment). */
    public static Engine open(DataFolder folder, VaultOptions vaultOptions) {
        return new Engine(folder, Clock.systemUTC(), vaultOptions);
    }

    /** The data folder's layout (tests look at its files). */
    public DataFolder dataFolder() {
        return parts.folder;
    }

    @Override
    public Path dataFolderRoot() {
        return parts.folder.root();
    }

    // ------------------------------------------------------------------ configuration

    @Override
    public AutoCloseable onConfigChanged(Runnable listener) {
        return config.onChanged(listener);
    }

    private <T> T changing(Supplier<T> change) {
        return config.changing(change);
    }

    // ------------------------------------------------------------------ server

    /**
     * Lets go of memory kept for the next requests (the server's pooled buffers, the downloads' spare ones, the
     * database's page cache), for the process's collection when it goes idle ({@code IdleHeapRelease}) to free. Safe
     * while serving: a request or download that comes after allocates or reads anew.
     */
    public void releaseIdleMemory() {
        server.releasePooledBuffers();
        parts.backend.releaseSpareBuffers();
        parts.database.releaseIdleCache();
    }

    @Override
    public EngineStatus status() {
        return server.status();
    }

    @Override
    public AutoCloseable onStatus(Consumer<EngineStatus> listener) {
        return server.onStatus(listener);
    }

    @Override
    public void startServer(String listen) {
        server.start(listen);
    }

    /**
     * Starts the server on HTTPS: {@code certificateChain} (PEM, server certificate first) and {@code privateKey}
     * (PEM, PKCS#8), re-read whenever they change.
     */
    public void startServer(String listen, Path certificateChain, Path privateKey) {
        server.start(listen, new TlsFiles(certificateChain, privateKey));
    }

    /**
     * Serves {@code handler} beside the registry from the next {@link #startServer} on: it answers every path under
     * {@code /cachalot/} (the management API, built on this engine by the caller: the engine does not know it).
     */
    public void serveManagementApi(Handler handler) {
        server.serveManagement(handler);
    }

    /**
     * Starts the server as {@code serve} does: HTTPS when {@code certificateChain} and {@code privateKey} are given (else
     * plain HTTP), admitting clients as {@code options} say.
     *
     * @throws EngineException when the options would leave a non-loopback listener open (the message says why)
     */
    public void startServer(String listen, Path certificateChain, Path privateKey, ServingOptions options) {
        server.start(listen, certificateChain == null ? null : new TlsFiles(certificateChain, privateKey), options);
    }

    /** The port the server listens on (useful with port 0), or -1 when stopped. */
    /** Blob downloads in flight here, counting those waiting for another engine's download of the same blob. */
    int downloadsInFlight() {
        return parts.backend.downloadsInFlight();
    }

    public int port() {
        return server.port();
    }

    @Override
    public void stopServer() {
        server.stop();
    }

    // ------------------------------------------------------------------ rules and upstreams

    @Override
    public List<CacheRule> rules() {
        return parts.ruleStore.list();
    }

    @Override
    public java.util.Map<String, RuleState> ruleStates() {
        dev.cachalot.rules.RuleSet ruleSet = config.ruleSet();
        java.util.Map<String, dev.cachalot.stats.PullEvent> lastPull = new java.util.HashMap<>();
        for (dev.cachalot.stats.PullEvent e : statistics().lastPullPerRepository()) {
            if (!dev.cachalot.oci.RepositoryName.isValid(e.repository())) continue;
            ruleSet.resolve(dev.cachalot.oci.RepositoryName.of(e.repository()), null).ifPresent(r -> lastPull.merge(
                    r.rule().name(), e, (a, b) -> a.at().isAfter(b.at()) ? a : b));
        }
        java.util.Map<String, UpstreamCheck> checks = upstreamChecks.lastResults();
        java.util.Map<String, RuleState> states = new java.util.LinkedHashMap<>();
        for (CacheRule rule : ruleSet.rules()) {
            dev.cachalot.stats.PullEvent pull = lastPull.get(rule.name());
            String loginServer = rule.sourceRepository().substring(0, rule.sourceRepository().indexOf('/'));
            states.put(rule.name(), new RuleState(rule.name(), pull == null ? null : pull.at(),
                    pull == null ? null : pull.reference(),
                    pull == null || pull.outcome() != dev.cachalot.stats.PullEvent.Outcome.FAILED ? null
                            : pull.error() == null ? "failed" : pull.error(),
                    checks.get(loginServer)));
        }
        return states;
    }

    @Override
    public List<String> checkRule(RuleDraft draft) {
        return parts.ruleService.check(draft.name(), draft.sourceRepository(), draft.targetRepository(), draft.credentialSet(),
                freshnessOf(draft), draft.sync());
    }

    @Override
    public CacheRule createRule(RuleDraft draft) {
        return changing(() -> parts.ruleService.create(draft.name(), draft.sourceRepository(), draft.targetRepository(),
                draft.credentialSet(), freshnessOf(draft), draft.sync()));
    }

    private FreshnessPolicy freshnessOf(RuleDraft draft) {
        String text = draft.freshness();
        return text == null || text.isBlank() ? FreshnessPolicy.parse(parts.settingsStore.load().defaultFreshness()) : FreshnessPolicy.parse(text);
    }

    @Override
    public CacheRule setRuleCredentialSet(String ruleName, String credentialSetOrNull) {
        return changing(() -> parts.ruleService.setCredentialSet(ruleName, credentialSetOrNull));
    }

    @Override
    public CacheRule updateRuleSync(String ruleName, SyncDraft change) {
        return changing(() -> parts.ruleService.setSync(ruleName, change));
    }

    @Override
    public SyncReport syncRule(String ruleName, SyncRequest request, Consumer<SyncProgress> progress) {
        return parts.syncs.run(ruleName, request, progress);
    }

    @Override
    public boolean startSync(String ruleName, SyncRequest request) {
        return parts.syncs.start(ruleName, request);
    }

    /** The rule syncs (tests run the scheduler's look directly). */
    dev.cachalot.sync.RuleSyncs syncs() {
        return parts.syncs;
    }

    @Override
    public boolean cancelSync(String ruleName) {
        return parts.syncs.cancel(ruleName);
    }

    @Override
    public Optional<SyncReport> lastSyncReport(String ruleName) {
        return parts.syncs.lastReport(ruleName);
    }

    @Override
    public java.util.Map<String, SyncStatus> syncStatuses() {
        return parts.syncs.statuses();
    }

    @Override
    public void deleteRule(String name) {
        changing(() -> {
            parts.ruleService.delete(name);
            return null;
        });
    }

    @Override
    public List<Upstream> upstreams() {
        return config.ruleSet().catalog().all();
    }

    @Override
    public Upstream addUpstream(String loginServer, String endpoint, String caCertPemOrNull) {
        return changing(() -> parts.ruleService.addUpstream(loginServer, endpoint, caCertPemOrNull));
    }

    @Override
    public Upstream updateUpstream(String loginServer, String endpoint, String caCertPemOrNull) {
        return changing(() -> parts.ruleService.updateUpstream(loginServer, endpoint, caCertPemOrNull));
    }

    @Override
    public void removeUpstream(String loginServer) {
        changing(() -> {
            if (!parts.ruleService.removeUpstream(loginServer)) {
                throw new IllegalArgumentException("no custom upstream '" + loginServer + "'");
            }
            return null;
        });
        upstreamChecks.forget(loginServer);
    }

    @Override
    public UpstreamCheck checkUpstream(String loginServerOrEndpoint, String caCertPemOrNull) {
        return upstreamChecks.check(loginServerOrEndpoint, caCertPemOrNull);
    }

    @Override
    public java.util.Map<String, UpstreamCheck> upstreamChecks() {
        return upstreamChecks.lastResults();
    }

    @Override
    public ImportReport previewImport(List<Path> files, String format) {
        return parts.importer.preview(files, format);
    }

    @Override
    public ImportReport importRules(List<Path> files, String format, boolean validOnly) {
        return changing(() -> parts.importer.importRules(files, format, validOnly, ConflictPolicy.FAIL));
    }

    @Override
    public ImportReport previewImport(List<Path> files, String format, boolean validOnly, ConflictPolicy onConflict) {
        return parts.importer.preview(files, format, validOnly, onConflict);
    }

    @Override
    public ImportReport importRules(List<Path> files, String format, boolean validOnly, ConflictPolicy onConflict) {
        return changing(() -> parts.importer.importRules(files, format, validOnly, onConflict));
    }

    @Override
    public void exportRules(Path file, String format) {
        parts.exporter.export(file, format);
    }

    @Override
    public void exportRules(OutputStream out, RuleFormat format) throws IOException {
        parts.exporter.export(out, format);
    }

    // ------------------------------------------------------------------ offline bundles

    @Override
    public BundleExportReport exportBundle(BundleSelection selection, Path file, java.util.function.BiConsumer<Long, Long> bytesAndTotal) {
        requireRule(selection);
        return parts.bundleExporter.export(selection, file, bytesAndTotal);
    }

    @Override
    public BundleImportReport importBundle(Path file, java.util.function.BiConsumer<Long, Long> bytesAndTotal) {
        return parts.bundleImporter.importBundle(file, bytesAndTotal);
    }

    @Override
    public BundleExportReport exportBundle(BundleSelection selection, OutputStream out, Consumer<BundleExportReport> planned,
                                           java.util.function.BiConsumer<Long, Long> bytesAndTotal) {
        requireRule(selection);
        return parts.bundleExporter.export(selection, out, planned, bytesAndTotal);
    }

    @Override
    public BundleImportReport importBundle(java.io.InputStream archive, long size, java.util.function.BiConsumer<Long, Long> bytesAndTotal) {
        return parts.bundleImporter.importBundle(archive, size, bytesAndTotal);
    }

    /** An export by rule names one that exists: the exporter alone would find no repository and say so less clearly. */
    private void requireRule(BundleSelection selection) {
        if (selection.ruleName() != null && rules().stream().noneMatch(r -> r.name().equals(selection.ruleName()))) {
            throw new IllegalArgumentException("no rule named '" + selection.ruleName() + "'");
        }
    }

    // ------------------------------------------------------------------ credential sets

    @Override
    public List<CredentialSetView> credentialSets() {
        return parts.credentialService.list().stream().map(CredentialSetView::of).toList();
    }

    @Override
    public CredentialSetView createCredentialSet(String name, String loginServer, String username, char[] password) {
        return changing(() -> CredentialSetView.of(parts.credentialService.createWithLogin(name, loginServer, username, password)));
    }

    @Override
    public Optional<CredentialSetView> credentialSet(String name) {
        return parts.credentialService.show(name).map(CredentialSetView::of);
    }

    @Override
    public CredentialSetView createCredentialSetFromSecrets(String name, String loginServer, String usernameSecretId,
                                                            String passwordSecretId) {
        return changing(() -> CredentialSetView.of(parts.credentialService.create(name, loginServer, usernameSecretId, passwordSecretId)));
    }

    @Override
    public CredentialSetView updateCredentialSet(String name, String usernameSecretIdOrNull, String passwordSecretIdOrNull) {
        return changing(() -> CredentialSetView.of(parts.credentialService.update(name, usernameSecretIdOrNull, passwordSecretIdOrNull)));
    }

    @Override
    public LoginCheckView checkLogin(String loginServer, String username, char[] password) {
        return LoginCheckView.of(parts.credentialService.checkLogin(loginServer, username, password));
    }

    @Override
    public CredentialSetView updateCredentialSetLogin(String name, String username, char[] password) {
        return changing(() -> CredentialSetView.of(parts.credentialService.updateLogin(name, username, password)));
    }

    @Override
    public CredentialSetView validateCredentialSet(String name) {
        return CredentialSetView.of(parts.credentialService.validate(name));
    }

    @Override
    public void deleteCredentialSet(String name) {
        changing(() -> {
            parts.credentialService.delete(name);
            return null;
        });
    }

    // ------------------------------------------------------------------ vault secrets

    @Override
    public void setSecret(String name, char[] value) {
        parts.credentialService.setSecret(name, value);
    }

    @Override
    public List<String> secretNames() {
        return parts.credentialService.secretNames();
    }

    @Override
    public boolean deleteSecret(String name) {
        return parts.credentialService.deleteSecret(name);
    }

    // ------------------------------------------------------------------ users and access tokens

    @Override
    public UserView addUser(String name, String role, String repositoriesOrNull, char[] password) {
        try {
            User user = new User(User.checkName(name, "user name"), Role.parse(role), RepositoryPattern.parse(repositoriesOrNull),
                    Passwords.hash(password), parts.clock.instant());
            changing(() -> {
                parts.users.add(user);
                return null;
            });
            return userView(user);
        } finally {
            if (password != null) java.util.Arrays.fill(password, '\0');
        }
    }

    @Override
    public List<UserView> users() {
        return parts.users.users().stream().map(Engine::userView).toList();
    }

    private static UserView userView(User u) {
        return new UserView(u.name(), u.role().label(), u.repositories().text(), u.created());
    }

    @Override
    public boolean removeUser(String name) {
        return changing(() -> parts.users.remove(name));
    }

    @Override
    public CreatedAccessToken createAccessToken(String name, String user, Duration validFor) {
        User.checkName(name, "token name");
        if (validFor != null && (validFor.isNegative() || validFor.isZero())) {
            throw new IllegalArgumentException("a token's lifetime must be positive");
        }
        String secret = TokenSecrets.newSecret();
        Instant now = parts.clock.instant();
        AccessToken token = AccessToken.create(name, user, TokenSecrets.hash(secret), now, validFor == null ? null : now.plus(validFor));
        changing(() -> {
            parts.users.add(token);
            return null;
        });
        return new CreatedAccessToken(tokenView(token), secret);
    }

    @Override
    public List<AccessTokenView> accessTokens() {
        return parts.users.tokens().stream().map(Engine::tokenView).toList();
    }

    private static AccessTokenView tokenView(AccessToken t) {
        return new AccessTokenView(t.name(), t.user(), t.created(), t.expires(), t.lastUsed());
    }

    @Override
    public boolean revokeAccessToken(String name) {
        return changing(() -> parts.users.revoke(name));
    }

    // ------------------------------------------------------------------ repositories

    @Override
    public List<RepositoryView> repositories() {
        return parts.repositories.list();
    }

    @Override
    public List<TagView> tags(String repository) {
        return parts.repositories.tags(repository);
    }

    @Override
    public Optional<ManifestView> manifest(String repository, String digest) {
        return parts.repositories.manifest(repository, digest);
    }

    @Override
    public void deleteTag(String repository, String tag) {
        parts.repositories.deleteTag(repository, tag);
    }

    @Override
    public void deleteRepository(String repository) {
        parts.repositories.deleteRepository(repository);
    }

    @Override
    public void prefetch(String repository, String reference, Consumer<Long> bytesFetched) {
        parts.repositories.prefetch(repository, reference, bytesFetched);
    }

    @Override
    public void prefetch(String repository, String reference, java.util.function.BiConsumer<Long, Long> bytesAndTotal) {
        parts.repositories.prefetch(repository, reference, bytesAndTotal);
    }

    @Override
    public long cacheSizeBytes() {
        return parts.index.cachedBytes();
    }

    // ------------------------------------------------------------------ statistics

    /** The pull statistics, once every request made so far in this process is stored: a reader sees its own pulls. */
    private dev.cachalot.stats.PullStatistics statistics() {
        parts.recorder.storeQueued();
        return parts.statistics;
    }

    @Override
    public StatsTotals totals(Instant since) {
        return statistics().totals(since);
    }

    @Override
    public List<RepositoryStats> repositoryStats(Instant since) {
        return statistics().perRepository(since);
    }

    @Override
    public List<PullEvent> recentPulls(int limit) {
        return statistics().recent(limit);
    }

    @Override
    public List<TimeBucket> pullsOverTime(Instant since, Duration bucket) {
        return statistics().overTime(since, bucket);
    }

    @Override
    public AutoCloseable onPull(Consumer<PullEvent> listener) {
        return parts.recorder.onEvent(listener);
    }

    // ------------------------------------------------------------------ housekeeping

    @Override
    public GarbageCollectionReport collectGarbage(boolean dryRun) {
        GarbageCollector.Result result;
        try (ServingLock excluded = dryRun || parts.database.isShared() || server.holdsServingLock() ? null : servingLockToCollect()) {
            result = parts.janitor.collectNow(dryRun).orElseThrow(() -> new EngineException(
                    "another engine sharing this database is evicting or collecting garbage now; try again in a minute"));
        } catch (IOException e) {
            throw new EngineException("garbage collection failed: " + e.getMessage(), e);
        }
        return new GarbageCollectionReport(dryRun, result.examined(), result.deleted(), result.bytesFreed(),
                result.keptRecent(), result.keptBeingRead(), parts.janitor.grace().toString());
    }

    /**
     * The data folder's serving lock, for a collection by an engine that does not serve it (a CLI process): an engine
     * alone keeps the reads of its clients in memory (docs/decisions/0022-cluster-gc.md), so no other process may
     * delete blobs while it serves, and none may start serving until the collection is over.
     */
    private ServingLock servingLockToCollect() {
        try {
            return ServingLock.acquire(parts.folder, "collecting garbage");
        } catch (IOException e) {
            throw new EngineException(e.getMessage() + "; only that engine knows which blobs its clients are reading now:"
                    + " garbage collection runs there (daily, or `cachalot gc --engine URL` when it serves the management API),"
                    + " or here once it has stopped", e);
        }
    }

    /** The cache janitor (tests run its work directly). */
    CacheJanitor janitor() {
        return parts.janitor;
    }

    /** Waits until every pull event so far is stored (tests, shutdown). */
    public void flushEvents() {
        parts.recorder.flush();
    }

    // ------------------------------------------------------------------ settings

    @Override
    public EngineSettings settings() {
        return parts.settingsStore.load();
    }

    @Override
    public void updateSettings(EngineSettings settings) {
        ListenAddress.parse(settings.listen());
        FreshnessPolicy.parse(settings.defaultFreshness());
        if (settings.maxCacheBytes() < 0) throw new IllegalArgumentException("maximum cache size cannot be negative");
        changing(() -> {
            parts.settingsStore.save(settings);
            return null;
        });
    }

    @Override
    public void close() {
        config.close();
        parts.janitor.close();
        server.close();
        parts.close();
        server.announceStopped();
    }
}
