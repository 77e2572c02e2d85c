package dev.cachalot.rules.io;

import static dev.cachalot.rules.io.Samples.sample;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.FreshnessPolicy;
import dev.cachalot.rules.ImportReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RuleExportRoundTripTest {

    @TempDir
    Path dir;
    ImportFixture source;
    ImportFixture copy;

    @BeforeEach
    void open() {
        source = new ImportFixture(dir.resolve("source"));
        copy = new ImportFixture(dir.resolve("copy"));
        ImportReport seeded = source.importer().importRules(List.of(sample("cachalot.json"), sample("cachalot.yaml")), null, false,
                ConflictPolicy.FAIL);
        assertThat(seeded.applied()).as(seeded.toString()).isTrue();
    }

    @AfterEach
    void close() {
        source.close();
        copy.close();
    }

    private static List<CacheRule> withoutDates(List<CacheRule> rules) {
        return rules.stream().map(r -> new CacheRule(r.name(), r.sourceRepository(), r.targetRepository(), r.credentialSet(),
                r.freshness(), Instant.EPOCH, r.provisioningState())).sorted(java.util.Comparator.comparing(CacheRule::name)).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cachalot-json", "cachalot-yaml"})
    void cachalotDocumentsRoundTripLosslessly(String format) throws Exception {
        Path file = dir.resolve("export." + format);
        source.exporter().export(file, format);

        ImportReport report = copy.importer().importRules(List.of(file), null, false, ConflictPolicy.FAIL);

        assertThat(report.applied()).as(report.toString()).isTrue();
        assertThat(copy.ruleList()).containsExactlyInAnyOrderElementsOf(source.ruleList());
        assertThat(copy.credentialSets.list()).isEqualTo(source.credentialSets.list());
        assertThat(copy.upstreams.list()).isEqualTo(source.upstreams.list());
        assertThat(copy.exporter().exportToString(format)).isEqualTo(source.exporter().exportToString(format));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cachalot-json", "cachalot-yaml"})
    void aSyncPolicyRoundTripsThroughCachalotDocuments(String format) throws Exception {
        Path written = dir.resolve("sync.json");
        Files.writeString(written, """
                {"version": 1, "rules": [{"name": "mirror-sync", "sourceRepository": "quay.io/mirror/*", "targetRepository": "mirror/*",
                  "sync": {"mode": "active", "tags": "semver:>=3.19 <4", "platforms": ["linux/amd64", "linux/arm64"], "interval": "6h",
                           "repositories": "app,tools", "referrers": true, "excludeArtifactTypes": ["application/vnd.example.sbom*"]}}]}
                """);
        ImportReport seeded = source.importer().importRules(List.of(written), null, false, ConflictPolicy.FAIL);
        assertThat(seeded.applied()).as(seeded.toString()).isTrue();
        dev.cachalot.rules.SyncPolicy sync = source.ruleList().stream().filter(r -> r.name().equals("mirror-sync")).findFirst()
                .orElseThrow().sync();
        assertThat(sync.draft()).isEqualTo(new dev.cachalot.rules.SyncDraft("active", "semver:>=3.19 <4", "linux/amd64,linux/arm64", "6h",
                "app,tools", "true", "", "application/vnd.example.sbom*"));

        Path file = dir.resolve("export." + format);
        source.exporter().export(file, format);
        ImportReport report = copy.importer().importRules(List.of(file), null, false, ConflictPolicy.FAIL);

        assertThat(report.applied()).as(report.toString()).isTrue();
        assertThat(copy.ruleList()).containsExactlyInAnyOrderElementsOf(source.ruleList());
    }

    @Test
    void aBadSyncPolicyInAFileIsRefusedWithItsLocation() throws Exception {
        Path written = dir.resolve("bad-sync.json");
        Files.writeString(written, """
                {"version": 1, "rules": [{"name": "bad-sync", "sourceRepository": "quay.io/bad/app", "targetRepository": "bad/app",
                  "sync": {"mode": "active", "tags": "re:(", "repositories": ["app"]}}]}
                """);
        ImportReport report = copy.importer().importRules(List.of(written), null, false, ConflictPolicy.FAIL);

        assertThat(report.applied()).isFalse();
        assertThat(report.toString()).contains("bad-sync.json").contains("sync tags: tag filter 're:('")
                .contains("sync repositories are only for wildcard rules");
    }

    @Test
    void csvRoundTripsEveryFieldItCarries() throws Exception {
        // CSV has no room for credential sets and upstreams: the copy gets them from the document first.
        Path doc = dir.resolve("sets.json");
        Files.writeString(doc, "{\"version\":1,\"rules\":[],\"credentialSets\":" + jsonArray(source.exporter().exportToString("cachalot-json"), "credentialSets")
                + ",\"upstreams\":" + jsonArray(source.exporter().exportToString("cachalot-json"), "upstreams") + "}");
        assertThat(copy.importer().importRules(List.of(doc), null, false, ConflictPolicy.FAIL).applied()).isTrue();
        Path csv = dir.resolve("export.csv");
        source.exporter().export(csv, "csv");

        ImportReport report = copy.importer().importRules(List.of(csv), null, false, ConflictPolicy.FAIL);

        assertThat(report.applied()).as(report.toString()).isTrue();
        assertThat(withoutDates(copy.ruleList())).isEqualTo(withoutDates(source.ruleList()));
        assertThat(copy.exporter().exportToString("csv")).isEqualTo(source.exporter().exportToString("csv"));
    }

    @Test
    void acrJsonExportHasTheShapeOfAzAcrCacheListAndReadsBack() throws Exception {
        String acr = source.exporter().exportToString("acr-json");
        assertThat(acr).contains("\"type\" : \"Microsoft.ContainerRegistry/registries/cacheRules\"")
                .contains("/credentialSets/dockerhub\"");

        RuleFile back = new RuleFileReader().parse("acr.json", acr, null);

        assertThat(back.format()).isEqualTo(RuleFormat.ACR_JSON);
        assertThat(back.rules()).extracting(RawRule::name)
                .containsExactlyInAnyOrderElementsOf(source.ruleList().stream().map(CacheRule::name).toList());
        assertThat(back.rules()).filteredOn(r -> r.name().equals("hello-world")).singleElement()
                .extracting(RawRule::credentialSet).isEqualTo("dockerhub");
    }

    @Test
    void csvExportNeutralizesCellsThatSpreadsheetsWouldRunAsFormulas() {
        List<CacheRule> hostile = List.of(
                rule("=cmd|' /C calc'!A0", "quay.io/a/b", "+b"),
                rule("-abcde", "@quay.io/x", "\tt"),
                rule("plain-name", "quay.io/c/d", "\rcr"));
        RuleExporter exporter = new RuleExporter(() -> hostile, List::of, List::of);

        String csv = exporter.exportToString("csv");

        assertThat(csv).isEqualTo(RuleExporter.CSV_HEADER + "\r\n"
                + "'=cmd|' /C calc'!A0,quay.io/a/b,'+b,,revalidate\r\n"
                + "'-abcde,'@quay.io/x,'\tt,,revalidate\r\n"
                + "plain-name,quay.io/c/d,\"'\rcr\",,revalidate\r\n");
    }

    @Test
    void escapedFormulaCellsReadBackAsTheOriginalText() throws Exception {
        RuleFile f = new RuleFileReader().parse("x.csv", "name,source,target\n'-abcde,'@quay.io/x,'+b\n", null);

        assertThat(f.rules().get(0)).extracting(RawRule::name, RawRule::sourceRepository, RawRule::targetRepository)
                .containsExactly("-abcde", "@quay.io/x", "+b");
    }

    @Test
    void exportNeverWritesSecretValuesOnlyVaultReferences() {
        String json = source.exporter().exportToString("cachalot-json");

        assertThat(json).contains("\"usernameSecret\" : \"vault:dockerhub-username\"").doesNotContainIgnoringCase("\"password\"");
    }

    private static CacheRule rule(String name, String source, String target) {
        return new CacheRule(name, source, target, null, FreshnessPolicy.REVALIDATE, Instant.EPOCH, CacheRule.ProvisioningState.Succeeded);
    }

    private static String jsonArray(String json, String field) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).get(field).toString();
    }
}
