package dev.cachalot.api.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cachalot.api.ApiBodies.ByteCount;
import dev.cachalot.api.ApiBodies.CredentialSetChange;
import dev.cachalot.api.ApiBodies.GarbageCollectionRequest;
import dev.cachalot.api.ApiBodies.ImportRequest;
import dev.cachalot.api.ApiBodies.LoginAttempt;
import dev.cachalot.api.ApiBodies.NewAccessToken;
import dev.cachalot.api.ApiBodies.NewCredentialSet;
import dev.cachalot.api.ApiBodies.NewRule;
import dev.cachalot.api.ApiBodies.NewUpstream;
import dev.cachalot.api.ApiBodies.NewUser;
import dev.cachalot.api.ApiBodies.PrefetchRequest;
import dev.cachalot.api.ApiBodies.Problems;
import dev.cachalot.api.ApiBodies.RuleChange;
import dev.cachalot.api.ApiBodies.RuleFile;
import dev.cachalot.api.ApiBodies.SecretValue;
import dev.cachalot.api.ApiBodies.SyncCancel;
import dev.cachalot.api.ApiBodies.SyncRunRequest;
import dev.cachalot.api.ApiBodies.UpstreamChange;
import dev.cachalot.api.ApiBodies.UpstreamCheckRequest;
import dev.cachalot.api.ApiError;
import dev.cachalot.api.ApiJson;
import dev.cachalot.api.BundleReportHeader;
import dev.cachalot.api.ManagementApi;
import dev.cachalot.bundle.BundleException;
import dev.cachalot.bundle.BundleExportReport;
import dev.cachalot.bundle.BundleImportReport;
import dev.cachalot.bundle.BundleLayout;
import dev.cachalot.bundle.BundleSelection;
import dev.cachalot.engine.AccessTokenView;
import dev.cachalot.engine.CreatedAccessToken;
import dev.cachalot.engine.CredentialSetView;
import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.engine.EngineException;
import dev.cachalot.engine.EngineSettings;
import dev.cachalot.engine.EngineStatus;
import dev.cachalot.engine.GarbageCollectionReport;
import dev.cachalot.engine.LoginCheckView;
import dev.cachalot.engine.ManifestView;
import dev.cachalot.engine.RepositoryView;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.engine.TagView;
import dev.cachalot.engine.UpstreamCheck;
import dev.cachalot.engine.UserView;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.ImportReport;
import dev.cachalot.rules.RuleValidationException;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.rules.TagFilter;
import dev.cachalot.rules.Upstream;
import dev.cachalot.rules.io.ConflictPolicy;
import dev.cachalot.rules.io.RuleFormat;
import dev.cachalot.stats.PullEvent;
import dev.cachalot.stats.RepositoryStats;
import dev.cachalot.stats.StatsTotals;
import dev.cachalot.stats.TimeBucket;
import dev.cachalot.sync.SyncProgress;
import dev.cachalot.sync.SyncReport;
import dev.cachalot.sync.SyncRequest;
import dev.cachalot.sync.SyncStatus;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * An engine on another machine (or in another process), through its management API: the same {@link EngineAdmin} the
 * CLI uses on a local data folder, so every management command works unchanged with {@code --engine URL}.
 *
 * <p>Failures come back as the engine's own exceptions with the engine's own messages: a refused rule as a
 * {@link RuleValidationException} with its problems, a refused value or an unknown name as an
 * {@link IllegalArgumentException}, anything else as an {@link EngineException}; an engine that does not answer as an
 * {@link EngineUnreachableException} naming its address.
 *
 * <p>Live updates ({@link #onStatus}, {@link #onPull}, {@link #onConfigChanged}) come over one server-sent events
 * stream ({@link EngineEvents}). Not over the API: starting and stopping the engine's server (that is done where it
 * runs), and its data folder.
 */
public final class RemoteEngine implements EngineAdmin {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Every call but a prefetch answers in well under this; past it the engine is taken as gone. */
    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(5);
    private static final String BUNDLE_TYPE = "application/x-tar";
    private static final int MAX_ERROR_BODY = 1 << 20;
    private static final String EXPORT_CANCELLED = "bundle export cancelled";
    /** How often a sync run's caller hears of its progress: what a progress line or bar needs. */
    private static final Duration SYNC_PROGRESS_POLL = Duration.ofSeconds(1);
    /** Threads holding a sync run's request while its caller polls the progress; daemons, so they never hold a JVM up. */
    private static final java.util.concurrent.Executor SYNC_WAITERS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cachalot-remote-sync");
        t.setDaemon(true);
        return t;
    });

    private final URI engine;
    private final String api;
    private final String token;
    private final HttpClient http;
    private final EngineEvents events;

    /**
     * @param engine the engine's address, {@code http(s)://host:port} (a path after it is ignored)
     * @param token  sent as {@code Authorization: Bearer}; null for an engine without authentication
     */
    public RemoteEngine(URI engine, String token) {
        this(engine, token, EngineTrust.context(null));
    }

    /** @param tls the certificates an {@code https} engine may present (see {@link EngineTrust}) */
    public RemoteEngine(URI engine, String token, SSLContext tls) {
        this.engine = address(engine);
        this.api = this.engine + ManagementApi.PREFIX;
        this.token = token == null || token.isBlank() ? null : token.strip();
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(tls).build();
        this.events = new EngineEvents(http, URI.create(api + "/events"), this.token, this.engine);
    }

    /** {@code scheme://host:port} of {@code url}; refused unless http or https with a host. */
    public static URI address(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw new IllegalArgumentException("an engine's address is http(s)://host[:port], not '" + url + "'");
        }
        if (url.getRawUserInfo() != null) {
            throw new IllegalArgumentException("an engine's address carries no user or password: give a token instead");
        }
        return URI.create(scheme + "://" + url.getRawAuthority());
    }

    /** The engine's address, as errors name it. */
    public URI engine() {
        return engine;
    }

    // ------------------------------------------------------------------ server

    @Override
    public EngineStatus status() {
        return get("/status", EngineStatus.class);
    }

    /** Live, over the engine's event stream; a lost connection is an {@code ERROR} status until it is back. */
    @Override
    public AutoCloseable onStatus(Consumer<EngineStatus> listener) {
        return events.onStatus(listener);
    }

    @Override
    public void startServer(String listen) {
        throw new EngineException("the engine at " + engine + " is started and stopped on its own machine");
    }

    @Override
    public void stopServer() {
        throw new EngineException("the engine at " + engine + " is started and stopped on its own machine");
    }

    // ------------------------------------------------------------------ server-mode users and access tokens

    @Override
    public UserView addUser(String name, String role, String repositoriesOrNull, char[] password) {
        try {
            return send("POST", "/users", new NewUser(name, role, repositoriesOrNull, password), UserView.class);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    @Override
    public List<UserView> users() {
        return get("/users", new TypeReference<>() { });
    }

    @Override
    public boolean removeUser(String name) {
        return optional(() -> {
            call("DELETE", "/users/" + segment(name), null);
            return true;
        }).orElse(false);
    }

    @Override
    public CreatedAccessToken createAccessToken(String name, String user, Duration validFor) {
        String expires = validFor == null ? "never" : Long.toString(validFor.toSeconds());
        return send("POST", "/tokens", new NewAccessToken(name, user, expires), CreatedAccessToken.class);
    }

    @Override
    public List<AccessTokenView> accessTokens() {
        return get("/tokens", new TypeReference<>() { });
    }

    @Override
    public boolean revokeAccessToken(String name) {
        return optional(() -> {
            call("DELETE", "/tokens/" + segment(name), null);
            return true;
        }).orElse(false);
    }

    @Override
    public Path dataFolderRoot() {
        throw new EngineException("the engine at " + engine + " keeps its data folder on its own machine");
    }

    // ------------------------------------------------------------------ rules and upstreams

    @Override
    public List<CacheRule> rules() {
        return get("/rules", new TypeReference<>() { });
    }

    @Override
    public List<String> checkRule(RuleDraft draft) {
        return send("POST", "/rules/check", newRule(draft), Problems.class).problems();
    }

    @Override
    public CacheRule createRule(RuleDraft draft) {
        return send("POST", "/rules", newRule(draft), CacheRule.class);
    }

    @Override
    public CacheRule setRuleCredentialSet(String ruleName, String credentialSetOrNull) {
        return send("PATCH", "/rules/" + segment(ruleName), new RuleChange(credentialSetOrNull), CacheRule.class);
    }

    @Override
    public void deleteRule(String name) {
        call("DELETE", "/rules/" + segment(name), null);
    }

    @Override
    public List<Upstream> upstreams() {
        return get("/upstreams", new TypeReference<>() { });
    }

    @Override
    public Upstream addUpstream(String loginServer, String endpoint, String caCertPemOrNull) {
        return send("POST", "/upstreams", new NewUpstream(loginServer, endpoint, caCertPemOrNull), Upstream.class);
    }

    @Override
    public Upstream updateUpstream(String loginServer, String endpoint, String caCertPemOrNull) {
        return send("PUT", "/upstreams/" + segment(loginServer), new UpstreamChange(endpoint, caCertPemOrNull), Upstream.class);
    }

    @Override
    public void removeUpstream(String loginServer) {
        call("DELETE", "/upstreams/" + segment(loginServer), null);
    }

    @Override
    public UpstreamCheck checkUpstream(String loginServerOrEndpoint, String caCertPemOrNull) {
        return send("POST", "/upstreams/check", new UpstreamCheckRequest(loginServerOrEndpoint, caCertPemOrNull), UpstreamCheck.class);
    }

    @Override
    public Map<String, UpstreamCheck> upstreamChecks() {
        return get("/upstreams/checks", new TypeReference<>() { });
    }

    @Override
    public Map<String, dev.cachalot.engine.RuleState> ruleStates() {
        return get("/rule-states", new TypeReference<>() { });
    }

    @Override
    public ImportReport previewImport(List<Path> files, String format) {
        return previewImport(files, format, false, ConflictPolicy.FAIL);
    }

    @Override
    public ImportReport importRules(List<Path> files, String format, boolean validOnly) {
        return importRules(files, format, validOnly, ConflictPolicy.FAIL);
    }

    @Override
    public ImportReport previewImport(List<Path> files, String format, boolean validOnly, ConflictPolicy onConflict) {
        return send("POST", "/rules/import", importRequest(files, format, validOnly, onConflict, true), ImportReport.class);
    }

    @Override
    public ImportReport importRules(List<Path> files, String format, boolean validOnly, ConflictPolicy onConflict) {
        return send("POST", "/rules/import", importRequest(files, format, validOnly, onConflict, false), ImportReport.class);
    }

    private static ImportRequest importRequest(List<Path> files, String format, boolean validOnly, ConflictPolicy onConflict,
                                               boolean dryRun) {
        List<RuleFile> sent = new ArrayList<>();
        for (Path file : files) {
            try {
                sent.add(new RuleFile(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return new ImportRequest(sent, format, validOnly, onConflict.name().toLowerCase(java.util.Locale.ROOT), dryRun);
    }

    @Override
    public void exportRules(Path file, String format) {
        byte[] body = bytes("/rules/export?format=" + query(RuleFormat.parseExport(format).id()));
        try {
            Files.write(file, body);
        } catch (IOException e) {
            throw new EngineException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void exportRules(OutputStream out, RuleFormat format) throws IOException {
        out.write(bytes("/rules/export?format=" + query(format.id())));
        out.flush();
    }

    /** Changes by any other client of the engine (its app, its CLI, another API client), and after a reconnect. */
    @Override
    public AutoCloseable onConfigChanged(Runnable listener) {
        return events.onConfigChanged(listener);
    }

    // ------------------------------------------------------------------ credential sets and secrets

    @Override
    public List<CredentialSetView> credentialSets() {
        return get("/credential-sets", new TypeReference<>() { });
    }

    @Override
    public Optional<CredentialSetView> credentialSet(String name) {
        return optional(() -> get("/credential-sets/" + segment(name), CredentialSetView.class));
    }

    @Override
    public CredentialSetView createCredentialSet(String name, String loginServer, String username, char[] password) {
        try {
            return send("POST", "/credential-sets", new NewCredentialSet(name, loginServer, username, new String(password), null, null),
                    CredentialSetView.class);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    @Override
    public CredentialSetView createCredentialSetFromSecrets(String name, String loginServer, String usernameSecretId,
                                                            String passwordSecretId) {
        return send("POST", "/credential-sets", new NewCredentialSet(name, loginServer, null, null, usernameSecretId, passwordSecretId),
                CredentialSetView.class);
    }

    @Override
    public CredentialSetView updateCredentialSet(String name, String usernameSecretIdOrNull, String passwordSecretIdOrNull) {
        return send("PATCH", "/credential-sets/" + segment(name),
                new CredentialSetChange(null, null, usernameSecretIdOrNull, passwordSecretIdOrNull), CredentialSetView.class);
    }

    @Override
    public LoginCheckView checkLogin(String loginServer, String username, char[] password) {
        try {
            return send("POST", "/credential-sets/check-login", new LoginAttempt(loginServer, username, new String(password)),
                    LoginCheckView.class);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    @Override
    public CredentialSetView updateCredentialSetLogin(String name, String username, char[] password) {
        try {
            return send("PATCH", "/credential-sets/" + segment(name), new CredentialSetChange(username, new String(password), null, null),
                    CredentialSetView.class);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    @Override
    public CredentialSetView validateCredentialSet(String name) {
        return send("POST", "/credential-sets/" + segment(name) + "/validate", null, CredentialSetView.class);
    }

    @Override
    public void deleteCredentialSet(String name) {
        call("DELETE", "/credential-sets/" + segment(name), null);
    }

    @Override
    public void setSecret(String name, char[] value) {
        try {
            call("PUT", "/secrets/" + segment(name), new SecretValue(new String(value)));
        } finally {
            Arrays.fill(value, '\0');
        }
    }

    @Override
    public List<String> secretNames() {
        return get("/secrets", new TypeReference<>() { });
    }

    @Override
    public boolean deleteSecret(String name) {
        return optional(() -> {
            call("DELETE", "/secrets/" + segment(name), null);
            return true;
        }).orElse(false);
    }

    // ------------------------------------------------------------------ repositories

    @Override
    public List<RepositoryView> repositories() {
        return get("/repositories", new TypeReference<>() { });
    }

    @Override
    public List<TagView> tags(String repository) {
        return get("/repository/tags?name=" + query(repository), new TypeReference<>() { });
    }

    @Override
    public Optional<ManifestView> manifest(String repository, String digest) {
        return optional(() -> get("/repository/manifest?name=" + query(repository) + "&digest=" + query(digest), ManifestView.class));
    }

    @Override
    public void deleteTag(String repository, String tag) {
        call("DELETE", "/repository/tag?name=" + query(repository) + "&tag=" + query(tag), null);
    }

    @Override
    public void deleteRepository(String repository) {
        call("DELETE", "/repository?name=" + query(repository), null);
    }

    /** Reports the bytes once, when the engine has the image: progress over the API comes with live updates. */
    @Override
    public void prefetch(String repository, String reference, Consumer<Long> bytesFetched) {
        ByteCount fetched = parse(exchange("POST", "/prefetch", new PrefetchRequest(repository, reference), null), ByteCount.class);
        bytesFetched.accept(fetched.bytes());
    }

    @Override
    public long cacheSizeBytes() {
        return get("/cache-size", ByteCount.class).bytes();
    }

    /** No time limit: a collection lists the whole blob store, which takes as long as the store is large. */
    @Override
    public GarbageCollectionReport collectGarbage(boolean dryRun) {
        return parse(exchange("POST", "/garbage-collection", new GarbageCollectionRequest(dryRun), null),
                GarbageCollectionReport.class);
    }

    // ------------------------------------------------------------------ offline bundles, streamed over the API

    /**
     * Downloads the bundle into {@code FILE.part} and moves it to {@code file} once the engine has sent all of it; a
     * broken transfer, a failure or an interrupt (the portal's Cancel) deletes the part and leaves no file.
     */
    @Override
    public BundleExportReport exportBundle(BundleSelection selection, Path file, BiConsumer<Long, Long> bytesAndTotal) {
        Path part = file.resolveSibling(file.getFileName() + ".part");
        try {
            BundleExportReport report;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(part), 1 << 16)) {
                report = exportBundle(selection, out, r -> { }, bytesAndTotal);
            }
            if (report.tags().isEmpty()) {
                // the engine shortened the report to fit its header: the tags are the bundle's ref names
                report = new BundleExportReport(BundleLayout.refNames(part), report.manifests(), report.blobs(), report.bytes(),
                        report.skipped());
            }
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return report;
        } catch (IOException e) {
            deleteQuietly(part);
            throw new BundleException("cannot write bundle " + file + ": " + e.getMessage(), e);
        } catch (BundleException e) {
            deleteQuietly(part);
            if (EXPORT_CANCELLED.equals(e.getMessage())) throw new BundleException(EXPORT_CANCELLED + "; no file was written", e);
            throw e;
        } catch (RuntimeException e) {
            deleteQuietly(part);
            throw e;
        }
    }

    /**
     * Streams the engine's answer to {@code out} as it arrives; {@code planned} gets the engine's report (from its
     * header) before the first byte. Both {@code planned} and progress are called on the HTTP client's threads;
     * progress counts the archive's bytes against the report's. An answer that ends without HTTP's end of body (the
     * engine failed mid-way) is a {@link BundleException}, as is an interrupt of the calling thread (cancelled): {@code
     * out} then holds a partial archive, and nothing more is written to it.
     */
    @Override
    public BundleExportReport exportBundle(BundleSelection selection, OutputStream out, Consumer<BundleExportReport> planned,
                                           BiConsumer<Long, Long> bytesAndTotal) {
        String path = "/bundles/export?" + bundleQuery(selection);
        HttpRequest request = builder(path, null).header("Accept", BUNDLE_TYPE + ", application/json").GET().build();
        AtomicReference<BundleExportReport> report = new AtomicReference<>();
        AtomicReference<BundleDownload> download = new AtomicReference<>();
        java.util.concurrent.CompletableFuture<HttpResponse<Object>> exchange = http.sendAsync(request, info -> {
            if (info.statusCode() / 100 != 2) {
                return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofByteArray(), bytes -> (Object) bytes);
            }
            BundleExportReport r;
            try {
                r = BundleReportHeader.decode(info.headers().firstValue(BundleReportHeader.NAME).orElse(null));
            } catch (IllegalStateException e) {
                throw new EngineException("the engine at " + engine + " sent a bundle this version cannot read: " + e.getMessage(), e);
            }
            report.set(r);
            planned.accept(r);
            BundleDownload d = new BundleDownload(out, r.bytes(), bytesAndTotal);
            download.set(d);
            return HttpResponse.BodySubscribers.mapping(d, bytes -> (Object) bytes);
        });
        HttpResponse<Object> response;
        try {
            response = exchange.get();
        } catch (InterruptedException e) {
            BundleDownload d = download.get();
            if (d != null) d.cancel();
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new BundleException(EXPORT_CANCELLED, e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (download.get() == null && cause instanceof IOException io) throw unreachable(io);
            throw new BundleException("the bundle from the engine at " + engine + " broke off before its end (" + describe(cause)
                    + "); what arrived is incomplete", cause);
        }
        if (response.statusCode() / 100 != 2) throw failure("GET", path, response.statusCode(), (byte[]) response.body());
        try {
            out.flush();
        } catch (IOException e) {
            throw new BundleException("cannot write the bundle: " + e.getMessage(), e);
        }
        return report.get();
    }

    /** Uploads the file with progress (bytes sent against its size); the engine answers once it has imported it, or refused it. */
    @Override
    public BundleImportReport importBundle(Path file, BiConsumer<Long, Long> bytesAndTotal) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no bundle file " + file);
        try (InputStream in = Files.newInputStream(file)) {
            return importBundle(in, Files.size(file), bytesAndTotal);
        } catch (IOException e) {
            throw new BundleException("cannot read the bundle " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sends {@code archive} as the request body ({@code Content-Length} when {@code size} is known, else chunked). An
     * interrupt cancels the upload; the engine then refuses the cut archive and keeps nothing of it. Interrupted
     * after the last byte was sent, the engine may already be loading it: the message says so.
     */
    @Override
    public BundleImportReport importBundle(InputStream archive, long size, BiConsumer<Long, Long> bytesAndTotal) {
        // A caller the engine refuses (no admin role) hears it on a request without a body, before any upload: an
        // upload's early refusal races the client still writing (the engine answers and closes at once, and the JDK's
        // client then often reports the dropped connection instead of the answer), and a refused caller should not
        // send gigabytes first.
        exchange("GET", "/status", null, CALL_TIMEOUT);
        BundleUpload upload = new BundleUpload(archive, size, bytesAndTotal);
        HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> upload);
        // Not Expect: 100-continue: the JDK 17 client then waits forever when the answer is a refusal instead of 100
        // (JDK-8286171, fixed in 20); Jetty reads and drops what it did not take, so a refusal still arrives (tested).
        HttpRequest request = builder("/bundles/import", null).header("Accept", "application/json").header("Content-Type", BUNDLE_TYPE)
                .POST(size >= 0 ? HttpRequest.BodyPublishers.fromPublisher(stream, size) : stream).build();
        HttpResponse<byte[]> response;
        try {
            response = sendForBundle(request);
        } catch (EngineUnreachableException e) {
            if (upload.readFailure() != null) {
                throw new BundleException("cannot read the bundle: " + upload.readFailure().getMessage(), upload.readFailure());
            }
            throw e;
        } catch (BundleException e) {
            if (upload.finished()) {
                throw new BundleException("bundle import cancelled after the whole bundle was sent: the engine at " + engine
                        + " may have imported it (see its repositories)", e);
            }
            throw new BundleException("bundle import cancelled; nothing was imported", e);
        }
        if (response.statusCode() / 100 != 2) throw failure("POST", "/bundles/import", response.statusCode(), response.body());
        return parse(response.body(), BundleImportReport.class);
    }

    /**
     * Sends an upload without a time limit (a big bundle takes as long as the network needs) and waits for the answer
     * on a future, which an interrupt of the calling thread ends: the exchange is then cancelled (the JDK's client
     * abandons it and closes its connection).
     */
    private HttpResponse<byte[]> sendForBundle(HttpRequest request) {
        java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(request,
                HttpResponse.BodyHandlers.ofByteArray());
        try {
            return exchange.get();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) throw unreachable(io);
            if (cause instanceof RuntimeException r) throw r;
            throw new EngineException("the bundle import failed: " + cause, cause);
        } catch (InterruptedException e) {
            exchange.cancel(true); // aborts the exchange and closes its connection: the engine sees the upload cut
            Thread.currentThread().interrupt();
            throw new BundleException("bundle import cancelled", e);
        }
    }

    private static String bundleQuery(BundleSelection selection) {
        StringBuilder q = new StringBuilder(selection.ruleName() != null ? "rule=" + query(selection.ruleName())
                : "repository=" + query(selection.repository()));
        if (selection.tags() != TagFilter.ALL) q.append("&tags=").append(query(selection.tags().text()));
        if (!selection.platforms().isAll()) q.append("&platforms=").append(query(selection.platforms().text()));
        return q.toString();
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the export failed already; that is what the caller hears
        }
    }

    // ------------------------------------------------------------------ active sync

    @Override
    public CacheRule updateRuleSync(String ruleName, SyncDraft change) {
        return send("PATCH", "/rules/" + segment(ruleName) + "/sync-policy", change, CacheRule.class);
    }

    /**
     * Runs on the engine while this thread waits for the report, reporting the run's progress once a second from the
     * engine's status (a dry run has none to report). Interrupting this thread asks the engine to stop the run.
     */
    @Override
    public SyncReport syncRule(String ruleName, SyncRequest request, Consumer<SyncProgress> progress) {
        String path = "/rules/" + segment(ruleName) + "/sync";
        SyncRunRequest body = new SyncRunRequest(request.tag(), request.dryRun(), true);
        // a run takes as long as the upstream needs: no call timeout (as for a prefetch)
        CompletableFuture<byte[]> answer = CompletableFuture.supplyAsync(() -> exchange("POST", path, body, null), SYNC_WAITERS);
        try {
            while (true) {
                try {
                    return parse(answer.get(SYNC_PROGRESS_POLL.toMillis(), TimeUnit.MILLISECONDS), SyncReport.class);
                } catch (TimeoutException e) {
                    if (!request.dryRun()) {
                        SyncProgress now = get(path, SyncStatus.class).running();
                        if (now != null) progress.accept(now);
                    }
                }
            }
        } catch (InterruptedException e) {
            if (!request.dryRun()) cancelSync(ruleName);
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while the engine at " + engine + " syncs rule '" + ruleName + "'", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new EngineException("the sync of rule '" + ruleName + "' on the engine at " + engine + " failed: " + e.getCause(), e);
        }
    }

    @Override
    public boolean startSync(String ruleName, SyncRequest request) {
        if (request.dryRun()) throw new IllegalArgumentException("a dry run reports to its caller: run it with syncRule");
        try {
            call("POST", "/rules/" + segment(ruleName) + "/sync", new SyncRunRequest(request.tag(), false, false));
            return true;
        } catch (SyncRunning e) {
            return false;
        }
    }

    @Override
    public boolean cancelSync(String ruleName) {
        return send("POST", "/rules/" + segment(ruleName) + "/sync/cancel", null, SyncCancel.class).cancelled();
    }

    @Override
    public Map<String, SyncStatus> syncStatuses() {
        return get("/rules/sync", new TypeReference<java.util.LinkedHashMap<String, SyncStatus>>() { });
    }

    // ------------------------------------------------------------------ statistics

    @Override
    public StatsTotals totals(Instant since) {
        return get("/stats/totals?since=" + query(since.toString()), StatsTotals.class);
    }

    @Override
    public List<RepositoryStats> repositoryStats(Instant since) {
        return get("/stats/repositories?since=" + query(since.toString()), new TypeReference<>() { });
    }

    @Override
    public List<PullEvent> recentPulls(int limit) {
        return get("/stats/recent?limit=" + limit, new TypeReference<>() { });
    }

    @Override
    public List<TimeBucket> pullsOverTime(Instant since, Duration bucket) {
        return get("/stats/over-time?since=" + query(since.toString()) + "&bucket=" + query(bucket.toString()), new TypeReference<>() { });
    }

    @Override
    public AutoCloseable onPull(Consumer<PullEvent> listener) {
        return events.onPull(listener);
    }

    // ------------------------------------------------------------------ settings

    @Override
    public EngineSettings settings() {
        return get("/settings", EngineSettings.class);
    }

    @Override
    public void updateSettings(EngineSettings settings) {
        call("PUT", "/settings", settings);
    }

    /** Ends the event stream; the JDK's client keeps no other resource worth releasing (idle connections time out). */
    @Override
    public void close() {
        events.close();
    }

    // ------------------------------------------------------------------ HTTP

    private <T> T get(String path, Class<T> type) {
        return parse(exchange("GET", path, null, CALL_TIMEOUT), type);
    }

    private <T> T get(String path, TypeReference<T> type) {
        byte[] body = exchange("GET", path, null, CALL_TIMEOUT);
        try {
            return ApiJson.mapper().readValue(body, type);
        } catch (IOException e) {
            throw unreadable(path, e);
        }
    }

    private <T> T send(String method, String path, Object body, Class<T> type) {
        return parse(exchange(method, path, body, CALL_TIMEOUT), type);
    }

    private void call(String method, String path, Object body) {
        exchange(method, path, body, CALL_TIMEOUT);
    }

    private byte[] bytes(String path) {
        return exchange("GET", path, null, CALL_TIMEOUT);
    }

    private <T> T parse(byte[] body, Class<T> type) {
        try {
            return ApiJson.mapper().readValue(body, type);
        } catch (IOException e) {
            throw unreadable(type.getSimpleName(), e);
        }
    }

    private EngineException unreadable(String what, IOException e) {
        return new EngineException("the engine at " + engine + " sent an answer this version cannot read (" + what + "): "
                + e.getMessage(), e);
    }

    /** One request; the body of a 2xx answer, else the engine's error as the exception the engine would throw. */
    private byte[] exchange(String method, String path, Object body, Duration timeout) {
        HttpRequest.Builder request = builder(path, timeout).header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            try {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(ApiJson.mapper().writeValueAsBytes(body)));
            } catch (IOException e) {
                throw new IllegalStateException("cannot write the request as JSON", e);
            }
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while waiting for the engine at " + engine, e);
        }
        if (response.statusCode() / 100 == 2) {
            return response.body();
        }
        throw failure(method, path, response.statusCode(), response.body());
    }

    private HttpRequest.Builder builder(String path, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api + path));
        if (timeout != null) request.timeout(timeout);
        if (token != null) request.header("Authorization", "Bearer " + token);
        return request;
    }

    private EngineUnreachableException unreachable(IOException e) {
        String why;
        if (e instanceof HttpConnectTimeoutException) {
            why = "no connection within " + CONNECT_TIMEOUT.toSeconds() + " s";
        } else if (e instanceof HttpTimeoutException) {
            why = "no answer within " + CALL_TIMEOUT.toMinutes() + " min";
        } else if (e instanceof ConnectException) {
            why = "connection refused";
        } else if (e instanceof SSLException) {
            why = "TLS failed: " + e.getMessage() + " (to trust a CA of your own, set CACHALOT_ENGINE_CA to its PEM file)";
        } else {
            why = e.getMessage() == null || e.getMessage().isBlank() ? "the connection was dropped" : e.getMessage();
        }
        return new EngineUnreachableException("cannot reach the engine at " + engine + ": " + why, e);
    }

    private RuntimeException failure(String method, String path, int status, byte[] body) {
        ApiError error = apiError(body);
        if (error == null) {
            String what = status == 404 ? "has no management API (is it a Cachalot engine, and of this version?)" : "answered HTTP " + status;
            return new EngineException("the engine at " + engine + " " + what + " (" + method + " " + ManagementApi.PREFIX + path + ")");
        }
        String message = error.message();
        return switch (error.code()) {
            case ApiError.SYNC_RUNNING -> new SyncRunning(message);
            case ApiError.INVALID_RULE -> new RuleValidationException(error.problems().isEmpty() ? List.of(message) : error.problems());
            case ApiError.INVALID_REQUEST, ApiError.NOT_FOUND, ApiError.CREDENTIALS_REFUSED -> new RemoteRefusal(status, message);
            case ApiError.BUNDLE_REFUSED -> new BundleException(message);
            case ApiError.UNAUTHORIZED -> new EngineException(message + (token == null
                    ? " (log in with `cachalot login " + engine + "`, or set CACHALOT_TOKEN)"
                    : " (the token was refused: log in again with `cachalot login " + engine + "`)"));
            default -> new EngineException(message);
        };
    }

    /**
     * The API's error body; or, when the engine's listener refused the caller before the API saw it (signing in is
     * checked there when authentication is on), the registry's OCI error body, read as the same error.
     */
    private static ApiError apiError(byte[] body) {
        try {
            JsonNode node = ApiJson.mapper().readTree(body);
            if (node == null) return null;
            JsonNode oci = node.path("errors").path(0);
            if (oci.hasNonNull("code") && oci.hasNonNull("message")) {
                // UNAUTHORIZED and DENIED are spelled alike in both
                return new ApiError(oci.get("code").asText(), oci.get("message").asText());
            }
            if (!node.hasNonNull("code") || !node.hasNonNull("message")) return null;
            return ApiJson.mapper().treeToValue(node, ApiError.class);
        } catch (IOException e) {
            return null;
        }
    }

    /** A refused value or an unknown name, as the local engine's IllegalArgumentException; keeps the status for 404s. */
    static final class RemoteRefusal extends IllegalArgumentException {
        private final int status;

        RemoteRefusal(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** The local engine's refusal of a second run of a rule's sync. */
    static final class SyncRunning extends IllegalStateException {
        SyncRunning(String message) {
            super(message);
        }
    }

    private interface Call<T> {
        T run();
    }

    private static <T> Optional<T> optional(Call<T> call) {
        try {
            return Optional.of(call.run());
        } catch (RemoteRefusal e) {
            if (e.status == 404) return Optional.empty();
            throw e;
        }
    }

    private static NewRule newRule(RuleDraft d) {
        return new NewRule(d.name(), d.sourceRepository(), d.targetRepository(), d.credentialSet(), d.freshness());
    }

    private static String segment(String value) {
        return query(value);
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
