package dev.cachalot.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.api.ApiJson;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.FreshnessPolicy;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.rules.SyncPolicy;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sync types as the management API's JSON carries them (what a remote engine's client reads back). */
class SyncJsonTest {

    private final ObjectMapper json = ApiJson.mapper();

    @Test
    void aRulesSyncPolicyTravelsAsItsWrittenForm() throws Exception {
        SyncPolicy policy = SyncPolicy.PASSIVE.with(new SyncDraft("active", "semver:>=3.19 <4", "linux/amd64", "6h", "app", "true",
                null, "application/vnd.example.sbom*"), true);
        CacheRule rule = new CacheRule("lib-sync", "docker.io/library/*", "library/*", null, FreshnessPolicy.REVALIDATE,
                Instant.parse("2026-01-01T00:00:00Z"), CacheRule.ProvisioningState.Succeeded, policy);

        String text = json.writeValueAsString(rule);
        JsonNode sync = json.readTree(text).path("sync");

        assertThat(sync.path("mode").asText()).isEqualTo("active");
        assertThat(sync.path("tags").asText()).isEqualTo("semver:>=3.19 <4");
        assertThat(sync.path("interval").asText()).isEqualTo("6h");
        assertThat(json.readValue(text, CacheRule.class)).isEqualTo(rule);
    }

    @Test
    void reportsAndStatusesRoundTrip() throws Exception {
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        SyncReport report = new SyncReport("lib-sync", false, at, at.plusSeconds(5), List.of("library/nginx"),
                List.of(new SyncedTag("library/nginx", "1.27", "sha256:" + "a".repeat(64), SyncedTag.Action.FETCHED, 2, 3, 1234, null)),
                List.of(), List.of("paused 1000 ms before calling docker.io: it answered 429 Too Many Requests"), false);
        SyncStatus status = new SyncStatus("lib-sync", true, at, at.plusSeconds(5), SyncStatus.Outcome.SUCCEEDED, report.summary(),
                at.plusSeconds(6 * 3600), new SyncProgress("lib-sync", "library/nginx", "1.27", 0, 1, 100));

        assertThat(json.readValue(json.writeValueAsString(report), SyncReport.class)).isEqualTo(report);
        assertThat(json.readValue(json.writeValueAsString(status), SyncStatus.class)).isEqualTo(status);
        assertThat(json.readValue(json.writeValueAsString(new SyncRequest("1.27", true)), SyncRequest.class))
                .isEqualTo(new SyncRequest("1.27", true));
    }
}
