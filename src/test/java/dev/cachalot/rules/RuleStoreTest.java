package dev.cachalot.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleStoreTest {

    @TempDir
    Path dir;
    private Database database;
    private RuleStore rules;
    private UpstreamStore upstreams;

    /** The database under test: the data folder's H2 here; a subclass runs the same tests on PostgreSQL. */
    Database openDatabase() {
        return Database.open(new DataFolder(dir));
    }

    @BeforeEach
    void open() {
        database = openDatabase();
        rules = new RuleStore(database);
        upstreams = new UpstreamStore(database);
    }

    @AfterEach
    void close() {
        database.close();
    }

    private static CacheRule rule(String name, String source, String target, Instant created) {
        return new CacheRule(name, source, target, null, FreshnessPolicy.REVALIDATE, created, CacheRule.ProvisioningState.Succeeded);
    }

    private void insert(CacheRule rule) {
        database.inTransaction(c -> {
            rules.insert(c, rule);
            return null;
        });
    }

    @Test
    void readsBackASyncPolicyAsItWasSavedAndAnUpdateChangesIt() {
        SyncPolicy policy = SyncPolicy.PASSIVE.with(new SyncDraft("active", "semver:>=3.19 <4", "linux/amd64,linux/arm64/v8", "6h",
                "nginx,team/app", "true", "application/vnd.oci.image.config.v1+json", "application/vnd.example.sbom*"), true);
        CacheRule rule = new CacheRule("lib-sync", "docker.io/library/*", "library/*", null, FreshnessPolicy.REVALIDATE,
                Instant.parse("2025-03-01T10:15:30.123Z"), CacheRule.ProvisioningState.Succeeded, policy);
        insert(rule);
        assertThat(rules.find("lib-sync")).contains(rule);

        CacheRule passive = rule.withSync(policy.with(SyncDraft.mode("passive"), true));
        database.inTransaction(c -> {
            rules.update(c, passive);
            return null;
        });
        CacheRule read = rules.find("lib-sync").orElseThrow();
        assertThat(read).isEqualTo(passive);
        assertThat(read.sync().isActive()).isFalse();
        assertThat(read.sync().tags().text()).isEqualTo("semver:>=3.19 <4");
        assertThat(read.sync().interval()).isEqualTo(Duration.ofHours(6));
    }

    @Test
    void aRuleSavedWithoutASyncPolicyIsPassive() {
        insert(rule("plain-rule", "docker.io/library/nginx", "nginx", Instant.parse("2025-03-01T10:15:30Z")));
        assertThat(rules.find("plain-rule").orElseThrow().sync()).isEqualTo(SyncPolicy.PASSIVE);
    }

    @Test
    void readsBackARuleAsItWasSaved() {
        CacheRule rule = new CacheRule("hello-rule", "docker.io/library/hello-world", "hello-world", "hub-creds",
                new FreshnessPolicy.Ttl(Duration.ofMinutes(10)), Instant.parse("2025-03-01T10:15:30.123Z"),
                CacheRule.ProvisioningState.Succeeded);
        insert(rule);
        assertThat(rules.find("hello-rule")).contains(rule);
        assertThat(rules.list()).containsExactly(rule);
        assertThat(rules.find("no-such-rule")).isEmpty();
    }

    @Test
    void listsRulesInCreationOrder() {
        CacheRule later = rule("aaaaa-later", "ghcr.io/a/b", "b", Instant.parse("2025-03-02T00:00:00Z"));
        CacheRule earlier = rule("zzzzz-earlier", "ghcr.io/a/c", "c", Instant.parse("2025-03-01T00:00:00Z"));
        insert(later);
        insert(earlier);
        assertThat(rules.list()).containsExactly(earlier, later);
    }

    @Test
    void updatesCredentialSetAndFreshness() {
        CacheRule rule = rule("hello-rule", "ghcr.io/a/b", "b", Instant.parse("2025-03-01T00:00:00Z"));
        insert(rule);
        CacheRule changed = rule.withCredentialSet("gh-creds").withFreshness(new FreshnessPolicy.Ttl(Duration.ofHours(6)));
        database.inTransaction(c -> {
            rules.update(c, changed);
            return null;
        });
        assertThat(rules.find("hello-rule")).contains(changed);
    }

    @Test
    void deletesARuleAndSaysWhetherItExisted() {
        insert(rule("hello-rule", "ghcr.io/a/b", "b", Instant.EPOCH));
        boolean first = database.inTransaction(c -> rules.delete(c, "hello-rule"));
        boolean second = database.inTransaction(c -> rules.delete(c, "hello-rule"));
        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(rules.list()).isEmpty();
    }

    @Test
    void bumpsTheConfigVersionOnEveryChange() {
        long v0 = database.configVersion();
        CacheRule rule = rule("hello-rule", "ghcr.io/a/b", "b", Instant.EPOCH);
        insert(rule);
        long v1 = database.configVersion();
        database.inTransaction(c -> {
            rules.update(c, rule.withCredentialSet("x-creds"));
            return null;
        });
        long v2 = database.configVersion();
        database.inTransaction(c -> rules.delete(c, "hello-rule"));
        long v3 = database.configVersion();
        upstreams.put(UpstreamCatalog.custom("127.0.0.1:5001", "http://127.0.0.1:5001", null));
        long v4 = database.configVersion();
        upstreams.remove("127.0.0.1:5001");
        assertThat(new long[]{v0, v1, v2, v3, v4, database.configVersion()}).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void turnsADuplicateTargetIntoAClearMessage() {
        insert(rule("first-rule", "ghcr.io/a/b", "shared", Instant.EPOCH));
        assertThatThrownBy(() -> insert(rule("second-rule", "ghcr.io/a/c", "shared", Instant.EPOCH)))
                .isInstanceOf(RuleValidationException.class)
                .hasMessage("target 'shared' is already used by another rule");
    }

    @Test
    void turnsADuplicateNameIntoAClearMessage() {
        insert(rule("first-rule", "ghcr.io/a/b", "one", Instant.EPOCH));
        assertThatThrownBy(() -> insert(rule("first-rule", "ghcr.io/a/c", "two", Instant.EPOCH)))
                .isInstanceOf(RuleValidationException.class)
                .hasMessage("a rule named 'first-rule' already exists");
        assertThat(rules.list()).hasSize(1);
    }

    @Test
    void updatingAMissingRuleIsRefused() {
        assertThatThrownBy(() -> database.inTransaction(c -> {
            rules.update(c, rule("ghost-rule", "ghcr.io/a/b", "b", Instant.EPOCH));
            return null;
        })).isInstanceOf(RuleValidationException.class).hasMessage("there is no cache rule named 'ghost-rule'");
    }

    @Test
    void keepsCustomUpstreamsAndReplacesThemByLoginServer() {
        Upstream local = UpstreamCatalog.custom("127.0.0.1:5001", "http://127.0.0.1:5001", null);
        upstreams.put(local);
        assertThat(upstreams.list()).containsExactly(local);
        Upstream moved = UpstreamCatalog.custom("127.0.0.1:5001", "https://127.0.0.1:5443", "-----BEGIN CERTIFICATE-----");
        upstreams.put(moved);
        assertThat(upstreams.list()).singleElement().satisfies(u -> {
            assertThat(u.endpoint()).isEqualTo(URI.create("https://127.0.0.1:5443"));
            assertThat(u.caCertPem()).isEqualTo("-----BEGIN CERTIFICATE-----");
            assertThat(u.authMode()).isEqualTo(AuthMode.BOTH);
            assertThat(u.builtIn()).isFalse();
        });
        assertThat(upstreams.remove("127.0.0.1:5001")).isTrue();
        assertThat(upstreams.remove("127.0.0.1:5001")).isFalse();
        assertThat(upstreams.list()).isEmpty();
    }

    @Test
    void refusesToStoreABuiltInUpstreamAsCustom() {
        Upstream fake = new Upstream("fake hub", "registry-1.docker.io", URI.create("http://127.0.0.1:1"), AuthMode.BOTH, null, false);
        assertThatThrownBy(() -> upstreams.put(fake))
                .isInstanceOf(RuleValidationException.class)
                .hasMessage("'docker.io' is a built-in upstream and cannot be added as a custom one");
        assertThat(upstreams.list()).isEmpty();
    }
}
