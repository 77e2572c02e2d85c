package dev.cachalot.rules;

import static dev.cachalot.rules.RuleValidatorTest.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.oci.RepositoryName;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RuleSetTest {

    private static final Upstream LOOPBACK = UpstreamCatalog.custom("127.0.0.1:5001", "http://127.0.0.1:5001", null);
    private static final UpstreamCatalog CATALOG = new UpstreamCatalog(List.of(LOOPBACK));

    private static final CacheRule HELLO = rule("hello-rule", "docker.io/library/hello-world", "hello-world", "hub");
    private static final CacheRule LIBRARY = rule("library-rule", "docker.io/library/*", "library/*", "hub");
    private static final CacheRule NGINX_FROM_GHCR = rule("nginx-rule", "ghcr.io/nginx/nginx", "library/nginx");
    private static final CacheRule DOTNET = rule("dotnet-rule", "mcr.microsoft.com/dotnet/*", "ms/dotnet/*");
    private static final CacheRule LOCAL = rule("local-rule", "127.0.0.1:5001/team/*", "team/*");

    private final RuleSet rules = new RuleSet(List.of(HELLO, LIBRARY, NGINX_FROM_GHCR, DOTNET, LOCAL), CATALOG);

    private Resolution resolve(String requested, String namespace) {
        return rules.resolve(RepositoryName.of(requested), namespace).orElseThrow();
    }

    private static void assertResolution(Resolution r, CacheRule rule, String localName, String loginServer, String upstreamRepository) {
        assertThat(r.rule()).isEqualTo(rule);
        assertThat(r.localName()).isEqualTo(RepositoryName.of(localName));
        assertThat(r.upstream().loginServer()).isEqualTo(loginServer);
        assertThat(r.upstreamRepository()).isEqualTo(upstreamRepository);
    }

    @Test
    void resolvesAStaticTargetToItsSource() {
        assertResolution(resolve("hello-world", null), HELLO, "hello-world", "docker.io", "library/hello-world");
    }

    @Test
    void resolvesANameUnderAWildcardTargetByAppendingTheRestToTheSource() {
        assertResolution(resolve("library/redis", null), LIBRARY, "library/redis", "docker.io", "library/redis");
        assertResolution(resolve("ms/dotnet/runtime", null), DOTNET, "ms/dotnet/runtime", "mcr.microsoft.com", "dotnet/runtime");
        assertResolution(resolve("ms/dotnet/sdk/nightly", null), DOTNET, "ms/dotnet/sdk/nightly", "mcr.microsoft.com", "dotnet/sdk/nightly");
    }

    @Test
    void letsAStaticRuleInsideAWildcardWinForItsExactName() {
        assertResolution(resolve("library/nginx", null), NGINX_FROM_GHCR, "library/nginx", "ghcr.io", "nginx/nginx");
        assertResolution(resolve("library/nginx/extra", null), LIBRARY, "library/nginx/extra", "docker.io", "library/nginx/extra");
    }

    @Test
    void choosesTheLongestWildcardTargetPrefix() {
        CacheRule outer = rule("outer-rule", "ghcr.io/outer/*", "a/*");
        CacheRule inner = rule("inner-rule", "quay.io/inner/*", "a/b/*");
        // The validator never lets these two coexist; resolution still picks the longest when they do (imports of old data).
        RuleSet set = new RuleSet(List.of(outer, inner), CATALOG);
        assertThat(set.resolve(RepositoryName.of("a/b/c"), null)).get()
                .satisfies(r -> assertResolution(r, inner, "a/b/c", "quay.io", "inner/c"));
        assertThat(set.resolve(RepositoryName.of("a/x"), null)).get()
                .satisfies(r -> assertResolution(r, outer, "a/x", "ghcr.io", "outer/x"));
    }

    @Test
    void letsTheBareWildcardMatchEveryName() {
        CacheRule all = rule("everything", "ghcr.io/*", "*");
        RuleSet set = new RuleSet(List.of(all), CATALOG);
        assertThat(set.resolve(RepositoryName.of("owner/app"), null)).get()
                .satisfies(r -> assertResolution(r, all, "owner/app", "ghcr.io", "owner/app"));
        assertThat(set.resolve(RepositoryName.of("app"), null)).get()
                .satisfies(r -> assertResolution(r, all, "app", "ghcr.io", "app"));
    }

    @Test
    void readsOnePartNamesUnderAWholeDockerHubWildcardAsOfficialImages() {
        CacheRule hub = rule("whole-hub", "docker.io/*", "*", "hub");
        RuleSet set = new RuleSet(List.of(hub), CATALOG);
        assertThat(set.resolve(RepositoryName.of("nginx"), null)).get()
                .satisfies(r -> assertResolution(r, hub, "nginx", "docker.io", "library/nginx"));
        assertThat(set.resolve(RepositoryName.of("bitnami/redis"), null)).get()
                .satisfies(r -> assertResolution(r, hub, "bitnami/redis", "docker.io", "bitnami/redis"));
    }

    @Test
    void leavesANameNoRuleCoversAsALocalRepository() {
        assertThat(rules.resolve(RepositoryName.of("mine/app"), null)).isEmpty();
        assertThat(rules.resolve(RepositoryName.of("ms/other"), null)).isEmpty();
        assertThat(RuleSet.empty().resolve(RepositoryName.of("anything"), null)).isEmpty();
    }

    @Test
    void matchesAMirrorRequestWithNamespaceAgainstRuleSources() {
        // containerd: GET /v2/library/redis/manifests/7?ns=docker.io
        assertResolution(resolve("library/redis", "docker.io"), LIBRARY, "library/redis", "docker.io", "library/redis");
        assertResolution(resolve("nginx/nginx", "ghcr.io"), NGINX_FROM_GHCR, "library/nginx", "ghcr.io", "nginx/nginx");
        assertResolution(resolve("dotnet/runtime", "mcr.microsoft.com"), DOTNET, "ms/dotnet/runtime", "mcr.microsoft.com", "dotnet/runtime");
        assertResolution(resolve("team/app/api", "127.0.0.1:5001"), LOCAL, "team/app/api", "127.0.0.1:5001", "team/app/api");
    }

    @Test
    void addsLibraryToOnePartDockerHubNamesInMirrorRequests() {
        assertResolution(resolve("hello-world", "docker.io"), HELLO, "hello-world", "docker.io", "library/hello-world");
        assertResolution(resolve("redis", "docker.io"), LIBRARY, "library/redis", "docker.io", "library/redis");
    }

    @Test
    void acceptsDockerHubAliasesAsNamespace() {
        assertResolution(resolve("redis", "registry-1.docker.io"), LIBRARY, "library/redis", "docker.io", "library/redis");
        assertResolution(resolve("redis", "index.docker.io"), LIBRARY, "library/redis", "docker.io", "library/redis");
    }

    @Test
    void mapsAMirrorRequestOntoTheLongestSourcePrefix() {
        CacheRule whole = rule("whole-ghcr", "ghcr.io/*", "gh/*");
        CacheRule owner = rule("owner-ghcr", "ghcr.io/owner/*", "owner/*");
        RuleSet set = new RuleSet(List.of(whole, owner), CATALOG);
        assertThat(set.resolve(RepositoryName.of("owner/app"), "ghcr.io")).get()
                .satisfies(r -> assertResolution(r, owner, "owner/app", "ghcr.io", "owner/app"));
        assertThat(set.resolve(RepositoryName.of("someone/app"), "ghcr.io")).get()
                .satisfies(r -> assertResolution(r, whole, "gh/someone/app", "ghcr.io", "someone/app"));
    }

    @Test
    void doesNotMatchAMirrorRequestAgainstTargets() {
        // team/app is a local name under LOCAL's target, but on quay.io no rule covers it.
        assertThat(rules.resolve(RepositoryName.of("team/app"), "quay.io")).isEmpty();
        assertThat(rules.resolve(RepositoryName.of("team/app"), "not a host/..")).isEmpty();
    }

    @Test
    void triesANameNoTargetCoversAsADockerHubPath() {
        CacheRule mirror = rule("hub-library", "docker.io/library/*", "hub/*", "hub");
        RuleSet set = new RuleSet(List.of(mirror), CATALOG);
        // Docker's registry-mirrors: `docker pull redis` asks the mirror for library/redis, sometimes for redis.
        assertThat(set.resolve(RepositoryName.of("library/redis"), null)).get()
                .satisfies(r -> assertResolution(r, mirror, "hub/redis", "docker.io", "library/redis"));
        assertThat(set.resolve(RepositoryName.of("redis"), null)).get()
                .satisfies(r -> assertResolution(r, mirror, "hub/redis", "docker.io", "library/redis"));
        assertThat(set.resolve(RepositoryName.of("bitnami/redis"), null)).isEmpty();
    }

    @Test
    void prefersATargetMatchOverTheDockerHubFallback() {
        CacheRule target = rule("ghcr-library", "ghcr.io/mirror/*", "library/*");
        CacheRule hub = rule("hub-static", "docker.io/library/redis", "redis-hub", "hub");
        RuleSet set = new RuleSet(List.of(target, hub), CATALOG);
        assertThat(set.resolve(RepositoryName.of("library/redis"), null)).get()
                .satisfies(r -> assertResolution(r, target, "library/redis", "ghcr.io", "mirror/redis"));
    }

    @Test
    void letsTheFirstOfTwoRulesWithTheSameSourceWinInMirrorRequests() {
        CacheRule first = rule("first-rule", "ghcr.io/owner/app", "app-one");
        CacheRule second = rule("second-rule", "ghcr.io/owner/app", "app-two");
        RuleSet set = new RuleSet(List.of(first, second), CATALOG);
        assertThat(set.resolve(RepositoryName.of("owner/app"), "ghcr.io")).get()
                .satisfies(r -> assertResolution(r, first, "app-one", "ghcr.io", "owner/app"));
    }

    @Test
    void reportsARuleWhoseUpstreamLeftTheCatalog() {
        RuleSet withoutUpstream = new RuleSet(List.of(LOCAL), new UpstreamCatalog(List.of()));
        assertThatThrownBy(() -> withoutUpstream.resolve(RepositoryName.of("team/app"), null))
                .isInstanceOf(DistributionException.class)
                .hasMessage("cache rule 'local-rule' pulls from '127.0.0.1:5001', which is no longer a known upstream")
                .satisfies(e -> assertThat(((DistributionException) e).code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE));
    }

    @Test
    void exposesItsRulesAndCatalog() {
        assertThat(rules.rules()).containsExactly(HELLO, LIBRARY, NGINX_FROM_GHCR, DOTNET, LOCAL);
        assertThat(rules.catalog()).isSameAs(CATALOG);
        assertThat(rules.resolve(RepositoryName.of("hello-world"), "")).map(Resolution::rule).isEqualTo(Optional.of(HELLO));
    }

    @Test
    void pullsOverHttpsWhenSomeRulesUpstreamSpeaksHttps() {
        assertThat(new RuleSet(List.of(LOCAL), CATALOG).pullsOverHttps()).isFalse();
        assertThat(new RuleSet(List.of(LOCAL, HELLO), CATALOG).pullsOverHttps()).isTrue();
        assertThat(RuleSet.empty().pullsOverHttps()).isFalse();
    }
}
