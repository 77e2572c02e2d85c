package dev.cachalot.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cachalot.api.client.RemoteEngine;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.engine.ServingOptions;
import dev.cachalot.engine.TagView;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.RuleValidationException;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.sync.SyncProgress;
import dev.cachalot.sync.SyncReport;
import dev.cachalot.sync.SyncRequest;
import dev.cachalot.sync.SyncStatus;
import dev.cachalot.sync.SyncedTag;
import dev.cachalot.testing.CountingProxy;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Fault;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.TestImages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Active sync over the management API, against a real engine whose rule points at a real upstream (Debian's
 * docker-registry): the policy is changed with the engine's own validation, a dry run answers its report, a run started
 * in the background answers 202 and ends as the rule's last run, {@link RemoteEngine} does all of it as the local engine
 * does, and a caller without the admin role changes and runs nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyncApiTest {
    private static final String RULE = "app-sync";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private DockerRegistryFixture upstream;

    @TempDir
    Path temp;
    private Engine engine;
    private String api;

    @BeforeAll
    void upstreamWithThreeTags() {
        upstream = DockerRegistryFixture.start();
        TestImages images = new TestImages(1920);
        RegistryPusher pusher = new RegistryPusher(upstream.url());
        pusher.push("team/app", "3.19", images.ociImage());
        pusher.push("team/app", "3.20", images.ociImage());
        pusher.push("team/app", "4.0", images.ociImage());
    }

    @AfterAll
    void stopUpstream() {
        if (upstream != null) upstream.close();
    }

    @AfterEach
    void closeEngine() {
        if (engine != null) engine.close();
    }

    private void start(ServingOptions options) {
        engine = Engine.open(temp.resolve("data"));
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft(RULE, upstream.hostPort() + "/team/app", "app", null, null));
        engine.serveManagementApi(new ManagementApi(engine, ManagementAccess.loopbackOnly()));
        engine.startServer("127.0.0.1:0", null, null, options);
        api = "http://127.0.0.1:" + engine.port() + ManagementApi.PREFIX;
    }

    private List<String> cachedTags() {
        return engine.tags("app").stream().map(TagView::tag).sorted().toList();
    }

    @Test
    void aPolicyChangedThroughTheApiIsTheRulesAndABadFilterIsRefusedWithTheEnginesWords() throws Exception {
        start(ServingOptions.DESKTOP);
        HttpResponse<String> changed = send("PATCH", "/rules/" + RULE + "/sync-policy",
                "{\"mode\":\"active\",\"tags\":\"3.*\",\"interval\":\"6h\"}", null);
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        JsonNode sync = ApiJson.mapper().readTree(changed.body()).get("sync");
        assertThat(sync.get("mode").asText()).isEqualTo("active");
        assertThat(sync.get("tags").asText()).isEqualTo("3.*");
        assertThat(sync.get("interval").asText()).isEqualTo("6h");
        assertThat(engine.rules()).singleElement().satisfies(r -> assertThat(r.sync().isActive()).isTrue());

        HttpResponse<String> refused = send("PATCH", "/rules/" + RULE + "/sync-policy", "{\"tags\":\"re:(\"}", null);
        assertThat(refused.statusCode()).isEqualTo(400);
        JsonNode error = ApiJson.mapper().readTree(refused.body());
        assertThat(error.get("code").asText()).isEqualTo(ApiError.INVALID_RULE);
        assertThat(error.get("problems").get(0).asText())
                .isEqualTo("sync tags: tag filter 're:(': not a valid regular expression: Unclosed group near index 1");

        try (RemoteEngine remote = new RemoteEngine(URI.create(api), null)) {
            assertThatThrownBy(() -> remote.updateRuleSync(RULE, new SyncDraft(null, "semver:banana", null, null, null, null, null, null)))
                    .isInstanceOfSatisfying(RuleValidationException.class, e -> assertThat(e.problems()).singleElement()
                            .satisfies(p -> assertThat(p).startsWith("sync tags: ")));
            CacheRule passive = remote.updateRuleSync(RULE, SyncDraft.mode("passive"));
            assertThat(passive.sync().isActive()).isFalse();
            assertThat(passive.sync().tags().text()).isEqualTo("3.*");
        }
        assertThat(send("PATCH", "/rules/no-such-rule/sync-policy", "{\"mode\":\"active\"}", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aDryRunAnswersItsReportAndStoresNothing() throws Exception {
        start(ServingOptions.DESKTOP);
        engine.updateRuleSync(RULE, new SyncDraft("active", "3.*", null, null, null, null, null, null));

        HttpResponse<String> answer = send("POST", "/rules/" + RULE + "/sync", "{\"dryRun\":true}", null);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        SyncReport report = ApiJson.mapper().readValue(answer.body(), SyncReport.class);
        assertThat(report.dryRun()).isTrue();
        assertThat(report.tags()).extracting(SyncedTag::tag).containsExactlyInAnyOrder("3.19", "3.20");
        assertThat(report.tags()).allSatisfy(t -> assertThat(t.action()).isEqualTo(SyncedTag.Action.WOULD_FETCH));
        assertThat(cachedTags()).isEmpty();
    }

    @Test
    void aRunStartedInTheBackgroundAnswers202AndEndsAsTheRulesLastRun() throws Exception {
        start(ServingOptions.DESKTOP);
        engine.updateRuleSync(RULE, new SyncDraft("active", "3.*", null, null, null, null, null, null));

        HttpResponse<String> started = send("POST", "/rules/" + RULE + "/sync", "{}", null);

        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        assertThat(ApiJson.mapper().readTree(started.body()).get("ruleName").asText()).isEqualTo(RULE);
        SyncStatus done = await().atMost(Duration.ofSeconds(60)).until(
                () -> ApiJson.mapper().readValue(send("GET", "/rules/" + RULE + "/sync", null, null).body(), SyncStatus.class),
                s -> s.lastOutcome() != null && s.lastOutcome() != SyncStatus.Outcome.RUNNING);
        assertThat(done.lastOutcome()).isEqualTo(SyncStatus.Outcome.SUCCEEDED);
        assertThat(done.lastSummary()).startsWith("2 tags in 1 repository: fetched 2, 0 unchanged");
        assertThat(done.running()).isNull();
        assertThat(done.nextRunAt()).isAfter(done.lastFinishedAt());
        assertThat(cachedTags()).containsExactly("3.19", "3.20");

        Map<String, SyncStatus> all = ApiJson.mapper().readValue(send("GET", "/rules/sync", null, null).body(),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, SyncStatus>>() { });
        assertThat(all).containsOnlyKeys(RULE);
        assertThat(send("POST", "/rules/" + RULE + "/sync/cancel", null, null).body()).isEqualTo("{\"cancelled\":false}");
        assertThat(send("POST", "/rules/no-such-rule/sync", "{}", null).statusCode()).isEqualTo(404);
    }

    @Test
    void theRemoteEngineSyncsAsTheLocalOneDoes() {
        start(ServingOptions.DESKTOP);
        try (RemoteEngine remote = new RemoteEngine(URI.create(api), null)) {
            remote.updateRuleSync(RULE, new SyncDraft("active", "4.0", null, null, null, null, null, null));

            SyncReport report = remote.syncRule(RULE, SyncRequest.ALL, p -> { });

            assertThat(report.complete()).as(report.summary()).isTrue();
            assertThat(report.tagsFetched()).isEqualTo(1);
            assertThat(cachedTags()).containsExactly("4.0");
            assertThat(remote.syncStatuses().get(RULE).lastOutcome()).isEqualTo(SyncStatus.Outcome.SUCCEEDED);
            assertThat(remote.cancelSync(RULE)).isFalse();

            assertThat(remote.startSync(RULE, new SyncRequest("3.19", false))).isTrue();
            await().atMost(Duration.ofSeconds(60)).until(() -> cachedTags().contains("3.19"));
            assertThatThrownBy(() -> remote.startSync(RULE, new SyncRequest(null, true))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> remote.syncRule("no-such-rule", SyncRequest.ALL, p -> { }))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("no cache rule named 'no-such-rule'");
        }
    }

    @Test
    void aRemoteRunReportsItsProgressToTheCallerAndStopsWhenCancelled() {
        start(ServingOptions.DESKTOP);
        try (CountingProxy front = CountingProxy.start(upstream.url());
             RemoteEngine remote = new RemoteEngine(URI.create(api), null)) {
            engine.addUpstream(front.hostPort(), front.url(), null);
            engine.createRule(new RuleDraft("slow-sync", front.hostPort() + "/team/app", "slow-app", null, null,
                    new SyncDraft("active", "3.*", null, null, null, null, null, null)));
            // each blob takes over a second to come: the caller's once-a-second look sees the run going on
            front.inject(Fault.delay(Duration.ofMillis(1500)).onlyFor("GET", "/v2/team/app/blobs/.*"), 100);
            List<SyncProgress> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

            SyncReport report = remote.syncRule("slow-sync", SyncRequest.ALL, p -> {
                seen.add(p);
                if (seen.size() == 1) assertThat(remote.cancelSync("slow-sync")).isTrue();
            });

            assertThat(seen).isNotEmpty().allSatisfy(p -> {
                assertThat(p.ruleName()).isEqualTo("slow-sync");
                assertThat(p.tagsSelected()).isEqualTo(2);
            });
            assertThat(report.cancelled()).isTrue();
            assertThat(report.complete()).isFalse();
            assertThat(remote.syncStatuses().get("slow-sync").lastOutcome()).isEqualTo(SyncStatus.Outcome.CANCELLED);
            assertThat(engine.tags("slow-app")).hasSizeLessThan(2);
        }
    }

    @Test
    void aCallerWithoutTheAdminRoleChangesAndRunsNothing() throws Exception {
        start(new ServingOptions(ServingOptions.Auth.REQUIRED, false, null, ServingOptions.AccessLog.OFF));
        engine.addUser("puller", "pull", null, "puller-Secret-22".toCharArray());
        String basic = "Basic " + Base64.getEncoder().encodeToString("puller:puller-Secret-22".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> policy = send("PATCH", "/rules/" + RULE + "/sync-policy", "{\"mode\":\"active\"}", basic);
        HttpResponse<String> run = send("POST", "/rules/" + RULE + "/sync", "{\"wait\":true}", basic);

        for (HttpResponse<String> refused : List.of(policy, run)) {
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
            assertThat(refused.body()).contains("the management API needs the admin role");
        }
        assertThat(engine.rules()).singleElement().satisfies(r -> assertThat(r.sync().isActive()).isFalse());
        assertThat(engine.syncStatuses().get(RULE).lastOutcome()).isNull();
        assertThat(cachedTags()).isEmpty();
    }

    private HttpResponse<String> send(String method, String path, String json, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(60))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) request.header("Content-Type", "application/json");
        if (authorization != null) request.header("Authorization", authorization);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
