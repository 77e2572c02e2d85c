package dev.cachalot.stats;

import dev.cachalot.oci.Digest;
import dev.cachalot.stats.PullEvent.Kind;
import dev.cachalot.stats.PullEvent.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the requests clients make into image pulls, each counted once. Clients pull the same image in different
 * requests: docker GETs the tag and then a platform manifest by digest; containerd HEADs the tag and GETs everything
 * by digest; {@code skopeo --all} GETs an index and every platform manifest it lists. Counting manifest GETs made one
 * pull three, and a tag pulled by containerd none. The definition (the README and the portal say the same):
 *
 * <ul>
 *   <li>An image pull starts with a manifest request by tag (GET or HEAD), or with a manifest GET by digest that
 *       continues no open pull.</li>
 *   <li>A manifest GET by digest continues the open pull of the same client and repository that resolved to that
 *       digest (a HEAD, then the GET) or whose index lists it (a platform manifest). A GET of the tag a HEAD has just
 *       resolved continues that HEAD's pull.</li>
 *   <li>A blob GET belongs to the latest open pull of its client and repository.</li>
 *   <li>A pull ends {@link #IDLE} after its last request.</li>
 *   <li>It failed when one of its requests failed; it is a miss when any of its content came from the upstream, stale
 *       when a tag was served stale, local when all was local, and a hit when everything came from the cache.</li>
 * </ul>
 *
 * <p>Not thread-safe: the recorder's writer thread alone calls it.
 */
final class ImagePulls {

    /** How long a pull stays open after its last request: longer than a client's pause between its requests. */
    static final Duration IDLE = Duration.ofSeconds(5);

    private final Duration idle;
    /** Open pulls by client and repository, oldest first. */
    private final Map<Key, List<Open>> open = new LinkedHashMap<>();

    ImagePulls() {
        this(IDLE);
    }

    ImagePulls(Duration idle) {
        this.idle = idle;
    }

    /** Adds one request, seen at {@code now}; image pulls are never produced here, only by the close methods. */
    void add(PullEvent e, Instant now) {
        if (e.kind() == Kind.IMAGE) return;
        Key key = new Key(e.client(), e.repository());
        List<Open> pulls = open.computeIfAbsent(key, k -> new ArrayList<>());
        Open pull = continued(pulls, e);
        if (pull == null) {
            if (e.kind() == Kind.BLOB) {
                if (pulls.isEmpty()) open.remove(key);
                return;
            }
            pull = new Open(e);
            pulls.add(pull);
        }
        pull.add(e, now);
    }

    private static Open continued(List<Open> pulls, PullEvent e) {
        if (pulls.isEmpty()) return null;
        if (e.kind() == Kind.BLOB) return pulls.get(pulls.size() - 1);
        boolean byDigest = e.reference() != null && Digest.isDigest(e.reference());
        for (int i = pulls.size() - 1; i >= 0; i--) {
            Open pull = pulls.get(i);
            if (byDigest && e.kind() == Kind.MANIFEST && pull.known.contains(e.reference())) return pull;
            if (!byDigest && e.kind() == Kind.MANIFEST && pull.onlyHeadOf(e.reference())) return pull;
        }
        return null;
    }

    /** The pulls idle for {@code idle} at {@code now}, closed. */
    List<PullEvent> closeIdle(Instant now) {
        return close(p -> !p.lastSeen.plus(idle).isAfter(now));
    }

    /** Every open pull, closed. */
    List<PullEvent> closeAll() {
        return close(p -> true);
    }

    /** When the next pull becomes idle, if any is open. */
    Optional<Instant> nextDeadline() {
        return open.values().stream().flatMap(List::stream).map(p -> p.lastSeen.plus(idle)).min(Instant::compareTo);
    }

    private List<PullEvent> close(java.util.function.Predicate<Open> due) {
        List<PullEvent> closed = new ArrayList<>();
        for (Iterator<List<Open>> lists = open.values().iterator(); lists.hasNext(); ) {
            List<Open> pulls = lists.next();
            for (Iterator<Open> it = pulls.iterator(); it.hasNext(); ) {
                Open p = it.next();
                if (due.test(p)) {
                    closed.add(p.image());
                    it.remove();
                }
            }
            if (pulls.isEmpty()) lists.remove();
        }
        closed.sort(java.util.Comparator.comparing(PullEvent::at));
        return closed;
    }

    private record Key(String client, String repository) {
    }

    /** One image pull still taking requests. */
    private static final class Open {
        final PullEvent first;
        final Set<String> known = new HashSet<>();
        Instant lastSeen;
        Instant end;
        String digest;
        String error;
        boolean onlyHead = true;
        boolean failed;
        boolean miss;
        boolean stale;
        boolean allLocal = true;
        long bytes;
        long upstreamBytes;

        Open(PullEvent first) {
            this.first = first;
        }

        boolean onlyHeadOf(String tag) {
            return onlyHead && first.kind() == Kind.HEAD && tag.equals(first.reference()) && !failed;
        }

        void add(PullEvent e, Instant now) {
            lastSeen = now;
            end = end == null || e.at().isAfter(end) ? e.at() : end;
            if (e.kind() != Kind.HEAD) onlyHead = false;
            if (e.kind() != Kind.BLOB && e.digest() != null) {
                if (digest == null) digest = e.digest();
                known.add(e.digest());
                known.addAll(e.parts());
            }
            bytes += e.bytes();
            upstreamBytes += e.upstreamBytes();
            switch (e.outcome()) {
                case FAILED -> {
                    if (!failed) error = e.error();
                    failed = true;
                }
                case MISS -> miss = true;
                case STALE -> stale = true;
                default -> {
                }
            }
            if (e.outcome() != Outcome.LOCAL) allLocal = false;
        }

        PullEvent image() {
            Outcome outcome = failed ? Outcome.FAILED : miss ? Outcome.MISS : stale ? Outcome.STALE
                    : allLocal ? Outcome.LOCAL : Outcome.HIT;
            Instant start = first.at().minusNanos(first.durationMicros() * 1000);
            long micros = Math.max(0, Duration.between(start, end).toNanos() / 1000);
            return new PullEvent(first.at(), first.repository(), first.reference(), digest, Kind.IMAGE, outcome, bytes,
                    upstreamBytes, micros, first.client(), failed ? error : null);
        }
    }
}
