package dev.cachalot.stats;

import dev.cachalot.oci.Digest;
import dev.cachalot.stats.PullEvent.Kind;
import dev.cachalot.stats.PullEvent.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
 * last seen, so closing the idle ones looks at the oldest only. An open pull keeps only what its image pull event
 * needs (no request event, one digest string unless it is an index): under a burst of manifest GETs each lives the
 * {@link #IDLE} seconds, long enough to be promoted, and they were most of the old generation the heap grew by.
 *
 * <p>Not thread-safe: the recorder's writer thread alone calls it.
 */
final class ImagePulls {

    /** How long a pull stays open after its last request: longer than a client's pause between its requests. */
    static final Duration IDLE = Duration.ofSeconds(5);

    private final long idleNanos;
    /** Open pulls by client and repository. */
    private final Map<Key, ClientPulls> open = new HashMap<>();
    /**
     * Every open pull, least recently seen first (a request moves its pull to the end), linked through the pulls.
     * Requests are added with a clock that does not go back, so the head is always the next to become idle; were the
     * clock stepped back, a pull would close late by that step, never early.
     */
    private Open oldest;
    private Open newest;
    private int openCount;
    private long created;

    ImagePulls() {
        this(IDLE);
    }

    ImagePulls(Duration idle) {
        this.idleNanos = idle.toNanos();
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
                pulls = new ClientPulls(key);
                open.put(key, pulls);
            }
            pull = new Open(pulls, e, created++);
            pulls.started(pull);
            openCount++;
        } else {
            unlink(pull);
        }
        pull.add(e, nanos(now));
        link(pull);
    }

    /** The pulls idle for {@code idle} at {@code now}, closed. */
    List<PullEvent> closeIdle(Instant now) {
        long at = nanos(now);
        List<PullEvent> closed = new ArrayList<>();
        while (oldest != null && oldest.lastSeen + idleNanos <= at) {
            Open p = oldest;
            unlink(p);
            openCount--;
            p.owner.closed(p);
            if (p.owner.isEmpty()) open.remove(p.owner.key);
            closed.add(p.image());
        }
        closed.sort(Comparator.comparing(PullEvent::at));
        return closed;
    }

    /** Every open pull, closed. */
    List<PullEvent> closeAll() {
        List<PullEvent> closed = new ArrayList<>(openCount);
        for (Open p = oldest; p != null; p = p.newer) {
            closed.add(p.image());
        }
        oldest = null;
        newest = null;
        openCount = 0;
        open.clear();
        closed.sort(Comparator.comparing(PullEvent::at));
        return closed;
    }

    /** When the next pull becomes idle, if any is open. */
    Optional<Instant> nextDeadline() {
        return oldest == null ? Optional.empty() : Optional.of(instant(oldest.lastSeen + idleNanos));
    }

    /** Open pulls held (for tests that check nothing is kept after they close). */
    int openCount() {
        return openCount;
    }

    private void link(Open pull) {
        pull.older = newest;
        pull.newer = null;
        if (newest != null) newest.newer = pull;
        else oldest = pull;
        newest = pull;
    }

    private void unlink(Open pull) {
        if (pull.older != null) pull.older.newer = pull.newer;
        else oldest = pull.newer;
        if (pull.newer != null) pull.newer.older = pull.older;
        else newest = pull.older;
        pull.older = null;
        pull.newer = null;
    }

    private static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    private record Key(String client, String repository) {
    }

    /**
     * The open pulls of one client and repository. A request continues the newest pull it belongs to ({@code seq}
     * orders them by start); the indexes hold only open pulls, and their lists are short (as many as the client has
     * open pulls of the same image).
     */
    private static final class ClientPulls {
        final Key key;
        /** Open pulls by start, the newest last; closed ones are marked and removed from the end or in a compaction. */
        final ArrayList<Open> started = new ArrayList<>(2);
        int closedInStarted;
        /**
         * Pulls by a manifest digest they know (resolved, or listed by an index they served): the pull itself, or a
         * list when several open pulls know the digest (one object per digest in the common case).
         */
        final Map<String, Object> byDigest = new HashMap<>();
        /** Pulls that so far are only a HEAD of a tag, by that tag. */
        final Map<String, List<Open>> headsByTag = new HashMap<>();

        ClientPulls(Key key) {
            this.key = key;
        }

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
            if (pull.firstIsHead && pull.reference != null) {
                headsByTag.computeIfAbsent(pull.reference, t -> new ArrayList<>(1)).add(pull);
            }
        }

        @SuppressWarnings("unchecked")
        void knows(Open pull, String digest) {
            Object known = byDigest.putIfAbsent(digest, pull);
            if (known == null) return;
            if (known instanceof Open other) {
                List<Open> both = new ArrayList<>(2);
                both.add(other);
                both.add(pull);
                byDigest.put(digest, both);
            } else {
                ((List<Open>) known).add(pull);
            }
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
            pull.forEachKnown(digest -> forget(digest, pull));
            if (pull.firstIsHead && pull.reference != null) {
                List<Open> heads = headsByTag.get(pull.reference);
                if (heads != null) {
                    heads.remove(pull);
                    if (heads.isEmpty()) headsByTag.remove(pull.reference);
                }
            }
        }

        boolean isEmpty() {
            return started.isEmpty();
        }

        private Open newest() {
            return started.isEmpty() ? null : started.get(started.size() - 1);
        }

        @SuppressWarnings("unchecked")
        private void forget(String digest, Open pull) {
            Object known = byDigest.get(digest);
            if (known == pull) {
                byDigest.remove(digest);
            } else if (known instanceof List<?> list) {
                List<Open> pulls = (List<Open>) list;
                pulls.remove(pull);
                if (pulls.isEmpty()) byDigest.remove(digest);
                else if (pulls.size() == 1) byDigest.put(digest, pulls.get(0));
            }
        }

        @SuppressWarnings("unchecked")
        private static Open newestOf(Object known) {
            if (known == null || known instanceof Open) return (Open) known;
            Open newest = null;
            for (Open p : (List<Open>) known) {
                if (newest == null || p.seq > newest.seq) newest = p;
            }
            return newest;
        }
    }

    /** One image pull still taking requests: what its image pull event needs, times as epoch nanoseconds. */
    private static final class Open {
        final ClientPulls owner;
        final long seq;
        final long firstAt;
        /** When the first request started: its answer time less its duration. */
        final long start;
        /** The tag or digest the first request named (the digest's own string when it named the digest served). */
        final String reference;
        final boolean firstIsHead;
        Open older;
        Open newer;
        /** The manifests this pull knows: null, one digest, or a list of them (an index and its platforms). */
        Object known;
        boolean closed;
        long lastSeen;
        long end = Long.MIN_VALUE;
        String digest;
        String error;
        boolean onlyHead = true;
        boolean failed;
        boolean miss;
        boolean stale;
        boolean allLocal = true;
        long bytes;
        long upstreamBytes;

        Open(ClientPulls owner, PullEvent first, long seq) {
            this.owner = owner;
            this.seq = seq;
            this.firstAt = nanos(first.at());
            this.start = firstAt - first.durationMicros() * 1000;
            this.reference = first.reference() != null && first.reference().equals(first.digest()) ? first.digest()
                    : first.reference();
            this.firstIsHead = first.kind() == Kind.HEAD;
        }

        boolean onlyHeadOf(String tag) {
            return onlyHead && firstIsHead && tag.equals(reference) && !failed;
        }

        void add(PullEvent e, long now) {
            lastSeen = now;
            end = Math.max(end, nanos(e.at()));
            if (e.kind() != Kind.HEAD) onlyHead = false;
            if (e.kind() != Kind.BLOB && e.digest() != null) {
                if (digest == null) digest = e.digest();
                know(e.digest());
                for (String part : e.parts()) {
                    know(part);
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

        @SuppressWarnings("unchecked")
        private void know(String manifest) {
            if (known == null) {
                known = manifest;
            } else if (known instanceof String one) {
                if (one.equals(manifest)) return;
                List<String> many = new ArrayList<>(4);
                many.add(one);
                many.add(manifest);
                known = many;
            } else {
                List<String> many = (List<String>) known;
                if (many.contains(manifest)) return;
                many.add(manifest);
            }
            owner.knows(this, manifest);
        }

        @SuppressWarnings("unchecked")
        void forEachKnown(java.util.function.Consumer<String> action) {
            if (known instanceof String one) action.accept(one);
            else if (known != null) ((List<String>) known).forEach(action);
        }

        PullEvent image() {
            Outcome outcome = failed ? Outcome.FAILED : miss ? Outcome.MISS : stale ? Outcome.STALE
                    : allLocal ? Outcome.LOCAL : Outcome.HIT;
            long micros = Math.max(0, (end - start) / 1000);
            return new PullEvent(instant(firstAt), owner.key.repository(), reference, digest, Kind.IMAGE, outcome, bytes,
                    upstreamBytes, micros, owner.key.client(), failed ? error : null);
        }
    }
}
