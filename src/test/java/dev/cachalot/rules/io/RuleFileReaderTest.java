package dev.cachalot.rules.io;

import static dev.cachalot.rules.io.Samples.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RuleFileReaderTest {

    private final RuleFileReader reader = new RuleFileReader();

    @Test
    void detectsCachalotJsonAndLocatesEntriesByJsonPointer() throws Exception {
        RuleFile f = reader.read(sample("cachalot.json"), null);
        assertThat(f.format()).isEqualTo(RuleFormat.CACHALOT_JSON);
        assertThat(f.rules()).extracting(RawRule::location)
                .containsExactly("cachalot.json#/rules/0", "cachalot.json#/rules/1", "cachalot.json#/rules/2");
        assertThat(f.rules().get(1).freshness()).isEqualTo("ttl:6h");
        assertThat(f.credentialSets()).singleElement().satisfies(s -> {
            assertThat(s.location()).isEqualTo("cachalot.json#/credentialSets/0");
            assertThat(s.usernameSecret()).isEqualTo("vault:dockerhub-username");
        });
        assertThat(f.upstreams()).singleElement().extracting(RawUpstream::loginServer).isEqualTo("registry.example.test:5443");
    }

    @Test
    void detectsCachalotYamlAndLocatesEntriesByLine() throws Exception {
        RuleFile f = reader.read(sample("cachalot.yaml"), null);
        assertThat(f.format()).isEqualTo(RuleFormat.CACHALOT_YAML);
        assertThat(f.rules()).extracting(RawRule::location)
                .containsExactly("cachalot.yaml:9", "cachalot.yaml:12", "cachalot.yaml:17");
        assertThat(f.credentialSets()).extracting(RawCredentialSet::location).containsExactly("cachalot.yaml:4");
    }

    @Test
    void readsAzAcrCacheListFlatWithCredentialSetFromTheLastSegmentOfItsResourceId() throws Exception {
        RuleFile f = reader.read(sample("acr-cache-list.json"), null);
        assertThat(f.format()).isEqualTo(RuleFormat.ACR_JSON);
        assertThat(f.rules()).extracting(RawRule::location).containsExactly("acr-cache-list.json#/0", "acr-cache-list.json#/1");
        RawRule first = f.rules().get(0);
        assertThat(first.name()).isEqualTo("ubuntu-rule");
        assertThat(first.sourceRepository()).isEqualTo("docker.io/library/ubuntu");
        assertThat(first.credentialSet()).isEqualTo("mydockerhubcredset");
        assertThat(f.rules().get(1).credentialSet()).isNull();
    }

    @Test
    void readsAcrRulesUnderPropertiesAndASingleRuleFromAzAcrCacheShow() throws Exception {
        RawRule nested = reader.read(sample("acr-cache-list-properties.json"), null).rules().get(0);
        assertThat(nested.name()).isEqualTo("k8s-wildcard");
        assertThat(nested.targetRepository()).isEqualTo("k8s/*");

        RuleFile show = reader.read(sample("acr-cache-show.json"), null);
        assertThat(show.format()).isEqualTo(RuleFormat.ACR_JSON);
        assertThat(show.rules()).singleElement().satisfies(r -> {
            assertThat(r.location()).isEqualTo("acr-cache-show.json#");
            assertThat(r.sourceRepository()).isEqualTo("quay.io/coreos/etcd");
        });
    }

    @Test
    void readsAzAcrCredentialSetListAsSetsWithKeyVaultReferences() throws Exception {
        RuleFile f = reader.read(sample("acr-credential-set-list.json"), null);
        assertThat(f.format()).isEqualTo(RuleFormat.ACR_CREDENTIAL_SETS);
        assertThat(f.credentialSets()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("mydockerhubcredset");
            assertThat(s.loginServer()).isEqualTo("docker.io");
            assertThat(s.usernameSecret()).isEqualTo("https://mykeyvault.vault.azure.net/secrets/usernamesecret");
            assertThat(s.problem()).isNull();
        });
    }

    @Test
    void mapsEcrPullThroughCacheRulesToWildcardRulesWithGeneratedNames() throws Exception {
        RuleFile f = reader.read(sample("ecr-describe-pull-through-cache-rules.json"), null);
        assertThat(f.format()).isEqualTo(RuleFormat.ECR_JSON);
        assertThat(f.rules()).extracting(RawRule::name, RawRule::sourceRepository, RawRule::targetRepository, RawRule::credentialSet)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("ecr-ecr-public", "public.ecr.aws/*", "ecr-public/*", null),
                        org.assertj.core.groups.Tuple.tuple("ecr-docker-hub", "docker.io/*", "docker-hub/*", "docker-hub"),
                        org.assertj.core.groups.Tuple.tuple("ecr-quay", "quay.io/prometheus/*", "quay/*", null));
        assertThat(f.rules().get(2).location()).isEqualTo("ecr-describe-pull-through-cache-rules.json#/pullThroughCacheRules/2");
    }

    @Test
    void mapsTheEcrRootPrefixToAWholeRegistryTarget() throws Exception {
        RawRule root = reader.read(sample("ecr-root.json"), null).rules().get(0);
        assertThat(root.targetRepository()).isEqualTo("*");
        assertThat(root.sourceRepository()).isEqualTo("registry.k8s.io/*");
        assertThat(root.name()).isEqualTo("ecr-root");
    }

    @Test
    void generatesLegalUniqueEcrRuleNames() {
        java.util.Set<String> taken = new java.util.HashSet<>();
        assertThat(EcrNames.uniqueRuleName("team_a/tools", taken)).isEqualTo("ecr-team-a-tools");
        assertThat(EcrNames.uniqueRuleName("team-a/tools", taken)).isEqualTo("ecr-team-a-tools-2");
        String longName = EcrNames.uniqueRuleName("a".repeat(30) + "/" + "b".repeat(30), taken);
        assertThat(longName).hasSizeLessThanOrEqualTo(50).matches("[a-z0-9-]{5,50}");
    }

    @Test
    void readsCsvWithBomCrlfAndQuotedFields() throws Exception {
        RuleFile f = reader.read(sample("rules.csv"), null);
        assertThat(f.format()).isEqualTo(RuleFormat.CSV);
        assertThat(f.rules()).extracting(RawRule::location).containsExactly("rules.csv:2", "rules.csv:3", "rules.csv:4");
        assertThat(f.rules()).extracting(RawRule::name).containsExactly("mcr-aspnet", "quay-etcd", "ghcr-runner");
        assertThat(f.rules().get(1).credentialSet()).isNull();
    }

    @Test
    void readsSemicolonSeparatedCsv() throws Exception {
        RuleFile f = reader.read(sample("rules-semicolon.csv"), null);
        assertThat(f.rules()).extracting(RawRule::targetRepository).containsExactly("coredns", "amazonlinux/*");
    }

    @Test
    void keepsTheStartingLineOfACsvRecordWhoseQuotedFieldSpansLines() throws Exception {
        RuleFile f = reader.parse("multi.csv", "name,source,target\n\"a\nb\",x,y\nthird,s,t\n", null);
        assertThat(f.rules()).extracting(RawRule::location).containsExactly("multi.csv:2", "multi.csv:4");
    }

    @Test
    void honoursAnExplicitFormatOverDetection() throws Exception {
        RuleFile f = reader.read(sample("cachalot.json"), RuleFormat.CACHALOT_YAML);
        assertThat(f.format()).isEqualTo(RuleFormat.CACHALOT_YAML);
        assertThat(f.rules().get(0).location()).isEqualTo("cachalot.json:4");
    }

    @Test
    void refusesAnUnknownCsvColumnNamingTheExpectedHeader() {
        assertThatThrownBy(() -> reader.parse("x.csv", "name,source,target,colour\na,b,c,d\n", null))
                .isInstanceOf(RuleFileException.class).hasMessageContaining("unknown column 'colour'")
                .hasMessageContaining("name,source,target,credentialSet");
    }

    @Test
    void refusesAnUnsupportedDocumentVersion() {
        assertThatThrownBy(() -> reader.parse("x.json", "{\"version\": 2, \"rules\": []}", null))
                .hasMessageContaining("unsupported Cachalot rule document version 2");
    }

    @Test
    void refusesACredentialSetCarryingASecretValue() throws Exception {
        RuleFile f = reader.parse("x.json", "{\"version\":1,\"credentialSets\":[{\"name\":\"hub-set\",\"loginServer\":\"docker.io\","
                + "\"password\":\"hunter2\"}]}", null);
        assertThat(f.credentialSets().get(0).problem()).contains("never secrets").doesNotContain("hunter2");
    }

    @Test
    void parsesExportedFormatNamesAndRefusesUnknownOnes() {
        assertThat(RuleFormat.parse("CSV")).isEqualTo(RuleFormat.CSV);
        assertThat(RuleFormat.parse(null)).isNull();
        assertThatThrownBy(() -> RuleFormat.parse("xml")).hasMessageContaining("unknown format 'xml'");
        assertThatThrownBy(() -> RuleFormat.parseExport("ecr-json")).hasMessageContaining("cannot export");
    }
}
