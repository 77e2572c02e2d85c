package dev.cachalot.app;

import dev.cachalot.engine.CredentialSetView;
import dev.cachalot.engine.EngineApi;
import dev.cachalot.engine.EngineSettings;
import dev.cachalot.engine.EngineStatus;
import dev.cachalot.engine.ManifestView;
import dev.cachalot.engine.RepositoryView;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.engine.TagView;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.FreshnessPolicy;
import dev.cachalot.rules.ImportEntry;
import dev.cachalot.rules.ImportReport;
import dev.cachalot.rules.RuleValidationException;
import dev.cachalot.rules.Upstream;
import dev.cachalot.stats.PullEvent;
import dev.cachalot.stats.RepositoryStats;
import dev.cachalot.stats.StatsTotals;
import dev.cachalot.stats.TimeBucket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * An in-memory {@link EngineApi} for view-model and TestFX tests. It behaves like the engine where the app can see
 * it: rule validation with the overlap rules of DESIGN.md, Docker Hub's {@code library/} normalization, credential
 * secrets kept apart from their views, and pull events delivered on a non-FX thread (as the engine does).
 * It stands in for the engine only because the engine is being written in parallel.
 */
public class FakeEngine implements EngineApi {

    static final String COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
    static final Pattern NAME = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
    static final Pattern RULE_NAME = Pattern.compile("[A-Za-z0-9-]{5,50}");

    private final List<Upstream> upstreams = new ArrayList<>(List.of(
            new Upstream("Docker Hub", "docker.io", URI.create("https://registry-1.docker.io"), AuthMode.AUTHENTICATED_ONLY, null, true),
            new Upstream("Microsoft Artifact Registry", "mcr.microsoft.com", URI.create("https://mcr.microsoft.com"), AuthMode.ANONYMOUS_ONLY, null, true),
            new Upstream("AWS ECR Public", "public.ecr.aws", URI.create("https://public.ecr.aws"), AuthMode.ANONYMOUS_ONLY, null, true),
            new Upstream("GitHub Container Registry", "ghcr.io", URI.create("https://ghcr.io"), AuthMode.BOTH, null, true),
            new Upstream("Quay", "quay.io", URI.create("https://quay.io"), AuthMode.BOTH, null, true),
            new Upstream("Kubernetes", "registry.k8s.io", URI.create("https://registry.k8s.io"), AuthMode.BOTH, null, true),
            new Upstream("Google Container Registry", "gcr.io", URI.create("https://gcr.io"), AuthMode.BOTH, null, true)));

    private final Map<String, CacheRule> rules = new LinkedHashMap<>();
    private final Map<String, CredentialSetView> credentialSets = new LinkedHashMap<>();
    /** The vault: what the real engine keeps encrypted on disk. Tests read it to check the secret arrived. */
    private final Map<String, String> vault = new LinkedHashMap<>();
    private final Map<String, RepositoryView> repositories = new LinkedHashMap<>();
    private final Map<String, List<TagView>> tags = new LinkedHashMap<>();
    private final List<PullEvent> events = new CopyOnWriteArrayList<>();
    private final List<Consumer<PullEvent>> pullListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<EngineStatus>> statusListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> configListeners = new CopyOnWriteArrayList<>();
    private volatile EngineStatus status = new EngineStatus(EngineStatus.State.STOPPED, "127.0.0.1:5000", null);
    private volatile EngineSettings settings = EngineSettings.DEFAULTS;
    private volatile String takenListen;
    private volatile boolean stopped;
    private final List<String> imported = new CopyOnWriteArrayList<>();

    // ---- test controls ----

    /** Makes {@link #startServer} fail for this address as if another program held the port. */
    public FakeEngine portTaken(String listen) {
        this.takenListen = listen;
        return this;
    }

    public FakeEngine withRule(String name, String source, String target, String credentialSet) {
        rules.put(name, new CacheRule(name, normalize(source), target, credentialSet, FreshnessPolicy.REVALIDATE,
                Instant.parse("2026-11-01T10:00:00Z"), CacheRule.ProvisioningState.Succeeded));
        return this;
    }

    public FakeEngine withCredentialSet(String name, String loginServer) {
        credentialSets.put(name, view(name, loginServer, "Healthy", null));
        return this;
    }

    public FakeEngine withRepository(String name, String tag, long size) {
        repositories.put(name, new RepositoryView(name, true, null, "docker.io", 1, size, Instant.parse("2026-11-28T09:00:00Z"), 0));
        tags.put(name, new ArrayList<>(List.of(new TagView(tag, "sha256:" + "ab".repeat(32),
                "application/vnd.oci.image.index.v1+json", List.of("linux/amd64", "linux/arm64"), size,
                Instant.parse("2026-11-28T09:00:00Z"), 0))));
        return this;
    }

    /** Sample data for screenshots: a few rules, a credential set, repositories and pull history. */
    public FakeEngine withSampleData() {
        withCredentialSet("dockerhub-creds", "docker.io");
        withRule("hello-world", "docker.io/library/hello-world", "hello-world", "dockerhub-creds");
        withRule("library-all", "docker.io/library/*", "library/*", "dockerhub-creds");
        withRule("dotnet-sdk", "mcr.microsoft.com/dotnet/sdk", "dotnet/sdk", null);
        withRule("k8s-all", "registry.k8s.io/*", "k8s/*", null);
        withRepository("library/nginx", "1.27", 72_000_000);
        withRepository("hello-world", "latest", 13_256);
        withRepository("dotnet/sdk", "8.0", 310_000_000);
        Instant now = Instant.now();
        String[] repos = {"library/nginx", "hello-world", "dotnet/sdk", "library/nginx", "library/nginx", "hello-world"};
        for (int i = 0; i < 36; i++) {
            PullEvent.Outcome o = i % 4 == 0 ? PullEvent.Outcome.MISS : PullEvent.Outcome.HIT;
            long bytes = 1_000_000L * (1 + i % 7);
            record(new PullEvent(now.minus(Duration.ofMinutes(10L * (36 - i))), repos[i % repos.length], "latest",
                    "sha256:" + "cd".repeat(32), PullEvent.Kind.MANIFEST, o, bytes,
                    o == PullEvent.Outcome.MISS ? bytes : 0, 12_000 + i * 500L, "127.0.0.1"));
        }
        return this;
    }

    /** Emits a pull event from an engine-like thread, as a real pull would. */
    public void emitPull(String repository, String reference, PullEvent.Outcome outcome, long bytes) {
        PullEvent e = new PullEvent(Instant.now(), repository, reference, "sha256:" + "ef".repeat(32),
                PullEvent.Kind.MANIFEST, outcome, bytes, outcome == PullEvent.Outcome.MISS ? bytes : 0, 4200, "127.0.0.1");
        Thread t = new Thread(() -> {
            record(e);
            pullListeners.forEach(l -> l.accept(e));
        }, "fake-engine-pull");
        t.start();
        try {
            t.join();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void record(PullEvent e) {
        events.add(e);
        RepositoryView r = repositories.get(e.repository());
        if (r == null) {
            repositories.put(e.repository(), new RepositoryView(e.repository(), true, null, "docker.io", 1, e.bytes(), e.at(), 1));
            tags.put(e.repository(), new ArrayList<>(List.of(new TagView(e.reference(), e.digest(),
                    "application/vnd.oci.image.manifest.v1+json", List.of(), e.bytes(), e.at(), 1))));
        } else {
            repositories.put(e.repository(), new RepositoryView(r.name(), r.cached(), r.ruleName(), r.upstream(),
                    r.tagCount(), r.sizeBytes(), e.at(), r.pullCount() + 1));
        }
    }

    public String vaultSecret(String reference) {
        return vault.get(reference);
    }

    public boolean isStopped() {
        return stopped;
    }

    public List<String> importedFiles() {
        return imported;
    }

    // ---- server ----

    @Override
    public EngineStatus status() {
        return status;
    }

    @Override
    public AutoCloseable onStatus(Consumer<EngineStatus> listener) {
        statusListeners.add(listener);
        return () -> statusListeners.remove(listener);
    }

    @Override
    public void startServer(String listen) {
        if (listen.equals(takenListen)) {
            setStatus(new EngineStatus(EngineStatus.State.ERROR, listen, "port " + listen.substring(listen.lastIndexOf(':') + 1) + " is already in use"));
            throw new IllegalStateException("Port " + listen.substring(listen.lastIndexOf(':') + 1)
                    + " on " + listen.substring(0, listen.lastIndexOf(':')) + " is already in use by another program");
        }
        stopped = false;
        setStatus(new EngineStatus(EngineStatus.State.RUNNING, listen, null));
    }

    @Override
    public void stopServer() {
        stopped = true;
        setStatus(new EngineStatus(EngineStatus.State.STOPPED, status.address(), null));
    }

    @Override
    public AutoCloseable onConfigChanged(Runnable listener) {
        configListeners.add(listener);
        return () -> configListeners.remove(listener);
    }

    /** How many pages listen for configuration changes now (a page stops when it is left). */
    public int configListenerCount() {
        return configListeners.size();
    }

    private void setStatus(EngineStatus s) {
        status = s;
        statusListeners.forEach(l -> l.accept(s));
    }

    // ---- rules ----

    @Override
    public synchronized List<CacheRule> rules() {
        return List.copyOf(rules.values());
    }

    static String normalize(String source) {
        String s = source.strip();
        if (s.isEmpty()) throw new RuleValidationException("source repository is empty");
        if (s.contains("@") || s.substring(s.lastIndexOf('/') + 1).contains(":")) {
            throw new RuleValidationException("source repository '" + s + "' has a tag or digest: a rule names a repository, not an image version");
        }
        boolean wildcard = s.endsWith("/*");
        String body = wildcard ? s.substring(0, s.length() - 2) : s;
        String[] parts = body.split("/", -1);
        String host;
        String path;
        if (parts[0].contains(".") || parts[0].contains(":") || parts[0].equals("localhost")) {
            host = parts[0];
            path = String.join("/", Arrays.copyOfRange(parts, 1, parts.length));
        } else {
            host = "docker.io";
            path = body;
        }
        if (host.equals("registry-1.docker.io") || host.equals("index.docker.io")) host = "docker.io";
        if (host.equals("docker.io") && !path.isEmpty() && !path.contains("/") && !wildcard) path = "library/" + path;
        if (!path.isEmpty() && !NAME.matcher(path).matches()) {
            throw new RuleValidationException("source path '" + path + "' is not a valid repository name: use lowercase letters, digits and separators");
        }
        return host + (path.isEmpty() ? "" : "/" + path) + (wildcard ? "/*" : "");
    }

    @Override
    public synchronized List<String> checkRule(RuleDraft d) {
        List<String> problems = new ArrayList<>();
        if (d.name() == null || !RULE_NAME.matcher(d.name()).matches()) {
            problems.add("rule name must be 5 to 50 letters, digits or hyphens");
        } else if (rules.containsKey(d.name())) {
            problems.add("a rule named '" + d.name() + "' already exists");
        }
        String source = null;
        try {
            source = normalize(d.sourceRepository() == null ? "" : d.sourceRepository());
        } catch (RuleValidationException e) {
            problems.addAll(e.problems());
        }
        String target = d.targetRepository() == null ? "" : d.targetRepository().strip();
        boolean targetWildcard = target.equals("*") || target.endsWith("/*");
        String targetBody = target.equals("*") ? "" : targetWildcard ? target.substring(0, target.length() - 2) : target;
        if (target.isEmpty()) {
            problems.add("target repository is empty");
        } else if (!targetBody.isEmpty() && !NAME.matcher(targetBody).matches()) {
            problems.add("target '" + target + "' is not a valid repository name: use lowercase letters, digits and separators");
        } else {
            if (source != null && source.endsWith("/*") != targetWildcard) {
                problems.add("source and target must both be wildcards or both be single repositories");
            }
            for (CacheRule r : rules.values()) {
                if (r.targetRepository().equals(target)) {
                    problems.add("target '" + target + "' is already used by rule '" + r.name() + "'");
                } else if (targetWildcard && r.isWildcard() && (contains(r.targetRepository(), target) || contains(target, r.targetRepository()))) {
                    problems.add("target '" + target + "' overlaps the wildcard target '" + r.targetRepository() + "' of rule '" + r.name() + "'");
                }
            }
            if (!targetWildcard && repositories.containsKey(target) && rules.values().stream().noneMatch(r -> r.targetRepository().equals(target))) {
                problems.add("a local repository '" + target + "' already exists");
            }
        }
        if (source != null) {
            String host = source.substring(0, source.indexOf('/') < 0 ? source.length() : source.indexOf('/'));
            Optional<Upstream> up = upstreams.stream().filter(u -> u.loginServer().equals(host)).findFirst();
            if (d.credentialSet() != null && !d.credentialSet().isBlank()) {
                CredentialSetView c = credentialSets.get(d.credentialSet());
                if (c == null) {
                    problems.add("credential set '" + d.credentialSet() + "' does not exist");
                } else if (up.isPresent() && !up.get().authMode().allowsCredentials()) {
                    problems.add(up.get().displayName() + " allows anonymous pulls only: remove the credential set");
                }
            } else if (up.isPresent() && !up.get().authMode().allowsAnonymous()) {
                problems.add(up.get().displayName() + " needs a credential set");
            }
        }
        if (rules.size() >= 1000) problems.add("the limit of 1000 rules is reached");
        return problems;
    }

    private static boolean contains(String outerWildcard, String inner) {
        if (outerWildcard.equals("*")) return true;
        String prefix = outerWildcard.substring(0, outerWildcard.length() - 1);
        return inner.startsWith(prefix);
    }

    @Override
    public synchronized CacheRule createRule(RuleDraft d) {
        List<String> problems = checkRule(d);
        if (!problems.isEmpty()) throw new RuleValidationException(problems);
        CacheRule r = new CacheRule(d.name(), normalize(d.sourceRepository()), d.targetRepository().strip(),
                blankToNull(d.credentialSet()), FreshnessPolicy.parse(d.freshness()), Instant.now(), CacheRule.ProvisioningState.Succeeded);
        rules.put(r.name(), r);
        return r;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Override
    public synchronized CacheRule setRuleCredentialSet(String ruleName, String credentialSetOrNull) {
        CacheRule r = rules.get(ruleName);
        if (r == null) throw new IllegalArgumentException("no rule named '" + ruleName + "'");
        if (credentialSetOrNull != null && !credentialSets.containsKey(credentialSetOrNull)) {
            throw new IllegalArgumentException("credential set '" + credentialSetOrNull + "' does not exist");
        }
        CacheRule updated = r.withCredentialSet(credentialSetOrNull);
        rules.put(ruleName, updated);
        return updated;
    }

    @Override
    public synchronized void deleteRule(String name) {
        if (rules.remove(name) == null) throw new IllegalArgumentException("no rule named '" + name + "'");
    }

    @Override
    public synchronized List<Upstream> upstreams() {
        return List.copyOf(upstreams);
    }

    @Override
    public synchronized Upstream addUpstream(String loginServer, String endpoint, String caCertPemOrNull) {
        Upstream u = new Upstream(loginServer, loginServer, URI.create(endpoint), AuthMode.BOTH, caCertPemOrNull, false);
        upstreams.add(u);
        return u;
    }

    @Override
    public synchronized void removeUpstream(String loginServer) {
        upstreams.removeIf(u -> !u.builtIn() && u.loginServer().equals(loginServer));
    }

    /** Reads CSV lines {@code name,source,target[,credentialSet]} (a header line is skipped). */
    @Override
    public synchronized ImportReport previewImport(List<Path> files, String format) {
        List<ImportEntry> entries = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<CacheRule> pending = new ArrayList<>();
        for (Path f : files) {
            List<String> lines;
            try {
                lines = Files.readAllLines(f);
            } catch (IOException e) {
                problems.add(f.getFileName() + ": cannot read the file");
                continue;
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("name,")) continue;
                String[] c = line.split(",", -1);
                String loc = f.getFileName() + ":" + (i + 1);
                if (c.length < 3) {
                    entries.add(new ImportEntry(loc, null, "expected name,source,target"));
                    continue;
                }
                RuleDraft d = new RuleDraft(c[0].strip(), c[1].strip(), c[2].strip(), c.length > 3 ? blankToNull(c[3].strip()) : null, null);
                List<String> p = new ArrayList<>(checkRule(d));
                for (CacheRule other : pending) {
                    if (other.targetRepository().equals(d.targetRepository())) p.add("target '" + d.targetRepository() + "' is used twice in the import");
                }
                CacheRule r = null;
                try {
                    r = new CacheRule(d.name(), normalize(d.sourceRepository()), d.targetRepository(), d.credentialSet(),
                            FreshnessPolicy.REVALIDATE, Instant.now(), CacheRule.ProvisioningState.Succeeded);
                } catch (RuleValidationException e) {
                    // reported through checkRule
                }
                if (p.isEmpty()) pending.add(r);
                entries.add(new ImportEntry(loc, r, p.isEmpty() ? null : String.join("; ", p)));
            }
        }
        return new ImportReport(entries, problems, false, 0);
    }

    @Override
    public synchronized ImportReport importRules(List<Path> files, String format, boolean validOnly) {
        ImportReport preview = previewImport(files, format);
        if (!preview.problems().isEmpty() || (!validOnly && preview.hasRefusals())) {
            return new ImportReport(preview.entries(), preview.problems(), false, 0);
        }
        int n = 0;
        for (ImportEntry e : preview.entries()) {
            if (e.valid()) {
                rules.put(e.rule().name(), e.rule());
                n++;
            }
        }
        files.forEach(f -> imported.add(f.getFileName().toString()));
        return new ImportReport(preview.entries(), List.of(), true, n);
    }

    @Override
    public synchronized void exportRules(Path file, String format) {
        String csv = "name,source,target,credentialSet\n" + rules.values().stream()
                .map(r -> r.name() + "," + r.sourceRepository() + "," + r.targetRepository() + "," + (r.credentialSet() == null ? "" : r.credentialSet()))
                .collect(Collectors.joining("\n")) + "\n";
        try {
            Files.writeString(file, csv);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- credential sets ----

    private static CredentialSetView view(String name, String loginServer, String health, String error) {
        return new CredentialSetView(name, loginServer, "vault:" + name + "-username", "vault:" + name + "-password",
                health, error == null ? null : "UNAUTHORIZED", error, Instant.parse("2026-11-28T08:00:00Z"),
                loginServer.equals("docker.io") ? "200" : null, loginServer.equals("docker.io") ? "187" : null,
                Instant.parse("2026-11-20T08:00:00Z"));
    }

    @Override
    public synchronized List<CredentialSetView> credentialSets() {
        return List.copyOf(credentialSets.values());
    }

    @Override
    public synchronized CredentialSetView createCredentialSet(String name, String loginServer, String username, char[] password) {
        if (name == null || !RULE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("credential set name must be 5 to 50 letters, digits or hyphens");
        }
        if (credentialSets.containsKey(name)) throw new IllegalArgumentException("a credential set named '" + name + "' already exists");
        if (username == null || username.isBlank()) throw new IllegalArgumentException("username is empty");
        if (password == null || password.length == 0) throw new IllegalArgumentException("password is empty");
        CredentialSetView v = view(name, loginServer, "Healthy", null);
        vault.put(v.usernameSecret(), username);
        vault.put(v.passwordSecret(), new String(password));
        Arrays.fill(password, '\0');
        credentialSets.put(name, v);
        return v;
    }

    @Override
    public synchronized CredentialSetView validateCredentialSet(String name) {
        CredentialSetView v = credentialSets.get(name);
        if (v == null) throw new IllegalArgumentException("no credential set named '" + name + "'");
        CredentialSetView checked = new CredentialSetView(v.name(), v.loginServer(), v.usernameSecret(), v.passwordSecret(),
                "Healthy", null, null, Instant.now(), v.rateLimitLimit(), v.rateLimitRemaining(), v.creationDate());
        credentialSets.put(name, checked);
        return checked;
    }

    @Override
    public synchronized void deleteCredentialSet(String name) {
        List<String> users = rules.values().stream().filter(r -> name.equals(r.credentialSet())).map(CacheRule::name).toList();
        if (!users.isEmpty()) {
            throw new IllegalArgumentException("credential set '" + name + "' is used by rule(s) " + String.join(", ", users));
        }
        credentialSets.remove(name);
    }

    // ---- repositories ----

    @Override
    public synchronized List<RepositoryView> repositories() {
        return List.copyOf(repositories.values());
    }

    @Override
    public synchronized List<TagView> tags(String repository) {
        return List.copyOf(tags.getOrDefault(repository, List.of()));
    }

    @Override
    public Optional<ManifestView> manifest(String repository, String digest) {
        String json = "{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n  \"layers\": [\n    {\n      \"digest\": \"sha256:" + "12".repeat(32) + "\",\n      \"size\": 3623807\n    }\n  ]\n}";
        return Optional.of(new ManifestView(digest, "application/vnd.oci.image.manifest.v1+json", json,
                List.of(new ManifestView.Layer("sha256:" + "12".repeat(32), "application/vnd.oci.image.layer.v1.tar+gzip", 3_623_807, true, "linux/amd64"),
                        new ManifestView.Layer("sha256:" + "34".repeat(32), "application/vnd.oci.image.layer.v1.tar+gzip", 27_145_915, true, "linux/amd64"))));
    }

    @Override
    public synchronized void deleteTag(String repository, String tag) {
        List<TagView> list = tags.get(repository);
        if (list != null) list.removeIf(t -> t.tag().equals(tag));
    }

    @Override
    public synchronized void deleteRepository(String repository) {
        repositories.remove(repository);
        tags.remove(repository);
    }

    @Override
    public void prefetch(String repository, String reference, Consumer<Long> bytesFetched) {
        for (long b = 1; b <= 4; b++) {
            if (Thread.currentThread().isInterrupted()) throw new IllegalStateException("prefetch cancelled");
            bytesFetched.accept(b * 1_000_000);
        }
        synchronized (this) {
            if (!repositories.containsKey(repository)) withRepository(repository, reference, 4_000_000);
        }
    }

    @Override
    public synchronized long cacheSizeBytes() {
        return repositories.values().stream().mapToLong(RepositoryView::sizeBytes).sum();
    }

    // ---- stats ----

    private List<PullEvent> since(Instant since) {
        return events.stream().filter(e -> since == null || !e.at().isBefore(since)).toList();
    }

    @Override
    public StatsTotals totals(Instant since) {
        List<PullEvent> es = since(since);
        long hits = count(es, PullEvent.Outcome.HIT);
        long misses = count(es, PullEvent.Outcome.MISS);
        long stale = count(es, PullEvent.Outcome.STALE);
        long served = es.stream().mapToLong(PullEvent::bytes).sum();
        long upstream = es.stream().mapToLong(PullEvent::upstreamBytes).sum();
        long avoided = es.stream().filter(e -> e.outcome() != PullEvent.Outcome.MISS).count();
        return new StatsTotals(es.size(), hits, misses, stale, served, served - upstream, upstream, avoided);
    }

    private static long count(List<PullEvent> es, PullEvent.Outcome o) {
        return es.stream().filter(e -> e.outcome() == o).count();
    }

    @Override
    public List<RepositoryStats> repositoryStats(Instant since) {
        return since(since).stream().collect(Collectors.groupingBy(PullEvent::repository, LinkedHashMap::new, Collectors.toList()))
                .entrySet().stream()
                .map(en -> new RepositoryStats(en.getKey(), en.getValue().size(), count(en.getValue(), PullEvent.Outcome.HIT),
                        count(en.getValue(), PullEvent.Outcome.MISS), count(en.getValue(), PullEvent.Outcome.STALE),
                        en.getValue().stream().mapToLong(PullEvent::bytes).sum(),
                        en.getValue().stream().mapToLong(PullEvent::upstreamBytes).sum(),
                        en.getValue().stream().map(PullEvent::at).max(Comparator.naturalOrder()).orElse(null)))
                .sorted(Comparator.comparingLong(RepositoryStats::pulls).reversed())
                .toList();
    }

    @Override
    public List<PullEvent> recentPulls(int limit) {
        List<PullEvent> copy = new ArrayList<>(events);
        copy.sort(Comparator.comparing(PullEvent::at).reversed());
        return copy.subList(0, Math.min(limit, copy.size()));
    }

    @Override
    public List<TimeBucket> pullsOverTime(Instant since, Duration bucket) {
        Instant start = since == null ? Instant.now().minus(Duration.ofHours(6)) : since;
        long secs = bucket.getSeconds();
        Map<Long, long[]> buckets = new java.util.TreeMap<>();
        for (long t = start.getEpochSecond() / secs; t <= Instant.now().getEpochSecond() / secs; t++) buckets.put(t, new long[3]);
        for (PullEvent e : since(start)) {
            long[] b = buckets.computeIfAbsent(e.at().getEpochSecond() / secs, k -> new long[3]);
            switch (e.outcome()) {
                case HIT -> b[0]++;
                case MISS -> b[1]++;
                case STALE -> b[2]++;
                default -> { }
            }
        }
        return buckets.entrySet().stream()
                .map(en -> new TimeBucket(Instant.ofEpochSecond(en.getKey() * secs), en.getValue()[0], en.getValue()[1], en.getValue()[2]))
                .toList();
    }

    @Override
    public AutoCloseable onPull(Consumer<PullEvent> listener) {
        pullListeners.add(listener);
        return () -> pullListeners.remove(listener);
    }

    // ---- settings ----

    @Override
    public EngineSettings settings() {
        return settings;
    }

    @Override
    public void updateSettings(EngineSettings s) {
        FreshnessPolicy.parse(s.defaultFreshness());
        if (s.maxCacheBytes() < 0) throw new IllegalArgumentException("maximum cache size cannot be negative");
        this.settings = s;
    }
}
