package dev.cachalot.upstream;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One circuit breaker per upstream origin, so that a sick upstream costs waiting once rather than once per request.
 *
 * <p>A breaker opens when asking its upstream cost time and gave nothing: a request that timed out (the upstream
 * accepted and did not answer in time), or an answer with {@code Retry-After} (a 429 or 503 that says how long to
 * stay away; that long it stays open). While it is open, every request fails at once with the breaker's reason,
 * so the proxy serves a cached tag stale immediately and answers an uncached one with an error instead of holding
 * a worker. When the pause is over, one request goes through as a probe while the others keep failing fast; its
 * outcome closes or reopens the breaker.
 *
 * <p>Failures that cost no waiting do not open it: a refused connection or a 5xx without {@code Retry-After} is
 * already bounded by the retry policy, and a breaker opened on them would only delay noticing that the upstream is
 * back. Answers that say nothing about the upstream's health (404, 401, 403) close it like any answer.
 *
 * <p>Each breaker also bounds how many requests may wait on its upstream at once (a bulkhead). A request waits
 * on a worker thread of the registry's pool; without a bound, a hung upstream holds every worker until its
 * timeouts end, and requests that could be served from disk find none free. Over the bound a request fails at
 * once, as when the breaker is open.
 *
 * <p>Thread-safe. Every {@link #admit} that returns a {@link Ticket} must be followed by exactly one report on it.
 */
final class UpstreamBreakers {

    /** The longest a {@code Retry-After} keeps a breaker open: a broken header must not disable an upstream for days. */
    static final Duration MAX_PAUSE = Duration.ofMinutes(10);

    private final Duration pause;
    private final int maxWaiting;
    private final LongSupplier nanoTime;
    private final Map<String, Breaker> byOrigin = new ConcurrentHashMap<>();

    UpstreamBreakers(Duration pause, int maxWaiting, LongSupplier nanoTime) {
        if (maxWaiting < 1) throw new IllegalArgumentException("maxWaiting must be at least 1");
        this.pause = pause;
        this.maxWaiting = maxWaiting;
        this.nanoTime = nanoTime;
    }

    /** Why a breaker is open: the kind the refused request fails with, and the reason for messages. */
    enum Cause {
        TIMED_OUT(UpstreamException.Kind.UNAVAILABLE, "did not answer in time"),
        ASKED_TO_WAIT(UpstreamException.Kind.RATE_LIMITED, "asked to wait (Retry-After)");

        final UpstreamException.Kind kind;
        final String reason;

        Cause(UpstreamException.Kind kind, String reason) {
            this.kind = kind;
            this.reason = reason;
        }
    }

    /** Permission for one request; report its outcome with exactly one of the ticket's methods. */
    final class Ticket {
        private final Breaker breaker;
        private final boolean probe;
        private boolean reported;

        private Ticket(Breaker breaker, boolean probe) {
            this.breaker = breaker;
            this.probe = probe;
        }

        /** The upstream answered (whatever the status) without asking to wait. */
        void answered() {
            report(null, 0);
        }

        /** The request timed out. */
        void timedOut() {
            report(Cause.TIMED_OUT, pause.toNanos());
        }

        /** The upstream asked to be left alone for {@code wait}; zero closes the breaker like any answer. */
        void askedToWait(Duration wait) {
            if (wait.isZero() || wait.isNegative()) {
                answered();
            } else {
                report(Cause.ASKED_TO_WAIT, (wait.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : wait).toNanos());
            }
        }

        /** The request failed in a way that says nothing about waiting (refused connection, TLS, cancelled). */
        void failedFast() {
            report(null, 0);
        }

        private void report(Cause cause, long openNanos) {
            if (reported) return;
            reported = true;
            breaker.report(probe, cause, openNanos);
        }
    }

    /**
     * Lets a request to {@code origin} through, or refuses it at once while that upstream's breaker is open.
     *
     * @throws UpstreamRefused of the open breaker's kind, with the seconds left as {@code Retry-After}
     */
    Ticket admit(String origin, String what) {
        return byOrigin.computeIfAbsent(origin, o -> new Breaker()).admit(what);
    }

    private final class Breaker {
        private Cause cause;
        private long openUntil;
        private boolean probing;
        private int waiting;

        synchronized Ticket admit(String what) {
            if (waiting >= maxWaiting) {
                throw new UpstreamRefused(UpstreamException.Kind.UNAVAILABLE, 0,
                        what + ": not asked, " + waiting + " requests are already waiting on the upstream", null);
            }
            if (cause == null) {
                waiting++;
                return new Ticket(this, false);
            }
            long now = nanoTime.getAsLong();
            if (now - openUntil >= 0 && !probing) {
                probing = true;
                waiting++;
                return new Ticket(this, true);
            }
            long leftSeconds = Math.max(1, (Math.max(0, openUntil - now) + 999_999_999L) / 1_000_000_000L);
            throw new UpstreamRefused(cause.kind, cause == Cause.ASKED_TO_WAIT ? 429 : 0,
                    what + ": not asked, the upstream " + cause.reason + " (asking again in " + leftSeconds + " s)",
                    leftSeconds);
        }

        synchronized void report(boolean probe, Cause failure, long openNanos) {
            waiting--;
            if (probe) {
                probing = false;
            }
            if (failure == null) {
                cause = null;
            } else {
                long until = nanoTime.getAsLong() + openNanos;
                // A later, shorter failure does not shorten a pause an earlier answer asked for.
                if (cause == null || until - openUntil > 0) {
                    openUntil = until;
                }
                cause = failure;
            }
        }
    }
}
