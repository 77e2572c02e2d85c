package dev.cachalot.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.stats.PullEvent.Kind;
import dev.cachalot.stats.PullEvent.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImagePullsTest {

    static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    static final String INDEX = "sha256:" + "1".repeat(64);
    static final String AMD64 = "sha256:" + "2".repeat(64);
    static final String ARM64 = "sha256:" + "3".repeat(64);
    static final String LAYER = "sha256:" + "4".repeat(64);
    static final String OTHER = "sha256:" + "5".repeat(64);

    final ImagePulls pulls = new ImagePulls(Duration.ofSeconds(5));

    static PullEvent request(String client, Kind kind, String reference, String digest, Outcome outcome, List<String> parts) {
        return new PullEvent(T0, "library/alpine", reference, digest, kind, outcome, 10, outcome == Outcome.MISS ? 10 : 0,
                100, client, outcome == Outcome.FAILED ? "manifest unknown" : null, parts);
    }

    static PullEvent get(String reference, String digest, Outcome outcome, String... parts) {
        return request("10.0.0.1", Kind.MANIFEST, reference, digest, outcome, List.of(parts));
    }

    static PullEvent head(String tag, String digest, Outcome outcome, String... parts) {
        return request("10.0.0.1", Kind.HEAD, tag, digest, outcome, List.of(parts));
    }

    static PullEvent blob(String digest, Outcome outcome) {
        return request("10.0.0.1", Kind.BLOB, digest, digest, outcome, List.of());
    }

    void add(PullEvent... events) {
        for (PullEvent e : events) pulls.add(e, T0);
    }

    @Test
    void anIndexAndEveryPlatformItListsAreOnePull() {
        add(get("3.20", INDEX, Outcome.MISS, AMD64, ARM64), get(AMD64, AMD64, Outcome.MISS), get(ARM64, ARM64, Outcome.MISS),
                blob(LAYER, Outcome.MISS));

        assertThat(pulls.closeAll()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.IMAGE);
            assertThat(p.reference()).isEqualTo("3.20");
            assertThat(p.digest()).isEqualTo(INDEX);
            assertThat(p.outcome()).isEqualTo(Outcome.MISS);
            assertThat(p.bytes()).isEqualTo(40);
        });
    }

    @Test
    void aHeadOfTheTagThenGetsByDigestArePullOfThatTagAndAMissWhenTheHeadFetchedIt() {
        add(head("3.20", INDEX, Outcome.MISS, AMD64, ARM64), get(INDEX, INDEX, Outcome.HIT, AMD64, ARM64),
                get(AMD64, AMD64, Outcome.MISS), blob(LAYER, Outcome.MISS));

        assertThat(pulls.closeAll()).singleElement().satisfies(p -> {
            assertThat(p.reference()).isEqualTo("3.20");
            assertThat(p.outcome()).isEqualTo(Outcome.MISS);
        });
    }

    @Test
    void aHeadThenAGetOfTheSameTagIsOnePull() {
        add(head("3.20", INDEX, Outcome.HIT, AMD64), get("3.20", INDEX, Outcome.HIT, AMD64), get(AMD64, AMD64, Outcome.HIT));

        assertThat(pulls.closeAll()).singleElement().satisfies(p -> assertThat(p.outcome()).isEqualTo(Outcome.HIT));
    }

    @Test
    void aCachedIndexWithAPlatformFromTheUpstreamIsAMiss() {
        add(get("3.20", INDEX, Outcome.HIT, AMD64, ARM64), get(ARM64, ARM64, Outcome.MISS), blob(LAYER, Outcome.HIT));

        assertThat(pulls.closeAll()).singleElement().satisfies(p -> assertThat(p.outcome()).isEqualTo(Outcome.MISS));
    }

    @Test
    void everyTagGetAndEveryUnrelatedDigestStartsAPullOfItsOwn() {
        add(get("3.20", INDEX, Outcome.HIT, AMD64), get("3.20", INDEX, Outcome.HIT, AMD64), get(OTHER, OTHER, Outcome.HIT));

        assertThat(pulls.closeAll()).extracting(PullEvent::reference).containsExactlyInAnyOrder("3.20", "3.20", OTHER);
    }

    @Test
    void otherClientsAndRepositoriesHaveTheirOwnPulls() {
        add(get("3.20", INDEX, Outcome.MISS, AMD64),
                request("10.0.0.2", Kind.MANIFEST, AMD64, AMD64, Outcome.HIT, List.of()));

        assertThat(pulls.closeAll()).extracting(PullEvent::reference).containsExactlyInAnyOrder("3.20", AMD64);
    }

    @Test
    void aFailedRequestFailsThePullWithItsReason() {
        add(get("3.20", INDEX, Outcome.HIT, AMD64), get(AMD64, null, Outcome.FAILED));
        add(head("gone", null, Outcome.FAILED));

        assertThat(pulls.closeAll()).allSatisfy(p -> {
            assertThat(p.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(p.error()).isEqualTo("manifest unknown");
        }).hasSize(2);
    }

    @Test
    void blobsWithoutAnOpenPullAreNoPull() {
        add(blob(LAYER, Outcome.MISS));

        assertThat(pulls.closeAll()).isEmpty();
        assertThat(pulls.nextDeadline()).isEmpty();
    }

    @Test
    void aPullEndsWhenIdleAndALaterRequestStartsAnother() {
        pulls.add(get("3.20", INDEX, Outcome.HIT, AMD64), T0);
        pulls.add(get(AMD64, AMD64, Outcome.HIT), T0.plusSeconds(3));

        assertThat(pulls.nextDeadline()).hasValue(T0.plusSeconds(8));
        assertThat(pulls.closeIdle(T0.plusSeconds(7))).isEmpty();
        assertThat(pulls.closeIdle(T0.plusSeconds(8))).hasSize(1);

        pulls.add(get(AMD64, AMD64, Outcome.HIT), T0.plusSeconds(9));
        assertThat(pulls.closeAll()).singleElement().satisfies(p -> assertThat(p.reference()).isEqualTo(AMD64));
    }

    @Test
    void aLocalRepositoryPullIsLocal() {
        add(get("v1", AMD64, Outcome.LOCAL), blob(LAYER, Outcome.LOCAL));

        assertThat(pulls.closeAll()).singleElement().satisfies(p -> assertThat(p.outcome()).isEqualTo(Outcome.LOCAL));
    }

    @Test
    void aBlobBelongsToTheNewestPullStillOpenOnceANewerOneClosed() {
        pulls.add(get("3.20", INDEX, Outcome.HIT, AMD64), T0);
        pulls.add(get("3.19", OTHER, Outcome.HIT), T0.plusSeconds(1));
        pulls.add(get(AMD64, AMD64, Outcome.HIT), T0.plusSeconds(4));

        assertThat(pulls.closeIdle(T0.plusSeconds(6))).singleElement()
                .satisfies(p -> assertThat(p.reference()).isEqualTo("3.19"));
        pulls.add(blob(LAYER, Outcome.HIT), T0.plusSeconds(7));

        assertThat(pulls.closeAll()).singleElement().satisfies(p -> {
            assertThat(p.reference()).isEqualTo("3.20");
            assertThat(p.bytes()).isEqualTo(30);
        });
    }

    @Test
    void aHeadThatTookAnotherRequestNoLongerTakesAGetOfItsTagButAnOlderOneStillDoes() {
        add(head("3.20", INDEX, Outcome.HIT), head("3.20", INDEX, Outcome.HIT), get(INDEX, INDEX, Outcome.HIT));
        add(get("3.20", INDEX, Outcome.HIT), get("3.20", INDEX, Outcome.HIT));

        // The second HEAD took the GET by digest; the first takes the first GET of the tag; the second GET starts a pull.
        assertThat(pulls.closeAll()).hasSize(3).extracting(PullEvent::bytes).containsExactlyInAnyOrder(20L, 20L, 10L);
    }

    @Test
    void thousandsOfOpenPullsOfOneClientEachTakeTheirOwnRequests() {
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            String digest = "sha256:" + String.format("%064x", i);
            pulls.add(get(digest, digest, Outcome.HIT), T0.plusMillis(i / 10));
        }
        for (int i = 0; i < n; i++) {
            String digest = "sha256:" + String.format("%064x", i);
            pulls.add(get(digest, digest, Outcome.HIT), T0.plusMillis(2_000 + i / 10));
        }
        assertThat(pulls.openCount()).isEqualTo(n);
        assertThat(pulls.nextDeadline()).hasValue(T0.plusMillis(7_000));

        List<PullEvent> idle = pulls.closeIdle(T0.plusMillis(7_000 + 999));
        assertThat(idle).hasSize(10_000).allSatisfy(p -> assertThat(p.bytes()).isEqualTo(20));
        assertThat(pulls.closeAll()).hasSize(10_000).allSatisfy(p -> assertThat(p.bytes()).isEqualTo(20));
        assertThat(pulls.openCount()).isZero();
        assertThat(pulls.nextDeadline()).isEmpty();
    }

    @Test
    void aClosedPullLeavesNothingARequestCouldContinue() {
        pulls.add(get("3.20", INDEX, Outcome.HIT, AMD64), T0);
        pulls.add(head("3.21", OTHER, Outcome.HIT), T0);
        assertThat(pulls.closeIdle(T0.plusSeconds(5))).hasSize(2);

        pulls.add(blob(LAYER, Outcome.HIT), T0.plusSeconds(6));
        pulls.add(get(AMD64, AMD64, Outcome.HIT), T0.plusSeconds(6));
        pulls.add(get("3.21", OTHER, Outcome.HIT), T0.plusSeconds(6));

        assertThat(pulls.closeAll()).extracting(PullEvent::reference).containsExactlyInAnyOrder(AMD64, "3.21");
        assertThat(pulls.openCount()).isZero();
    }
}
