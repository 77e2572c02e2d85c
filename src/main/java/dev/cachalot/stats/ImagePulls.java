package dev.cachalot.stats;

import dev.cachalot.oci.Digest;
import dev.cachalot.stats.PullEvent.Kind;
import dev.cachalot.stats.PullEvent.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
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
 * <p>Every request is matched in constant time, whatever the number of open pulls: a busy client (a CI node, many
 * clients behind one NAT address) keeps tens of thousands open at once (one per manifest GET by digest for
 * {@link #IDLE}), and a scan of them per request made the recorder's thread fall behind the requests and drop them.
 * Open pulls are indexed by the digests they know and by the tag their HEAD named, and kept in the order they were
 * last seen, so closing the idle ones looks at the oldest only.
 *
 * <p>Not thread-safe: the recorder's writer thread alone calls it.
 */
final class ImagePulls {

    /** How long a pull stays open after its last request: longer than a client's pause between its requests. */
    static final Duration IDLE = Duration.ofSeconds(5);

    private final Duration idle;
    /** Open pulls by client and repository. */
    private final Map<Key, ClientPulls> open = new HashMap<>();
    /**
     * Every open pull, least recently seen first (a request moves its pull to the end). Requests are added with a
     * clock that does not go back, so the head is always the next to become idle; were the clock stepped back, a pull
     * would close late by that step, never early.
     */
    private final LinkedHashSet<Open> bySeen = new LinkedHashSet<>();
    private long created;

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
        ClientPulls pulls = open.get(key);
        Open pull = pulls == null ? null : pulls.continued(e);
        if (pull == null) {
            if (e.kind() == Kind.BLOB) return;
            if (pulls == null) {
                pulls = new ClientPulls();
                open.put(key, pulls);
            }
            pull = new Open(key, e, created++);
            pulls.started(pull);
        }
        pull.add(e, now, pulls);
        bySeen.remove(pull);
        bySeen.add(pull);
    }

    /** The pulls idle for {@code idle} at {@code now}, closed. */
    List<PullEvent> closeIdle(Instant now) {
        List<PullEvent> closed = new ArrayList<>();
        for (Iterator<Open> it = bySeen.iterator(); it.hasNext(); ) {
            Open p = it.next();
            if (p.lastSeen.plus(idle).isAfter(now)) break;
            it.remove();
            closed.add(close(p));
        }
        closed.sort(Comparator.comparing(PullEvent::at));
        return closed;
    }

    /** Every open pull, closed. */
    List<PullEvent> closeAll() {
        List<PullEvent> closed = new ArrayList<>(bySeen.size());
        for (Open p : bySeen) {
            closed.add(p.image());
        }
        bySeen.clear();
        open.clear();
        closed.sort(Comparator.comparing(PullEvent::at));
        return closed;
    }

    /** When the next pull becomes idle, if any is open. */
    Optional<Instant> nextDeadline() {
        return bySeen.isEmpty() ? Optional.empty() : Optional.of(bySeen.iterator().next().lastSeen.plus(idle));
    }

    /** Open pulls held (for tests that check nothing is kept after they close). */
    int openCount() {
        return bySeen.size();
    }

    private PullEvent close(Open p) {
        ClientPulls pulls = open.get(p.key);
        pulls.closed(p);
        if (pulls.isEmpty()) open.remove(p.key);
        return p.image();
    }

    private record Key(String client, String repository) {
    }

    /**
     * The open pulls of one client and repository. A request continues the newest pull it belongs to ({@code seq}
     * orders them by start); the indexes hold only open pulls, and their lists are short (as many as the client has
     * open pulls of the same image).
     */
    private static final class ClientPulls {
        /** Open pulls by start, the newest last; closed ones are marked and removed from the end or in a compaction. */
        final ArrayList<Open> started = new ArrayList<>(2);
        int closedInStarted;
        /** Pulls by a manifest digest they know (resolved, or listed by an index they served). */
        final Map<String, List<Open>> byDigest = new HashMap<>();
        /** Pulls that so far are only a HEAD of a tag, by that tag. */
        final Map<String, List<Open>> headsByTag = new HashMap<>();

        Open continued(PullEvent e) {
            if (e.kind() == Kind.BLOB) return newest();
            if (e.kind() != Kind.MANIFEST) return null;
            boolean byDigest = e.reference() != null && Digest.isDigest(e.reference());
            if (byDigest) return newestOf(this.byDigest.get(e.reference()));
            List<Open> heads = headsByTag.get(e.reference());
            if (heads == null) return null;
            // A HEAD pull that has taken another request or failed never takes a GET of its tag again: drop it here.
            for (int i = heads.size() - 1; i >= 0; i--) {
                Open pull = heads.get(i);
                if (pull.onlyHeadOf(e.reference())) return pull;
                heads.remove(i);
            }
            headsByTag.remove(e.reference());
            return null;
        }

        void started(Open pull) {
            started.add(pull);
            if (pull.first.kind() == Kind.HEAD && pull.first.reference() != null) {
                headsByTag.computeIfAbsent(pull.first.reference(), t -> new ArrayList<>(1)).add(pull);
            }
        }

        void knows(Open pull, String digest) {
            byDigest.computeIfAbsent(digest, d -> new ArrayList<>(1)).add(pull);
        }

        void closed(Open pull) {
            pull.closed = true;
            closedInStarted++;
            while (!started.isEmpty() && started.get(started.size() - 1).closed) {
                started.remove(started.size() - 1);
                closedInStarted--;
            }
            if (closedInStarted > started.size() / 2) {
                started.removeIf(p -> p.closed);
                closedInStarted = 0;
            }
            for (String digest : pull.known) {
                unindex(byDigest, digest, pull);
            }
            if (pull.first.kind() == Kind.HEAD && pull.first.reference() != null) {
                unindex(headsByTag, pull.first.reference(), pull);
            }
        }

        boolean isEmpty() {
            return started.isEmpty();
        }

        private Open newest() {
            return started.isEmpty() ? null : started.get(started.size() - 1);
        }

        private static Open newestOf(List<Open> pulls) {
            if (pulls == null) return null;
            Open newest = null;
            for (Open p : pulls) {
                if (newest == null || p.seq > newest.seq) newest = p;
            }
            return newest;
        }

        private static void unindex(Map<String, List<Open>> index, String name, Open pull) {
            List<Open> pulls = index.get(name);
            if (pulls == null) return;
            pulls.remove(pull);
            if (pulls.isEmpty()) index.remove(name);
        }
    }

    /** One image pull still taking requests. Identity equality: each is its own pull. */
    private static final class Open {
        final Key key;
        final PullEvent first;
        final long seq;
        final Set<String> known = new HashSet<>(4);
        boolean closed;
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

        Open(Key key, PullEvent first, long seq) {
            this.key = key;
            this.first = first;
            this.seq = seq;
        }

        boolean onlyHeadOf(String tag) {
            return onlyHead && first.kind() == Kind.HEAD && tag.equals(first.reference()) && !failed;
        }

        void add(PullEvent e, Instant now, ClientPulls pulls) {
            lastSeen = now;
            end = end == null || e.at().isAfter(end) ? e.at() : end;
            if (e.kind() != Kind.HEAD) onlyHead = false;
            if (e.kind() != Kind.BLOB && e.digest() != null) {
                if (digest == null) digest = e.digest();
                know(e.digest(), pulls);
                for (String part : e.parts()) {
                    know(part, pulls);
                }
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

        private void know(String manifest, ClientPulls pulls) {
            if (known.add(manifest)) pulls.knows(this, manifest);
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
