package dev.cachalot.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.stats.PullEvent.Kind;
import dev.cachalot.stats.PullEvent.Outcome;
import dev.cachalot.storage.PullCount;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PullCountsTest {

    static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
    static final String D1 = "sha256:" + "1".repeat(64);
    static final String D2 = "sha256:" + "2".repeat(64);

    static PullEvent manifest(int second, String repository, String reference, String digest, Outcome outcome) {
        return new PullEvent(T0.plusSeconds(second), repository, reference, digest, Kind.MANIFEST, outcome, 100, 0, 5,
                "127.0.0.1");
    }

    static PullEvent image(int second, String repository, String reference, String digest, Outcome outcome) {
        return new PullEvent(T0.plusSeconds(second), repository, reference, digest, Kind.IMAGE, outcome, 100, 0, 5,
                "127.0.0.1");
    }

    @Test
    void sumsPullsPerRepositoryTagAndDigestWithTheLatestTime() {
        List<PullCount> counts = PullCounts.of(List.of(
                image(3, "library/nginx", "latest", D1, Outcome.HIT),
                image(9, "library/nginx", "latest", D1, Outcome.MISS),
                image(5, "library/nginx", "latest", D1, Outcome.STALE),
                image(4, "library/nginx", D1, D1, Outcome.HIT),
                image(6, "team/app", "v1", D2, Outcome.LOCAL)));

        assertThat(counts).containsExactly(
                new PullCount(RepositoryName.of("library/nginx"), "latest", Digest.parse(D1), 3, T0.plusSeconds(9)),
                new PullCount(RepositoryName.of("library/nginx"), null, Digest.parse(D1), 1, T0.plusSeconds(4)),
                new PullCount(RepositoryName.of("team/app"), "v1", Digest.parse(D2), 1, T0.plusSeconds(6)));
    }

    @Test
    void failuresRequestsAndEventsWithoutADigestAreNotPulls() {
        PullEvent blob = new PullEvent(T0, "library/nginx", D1, D1, Kind.BLOB, Outcome.HIT, 100, 0, 5, "127.0.0.1");

        assertThat(PullCounts.of(List.of(
                image(1, "library/nginx", "latest", null, Outcome.FAILED),
                image(2, "library/nginx", "latest", D1, Outcome.FAILED),
                blob,
                manifest(4, "library/nginx", "latest", D1, Outcome.HIT),
                image(3, "Not A Name", "latest", D1, Outcome.HIT)))).isEmpty();
    }
}
