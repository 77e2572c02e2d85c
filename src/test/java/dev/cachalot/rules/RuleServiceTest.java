package dev.cachalot.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.oci.RepositoryName;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleServiceTest {

    @TempDir
    Path dir;
    private Database database;
    private RuleStore store;
    private RuleService service;
    /** Stands in for the manifest index: the local repositories that exist. */
    private final Set<String> localRepositories = new HashSet<>();

    /** The database under test: the data folder's H2 here; a subclass runs the same tests on PostgreSQL. */
    Database openDatabase() {
        return Database.open(new DataFolder(dir));
    }

    @BeforeEach
    void open() {
        database = openDatabase();
        store = new RuleStore(database);
        service = new RuleService(database, store, new UpstreamStore(database), prefix -> localRepositories.stream()
                .anyMatch(name -> prefix.isEmpty() || name.equals(prefix) || name.startsWith(prefix + "/")));
        service.addUpstream("127.0.0.1:5001", "http://127.0.0.1:5001", null);
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void createsARuleWithANormalizedSourceAndDefaults() {
        Instant before = Instant.now().minusSeconds(1);
        CacheRule rule = service.create("nginx-rule", "nginx", " nginx ", "hub-creds", null);
        assertThat(rule.sourceRepository()).isEqualTo("docker.io/library/nginx");
        assertThat(rule.targetRepository()).isEqualTo("nginx");
        assertThat(rule.credentialSet()).isEqualTo("hub-creds");
        assertThat(rule.freshness()).isEqualTo(FreshnessPolicy.REVALIDATE);
        assertThat(rule.provisioningState()).isEqualTo(CacheRule.ProvisioningState.Succeeded);
        assertThat(rule.creationDate()).isAfter(before);
        assertThat(service.list()).containsExactly(rule);
        assertThat(service.find("nginx-rule")).contains(rule);
    }

    @Test
    void keepsTheFreshnessPolicyAndTreatsABlankCredentialSetAsAnonymous() {
        CacheRule rule = service.create("local-rule", "127.0.0.1:5001/team/*", "team/*", "  ",
                new FreshnessPolicy.Ttl(Duration.ofMinutes(10)));
        assertThat(rule.credentialSet()).isNull();
        assertThat(service.find("local-rule").orElseThrow().freshness()).isEqualTo(new FreshnessPolicy.Ttl(Duration.ofMinutes(10)));
    }

    @Test
    void refusesARuleWithEveryReasonAndSavesNothing() {
        assertThatThrownBy(() -> service.create("bad", "nginx:1.25", "Nginx", null, null))
                .isInstanceOf(RuleValidationException.class)
                .satisfies(e -> assertThat(((RuleValidationException) e).problems()).containsExactly(
                        "rule name 'bad' must be 5 to 50 characters long (it has 3)",
                        "a tag or digest is not allowed in a rule's source repository: 'nginx:1.25'",
                        "a rule's target repository must be lowercase: 'Nginx'"));
        assertThat(service.list()).isEmpty();
    }

    @Test
    void checksARuleWithoutSavingIt() {
        assertThat(service.check("nginx-rule", "docker.io/nginx", "nginx", null, null))
                .containsExactly("Docker Hub allows authenticated pulls only: choose a credential set");
        assertThat(service.check("nginx-rule", "docker.io/nginx", "nginx", "hub-creds", null)).isEmpty();
        assertThat(service.list()).isEmpty();
    }

    @Test
    void refusesATargetThatIsALocalRepository() {
        localRepositories.add("team/app");
        assertThat(service.check("app-rule-1", "ghcr.io/team/app", "team/app", null, null))
                .containsExactly("a local repository named 'team/app' already exists: choose another target");
        assertThat(service.check("team-rule", "ghcr.io/team/*", "team/*", null, null))
                .containsExactly("local repositories already exist under 'team/': choose another target than 'team/*'");
        assertThat(service.check("other-rule", "ghcr.io/team/*", "other/*", null, null)).isEmpty();
    }

    @Test
    void refusesOverlapWithSavedRulesInBothDirections() {
        service.create("library-rule", "docker.io/library/*", "library/*", "hub-creds", null);
        assertThatThrownBy(() -> service.create("dotnet-rule", "mcr.microsoft.com/dotnet/*", "library/dotnet/*", null, null))
                .hasMessage("wildcard target 'library/dotnet/*' lies inside wildcard target 'library/*' of rule 'library-rule'");
        assertThatThrownBy(() -> service.create("everything", "ghcr.io/*", "*", null, null))
                .hasMessage("wildcard target '*' would contain wildcard target 'library/*' of rule 'library-rule'");
        service.create("nginx-rule", "ghcr.io/nginx/nginx", "library/nginx", null, null);
        assertThat(service.list()).extracting(CacheRule::name).containsExactly("library-rule", "nginx-rule");
    }

    @Test
    void refusesTheThousandAndFirstRule() {
        Instant created = Instant.parse("2025-01-01T00:00:00Z");
        database.inTransaction(c -> {
            for (int i = 0; i < RuleValidator.MAX_RULES; i++) {
                store.insert(c, new CacheRule("rule-" + i, "ghcr.io/owner/app" + i, "app" + i, null,
                        FreshnessPolicy.REVALIDATE, created, CacheRule.ProvisioningState.Succeeded));
            }
            return null;
        });
        assertThatThrownBy(() -> service.create("one-too-many", "ghcr.io/owner/more", "more", null, null))
                .isInstanceOf(RuleValidationException.class)
                .hasMessage("at most 1000 cache rules are allowed: delete a rule before adding 'one-too-many'");
        assertThat(service.delete("rule-0")).isTrue();
        assertThat(service.create("now-it-fits", "ghcr.io/owner/more", "more", null, null).name()).isEqualTo("now-it-fits");
    }

    @Test
    void letsOnlyOneOfTwoConcurrentOverlappingCreatesPass() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                CyclicBarrier start = new CyclicBarrier(2);
                // Different targets, so no unique constraint can catch it: only validation under the lock can.
                Callable<Boolean> outer = create(start, "outer-" + round, "ghcr.io/outer/*", "area" + round + "/*");
                Callable<Boolean> inner = create(start, "inner-" + round, "ghcr.io/inner/*", "area" + round + "/inner/*");
                Future<Boolean> a = pool.submit(outer);
                Future<Boolean> b = pool.submit(inner);
                assertThat(a.get() ^ b.get()).as("exactly one create passes in round %d", round).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(service.list()).hasSize(5);
    }

    private Callable<Boolean> create(CyclicBarrier start, String name, String source, String target) {
        return () -> {
            start.await();
            try {
                service.create(name, source, target, null, null);
                return true;
            } catch (RuleValidationException e) {
                return false;
            }
        };
    }

    @Test
    void changesTheCredentialSetWithinWhatTheUpstreamAllows() {
        service.create("nginx-rule", "nginx", "nginx", "hub-creds", null);
        assertThat(service.setCredentialSet("nginx-rule", "other-creds").credentialSet()).isEqualTo("other-creds");
        assertThat(service.find("nginx-rule").orElseThrow().credentialSet()).isEqualTo("other-creds");
        assertThatThrownBy(() -> service.setCredentialSet("nginx-rule", null))
                .hasMessage("Docker Hub allows authenticated pulls only: choose a credential set");

        service.create("dotnet-rule", "mcr.microsoft.com/dotnet/runtime", "dotnet", null, null);
        assertThatThrownBy(() -> service.setCredentialSet("dotnet-rule", "ms-creds"))
                .hasMessage("Microsoft Artifact Registry allows anonymous pulls only: remove the credential set 'ms-creds'");
        assertThatThrownBy(() -> service.setCredentialSet("ghost-rule", "x"))
                .hasMessage("there is no cache rule named 'ghost-rule'");
    }

    @Test
    void deletesARule() {
        service.create("hello-rule", "ghcr.io/a/hello", "hello", null, null);
        assertThat(service.delete("hello-rule")).isTrue();
        assertThat(service.delete("hello-rule")).isFalse();
        assertThat(service.list()).isEmpty();
    }

    @Test
    void givesARuleSetSnapshotThatResolvesThroughCustomUpstreams() {
        service.create("local-rule", "127.0.0.1:5001/team/*", "team/*", null, null);
        RuleSet snapshot = service.ruleSet();
        Resolution r = snapshot.resolve(RepositoryName.of("team/app"), null).orElseThrow();
        assertThat(r.upstream().endpoint().toString()).isEqualTo("http://127.0.0.1:5001");
        assertThat(r.upstreamRepository()).isEqualTo("team/app");

        service.delete("local-rule");
        assertThat(snapshot.resolve(RepositoryName.of("team/app"), null)).as("a snapshot does not change").isPresent();
        assertThat(service.ruleSet().resolve(RepositoryName.of("team/app"), null)).isEmpty();
    }

    @Test
    void refusesToRemoveAnUpstreamRulesStillUse() {
        service.create("local-rule", "127.0.0.1:5001/team/*", "team/*", null, null);
        service.create("local-hello", "127.0.0.1:5001/hello", "hello", null, null);
        assertThatThrownBy(() -> service.removeUpstream("127.0.0.1:5001"))
                .hasMessage("upstream '127.0.0.1:5001' is used by rules 'local-hello', 'local-rule': delete or change them first");
        service.delete("local-rule");
        service.delete("local-hello");
        assertThat(service.removeUpstream("127.0.0.1:5001")).isTrue();
        assertThat(service.catalog().all()).hasSize(UpstreamCatalog.builtIn().size());
        assertThat(service.check("local-rule", "127.0.0.1:5001/team/*", "team/*", null, null))
                .containsExactly("no upstream is known for login server '127.0.0.1:5001' of source '127.0.0.1:5001/team/*': "
                        + "add it as a custom upstream first");
    }

    @Test
    void listsCustomUpstreamsAfterTheBuiltInOnes() {
        List<Upstream> all = service.catalog().all();
        assertThat(all).last().satisfies(u -> assertThat(u.loginServer()).isEqualTo("127.0.0.1:5001"));
        assertThat(all.subList(0, UpstreamCatalog.builtIn().size())).isEqualTo(UpstreamCatalog.builtIn());
    }
}
