package dev.cachalot.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.engine.Engine;
import dev.cachalot.engine.ManifestView;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.engine.TagView;
import dev.cachalot.oci.MediaTypes;
import dev.cachalot.rules.PlatformFilter;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.CountingProxy;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Fault;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.SignedImage;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Active sync against a real upstream (Debian's docker-registry) holding several tags and a two-platform index. Each test
 * syncs its own upstream repository, so that the upstream's access log counts only that test's downloads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ActiveSyncTest {

    private static final List<String> TAGS = List.of("3.18", "3.19", "3.19.1", "3.20", "4.0", "latest");

    private final TestImages images = new TestImages(1919);
    private final TestImage v318 = images.ociImage();
    private final TestImage v319 = images.ociIndex();
    private final TestImage v3191 = images.dockerImage();
    private final TestImage v320 = images.ociImage();
    private final TestImage v40 = images.ociImage();

    private DockerRegistryFixture upstream;
    private RegistryPusher pusher;

    @TempDir
    Path temp;
    private Engine engine;

    @BeforeAll
    void upstreamWithSeveralTagsAndAnIndex() {
        upstream = DockerRegistryFixture.start();
        pusher = new RegistryPusher(upstream.url());
        for (String repo : List.of("filter", "semver", "platforms", "cancel", "dry", "status", "limited")) {
            pushAll("team/" + repo);
        }
    }

    private void pushAll(String repository) {
        pusher.push(repository, "3.18", v318);
        pusher.push(repository, "3.19", v319);
        pusher.push(repository, "3.19.1", v3191);
        pusher.push(repository, "3.20", v320);
        pusher.push(repository, "4.0", v40);
        pusher.push(repository, "latest", v40);
    }

    @AfterAll
    void stopUpstream() {
        if (upstream != null) upstream.close();
    }

    @AfterEach
    void closeEngine() {
        if (engine != null) engine.close();
    }

    /** An engine with a static rule {@code NAME} for {@code team/REPO} as {@code REPO}, with the given sync policy. */
    private Engine engineWithRule(String name, String repo, SyncDraft sync) {
        engine = Engine.open(new DataFolder(temp.resolve("data")));
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft(name, upstream.hostPort() + "/team/" + repo, repo, null, null, sync));
        return engine;
    }

    private static SyncDraft active(String tags, String platforms) {
        return new SyncDraft("active", tags, platforms, null, null, null, null, null);
    }

    private static List<String> tagNames(SyncReport report) {
        return report.tags().stream().map(SyncedTag::tag).toList();
    }

    private List<String> cachedTags(String repo) {
        return engine.tags(repo).stream().map(TagView::tag).toList();
    }

    @Test
    void aGlobTagFilterSyncsExactlyTheTagsItMatches() {
        engineWithRule("sync-filter", "filter", active("3.1*", null));

        SyncReport report = engine.syncRule("sync-filter", SyncRequest.ALL, p -> { });

        assertThat(report.complete()).as(report.summary()).isTrue();
        assertThat(tagNames(report)).containsExactlyInAnyOrder("3.18", "3.19", "3.19.1");
        assertThat(report.tagsFetched()).isEqualTo(3);
        assertThat(cachedTags("filter")).containsExactlyInAnyOrder("3.18", "3.19", "3.19.1");
        assertEveryRecordedTagIsWhole("filter", PlatformFilter.ALL);
        assertThat(engine.tags("filter")).filteredOn(t -> t.tag().equals("3.19")).singleElement()
                .satisfies(t -> assertThat(t.digest()).isEqualTo(v319.digest()));
    }

    @Test
    void aSemverRangeSyncsExactlyTheVersionsInside() {
        engineWithRule("sync-semver", "semver", active("semver:>=3.19 <4", null));

        SyncReport report = engine.syncRule("sync-semver", SyncRequest.ALL, p -> { });

        assertThat(report.complete()).as(report.summary()).isTrue();
        assertThat(tagNames(report)).containsExactlyInAnyOrder("3.19", "3.19.1", "3.20");
        assertThat(cachedTags("semver")).containsExactlyInAnyOrder("3.19", "3.19.1", "3.20");
        assertEveryRecordedTagIsWhole("semver", PlatformFilter.ALL);
        // cached content, but nobody pulled it: no pull event, no pull count
        engine.flushEvents();
        assertThat(engine.recentPulls(100)).isEmpty();
        assertThat(engine.tags("semver")).allSatisfy(t -> assertThat(t.pullCount()).isZero());
    }

    @Test
    void aPlatformFilterFetchesOnlyThatPlatformsBlobsAndKeepsTheIndexWhole() {
        engineWithRule("sync-platforms", "platforms", active("3.19", "linux/arm64"));

        SyncReport report = engine.syncRule("sync-platforms", SyncRequest.ALL, p -> { });

        assertThat(report.complete()).as(report.summary()).isTrue();
        assertThat(tagNames(report)).containsExactly("3.19");
        TestImage arm64 = v319.platformImage("arm64");
        TestImage amd64 = v319.platformImage("amd64");
        // at least once: a download the upstream client found stalled on a loaded machine is resumed with a second GET
        for (TestBlob blob : arm64.blobs()) {
            assertThat(upstream.countRequests("GET", "/v2/team/platforms/blobs/" + blob.digest())).as(blob.digest()).isPositive();
        }
        for (TestBlob blob : amd64.blobs()) {
            assertThat(upstream.countRequests("GET", "/v2/team/platforms/blobs/" + blob.digest())).as(blob.digest()).isZero();
        }
        assertThat(upstream.countRequests("GET", "/v2/team/platforms/manifests/" + amd64.digest())).isZero();
        assertThat(report.blobs()).isEqualTo(arm64.blobs().size());
        assertThat(report.manifests()).isEqualTo(2);
        assertThat(report.bytes()).isEqualTo(v319.manifestSize() + arm64.manifestSize()
                + arm64.blobs().stream().mapToLong(TestBlob::size).sum());
        // the index is the upstream's, byte for byte: its digest is the tag's
        assertThat(engine.tags("platforms")).singleElement().satisfies(t -> assertThat(t.digest()).isEqualTo(v319.digest()));
        assertEveryRecordedTagIsWhole("platforms", PlatformFilter.parse("linux/arm64"));

        SyncReport again = engine.syncRule("sync-platforms", SyncRequest.ALL, p -> { });
        assertThat(again.tagsUnchanged()).isEqualTo(1);
        assertThat(again.bytes()).isZero();
    }

    @Test
    void aMovedTagIsRefreshedOnTheNextRun() {
        pusher.push("team/moving", "latest", v318);
        engineWithRule("sync-moving", "moving", active("latest", null));

        SyncReport first = engine.syncRule("sync-moving", SyncRequest.ALL, p -> { });
        assertThat(first.tags()).singleElement().satisfies(t -> {
            assertThat(t.action()).isEqualTo(SyncedTag.Action.FETCHED);
            assertThat(t.digest()).isEqualTo(v318.digest());
        });

        pusher.push("team/moving", "latest", v320);
        SyncReport second = engine.syncRule("sync-moving", SyncRequest.ALL, p -> { });

        assertThat(second.tags()).singleElement().satisfies(t -> {
            assertThat(t.action()).isEqualTo(SyncedTag.Action.FETCHED);
            assertThat(t.digest()).isEqualTo(v320.digest());
        });
        assertThat(engine.tags("moving")).singleElement().satisfies(t -> assertThat(t.digest()).isEqualTo(v320.digest()));
        assertEveryRecordedTagIsWhole("moving", PlatformFilter.ALL);

        SyncReport third = engine.syncRule("sync-moving", SyncRequest.ALL, p -> { });
        assertThat(third.tags()).singleElement().satisfies(t -> assertThat(t.action()).isEqualTo(SyncedTag.Action.UNCHANGED));
    }

    @Test
    void aRunCancelledHalfwayThroughATagLeavesThatTagUnrecorded() {
        engineWithRule("sync-cancel", "cancel", active(null, null));
        AtomicBoolean cancelled = new AtomicBoolean();

        // cancelled once the first blob of the first tag is stored: its manifest and one blob are in, the rest is not
        SyncReport report = engine.syncRule("sync-cancel", SyncRequest.ALL, p -> {
            if (p.tag() != null && p.bytes() > 0 && p.tagsDone() == 0 && cancelled.compareAndSet(false, true)) {
                assertThat(engine.cancelSync("sync-cancel")).isTrue();
            }
        });

        assertThat(cancelled).isTrue();
        assertThat(report.cancelled()).isTrue();
        assertThat(report.complete()).isFalse();
        assertThat(report.tags()).isEmpty();
        assertThat(cachedTags("cancel")).isEmpty();
        assertThat(engine.syncStatuses().get("sync-cancel").lastOutcome()).isEqualTo(SyncStatus.Outcome.CANCELLED);

        SyncReport resumed = engine.syncRule("sync-cancel", SyncRequest.ALL, p -> { });
        assertThat(resumed.complete()).as(resumed.summary()).isTrue();
        assertThat(cachedTags("cancel")).containsExactlyInAnyOrderElementsOf(TAGS);
        assertEveryRecordedTagIsWhole("cancel", PlatformFilter.ALL);
    }

    @Test
    void aDryRunFetchesNothingAndSaysWhatARunWould() {
        engineWithRule("sync-dry", "dry", active("3.20,4.0", null));

        SyncReport report = engine.syncRule("sync-dry", new SyncRequest(null, true), p -> { });

        assertThat(report.dryRun()).isTrue();
        assertThat(report.complete()).as(report.summary()).isTrue();
        assertThat(report.tagsToFetch()).isEqualTo(2);
        assertThat(report.blobs()).isEqualTo(v320.blobs().size() + v40.blobs().size());
        assertThat(report.bytes()).isEqualTo(v320.manifestSize() + v40.manifestSize()
                + v320.blobs().stream().mapToLong(TestBlob::size).sum() + v40.blobs().stream().mapToLong(TestBlob::size).sum());
        assertThat(upstream.requestLog()).noneMatch(e -> e.method().equals("GET") && e.path().startsWith("/v2/team/dry/blobs/"));
        assertThat(engine.repositories()).isEmpty();
        assertThat(engine.syncStatuses().get("sync-dry").lastOutcome()).isNull();
    }

    @Test
    void aRunIsRecordedAsTheRulesLastRunWithItsNextTime() {
        engineWithRule("sync-status", "status", new SyncDraft("active", "4.0", null, "6h", null, null, null, null));

        SyncReport report = engine.syncRule("sync-status", new SyncRequest("latest", false), p -> { });

        assertThat(tagNames(report)).containsExactly("latest");
        SyncStatus status = engine.syncStatuses().get("sync-status");
        assertThat(status.active()).isTrue();
        assertThat(status.lastOutcome()).isEqualTo(SyncStatus.Outcome.SUCCEEDED);
        assertThat(status.lastSummary()).isEqualTo(report.summary());
        assertThat(status.nextRunAt()).isEqualTo(status.lastStartedAt().plus(java.time.Duration.ofHours(6)));
        assertThat(status.running()).isNull();

        SyncReport missing = engine.syncRule("sync-status", new SyncRequest("no-such-tag", false), p -> { });
        assertThat(missing.complete()).isFalse();
        assertThat(missing.tags()).singleElement().satisfies(t -> assertThat(t.action()).isEqualTo(SyncedTag.Action.FAILED));
        assertThat(engine.syncStatuses().get("sync-status").lastOutcome()).isEqualTo(SyncStatus.Outcome.FAILED);
        assertThat(cachedTags("status")).containsExactly("latest");
    }

    /**
     * Docker Hub announces its allowance as {@code ratelimit-remaining: N;w=SECONDS} and refuses with 429 and
     * {@code Retry-After}; docker-registry does neither, so a small in-test HTTP front on loopback (CountingProxy) adds
     * them in front of the real registry. The sync waits instead of spending the last pulls or failing the tag.
     */
    @Test
    void rateLimitHeadersFromTheUpstreamPauseTheSync() {
        try (CountingProxy front = CountingProxy.start(upstream.url())) {
            engine = Engine.open(new DataFolder(temp.resolve("data")));
            engine.addUpstream(front.hostPort(), front.url(), null);
            engine.createRule(new RuleDraft("sync-limited", front.hostPort() + "/team/limited", "limited", null, null,
                    active("3.19.1,3.20", null)));
            // On the tag list's answer, so the first tag's call pauses whichever tag comes first: docker-registry lists
            // tags in its folder's order, and with 3.20 first the header (then on 3.19.1's HEAD) came after the last
            // call. A window of 10 s: the pause is until it has passed since the header was seen.
            front.inject(Fault.responseHeader("ratelimit-remaining", "0;w=10").onlyFor("GET", "/v2/team/limited/tags/list.*"), 1);
            // three answers: the client's own retries, then the sync's back-off and second try
            front.inject(Fault.tooManyRequests(1).onlyFor("HEAD", "/v2/team/limited/manifests/3.20"), 3);

            SyncReport report = engine.syncRule("sync-limited", SyncRequest.ALL, p -> { });

            assertThat(report.complete()).as(report.summary()).isTrue();
            assertThat(tagNames(report)).containsExactlyInAnyOrder("3.19.1", "3.20");
            assertThat(report.tagsFetched()).isEqualTo(2);
            assertThat(report.pauses()).hasSize(2)
                    .anySatisfy(p -> assertThat(p).contains("had 0 pulls left (ratelimit-remaining), kept for clients"))
                    .anySatisfy(p -> assertThat(p).contains("429 Too Many Requests"));
            assertThat(front.count("HEAD", "/v2/team/limited/manifests/3.20")).isGreaterThan(3);
            assertEveryRecordedTagIsWhole("limited", PlatformFilter.ALL);
        }
    }

    @Test
    void referrersAreSyncedWhenTheRuleSaysSoWithTheArtifactTypeFilter() {
        SignedImage signed = SignedImage.push(pusher, images, "team/signed", "3.20");
        TestImage sbom = signed.sbom();
        TestImage signature = signed.signature();
        engineWithRule("sync-signed", "signed", new SyncDraft("active", "3.20", null, null, null, "true", null, SignedImage.SIGNATURE_TYPE));

        SyncReport report = engine.syncRule("sync-signed", SyncRequest.ALL, p -> { });

        assertThat(report.complete()).as(report.summary()).isTrue();
        assertThat(engine.manifest("signed", sbom.digest())).isPresent();
        assertThat(engine.manifest("signed", sbom.digest()).orElseThrow().layers()).allMatch(ManifestView.Layer::cached);
        assertThat(engine.manifest("signed", signature.digest())).isEmpty();
        assertThat(upstream.countRequests("GET", "/v2/team/signed/manifests/" + signature.digest())).isZero();
        assertThat(report.manifests()).isEqualTo(2);

        engine.updateRuleSync("sync-signed", new SyncDraft(null, null, null, null, null, null, null, ""));
        SyncReport second = engine.syncRule("sync-signed", SyncRequest.ALL, p -> { });
        assertThat(second.tags()).singleElement().satisfies(t -> {
            assertThat(t.action()).isEqualTo(SyncedTag.Action.UNCHANGED);
            assertThat(t.manifests()).isEqualTo(1);
        });
        assertThat(engine.manifest("signed", signature.digest())).isPresent();
    }

    /**
     * The upstream lists the referrers tag ({@code sha256-<hex>}) among its tags, as a registry without the referrers
     * API does; a filter taking every tag still syncs only the image, and the referrers come through the setting alone.
     */
    @Test
    void aReferrersTagIsNeverSyncedAsATagWithReferrersOffOrOn() {
        SignedImage signed = SignedImage.push(pusher, images, "team/fallback", "1.0");
        String referrersTagPath = "/v2/team/fallback/manifests/" + signed.referrersTag();
        assertThat(upstream.reader().get("/v2/team/fallback/tags/list").text()).contains("\"1.0\"", "\"" + signed.referrersTag() + "\"");
        engineWithRule("sync-fallback", "fallback", active("*", null));

        SyncReport preview = engine.syncRule("sync-fallback", new SyncRequest(null, true), p -> { });
        assertThat(tagNames(preview)).containsExactly("1.0");
        assertThat(preview.tagsToFetch()).isEqualTo(1);

        SyncReport off = engine.syncRule("sync-fallback", SyncRequest.ALL, p -> { });

        assertThat(off.complete()).as(off.summary()).isTrue();
        assertThat(tagNames(off)).containsExactly("1.0");
        assertThat(cachedTags("fallback")).containsExactly("1.0");
        assertThat(engine.manifest("fallback", signed.sbom().digest())).isEmpty();
        assertThat(upstream.requestLog()).noneMatch(e -> !e.method().equals("PUT") && e.path().equals(referrersTagPath));

        engine.updateRuleSync("sync-fallback", new SyncDraft(null, "re:.*", null, null, null, "true", null, null));
        SyncReport on = engine.syncRule("sync-fallback", SyncRequest.ALL, p -> { });

        assertThat(on.complete()).as(on.summary()).isTrue();
        assertThat(tagNames(on)).containsExactly("1.0");
        assertThat(cachedTags("fallback")).containsExactly("1.0");
        assertThat(engine.manifest("fallback", signed.sbom().digest())).isPresent();
        assertThat(engine.manifest("fallback", signed.signature().digest())).isPresent();
        // the referrers setting found them through the referrers tag
        assertThat(upstream.countRequests("GET", referrersTagPath)).isPositive();
        assertThatThrownBy(() -> new SyncRequest(signed.referrersTag(), false)).as("nor asked for by name")
                .hasMessage("'" + signed.referrersTag() + "' is a referrers tag, not an image's: a rule syncs referrers with"
                        + " their images when its sync referrers setting is on");
    }

    @Test
    void aWildcardRuleSyncsTheNamedRepositoriesElseThoseCachedUnderIt() {
        engine = Engine.open(new DataFolder(temp.resolve("data")));
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft("sync-wild", upstream.hostPort() + "/team/*", "w/*", null, null,
                new SyncDraft("active", "4.0", null, null, "filter,semver", null, null, null)));

        SyncReport named = engine.syncRule("sync-wild", SyncRequest.ALL, p -> { });

        assertThat(named.complete()).as(named.summary()).isTrue();
        assertThat(named.repositories()).containsExactly("w/filter", "w/semver");
        assertThat(cachedTags("w/filter")).containsExactly("4.0");
        assertThat(cachedTags("w/semver")).containsExactly("4.0");

        engine.updateRuleSync("sync-wild", new SyncDraft(null, "3.20", null, null, "", null, null, null));
        SyncReport cached = engine.syncRule("sync-wild", SyncRequest.ALL, p -> { });

        assertThat(cached.repositories()).containsExactlyInAnyOrder("w/filter", "w/semver");
        assertThat(cachedTags("w/filter")).containsExactlyInAnyOrder("3.20", "4.0");
        assertThat(engine.repositories()).extracting(dev.cachalot.engine.RepositoryView::name).containsExactlyInAnyOrder("w/filter", "w/semver");
    }

    /** No recorded tag points at content the cache lacks: the manifest, and for the chosen platforms every manifest and blob. */
    private void assertEveryRecordedTagIsWhole(String repo, PlatformFilter platforms) {
        for (TagView tag : engine.tags(repo)) {
            ManifestView top = engine.manifest(repo, tag.digest()).orElseThrow(() -> new AssertionError(tag + " has no manifest"));
            if (MediaTypes.isIndex(top.mediaType())) {
                for (ManifestView.Layer child : top.layers()) {
                    if (!platforms.matches(child.platform())) continue;
                    assertThat(child.cached()).as("%s: platform manifest %s", tag.tag(), child.digest()).isTrue();
                    ManifestView image = engine.manifest(repo, child.digest()).orElseThrow();
                    assertThat(image.layers()).as("%s: blobs of %s", tag.tag(), child.platform()).allMatch(ManifestView.Layer::cached);
                }
            } else {
                assertThat(top.layers()).as("%s: blobs", tag.tag()).allMatch(ManifestView.Layer::cached);
            }
        }
    }
}
