package dev.cachalot.rules.io;

import static dev.cachalot.rules.io.Samples.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.FreshnessPolicy;
import dev.cachalot.rules.ImportEntry;
import dev.cachalot.rules.ImportEntry.Action;
import dev.cachalot.rules.ImportReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleImporterTest {

    @TempDir
    Path dir;
    ImportFixture fx;

    /** The fixture under test: on the data folder's H2 here; a subclass runs the same tests on PostgreSQL. */
    ImportFixture openFixture() {
        return new ImportFixture(dir.resolve("data"));
    }

    @BeforeEach
    void open() {
        fx = openFixture();
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private Path file(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private static List<String> names(List<CacheRule> rules) {
        return rules.stream().map(CacheRule::name).toList();
    }

    // ---- each format's sample imports to the expected rules ----

    @Test
    void importsTheCachalotJsonSampleWithItsCredentialSetAndCustomUpstream() {
        ImportReport report = fx.importer().importRules(List.of(sample("cachalot.json")), null, false, ConflictPolicy.FAIL);

        assertThat(report.problems()).isEmpty();
        assertThat(report.entries()).allMatch(ImportEntry::valid);
        assertThat(report.applied()).isTrue();
        assertThat(fx.ruleList()).extracting(CacheRule::name, CacheRule::sourceRepository, CacheRule::targetRepository, CacheRule::credentialSet)
                .containsExactlyInAnyOrder(
                        tuple("hello-world", "docker.io/library/hello-world", "hello-world", "dockerhub"),
                        tuple("mcr-dotnet", "mcr.microsoft.com/dotnet/*", "dotnet/*", null),
                        tuple("internal-tools", "registry.example.test:5443/tools/*", "tools/*", null));
        assertThat(fx.rules.find("mcr-dotnet").orElseThrow().freshness()).isEqualTo(FreshnessPolicy.parse("ttl:6h"));
        assertThat(fx.rules.find("hello-world").orElseThrow().creationDate()).isEqualTo(Instant.parse("2024-05-01T12:00:00Z"));
        assertThat(fx.upstreams.list()).extracting(u -> u.loginServer()).containsExactly("registry.example.test:5443");
        assertThat(fx.credentialSets.list()).extracting(CredentialSetMetadata::name, CredentialSetMetadata::passwordSecret)
                .containsExactly(tuple("dockerhub", "vault:dockerhub-password"));
    }

    @Test
    void importsTheCachalotYamlSample() {
        ImportReport report = fx.importer().importRules(List.of(sample("cachalot.yaml")), null, false, ConflictPolicy.FAIL);

        assertThat(report.hasRefusals()).as(report.toString()).isFalse();
        assertThat(names(fx.ruleList())).containsExactlyInAnyOrder("quay-prometheus", "ghcr-actions", "k8s-pause");
        assertThat(report.entries()).filteredOn(e -> e.rule() != null).extracting(ImportEntry::location)
                .containsExactly("cachalot.yaml:9", "cachalot.yaml:12", "cachalot.yaml:17");
    }

    @Test
    void importsAzAcrCacheListTogetherWithAzAcrCredentialSetList() {
        ImportReport report = fx.importer().importRules(
                List.of(sample("acr-cache-list.json"), sample("acr-credential-set-list.json")), null, false, ConflictPolicy.FAIL);

        assertThat(report.hasRefusals()).as(report.toString()).isFalse();
        assertThat(fx.ruleList()).extracting(CacheRule::name, CacheRule::sourceRepository, CacheRule::targetRepository, CacheRule::credentialSet)
                .containsExactlyInAnyOrder(
                        tuple("ubuntu-rule", "docker.io/library/ubuntu", "ubuntu", "mydockerhubcredset"),
                        tuple("mcr-dotnet-runtime", "mcr.microsoft.com/dotnet/runtime", "dotnet/runtime", null));
        assertThat(report.entries()).filteredOn(e -> e.rule() == null).singleElement().satisfies(e -> {
            assertThat(e.summary()).isEqualTo("credential set mydockerhubcredset for docker.io");
            assertThat(e.note()).contains("Unhealthy (SecretNotFound)");
        });
        fx.db.query(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT health, error_code, username_secret FROM credential_sets")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("Unhealthy");
                assertThat(rs.getString(2)).isEqualTo("SecretNotFound");
                assertThat(rs.getString(3)).as("an Azure Key Vault URL is no local vault reference").isNull();
            }
            return null;
        });
    }

    @Test
    void importsAcrRulesUnderPropertiesAndFromAzAcrCacheShow() {
        ImportReport report = fx.importer().importRules(
                List.of(sample("acr-cache-list-properties.json"), sample("acr-cache-show.json")), null, false, ConflictPolicy.FAIL);

        assertThat(report.hasRefusals()).as(report.toString()).isFalse();
        assertThat(names(fx.ruleList())).containsExactlyInAnyOrder("k8s-wildcard", "quay-coreos");
    }

    @Test
    void importsEcrPullThroughCacheRulesOnceTheirCredentialSetExists() {
        fx.credentialSet("docker-hub", "docker.io");

        ImportReport report = fx.importer().importRules(List.of(sample("ecr-describe-pull-through-cache-rules.json")), null, false,
                ConflictPolicy.FAIL);

        assertThat(report.hasRefusals()).as(report.toString()).isFalse();
        assertThat(fx.ruleList()).extracting(CacheRule::name, CacheRule::sourceRepository, CacheRule::targetRepository)
                .containsExactlyInAnyOrder(
                        tuple("ecr-ecr-public", "public.ecr.aws/*", "ecr-public/*"),
                        tuple("ecr-docker-hub", "docker.io/*", "docker-hub/*"),
                        tuple("ecr-quay", "quay.io/prometheus/*", "quay/*"));
    }

    @Test
    void importsTheEcrRootRuleAsAWholeRegistryRule() {
        ImportReport report = fx.importer().importRules(List.of(sample("ecr-root.json")), null, false, ConflictPolicy.FAIL);

        assertThat(report.hasRefusals()).as(report.toString()).isFalse();
        assertThat(fx.ruleList()).extracting(CacheRule::targetRepository, CacheRule::sourceRepository)
                .containsExactly(tuple("*", "registry.k8s.io/*"));
    }

    @Test
    void importsBothCsvSamples() {
        ImportReport report = fx.importer().importRules(List.of(sample("rules.csv"), sample("rules-semicolon.csv")), null, false,
                ConflictPolicy.FAIL);

        assertThat(report.hasRefusals()).as(report.toString()).isFalse();
        assertThat(names(fx.ruleList())).containsExactlyInAnyOrder("mcr-aspnet", "quay-etcd", "ghcr-runner", "k8s-coredns", "ecr-amazon");
        assertThat(report.entries()).extracting(ImportEntry::location)
                .containsExactly("rules.csv:2", "rules.csv:3", "rules.csv:4", "rules-semicolon.csv:2", "rules-semicolon.csv:3");
    }

    // ---- refusals ----

    @Test
    void refusesAnEcrDockerHubRuleWhoseCredentialSetDoesNotExistNamingIt() {
        ImportReport report = fx.importer().importRules(List.of(sample("ecr-describe-pull-through-cache-rules.json")), null, false,
                ConflictPolicy.FAIL);

        assertThat(report.applied()).isFalse();
        assertThat(fx.ruleList()).isEmpty();
        assertThat(report.entries()).filteredOn(e -> !e.valid()).singleElement().satisfies(e -> {
            assertThat(e.location()).endsWith("#/pullThroughCacheRules/1");
            assertThat(e.problem()).contains("credential set 'docker-hub' does not exist");
        });
    }

    @Test
    void refusesEachInvalidEntryWithItsPreciseReasonAndImportsNothing() throws Exception {
        Path csv = file("bad.csv", String.join("\n",
                "name,source,target,credentialSet,freshness",
                "good-rule,mcr.microsoft.com/dotnet/sdk,dotnet/sdk,,",
                "tag-rule,mcr.microsoft.com/dotnet/sdk:8.0,sdk8,,",
                "abc,mcr.microsoft.com/dotnet/aspnet,aspnet,,",
                "mixed-rule,mcr.microsoft.com/dotnet/*,runtime,,",
                "hub-anon,docker.io/library/nginx,nginx,,",
                "mcr-creds,mcr.microsoft.com/powershell,powershell,nosuchset,",
                "unknown-up,registry.nowhere.test/app,app,,",
                "bad-fresh,quay.io/coreos/flannel,flannel,,sometimes",
                "no-target,quay.io/coreos/x,,,",
                "=cmd|' /C calc'!A0,quay.io/a/b,ab,,",
                ""));

        ImportReport report = fx.importer().importRules(List.of(csv), null, false, ConflictPolicy.FAIL);

        assertThat(report.applied()).isFalse();
        assertThat(report.imported()).isZero();
        assertThat(fx.ruleList()).isEmpty();
        assertThat(report.entries()).extracting(ImportEntry::location, ImportEntry::action).first()
                .isEqualTo(tuple("bad.csv:2", Action.ADD));
        List<ImportEntry> refused = report.entries().subList(1, report.entries().size());
        assertThat(refused).allMatch(e -> e.action() == Action.REFUSE);
        assertThat(refused).extracting(ImportEntry::problem).satisfiesExactly(
                p -> assertThat(p).contains("tag or digest"),
                p -> assertThat(p).containsIgnoringCase("name"),
                p -> assertThat(p).contains("both must end in /*"),
                p -> assertThat(p).containsIgnoringCase("credential set"),
                p -> assertThat(p).contains("credential set 'nosuchset' does not exist"),
                p -> assertThat(p).contains("no upstream is known for login server 'registry.nowhere.test'"),
                p -> assertThat(p).contains("unknown freshness policy 'sometimes'"),
                p -> assertThat(p).contains("no target repository"),
                p -> assertThat(p).containsIgnoringCase("name"));
    }

    @Test
    void refusesARuleWhoseCredentialSetIsForAnotherRegistry() throws Exception {
        fx.credentialSet("ghcr-creds", "ghcr.io");
        Path csv = file("x.csv", "name,source,target,credentialSet\nquay-rule,quay.io/coreos/etcd,etcd,ghcr-creds\n");

        ImportReport report = fx.importer().importRules(List.of(csv), null, false, ConflictPolicy.FAIL);

        assertThat(report.entries().get(0).problem()).isEqualTo("credential set 'ghcr-creds' is for ghcr.io, but the source is on quay.io");
    }

    @Test
    void refusesAWildcardTargetInsideAnotherFromTheSameFile() throws Exception {
        Path csv = file("x.csv", "name,source,target\nall-of-k8s,registry.k8s.io/*,k8s/*\ncoredns-all,registry.k8s.io/coredns/*,k8s/coredns/*\n");

        ImportReport report = fx.importer().importRules(List.of(csv), null, false, ConflictPolicy.FAIL);

        assertThat(report.entries().get(1).problem()).contains("all-of-k8s");
        assertThat(fx.ruleList()).isEmpty();
    }

    @Test
    void refusesARuleOverAnExistingLocalRepository() throws Exception {
        fx.manifests.putManifest(dev.cachalot.oci.RepositoryName.of("team/app"),
                dev.cachalot.storage.RepositoryKind.LOCAL, null,
                dev.cachalot.oci.Digest.parse("sha256:" + "a".repeat(64)), "application/vnd.oci.image.manifest.v1+json", 10, null, null);
        Path csv = file("x.csv", "name,source,target\nteam-rule,quay.io/team/*,team/*\n");

        ImportReport report = fx.importer().importRules(List.of(csv), null, false, ConflictPolicy.FAIL);

        assertThat(report.entries().get(0).problem()).contains("team");
        assertThat(fx.ruleList()).isEmpty();
    }

    @Test
    void refusesAnEntryThatIsNotAnObject() throws Exception {
        Path json = file("x.json", "{\"version\":1,\"rules\":[\"nginx\"]}");

        ImportReport report = fx.importer().importRules(List.of(json), null, false, ConflictPolicy.FAIL);

        assertThat(report.entries()).singleElement().satisfies(e -> {
            assertThat(e.location()).isEqualTo("x.json#/rules/0");
            assertThat(e.problem()).contains("must be an object");
        });
    }

    @Test
    void validOnlyImportsTheValidEntriesAndStillReportsTheRefusals() throws Exception {
        Path csv = file("x.csv", "name,source,target\nmcr-sdk,mcr.microsoft.com/dotnet/sdk,sdk\nbad,mcr.microsoft.com/x:1,x\n");

        ImportReport report = fx.importer().importRules(List.of(csv), null, true, ConflictPolicy.FAIL);

        assertThat(report.applied()).isTrue();
        assertThat(report.imported()).isEqualTo(1);
        assertThat(report.hasRefusals()).isTrue();
        assertThat(names(fx.ruleList())).containsExactly("mcr-sdk");
    }

    // ---- duplicates within the import ----

    @Test
    void refusesADuplicateNameInTheFileNamingTheFirstOccurrence() throws Exception {
        Path csv = file("dup.csv", "name,source,target\nmcr-sdk,mcr.microsoft.com/dotnet/sdk,sdk\nmcr-sdk,mcr.microsoft.com/dotnet/aspnet,aspnet\n");

        ImportReport report = fx.importer().importRules(List.of(csv), null, false, ConflictPolicy.FAIL);

        assertThat(report.entries().get(1).problem()).isEqualTo("duplicate: the name 'mcr-sdk' is already used by the entry at dup.csv:2");
        assertThat(fx.ruleList()).isEmpty();
    }

    @Test
    void refusesADuplicateTargetAcrossFilesNamingTheFirstOccurrence() throws Exception {
        Path a = file("a.csv", "name,source,target\nmcr-sdk,mcr.microsoft.com/dotnet/sdk,sdk\n");
        Path b = file("b.json", "{\"version\":1,\"rules\":[{\"name\":\"other-sdk\",\"sourceRepository\":\"quay.io/x/sdk\",\"targetRepository\":\"sdk\"}]}");

        ImportReport report = fx.importer().importRules(List.of(a, b), null, false, ConflictPolicy.FAIL);

        assertThat(report.entries().get(1).location()).isEqualTo("b.json#/rules/0");
        assertThat(report.entries().get(1).problem()).contains("target 'sdk' is already used by the entry at a.csv:2");
    }

    // ---- conflicts with existing rules ----

    private void existingRule() throws Exception {
        Path csv = file("existing.csv", "name,source,target\nmcr-sdk,mcr.microsoft.com/dotnet/sdk,sdk\n");
        assertThat(fx.importer().importRules(List.of(csv), null, false, ConflictPolicy.FAIL).applied()).isTrue();
    }

    private Path changedRule() throws Exception {
        return file("changed.csv", "name,source,target\nmcr-sdk,mcr.microsoft.com/dotnet/sdk,dotnet/sdk\nmcr-aspnet,mcr.microsoft.com/dotnet/aspnet,aspnet\n");
    }

    @Test
    void failPolicyRefusesAnEntryWhoseNameExists() throws Exception {
        existingRule();

        ImportReport report = fx.importer().importRules(List.of(changedRule()), null, false, ConflictPolicy.FAIL);

        assertThat(report.entries().get(0).problem()).contains("a rule named 'mcr-sdk' already exists");
        assertThat(fx.ruleList()).extracting(CacheRule::targetRepository).containsExactly("sdk");
    }

    @Test
    void skipPolicyKeepsTheExistingRuleAndImportsTheRest() throws Exception {
        existingRule();

        ImportReport report = fx.importer().importRules(List.of(changedRule()), null, false, ConflictPolicy.SKIP);

        assertThat(report.hasRefusals()).isFalse();
        assertThat(report.entries()).extracting(ImportEntry::action).containsExactly(Action.SKIP, Action.ADD);
        assertThat(fx.ruleList()).extracting(CacheRule::name, CacheRule::targetRepository)
                .containsExactlyInAnyOrder(tuple("mcr-sdk", "sdk"), tuple("mcr-aspnet", "aspnet"));
    }

    @Test
    void replacePolicyReplacesTheExistingRule() throws Exception {
        existingRule();

        ImportReport report = fx.importer().importRules(List.of(changedRule()), null, false, ConflictPolicy.REPLACE);

        assertThat(report.entries()).extracting(ImportEntry::action).containsExactly(Action.REPLACE, Action.ADD);
        assertThat(fx.ruleList()).extracting(CacheRule::name, CacheRule::targetRepository)
                .containsExactlyInAnyOrder(tuple("mcr-sdk", "dotnet/sdk"), tuple("mcr-aspnet", "aspnet"));
    }

    // ---- dry run and atomicity ----

    @Test
    void dryRunReportsWhatWouldHappenAndChangesNothing() throws Exception {
        long version = fx.db.configVersion();

        ImportReport report = fx.importer().preview(List.of(sample("rules.csv")), null);

        assertThat(report.applied()).isFalse();
        assertThat(report.entries()).hasSize(3).allMatch(ImportEntry::valid);
        assertThat(fx.ruleList()).isEmpty();
        assertThat(fx.db.configVersion()).isEqualTo(version);
    }

    @Test
    void aFailureMidImportLeavesTheRulesAsTheyWere() throws Exception {
        existingRule();
        List<CacheRule> before = fx.ruleList();
        RuleImporter.RuleWrites real = RuleImporter.RuleWrites.of(fx.rules);
        AtomicInteger inserts = new AtomicInteger();
        RuleImporter.RuleWrites failingOnThird = new RuleImporter.RuleWrites() {
            @Override
            public List<CacheRule> list(Connection c) throws SQLException {
                return real.list(c);
            }

            @Override
            public void insert(Connection c, CacheRule rule) {
                if (inserts.incrementAndGet() == 3) throw new IllegalStateException("disk full (injected)");
                real.insert(c, rule);
            }

            @Override
            public boolean delete(Connection c, String name) {
                return real.delete(c, name);
            }
        };
        Path csv = file("four.csv", "name,source,target\nmcr-sdk,mcr.microsoft.com/dotnet/sdk,dotnet/sdk\n"
                + "mcr-aspnet,mcr.microsoft.com/dotnet/aspnet,aspnet\nquay-etcd,quay.io/coreos/etcd,etcd\nk8s-pause,registry.k8s.io/pause,pause\n");

        ImportReport report = fx.importer(failingOnThird).importRules(List.of(csv), null, false, ConflictPolicy.REPLACE);

        assertThat(inserts.get()).isEqualTo(3);
        assertThat(report.applied()).isFalse();
        assertThat(report.problems()).singleElement().asString().contains("nothing was changed").contains("disk full (injected)");
        assertThat(fx.ruleList()).isEqualTo(before);
    }
}
