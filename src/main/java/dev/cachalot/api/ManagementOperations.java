package dev.cachalot.api;

import static dev.cachalot.api.ApiCall.required;

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
import dev.cachalot.bundle.BundleImportReport;
import dev.cachalot.bundle.BundleSelection;
import dev.cachalot.engine.CredentialSetView;
import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.engine.EngineSettings;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.engine.UserView;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.ImportReport;
import dev.cachalot.rules.PlatformFilter;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.rules.TagFilter;
import dev.cachalot.rules.io.ConflictPolicy;
import dev.cachalot.rules.io.RuleFormat;
import dev.cachalot.sync.SyncRequest;
import dev.cachalot.sync.SyncStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The operations of the management API over one engine, each a thin translation onto {@link EngineAdmin}: the
 * engine validates and words its refusals as it does for the app and the CLI. Lookups that the engine answers with
 * an empty result (an unknown rule, credential set, repository) become 404 here, with the CLI's message.
 */
final class ManagementOperations {
    private static final int DEFAULT_RECENT_PULLS = 100;
    /** Seconds ({@code 2592000}), or a number of days, hours or minutes ({@code 30d}): what the CLI sends and takes. */
    private static final Pattern LIFETIME = Pattern.compile("(-?\\d{1,10})([dhm]?)");
    private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofDays(30);

    /** The media type of a bundle (an OCI image layout in a tar), both ways. */
    static final String BUNDLE_TYPE = "application/x-tar";
    /** Past this much body left after an import's answer is known, the connection is closed rather than read on. */
    private static final long MAX_BUNDLE_DRAIN = 1L << 30;

    private final EngineAdmin engine;
    private final EventStreams streams;

    ManagementOperations(EngineAdmin engine, EventStreams streams) {
        this.engine = engine;
        this.streams = streams;
    }

    List<ApiOperation> all() {
        List<ApiOperation> ops = new ArrayList<>();
        ops.add(op("GET", "/status", c -> ApiResult.ok(engine.status())));
        ops.add(op("GET", "/events", c -> ApiResult.events(streams.open())));

        // ---- rules
        ops.add(op("GET", "/rules", c -> ApiResult.ok(engine.rules())));
        ops.add(op("POST", "/rules", c -> ApiResult.created(engine.createRule(draft(c.body(NewRule.class))))));
        ops.add(op("POST", "/rules/check", c -> ApiResult.ok(new Problems(engine.checkRule(draft(c.body(NewRule.class)))))));
        ops.add(op("GET", "/rules/{name}", c -> ApiResult.ok(rule(c.path("name")))));
        ops.add(op("PATCH", "/rules/{name}", c -> {
            String name = rule(c.path("name")).name();
            return ApiResult.ok(engine.setRuleCredentialSet(name, blankToNull(c.body(RuleChange.class).credentialSet())));
        }));
        ops.add(op("DELETE", "/rules/{name}", c -> {
            engine.deleteRule(rule(c.path("name")).name());
            return ApiResult.noContent();
        }));
        ops.add(op("POST", "/rules/import", c -> ApiResult.ok(importRules(c.body(ImportRequest.class)))));
        ops.add(op("GET", "/rules/export", c -> exportRules(c.query("format"))));

        // ---- active sync (issue 19); GET /rules/sync is literal, and no rule can be named "sync" (5 characters at least)
        ops.add(op("GET", "/rules/sync", c -> ApiResult.ok(engine.syncStatuses())));
        ops.add(op("GET", "/rules/{name}/sync", c -> ApiResult.ok(syncStatus(rule(c.path("name")).name()))));
        ops.add(op("PATCH", "/rules/{name}/sync-policy", c -> {
            String name = rule(c.path("name")).name();
            return ApiResult.ok(engine.updateRuleSync(name, c.body(SyncDraft.class)));
        }));
        ops.add(op("POST", "/rules/{name}/sync", c -> runSync(rule(c.path("name")).name(), c.body(SyncRunRequest.class))));
        ops.add(op("POST", "/rules/{name}/sync/cancel", c -> ApiResult.ok(new SyncCancel(engine.cancelSync(rule(c.path("name")).name())))));

        // ---- upstreams
        ops.add(op("GET", "/upstreams", c -> ApiResult.ok(engine.upstreams())));
        ops.add(op("POST", "/upstreams", c -> {
            NewUpstream u = c.body(NewUpstream.class);
            return ApiResult.created(engine.addUpstream(required(u.loginServer(), "loginServer"), required(u.endpoint(), "endpoint"),
                    blankToNull(u.caCertPem())));
        }));
        ops.add(op("PUT", "/upstreams/{loginServer}", c -> {
            UpstreamChange u = c.body(UpstreamChange.class);
            return ApiResult.ok(engine.updateUpstream(c.path("loginServer"), required(u.endpoint(), "endpoint"), blankToNull(u.caCertPem())));
        }));
        ops.add(op("DELETE", "/upstreams/{loginServer}", c -> {
            engine.removeUpstream(c.path("loginServer"));
            return ApiResult.noContent();
        }));
        ops.add(op("POST", "/upstreams/check", c -> {
            UpstreamCheckRequest r = c.body(UpstreamCheckRequest.class);
            return ApiResult.ok(engine.checkUpstream(required(r.upstream(), "upstream"), blankToNull(r.caCertPem())));
        }));
        ops.add(op("GET", "/upstreams/checks", c -> ApiResult.ok(engine.upstreamChecks())));
        ops.add(op("GET", "/rule-states", c -> ApiResult.ok(engine.ruleStates())));

        // ---- credential sets and vault secrets (secrets go in, never out)
        ops.add(op("GET", "/credential-sets", c -> ApiResult.ok(engine.credentialSets())));
        ops.add(op("POST", "/credential-sets", c -> ApiResult.created(createCredentialSet(c.body(NewCredentialSet.class)))));
        ops.add(op("POST", "/credential-sets/check-login", c -> {
            LoginAttempt a = c.body(LoginAttempt.class);
            return ApiResult.ok(engine.checkLogin(required(a.loginServer(), "loginServer"), required(a.username(), "username"),
                    chars(required(a.password(), "password"))));
        }));
        ops.add(op("GET", "/credential-sets/{name}", c -> ApiResult.ok(credentialSet(c.path("name")))));
        ops.add(op("PATCH", "/credential-sets/{name}", c -> ApiResult.ok(changeCredentialSet(c.path("name"), c.body(CredentialSetChange.class)))));
        ops.add(op("DELETE", "/credential-sets/{name}", c -> {
            engine.deleteCredentialSet(credentialSet(c.path("name")).name());
            return ApiResult.noContent();
        }));
        ops.add(op("POST", "/credential-sets/{name}/validate", c ->
                ApiResult.ok(engine.validateCredentialSet(credentialSet(c.path("name")).name()))));
        ops.add(op("GET", "/secrets", c -> ApiResult.ok(engine.secretNames())));
        ops.add(op("PUT", "/secrets/{name}", c -> {
            engine.setSecret(c.path("name"), chars(required(c.body(SecretValue.class).value(), "value")));
            return ApiResult.noContent();
        }));
        ops.add(op("DELETE", "/secrets/{name}", c -> {
            if (!engine.deleteSecret(c.path("name"))) throw ApiException.notFound("there is no secret named '" + c.path("name") + "'");
            return ApiResult.noContent();
        }));

        // ---- repositories (names hold slashes: they go in the query)
        ops.add(op("GET", "/repositories", c -> ApiResult.ok(engine.repositories())));
        ops.add(op("DELETE", "/repository", c -> {
            engine.deleteRepository(repository(c.requiredQuery("name")));
            return ApiResult.noContent();
        }));
        ops.add(op("GET", "/repository/tags", c -> ApiResult.ok(engine.tags(repository(c.requiredQuery("name"))))));
        ops.add(op("DELETE", "/repository/tag", c -> {
            String name = repository(c.requiredQuery("name"));
            String tag = c.requiredQuery("tag");
            if (engine.tags(name).stream().noneMatch(t -> t.tag().equals(tag))) throw ApiException.notFound("no tag " + tag + " in " + name);
            engine.deleteTag(name, tag);
            return ApiResult.noContent();
        }));
        ops.add(op("GET", "/repository/manifest", c -> {
            String name = c.requiredQuery("name");
            String digest = c.requiredQuery("digest");
            return ApiResult.ok(engine.manifest(name, digest)
                    .orElseThrow(() -> ApiException.notFound("no manifest " + digest + " in " + name)));
        }));
        ops.add(op("POST", "/prefetch", c -> {
            PrefetchRequest r = c.body(PrefetchRequest.class);
            long[] fetched = {0};
            engine.prefetch(required(r.repository(), "repository"), required(r.reference(), "reference"), (Long bytes) -> fetched[0] = bytes);
            return ApiResult.ok(new ByteCount(fetched[0]));
        }));
        ops.add(op("GET", "/cache-size", c -> ApiResult.ok(new ByteCount(engine.cacheSizeBytes()))));
        ops.add(op("POST", "/garbage-collection", c -> ApiResult.ok(engine.collectGarbage(c.body(GarbageCollectionRequest.class).dryRun()))));

        // ---- offline bundles (the tar is the body: streamed out of and into the engine, never held whole)
        ops.add(op("GET", "/bundles/export", c -> {
            BundleSelection selection = bundleSelection(c);
            return ApiResult.download(BUNDLE_TYPE, (header, body) -> engine.exportBundle(selection, body,
                    report -> header.accept(BundleReportHeader.NAME, BundleReportHeader.encode(report)), (bytes, total) -> { }));
        }));
        ops.add(op("POST", "/bundles/import", c -> ApiResult.ok(importBundle(c))));

        // ---- statistics
        ops.add(op("GET", "/stats/totals", c -> ApiResult.ok(engine.totals(c.instant("since", Instant.EPOCH)))));
        ops.add(op("GET", "/stats/repositories", c -> ApiResult.ok(engine.repositoryStats(c.instant("since", Instant.EPOCH)))));
        ops.add(op("GET", "/stats/recent", c -> ApiResult.ok(engine.recentPulls(limit(c.query("limit"))))));
        ops.add(op("GET", "/stats/over-time", c -> ApiResult.ok(engine.pullsOverTime(c.instant("since", Instant.EPOCH),
                bucket(c.requiredQuery("bucket"))))));

        // ---- server-mode users and access tokens (passwords go in only; a token's secret comes out once, on creation)
        ops.add(op("GET", "/users", c -> ApiResult.ok(engine.users())));
        ops.add(op("POST", "/users", c -> ApiResult.created(addUser(c.body(NewUser.class)))));
        ops.add(op("DELETE", "/users/{name}", c -> {
            if (!engine.removeUser(c.path("name"))) throw ApiException.notFound("there is no user named '" + c.path("name") + "'");
            return ApiResult.noContent();
        }));
        ops.add(op("GET", "/tokens", c -> ApiResult.ok(engine.accessTokens())));
        ops.add(op("POST", "/tokens", c -> {
            NewAccessToken t = c.body(NewAccessToken.class);
            return ApiResult.created(engine.createAccessToken(required(t.name(), "name"), required(t.user(), "user"),
                    lifetime(t.expires())));
        }));
        ops.add(op("DELETE", "/tokens/{name}", c -> {
            if (!engine.revokeAccessToken(c.path("name"))) throw ApiException.notFound("there is no token named '" + c.path("name") + "'");
            return ApiResult.noContent();
        }));

        // ---- settings
        ops.add(op("GET", "/settings", c -> ApiResult.ok(engine.settings())));
        ops.add(op("PUT", "/settings", c -> {
            EngineSettings s = c.body(EngineSettings.class);
            engine.updateSettings(new EngineSettings(required(s.listen(), "listen"), required(s.defaultFreshness(), "defaultFreshness"),
                    s.maxCacheBytes()));
            return ApiResult.ok(engine.settings());
        }));
        return List.copyOf(ops);
    }

    private static ApiOperation op(String method, String template, ApiOperation.Action action) {
        return new ApiOperation(method, template, action);
    }

    private static RuleDraft draft(NewRule r) {
        return new RuleDraft(r.name(), r.sourceRepository(), r.targetRepository(), blankToNull(r.credentialSet()), blankToNull(r.freshness()));
    }

    /** The rule named so, or 404 with the CLI's words. */
    private CacheRule rule(String name) {
        return engine.rules().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> ApiException.notFound("no cache rule named '" + name + "'"));
    }

    private SyncStatus syncStatus(String ruleName) {
        SyncStatus status = engine.syncStatuses().get(ruleName);
        if (status == null) throw ApiException.notFound("no cache rule named '" + ruleName + "'");
        return status;
    }

    /**
     * A dry run, or a run the caller waits for, answers its report when it ends (the request is held as long as the run
     * takes); any other run starts in the background and answers 202 with the rule's status, whose progress the caller
     * polls. A run of the rule already going on is 409 {@code SYNC_RUNNING}.
     */
    private ApiResult runSync(String ruleName, SyncRunRequest body) {
        SyncRequest request = new SyncRequest(body.tag(), body.dryRun());
        if (body.dryRun() || body.waitForEnd()) {
            try {
                return ApiResult.ok(engine.syncRule(ruleName, request, progress -> { }));
            } catch (IllegalStateException e) {
                throw new ApiException(409, ApiError.SYNC_RUNNING, e.getMessage());
            }
        }
        if (!engine.startSync(ruleName, request)) {
            throw new ApiException(409, ApiError.SYNC_RUNNING, "a sync of rule '" + ruleName + "' is running already");
        }
        return ApiResult.accepted(syncStatus(ruleName));
    }

    private CredentialSetView credentialSet(String name) {
        return engine.credentialSet(name)
                .orElseThrow(() -> ApiException.notFound("there is no credential set named '" + name + "'"));
    }

    private String repository(String name) {
        if (engine.repositories().stream().noneMatch(r -> r.name().equals(name))) {
            throw ApiException.notFound("no repository named '" + name + "' in the cache");
        }
        return name;
    }

    private CredentialSetView createCredentialSet(NewCredentialSet s) {
        required(s.name(), "name");
        required(s.loginServer(), "loginServer");
        boolean login = s.username() != null || s.password() != null;
        boolean secrets = s.usernameSecret() != null || s.passwordSecret() != null;
        if (login == secrets) {
            throw ApiException.invalid("give either username and password, or usernameSecret and passwordSecret");
        }
        if (login) {
            return engine.createCredentialSet(s.name(), s.loginServer(), required(s.username(), "username"), chars(required(s.password(), "password")));
        }
        return engine.createCredentialSetFromSecrets(s.name(), s.loginServer(), required(s.usernameSecret(), "usernameSecret"),
                required(s.passwordSecret(), "passwordSecret"));
    }

    private CredentialSetView changeCredentialSet(String name, CredentialSetChange change) {
        String existing = credentialSet(name).name();
        boolean login = change.username() != null || change.password() != null;
        boolean secrets = change.usernameSecret() != null || change.passwordSecret() != null;
        if (login == secrets) {
            throw ApiException.invalid("give either username and password, or usernameSecret and/or passwordSecret");
        }
        if (login) {
            return engine.updateCredentialSetLogin(existing, required(change.username(), "username"), chars(required(change.password(), "password")));
        }
        return engine.updateCredentialSet(existing, change.usernameSecret(), change.passwordSecret());
    }

    /**
     * Imports as {@code rules import} does: the files are written under their own names to a private temporary folder
     * (the importer reads files, and reports entries by file name), then removed.
     */
    private ImportReport importRules(ImportRequest request) throws IOException {
        List<RuleFile> files = required(request.files(), "files");
        if (files.isEmpty()) throw ApiException.invalid("the field 'files' needs at least one file");
        ConflictPolicy onConflict = request.onConflict() == null ? ConflictPolicy.FAIL : ConflictPolicy.parse(request.onConflict());
        Path folder = Files.createTempDirectory("cachalot-import-");
        try {
            List<Path> paths = new ArrayList<>();
            for (RuleFile f : files) {
                String name = required(f.name(), "files[].name");
                if (name.contains("/") || name.contains("\\") || name.equals("..") || name.equals(".")) {
                    throw ApiException.invalid("a rule file's name is a file name without folders, not '" + name + "'");
                }
                Path path = folder.resolve(name);
                if (paths.contains(path)) throw ApiException.invalid("two rule files are named '" + name + "'");
                Files.writeString(path, f.content() == null ? "" : f.content(), StandardCharsets.UTF_8);
                paths.add(path);
            }
            String format = blankToNull(request.format());
            return request.dryRun()
                    ? engine.previewImport(paths, format, request.validOnly(), onConflict)
                    : engine.importRules(paths, format, request.validOnly(), onConflict);
        } finally {
            try (Stream<Path> walk = Files.walk(folder)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private ApiResult exportRules(String format) throws IOException {
        RuleFormat f = RuleFormat.parseExport(format == null ? RuleFormat.CACHALOT_JSON.id() : format);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        engine.exportRules(out, f);
        String type = switch (f) {
            case CACHALOT_YAML -> "application/yaml; charset=utf-8";
            case CSV -> "text/csv; charset=utf-8";
            default -> "application/json; charset=utf-8";
        };
        return ApiResult.bytes(type, out.toByteArray());
    }

    /** The password is cleared whatever happens: by the engine once hashed, here when the request is refused first. */
    private UserView addUser(NewUser u) {
        char[] password = u.password();
        try {
            return engine.addUser(required(u.name(), "name"), required(u.role(), "role"), blankToNull(u.repositories()),
                    required(password, "password"));
        } finally {
            if (password != null) Arrays.fill(password, '\0');
        }
    }

    /** A token's lifetime as {@code expires} gives it; null (never) for {@code never}, 30 days when absent. */
    private static Duration lifetime(String text) {
        if (text == null || text.isBlank()) return DEFAULT_TOKEN_LIFETIME;
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("never")) return null;
        Matcher m = LIFETIME.matcher(t);
        if (!m.matches()) {
            throw ApiException.invalid("invalid 'expires' '" + text + "': use a number of seconds, or of days, hours or minutes"
                    + " such as 30d, 12h or 90m, or 'never'");
        }
        long n = Long.parseLong(m.group(1));
        // a zero or negative lifetime goes to the engine, which refuses it in its own words
        return switch (m.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static int limit(String text) {
        if (text == null) return DEFAULT_RECENT_PULLS;
        try {
            int n = Integer.parseInt(text);
            if (n < 1 || n > 10_000) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.invalid("'limit' must be a number from 1 to 10000, not '" + text + "'");
        }
    }

    private static Duration bucket(String text) {
        try {
            Duration d = Duration.parse(text);
            if (d.isNegative() || d.isZero()) throw ApiException.invalid("'bucket' must be a positive duration such as PT1H");
            return d;
        } catch (DateTimeParseException e) {
            throw ApiException.invalid("'bucket' must be an ISO-8601 duration such as PT1H, not '" + text + "'");
        }
    }

    // ------------------------------------------------------------------ offline bundles

    private static BundleSelection bundleSelection(ApiCall c) {
        String rule = c.query("rule");
        String repository = c.query("repository");
        if ((rule == null) == (repository == null)) {
            throw ApiException.invalid("give either the query parameter 'rule' or 'repository' (the images to export), not "
                    + (rule == null ? "neither" : "both"));
        }
        TagFilter tags = c.query("tags") == null ? TagFilter.ALL : TagFilter.parse(c.query("tags"));
        PlatformFilter platforms = PlatformFilter.parse(c.query("platforms"));
        return rule != null ? BundleSelection.ofRule(rule, tags, platforms) : BundleSelection.ofRepository(repository, tags, platforms);
    }

    /**
     * Loads the request body into the engine as a bundle. What is left of the body after the archive's end (tar
     * padding, or the rest of an archive refused early) is read and dropped, up to {@value #MAX_BUNDLE_DRAIN} bytes,
     * so the refusal reaches a client still sending instead of a reset connection.
     */
    private BundleImportReport importBundle(ApiCall c) throws IOException {
        String type = c.contentType();
        if (type != null && !type.equals(BUNDLE_TYPE) && !type.equals("application/octet-stream")) {
            throw new ApiException(415, ApiError.INVALID_REQUEST, "a bundle is sent as its tar archive (Content-Type: " + BUNDLE_TYPE
                    + "), not " + type);
        }
        InputStream body = c.bodyStream();
        try {
            return engine.importBundle(body, c.bodyLength(), (bytes, total) -> { });
        } finally {
            drain(body);
        }
    }

    private static void drain(InputStream body) {
        try {
            long dropped = 0;
            byte[] buffer = new byte[1 << 16];
            int n;
            while (dropped <= MAX_BUNDLE_DRAIN && (n = body.read(buffer)) >= 0) dropped += n;
        } catch (IOException e) {
            // the caller left: there is no one to answer
        }
    }

    private static char[] chars(String secret) {
        return secret.toCharArray();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
