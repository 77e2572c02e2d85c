package dev.cachalot.stats;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.storage.PullCount;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The pull counters of repositories, tags and manifests, from the stored pull events: the {@link PullEventRecorder}
 * adds them in the transaction that stores a batch, one update per distinct manifest per batch instead of three
 * synchronous writes on every manifest GET. A pull is an image pull that was served (cache, upstream, stale or local;
 * see {@link ImagePulls}), counted for its repository, the tag it named (if any) and the manifest that tag or digest
 * resolved to; failed pulls are not counted.
 */
final class PullCounts {

    private PullCounts() {
    }

    /** The pulls among {@code events}, summed per repository, tag and digest. */
    static List<PullCount> of(List<PullEvent> events) {
        Map<Key, PullCount> sums = new LinkedHashMap<>();
        for (PullEvent e : events) {
            if (e.kind() != PullEvent.Kind.IMAGE || e.outcome() == PullEvent.Outcome.FAILED || e.digest() == null
                    || !RepositoryName.isValid(e.repository()) || !Digest.isDigest(e.digest())) {
                continue;
            }
            String tag = e.reference() == null || Digest.isDigest(e.reference()) ? null : e.reference();
            Key key = new Key(e.repository(), tag, e.digest());
            sums.merge(key, new PullCount(RepositoryName.of(e.repository()), tag, Digest.parse(e.digest()), 1, e.at()),
                    (a, b) -> new PullCount(a.repository(), tag, a.digest(), a.pulls() + 1, later(a.lastAt(), b.lastAt())));
        }
        return new ArrayList<>(sums.values());
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private record Key(String repository, String tag, String digest) {
        Key {
            Objects.requireNonNull(repository);
        }
    }
}
