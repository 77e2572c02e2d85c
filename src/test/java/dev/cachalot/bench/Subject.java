package dev.cachalot.bench;

import java.time.Duration;

/**
 * A pull-through registry under test, run as its own process in front of the benchmark's upstream: the peer
 * ({@code docker-registry} in proxy mode) or Cachalot. Both are driven the same way so every workload can run
 * against either.
 */
interface Subject extends AutoCloseable {

    /** Short name for reports: {@code peer} or {@code cachalot}. */
    String name();

    /** Loopback port it listens on (changes across {@link #startEmpty()} for the peer). */
    int port();

    /** The repository name on this registry that pulls {@code upstreamRepository} from the upstream. */
    String repository(String upstreamRepository);

    /**
     * Whether an upstream request with this {@code User-Agent} came from this subject. Both subjects share one upstream,
     * and the peer goes on filling its cache after its clients are served, so a time window alone would charge its
     * late requests to whichever subject runs next.
     */
    boolean sentUpstream(String userAgent);

    /** PID of the serving process (for peak RSS). */
    long pid();

    /**
     * Stops it if running, throws its cache away, starts it again; returns the time from launch to ready: Cachalot's
     * {@code /readyz} answering 200, the peer's {@code /v2/} (it has no readiness endpoint).
     */
    Duration startEmpty();

    /**
     * Waits until the subject has stored and verified the blob (its file is in place): right after serving it for
     * Cachalot, which verifies before the last byte leaves; later for the peer, which stores in the background.
     */
    void awaitStored(String repository, String digest, long size);

    /** CPU time the serving process has used so far (user and system, all threads). */
    default Duration cpuTime() {
        return ProcessHandle.of(pid()).flatMap(p -> p.info().totalCpuDuration())
                .orElseThrow(() -> new IllegalStateException("no CPU time for " + name() + " (pid " + pid() + ")"));
    }

    /**
     * Stops it and starts it on the same data serving HTTPS with {@code tls} (workload 8), or plain HTTP again when
     * {@code tls} is null; {@link #port()} may change.
     */
    void restartTls(BenchTls tls);

    /** Stops and starts it on the same data; returns the time from launch to ready (as {@link #startEmpty}). */
    Duration restart();

    /** Stops it by PID and deletes its folders. */
    @Override
    void close();
}
