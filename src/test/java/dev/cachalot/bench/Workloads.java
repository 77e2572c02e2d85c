package dev.cachalot.bench;

import static org.awaitility.Awaitility.await;

import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TempDirs;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * Issue 6's seven workloads, each run against every subject in alternation (the order flips every round so
 * neither always goes first on a warmer machine), warm-up rounds first and unrecorded.
 */
final class Workloads {
    static final String WARM_BLOB = "1 warm blob, single stream";
    static final String COLD_BLOB = "2 cold blob, single stream";
    static final String EIGHT_COLD = "3 eight concurrent cold clients";
    static final String FIRST_AFTER_START = "first blob after start (small, cold), time to first byte";
    static final String BIG_AFTER_START = "1 GiB blob right after start (second request)";
    static final String SKOPEO = "5 skopeo whole-image pull";
    static final String PEAK_RSS = "6 peak RSS, concurrent warm streams";
    static final String START = "7 start to ready";
    static final String WARM_TLS = "8 warm blob over TLS, single stream";
    static final String METRICS_COST = "9 /metrics cost (Cachalot only)";
    static final String START_EMPTY = "empty data folder";
    static final String START_RSS = "RSS right after start";
    static final Duration IDLE_WAIT = Duration.ofSeconds(45);
    static final String IDLE_RSS = "RSS " + IDLE_WAIT.toSeconds() + " s after the last stream (idle)";
    static final String IDLE_HEAP = "Java heap committed " + IDLE_WAIT.toSeconds() + " s after the last stream (idle)";
    private static final int COLD_CLIENTS = 8;
    private static final Map<String, String> BLOB_HEADERS = Map.of();
    private static final Map<String, String> MANIFEST_HEADERS = Map.of("Accept", TestImages.ACCEPT_ALL_MANIFESTS);

    private final BenchConfig config;
    private final Results results;
    /** MiB touched right before each running subject's cold fetch (0: none), for the report. */
    private long touchedBeforeCold;
    private final BenchUpstream upstream;
    private final List<Subject> subjects;
    private final Set<String> failed = new HashSet<>();

    Workloads(BenchConfig config, Results results, BenchUpstream upstream, List<Subject> subjects) {
        this.config = config;
        this.results = results;
        this.upstream = upstream;
        this.subjects = List.copyOf(subjects);
    }

    static String manifestWorkload(String method, String referenceKind, int clients) {
        return "4 manifest " + method + " by " + referenceKind + ", " + clients + " client" + (clients == 1 ? "" : "s");
    }

    static String rssName(int blobMib) {
        return "peak RSS, " + blobMib + " MiB blob";
    }

    static String startFullName(int manifests) {
        return "full data folder (" + manifests + " manifests)";
    }

    /** One measurement of one subject; {@code recorded} is false during warm-up rounds. */
    @FunctionalInterface
    private interface Round {
        void run(Subject subject, boolean recorded) throws Exception;
    }

    /** Runs every workload in an order that needs the fewest restarts; a failing one is noted and skipped. */
    void runAll() {
        if (!config.runsWorkload(2)) {
            // Workload 2 starts every subject (and measures the empty start of workload 7); later ones need them running.
            subjects.forEach(Subject::startEmpty);
        }
        step(2, COLD_BLOB, this::coldBlob);
        step(3, EIGHT_COLD, this::eightColdClients);
        step(5, SKOPEO, this::skopeoPulls);
        step(1, WARM_BLOB, this::warmBlob);
        step(4, "4 manifests", this::manifests);
        step(6, PEAK_RSS, this::peakRss);
        step(7, START, this::startWithFullDataFolder);
        step(8, WARM_TLS, this::warmBlobOverTls);
        step(9, METRICS_COST, this::metricsCost);
        step(10, HungUpstreamLoad.WORKLOAD, this::hungUpstream);
    }

    private void step(int number, String workload, Runnable run) {
        if (!config.runsWorkload(number)) {
            return;
        }
        long start = System.nanoTime();
        Benchmark.log(workload + " ...");
        run.run();
        Benchmark.log(workload + " done in " + (System.nanoTime() - start) / 1_000_000_000 + " s");
    }

    /**
     * Workload 2 (and 7, empty): a fresh cache every round. After the restart each subject serves the big image's small
     * config blob and then the big blob, both cold, reported on their own lines ("after start"): a process's first
     * requests pay for its own start-up (class loading and compilation, for a JVM). Then, once the subject has stored
     * the big blob (the peer stores in the background, after its client was served, and that work must not overlap the
     * next fetch), it serves a blob of the same size that neither subject has seen ({@link BenchUpstream#nextColdBlob}):
     * a cold blob of a cache that is up and warm, which is what most cold pulls meet, and what the throughput and
     * time-to-first-byte targets are read from. That fetch also reports the subject's CPU per GiB over the client's
     * transfer and until its verified copy is stored, and the time until then: the peer verifies and stores after
     * its client was served (with a second download), Cachalot before releasing the last byte.
     */
    void coldBlob() {
        Metric throughput = results.metric(COLD_BLOB, "throughput", "MiB/s", true);
        Metric firstByte = results.metric(COLD_BLOB, "time to first byte", "ms", false);
        Metric firstAfterStart = results.metric(COLD_BLOB, FIRST_AFTER_START, "ms", false);
        Metric cpuClient = results.metric(COLD_BLOB, "subject CPU over the client's transfer, per GiB", "s", false);
        Metric stored = results.metric(COLD_BLOB, "until stored and verified", "s", false);
        Metric cpuPerGib = results.metric(COLD_BLOB, "subject CPU until stored, per GiB", "s", false);
        Metric upstreamBytes = results.metric(COLD_BLOB, "upstream bytes / blob size", "x", false);
        Metric bigAfterStart = results.metric(COLD_BLOB, BIG_AFTER_START + ", throughput", "MiB/s", true);
        Metric bigAfterStartFirstByte = results.metric(COLD_BLOB, BIG_AFTER_START + ", time to first byte", "ms", false);
        Metric start = results.metric(START, START_EMPTY, "ms", false);
        Metric startRss = results.metric(PEAK_RSS, START_RSS, "MiB", false);
        TestBlob big = upstream.bigLayer();
        TestBlob primer = upstream.bigImage().config();
        rounds(COLD_BLOB, config.warmups(), (subject, recorded) -> {
            Duration ready = subject.startEmpty();
            double rssAtStart = ProcessMemory.currentMib(subject.pid());
            HttpConnection.Response first = fetchBlob(subject, primer);
            HttpConnection.Response afterStart = fetchBlob(subject, big);
            String repository = subject.repository(BenchUpstream.BIG);
            subject.awaitStored(repository, big.digest(), big.size());
            TestBlob blob = upstream.nextColdBlob();
            touchBeforeColdFetch(blob);
            int mark = upstream.requestCount();
            Duration cpuBefore = subject.cpuTime();
            long fetchStart = System.nanoTime();
            HttpConnection.Response response = fetchBlob(subject, blob);
            Duration cpuServed = subject.cpuTime().minus(cpuBefore);
            subject.awaitStored(repository, blob.digest(), blob.size());
            long storedNanos = System.nanoTime() - fetchStart;
            Duration cpu = subject.cpuTime().minus(cpuBefore);
            expectFetchedUpstream(subject, blob, mark);
            // the store's own fetch (the peer's is a second one) ended before its copy was in place
            double fetchedUpstream = (double) upstream.bytesServed(upstreamPath(blob), mark, subject::sentUpstream) / blob.size();
            if (recorded) {
                double gib = blob.size() / (double) (1L << 30);
                start.add(subject.name(), ready.toNanos() / 1e6);
                startRss.add(subject.name(), rssAtStart);
                firstAfterStart.add(subject.name(), first.firstByteNanos() / 1e6);
                bigAfterStart.add(subject.name(), MachineLimits.mibPerSecond(afterStart.bodyBytes(), afterStart.totalNanos()));
                bigAfterStartFirstByte.add(subject.name(), afterStart.firstByteNanos() / 1e6);
                throughput.add(subject.name(), MachineLimits.mibPerSecond(response.bodyBytes(), response.totalNanos()));
                firstByte.add(subject.name(), response.firstByteNanos() / 1e6);
                cpuClient.add(subject.name(), cpuServed.toNanos() / 1e9 / gib);
                stored.add(subject.name(), storedNanos / 1e9);
                upstreamBytes.add(subject.name(), fetchedUpstream);
                cpuPerGib.add(subject.name(), cpu.toNanos() / 1e9 / gib);
            }
        });
        if (touchedBeforeCold > 0) {
            results.method("Workload 2: right before each running subject's cold fetch, a child process touched "
                    + touchedBeforeCold + " MiB of memory again and exited (this VM hands freed pages back to its host;"
                    + " see bench/README.md, \"Free page reporting\")");
        }
    }

    /**
     * Touches memory again right before a running subject's cold fetch, as the run did once before measuring. This VM
     * hands freed pages back to its host (free page reporting), so the first touch a page costs comes back once they
     * were freed: after the run's first touch, only the first 2-2.5 GiB of new page cache was written fast (5 GB/s),
     * the rest at 0.43-0.65 GB/s. The earlier rounds' fills and stores free and refill gigabytes, so without this the
     * subject that stores while it streams (Cachalot) pays a cost the peer pays later, in its background store, and a
     * machine without such a hypervisor does not pay at all (bench/README.md, "Free page reporting").
     */
    private void touchBeforeColdFetch(TestBlob blob) {
        if (config.preTouchMibResolved() <= 0) {
            return;
        }
        long mib = Math.min(config.preTouchMibResolved(), 2 * (blob.size() >> 20) + 1024);
        MemoryPreTouch.run(mib);
        touchedBeforeCold = mib;
    }

    /** Fails the round unless the upstream served {@code blob} to {@code subject} since {@code mark} (its access log lags). */
    private void expectFetchedUpstream(Subject subject, TestBlob blob, int mark) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            if (upstream.bytesServed(upstreamPath(blob), mark, subject::sentUpstream) < blob.size()) {
                throw new AssertionError(subject.name() + " did not fetch the cold blob from the upstream: "
                        + "the round was not cold");
            }
        });
    }

    private static String upstreamPath(TestBlob blob) {
        return "/v2/" + BenchUpstream.BIG + "/blobs/" + blob.digest();
    }

    /** Workload 3: eight clients ask a fresh cache for the same blob at once; upstream bytes and slowest client. */
    void eightColdClients() {
        Metric upstreamBytes = results.metric(EIGHT_COLD, "upstream bytes / blob size", "x", false);
        Metric slowest = results.metric(EIGHT_COLD, "slowest client", "s", false);
        TestBlob blob = upstream.bigLayer();
        rounds(EIGHT_COLD, 0, (subject, recorded) -> {
            subject.startEmpty();
            int mark = upstream.requestCount();
            List<Long> nanos = concurrently(COLD_CLIENTS, () -> fetchBlob(subject, blob).totalNanos());
            long served = upstream.bytesServed(upstreamPath(blob), mark, subject::sentUpstream);
            upstreamBytes.add(subject.name(), (double) served / blob.size());
            slowest.add(subject.name(), nanos.stream().mapToLong(Long::longValue).max().orElse(0) / 1e9);
        });
    }

    /** Workload 5: {@code skopeo copy} of the multi-layer image from a fresh cache, then again warm. */
    void skopeoPulls() {
        Metric cold = results.metric(SKOPEO, "cold wall time", "s", false);
        Metric warm = results.metric(SKOPEO, "warm wall time", "s", false);
        Skopeo skopeo = new Skopeo();
        Path scratch = TempDirs.create("cachalot-bench-skopeo-");
        AtomicInteger pulls = new AtomicInteger();
        try {
            rounds(SKOPEO, config.warmups(), (subject, recorded) -> {
                subject.startEmpty();
                String source = "127.0.0.1:" + subject.port() + "/" + subject.repository(BenchUpstream.MULTI)
                        + ":" + BenchUpstream.TAG;
                for (Metric metric : List.of(cold, warm)) {
                    Path destination = scratch.resolve("pull-" + pulls.incrementAndGet());
                    long start = System.nanoTime();
                    skopeo.copy(source, destination);
                    long nanos = System.nanoTime() - start;
                    TempDirs.deleteQuietly(destination);
                    if (recorded) {
                        metric.add(subject.name(), nanos / 1e9);
                    }
                }
            });
        } finally {
            TempDirs.deleteQuietly(scratch);
        }
    }

    /** Workload 1: the big blob, already cached, one stream at a time. */
    void warmBlob() {
        Metric throughput = results.metric(WARM_BLOB, "throughput", "MiB/s", true);
        TestBlob blob = upstream.bigLayer();
        prime(WARM_BLOB, subject -> fetchBlob(subject, blob));
        rounds(WARM_BLOB, config.warmups(), (subject, recorded) -> {
            HttpConnection.Response response = fetchBlob(subject, blob);
            if (recorded) {
                throughput.add(subject.name(), MachineLimits.mibPerSecond(response.bodyBytes(), response.totalNanos()));
            }
        });
    }

    /**
     * Workload 8 (issue 14): the big blob, cached, over HTTPS, both subjects serving the certificate Cachalot's
     * {@code tls init} made. The client is {@code curl} (OpenSSL, HTTP/2 when the server offers it, as Go's clients and
     * curl do by default): the benchmark's own client speaks plain HTTP only. Each subject is restarted with TLS on its
     * data, and back to plain HTTP at the end.
     */
    void warmBlobOverTls() {
        Metric throughput = results.metric(WARM_TLS, "throughput", "MiB/s", true);
        TestBlob blob = upstream.bigLayer();
        Path folder = TempDirs.create("cachalot-bench-tls-");
        try {
            BenchTls tls = BenchTls.create(config.launcher(), folder);
            prime(WARM_TLS, subject -> {
                subject.restartTls(tls);
                return curl(subject, tls, blob);
            });
            rounds(WARM_TLS, config.warmups(), (subject, recorded) -> {
                double[] fetched = curl(subject, tls, blob);
                if (recorded) {
                    throughput.add(subject.name(), fetched[0]);
                }
            });
        } finally {
            for (Subject subject : subjects) {
                try {
                    subject.restartTls(null);
                } catch (RuntimeException e) {
                    results.note(WARM_TLS + ": " + subject.name() + " did not restart without TLS: " + e.getMessage());
                }
            }
            TempDirs.deleteQuietly(folder);
        }
    }

    /** One {@code curl} GET of {@code blob} over HTTPS; returns {MiB/s of the body, HTTP version}. */
    private static double[] curl(Subject subject, BenchTls tls, TestBlob blob) throws Exception {
        String url = "https://127.0.0.1:" + subject.port() + "/v2/" + subject.repository(BenchUpstream.BIG) + "/blobs/"
                + blob.digest();
        Process p = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "--cacert", tls.ca().toString(), "-w",
                "%{http_code} %{size_download} %{time_pretransfer} %{time_total} %{http_version}", url)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("curl " + url + " failed: " + out);
        }
        String[] f = out.split(" ");
        if (!f[0].equals("200") || Long.parseLong(f[1]) != blob.size()) {
            throw new IllegalStateException("curl " + url + ": status " + f[0] + ", " + f[1] + " bytes of " + blob.size());
        }
        // the body's time, without the connection and TLS handshake
        double seconds = Double.parseDouble(f[3]) - Double.parseDouble(f[2]);
        return new double[] {blob.size() / (1024.0 * 1024.0) / seconds, Double.parseDouble(f[4])};
    }

    /**
     * Workload 9 (issue 14): what per-request metrics cost. Warm manifest GETs by digest with 16 clients on Cachalot,
     * alternately with request metrics on (and {@code /metrics} scraped every second meanwhile, as Prometheus would)
     * and off ({@code -Dcachalot.metrics.requests=off}). Reported in the Cachalot column: on, off, and on : off.
     */
    void metricsCost() {
        Subject cachalot = subjects.stream().filter(s -> s instanceof CachalotSubject).findFirst().orElse(null);
        if (cachalot == null) {
            return;
        }
        Metric on = results.metric(METRICS_COST, "manifest GET by digest, 16 clients, metrics on, req/s", "req/s", true);
        Metric off = results.metric(METRICS_COST, "manifest GET by digest, 16 clients, metrics off, req/s", "req/s", true);
        Metric ratio = results.metric(METRICS_COST, "metrics on : off, same round", "x", true);
        String digest = upstream.bigImage().digest();
        try {
            for (int r = 0; r < config.warmups() + config.rounds(); r++) {
                double[] rates = new double[2];
                for (int i = 0; i < 2; i++) {
                    boolean metricsOn = (i + r) % 2 == 0; // alternate which goes first
                    ((CachalotSubject) cachalot).restartWithJavaOptions(metricsOn ? "" : "-Dcachalot.metrics.requests=off");
                    fetchManifest(cachalot, digest, "GET"); // cache it and warm the path up
                    manifestLoad(cachalot, digest, "GET", 16); // warm-up cell, unrecorded
                    ManifestLoad load = metricsOn ? withScrapes(cachalot, () -> manifestLoad(cachalot, digest, "GET", 16))
                            : manifestLoad(cachalot, digest, "GET", 16);
                    if (load.errors() > 0) {
                        throw new IllegalStateException(load.errors() + " manifest requests failed");
                    }
                    rates[metricsOn ? 0 : 1] = load.count() / (load.nanos() / 1e9);
                }
                if (r >= config.warmups()) {
                    on.add(cachalot.name(), rates[0]);
                    off.add(cachalot.name(), rates[1]);
                    ratio.add(cachalot.name(), rates[0] / rates[1]);
                }
            }
        } catch (Exception | AssertionError e) {
            fail(METRICS_COST, cachalot, e);
        } finally {
            ((CachalotSubject) cachalot).restartWithJavaOptions("");
        }
    }

    /** Runs {@code load} while another thread GETs {@code /metrics} once a second. */
    private static ManifestLoad withScrapes(Subject subject, Callable<ManifestLoad> load) throws Exception {
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread scraper = new Thread(() -> {
            try (HttpConnection connection = new HttpConnection("127.0.0.1", subject.port())) {
                while (!done.get()) {
                    if (connection.get("/metrics", Map.of()).status() != 200) {
                        throw new IllegalStateException("/metrics did not answer 200");
                    }
                    Thread.sleep(1000);
                }
            } catch (IOException | InterruptedException e) {
                // the load's result stands; a failed scrape shows as a missing series, not here
            }
        }, "bench-metrics-scraper");
        scraper.start();
        try {
            return load.call();
        } finally {
            done.set(true);
            scraper.join();
        }
    }

    /** Workload 4: warm manifest GET and HEAD, by digest and by tag, at each concurrency, for a fixed time. */
    void manifests() {
        String digest = upstream.bigImage().digest();
        prime("4 manifest", subject -> {
            fetchManifest(subject, BenchUpstream.TAG, "GET");
            fetchManifest(subject, digest, "GET");
            return null;
        });
        for (String kind : List.of("digest", "tag")) {
            String reference = kind.equals("digest") ? digest : BenchUpstream.TAG;
            for (String method : List.of("GET", "HEAD")) {
                for (int clients : config.manifestClients()) {
                    String workload = manifestWorkload(method, kind, clients);
                    Metric rate = results.metric(workload, "requests/s", "req/s", true);
                    Metric p50 = results.metric(workload, "p50", "ms", false);
                    Metric p99 = results.metric(workload, "p99", "ms", false);
                    Metric cpu = results.metric(workload, "subject CPU per request", "µs", false);
                    rounds(workload, config.warmups(), (subject, recorded) -> {
                        ManifestLoad load = manifestLoad(subject, reference, method, clients);
                        if (load.errors() > 0) {
                            throw new IllegalStateException(load.errors() + " of " + (load.errors() + load.count())
                                    + " requests failed");
                        }
                        if (recorded) {
                            rate.add(subject.name(), load.count() / (load.nanos() / 1e9));
                            p50.add(subject.name(), load.histogram().getValueAtPercentile(50) / 1e3);
                            p99.add(subject.name(), load.histogram().getValueAtPercentile(99) / 1e3);
                            if (load.count() > 0) cpu.add(subject.name(), load.subjectCpu().toNanos() / 1e3 / load.count());
                        }
                    });
                }
            }
        }
    }

    /**
     * Workload 6: peak RSS (VmHWM) of the serving process while many clients stream a warm blob at once, for the
     * big blob and for one a quarter of its size (to see memory stays flat in blob size). The high-water mark is
     * reset through {@code /proc/PID/clear_refs} before each measurement.
     */
    void peakRss() {
        for (TestBlob blob : List.of(upstream.smallBlob(), upstream.bigLayer())) {
            int mib = (int) (blob.size() >> 20);
            Metric rss = results.metric(PEAK_RSS, rssName(mib), "MiB", false);
            prime(PEAK_RSS, subject -> fetchBlob(subject, blob));
            rounds(PEAK_RSS + " (" + mib + " MiB)", 0, (subject, recorded) -> {
                ProcessMemory.resetPeak(subject.pid());
                concurrently(config.rssStreams(), () -> fetchBlob(subject, blob));
                rss.add(subject.name(), ProcessMemory.peakMib(subject.pid()));
            }, 1);
        }
        // Whether memory taken under load is given back once the load is over (the heap shrinks, buffers are freed).
        Metric idle = results.metric(PEAK_RSS, IDLE_RSS, "MiB", false);
        try {
            Thread.sleep(IDLE_WAIT.toMillis()); // once for both, so neither idles longer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        // Whether the heap itself was given back: Cachalot starts with 24 MiB committed (-Xms24m); the peer has no Java heap.
        Metric idleHeap = results.metric(PEAK_RSS, IDLE_HEAP, "MiB", false);
        prime(PEAK_RSS, subject -> {
            idle.add(subject.name(), ProcessMemory.currentMib(subject.pid()));
            if (subject instanceof CachalotSubject) idleHeap.add(subject.name(), ProcessMemory.heapCommittedMib(subject.pid()));
            return null;
        });
    }

    /** Workload 7 (full): cache every seeded manifest, then time restarts on that data folder. */
    void startWithFullDataFolder() {
        List<String> digests = upstream.manyDigests();
        if (digests.isEmpty()) {
            results.note("7 start to ready with a full data folder: skipped (--full-manifests 0)");
            return;
        }
        Metric full = results.metric(START, startFullName(digests.size()), "ms", false);
        prime(START, subject -> {
            AtomicInteger next = new AtomicInteger();
            concurrently(16, () -> {
                try (HttpConnection connection = new HttpConnection("127.0.0.1", subject.port())) {
                    String base = "/v2/" + subject.repository(BenchUpstream.MANY) + "/manifests/";
                    for (int i; (i = next.getAndIncrement()) < digests.size(); ) {
                        HttpConnection.Response response = connection.get(base + digests.get(i), MANIFEST_HEADERS);
                        expectStatus(response, 200, "manifest " + digests.get(i));
                    }
                }
                return null;
            });
            return null;
        });
        Metric fullCpu = results.metric(START, startFullName(digests.size()) + ", subject CPU until ready", "s", false);
        rounds(START + " (full)", config.warmups(), (subject, recorded) -> {
            Duration ready = subject.restart();
            // All threads, the JIT's included: on two shared cores the steadier figure when other work competes.
            Duration cpu = subject.cpuTime();
            if (recorded) {
                full.add(subject.name(), ready.toNanos() / 1e6);
                fullCpu.add(subject.name(), cpu.toNanos() / 1e9);
            }
        });
    }

    /**
     * Workload 10: each subject, a fresh instance of its own in front of a relay that then hangs, serves pulls of cached
     * content by digest while {@link BenchConfig#hungClients()} pulls of a cached tag wait on the upstream. One round:
     * the question is whether it holds up at all (issue 13 asks under a second), not a fine comparison.
     */
    void hungUpstream() {
        String workload = HungUpstreamLoad.WORKLOAD;
        Metric healthyP50 = results.metric(workload, "cached digest p50, upstream still healthy", "ms", false);
        Metric healthyP99 = results.metric(workload, "cached digest p99, upstream still healthy", "ms", false);
        Metric p50 = results.metric(workload, "cached digest p50", "ms", false);
        Metric p99 = results.metric(workload, "cached digest p99", "ms", false);
        Metric max = results.metric(workload, "cached digest max", "ms", false);
        Metric count = results.metric(workload, "cached digest requests", "count", true);
        Metric failures = results.metric(workload, "cached digest requests failed", "count", false);
        Metric threads = results.metric(workload, "subject threads, peak", "count", false);
        Metric threadsBefore = results.metric(workload, "subject threads before", "count", false);
        Metric answered = results.metric(workload, "tag pulls answered in the window (of " + config.hungClients() + ")",
                "count", true);
        Metric answeredOk = results.metric(workload, "tag pulls answered 200 in the window", "count", true);
        long window = Math.max(1_000, 2 * config.manifestMillis());
        try (HangingRelay relay = new HangingRelay(upstream.hostPort())) {
            for (String name : config.subjects()) {
                Subject subject = null;
                try {
                    subject = name.equals("peer") ? new PeerSubject(relay.url())
                            : new CachalotSubject(config.launcher(), relay.hostPort());
                    HungUpstreamLoad.Outcome outcome = new HungUpstreamLoad(subject, relay, upstream)
                            .run(config.hungClients(), window);
                    healthyP50.add(name, outcome.healthyMicros().getValueAtPercentile(50) / 1e3);
                    healthyP99.add(name, outcome.healthyMicros().getValueAtPercentile(99) / 1e3);
                    p50.add(name, outcome.digestMicros().getValueAtPercentile(50) / 1e3);
                    p99.add(name, outcome.digestMicros().getValueAtPercentile(99) / 1e3);
                    max.add(name, outcome.digestMicros().getMaxValue() / 1e3);
                    count.add(name, outcome.digestMicros().getTotalCount());
                    failures.add(name, outcome.digestFailures());
                    if (outcome.digestFailures() > 0) {
                        results.note(workload + ": " + name + "'s failed cached digest requests: " + outcome.failedAs()
                                + (outcome.aliveAfter() ? "; its process was still running after the window"
                                        : "; its process had exited by the end of the window"
                                                + (subject instanceof PeerSubject peer ? ", its log: "
                                                        + peer.exitReason() : "")));
                    }
                    threads.add(name, outcome.peakThreads());
                    threadsBefore.add(name, outcome.threadsBefore());
                    answered.add(name, outcome.tagAnswered());
                    answeredOk.add(name, outcome.tagAnsweredOk());
                } catch (Exception | AssertionError e) {
                    results.note(workload + ": " + name + " failed: " + e.getClass().getSimpleName() + ": "
                            + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
                } finally {
                    if (subject != null) subject.close();
                }
            }
        } catch (IOException e) {
            results.note(workload + ": the relay could not start: " + e.getMessage());
        }
    }

    /** {@code subjectCpu}: the subject's CPU time (all threads) while the clients ran. */
    private record ManifestLoad(long count, long errors, long nanos, Histogram histogram, Duration subjectCpu) {
    }

    private ManifestLoad manifestLoad(Subject subject, String reference, String method, int clients) throws Exception {
        String path = "/v2/" + subject.repository(BenchUpstream.BIG) + "/manifests/" + reference;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.manifestMillis());
        AtomicLong errors = new AtomicLong();
        Duration cpuBefore = subject.cpuTime();
        long start = System.nanoTime();
        List<Histogram> histograms = concurrently(clients, () -> {
            Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            try (HttpConnection connection = new HttpConnection("127.0.0.1", subject.port())) {
                while (System.nanoTime() < deadline) {
                    HttpConnection.Response response = connection.exchange(method, path, MANIFEST_HEADERS);
                    if (response.status() != 200) {
                        errors.incrementAndGet();
                    } else {
                        histogram.recordValue(Math.min(histogram.getHighestTrackableValue(),
                                Math.max(1, response.totalNanos() / 1_000)));
                    }
                }
            }
            return histogram;
        });
        long nanos = System.nanoTime() - start;
        Duration cpu = subject.cpuTime().minus(cpuBefore);
        Histogram all = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        histograms.forEach(all::add);
        return new ManifestLoad(all.getTotalCount(), errors.get(), nanos, all, cpu);
    }

    private HttpConnection.Response fetchBlob(Subject subject, TestBlob blob) throws IOException {
        try (HttpConnection connection = new HttpConnection("127.0.0.1", subject.port())) {
            HttpConnection.Response response = connection.get(
                    "/v2/" + subject.repository(BenchUpstream.BIG) + "/blobs/" + blob.digest(), BLOB_HEADERS);
            expectStatus(response, 200, "blob " + blob.digest());
            if (response.bodyBytes() != blob.size()) {
                throw new IllegalStateException("blob " + blob.digest() + ": got " + response.bodyBytes()
                        + " of " + blob.size() + " bytes");
            }
            return response;
        }
    }

    private HttpConnection.Response fetchManifest(Subject subject, String reference, String method) throws IOException {
        try (HttpConnection connection = new HttpConnection("127.0.0.1", subject.port())) {
            HttpConnection.Response response = connection.exchange(method,
                    "/v2/" + subject.repository(BenchUpstream.BIG) + "/manifests/" + reference, MANIFEST_HEADERS);
            expectStatus(response, 200, "manifest " + reference);
            return response;
        }
    }

    private static void expectStatus(HttpConnection.Response response, int status, String what) {
        if (response.status() != status) {
            throw new IllegalStateException(what + ": status " + response.status() + " instead of " + status);
        }
    }

    @FunctionalInterface
    private interface SubjectCall<T> {
        T call(Subject subject) throws Exception;
    }

    /** An unrecorded pass per subject that brings content into its cache; a failure drops the subject from this workload. */
    private void prime(String workload, SubjectCall<?> call) {
        for (Subject subject : subjects) {
            if (hasFailed(subject, workload)) {
                continue;
            }
            try {
                call.call(subject);
            } catch (Exception | AssertionError e) {
                fail(workload, subject, e);
            }
        }
    }

    private void rounds(String workload, int warmups, Round round) {
        rounds(workload, warmups, round, config.rounds());
    }

    /** Warm-ups then measured rounds, subjects alternating; a subject that fails is noted and left out after. */
    private void rounds(String workload, int warmups, Round round, int measured) {
        List<Subject> active = new ArrayList<>(subjects);
        active.removeIf(s -> hasFailed(s, workload));
        for (int r = 0; r < warmups + measured; r++) {
            List<Subject> order = new ArrayList<>(active);
            if (r % 2 == 1) {
                Collections.reverse(order);
            }
            for (Subject subject : order) {
                try {
                    round.run(subject, r >= warmups);
                } catch (Exception | AssertionError e) {
                    fail(workload, subject, e);
                    active.remove(subject);
                }
            }
        }
    }

    /**
     * Workloads are numbered as in issue 6 (the first character of their name); a subject that failed anywhere in
     * one number is left out of the rest of it (its numbers there would be meaningless), not out of the others.
     */
    private boolean hasFailed(Subject subject, String workload) {
        return failed.contains(subject.name() + "#" + workload.charAt(0));
    }

    private void fail(String workload, Subject subject, Throwable e) {
        failed.add(subject.name() + "#" + workload.charAt(0));
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        results.note(workload + ": " + subject.name() + " failed: " + e.getClass().getSimpleName() + ": "
                + (newline < 0 ? message : message.substring(0, newline)));
    }

    /** Runs {@code clients} copies of {@code task} released together; returns their results. */
    private static <T> List<T> concurrently(int clients, Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CyclicBarrier gate = new CyclicBarrier(clients);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                futures.add(pool.submit(() -> {
                    gate.await();
                    return task.call();
                }));
            }
            List<T> values = new ArrayList<>();
            for (Future<T> future : futures) {
                try {
                    values.add(future.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof Exception cause) {
                        throw cause;
                    }
                    throw e;
                }
            }
            return values;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Reads the process's peak resident set from {@code /proc} (Linux only). */
    static final class ProcessMemory {
        /** A generation's or heap's line ("def new generation   total 9920K, used ..."); metaspace's have no "total". */
        private static final Pattern HEAP_TOTAL = Pattern.compile("(?m)^\\s*\\S[^\\n]*?\\s+total (\\d+)K");

        private ProcessMemory() {
        }

        /** Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+). */
        static void resetPeak(long pid) throws IOException {
            Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5", StandardCharsets.US_ASCII);
        }

        static double peakMib(long pid) throws IOException {
            return statusMib(pid, "VmHWM:");
        }

        static double currentMib(long pid) throws IOException {
            return statusMib(pid, "VmRSS:");
        }

        /**
         * The Java heap a JVM has committed, from {@code jcmd PID GC.heap_info}: the sum of its generations' (or G1's
         * one heap's) {@code total}, without metaspace.
         */
        static double heapCommittedMib(long pid) throws IOException, InterruptedException {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (jcmd.waitFor() != 0) throw new IOException("jcmd " + pid + " GC.heap_info failed: " + out.strip());
            return committedKib(out) / 1024.0;
        }

        static long committedKib(String heapInfo) throws IOException {
            long kib = 0;
            Matcher total = HEAP_TOTAL.matcher(heapInfo);
            while (total.find()) {
                kib += Long.parseLong(total.group(1));
            }
            if (kib == 0) throw new IOException("no heap sizes in GC.heap_info: " + heapInfo.strip());
            return kib;
        }

        private static double statusMib(long pid, String field) throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) / 1024.0;
                }
            }
            throw new IOException("no " + field + " in /proc/" + pid + "/status");
        }
    }
}
