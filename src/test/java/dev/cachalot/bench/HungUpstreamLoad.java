package dev.cachalot.bench;

import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Workload 10 (issue 13): the upstream hangs (accepts connections, never answers) while hundreds of clients pull a
 * cached tag, which each subject revalidates upstream; meanwhile a few other clients pull content by digest that is
 * already on disk. A cache must go on serving those from disk in well under a second, and its thread count must stay
 * bounded. Each subject gets its own fresh instance in front of a {@link HangingRelay}, filled through it while it
 * still passes bytes, then the relay hangs.
 *
 * <p>The tag pulls come from ten loopback addresses of their own (127.0.0.2 to .11): Cachalot holds at most 128
 * connections per client address, and the question here is the hung upstream, not that limit. The digest pulls
 * come from 127.0.0.1.
 */
final class HungUpstreamLoad {
    static final String WORKLOAD = "10 hung upstream, cached tag pulls waiting";
    private static final Map<String, String> MANIFEST_HEADERS = Map.of("Accept", TestImages.ACCEPT_ALL_MANIFESTS);
    private static final int DIGEST_CLIENTS = 4;
    private static final long DIGEST_TIMEOUT_MILLIS = 10_000;
    private static final int TAG_ADDRESSES = 10;

    private final Subject subject;
    private final HangingRelay relay;
    private final BenchUpstream upstream;

    /** Numbers of one run against one subject. */
    record Outcome(Histogram healthyMicros, Histogram digestMicros, long digestFailures, Map<String, Long> failedAs,
                   int peakThreads, int threadsBefore, int tagAnswered, int tagAnsweredOk, int tagPulls,
                   boolean aliveAfter) {
    }

    HungUpstreamLoad(Subject subject, HangingRelay relay, BenchUpstream upstream) {
        this.subject = subject;
        this.relay = relay;
        this.upstream = upstream;
    }

    /**
     * Starts the subject empty, caches the tag, the manifest by digest and the config blob through the relay, hangs
     * the relay, opens {@code tagPulls} waiting tag pulls and measures digest pulls for {@code windowMillis}.
     */
    Outcome run(int tagPulls, long windowMillis) throws Exception {
        relay.recover();
        subject.startEmpty();
        String repository = subject.repository(BenchUpstream.BIG);
        String manifestByTag = "/v2/" + repository + "/manifests/" + BenchUpstream.TAG;
        String manifestByDigest = "/v2/" + repository + "/manifests/" + upstream.bigImage().digest();
        TestBlob config = upstream.bigImage().config();
        String blobByDigest = "/v2/" + repository + "/blobs/" + config.digest();
        try (HttpConnection connection = new HttpConnection("127.0.0.1", subject.port())) {
            for (String path : List.of(manifestByTag, manifestByDigest, blobByDigest)) {
                HttpConnection.Response response = connection.get(path, MANIFEST_HEADERS);
                if (response.status() != 200) {
                    throw new IllegalStateException(path + ": status " + response.status() + " while filling the cache");
                }
            }
        }
        // The peer stores blobs after answering: its copy must be in place before the upstream goes away.
        subject.awaitStored(repository, config.digest(), config.size());

        // The same digest pulls with the upstream still healthy and no tag pulls: what this machine gives at the moment,
        // to read the hung numbers against (a shared machine's own hiccups show here too).
        List<String> digests = List.of(manifestByDigest, blobByDigest);
        DigestLoad healthy = digestLoad(digests, windowMillis);
        int threadsBefore = threads(subject.pid());
        ThreadSampler sampler = new ThreadSampler(subject.pid());
        List<SocketChannel> waiting = new ArrayList<>();
        relay.hang();
        try {
            sampler.start();
            for (int i = 0; i < tagPulls; i++) {
                waiting.add(openTagPull(i, manifestByTag));
            }
            Thread.sleep(1_000); // the tag pulls reach the subject and wait on the upstream
            Thread dumps = threadDumps(windowMillis);
            DigestLoad load = digestLoad(digests, windowMillis);
            if (dumps != null) dumps.join();
            int[] answered = countAnswers(waiting);
            sampler.stop();
            boolean alive = ProcessHandle.of(subject.pid()).map(ProcessHandle::isAlive).orElse(false);
            return new Outcome(healthy.micros(), load.micros(), load.failures(), load.failedAs(), sampler.peak(), threadsBefore, answered[0], answered[1],
                    tagPulls, alive);
        } finally {
            sampler.stop();
            for (SocketChannel channel : waiting) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing is best effort
                }
            }
            relay.recover();
        }
    }

    private SocketChannel openTagPull(int i, String path) throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.bind(new InetSocketAddress("127.0.0." + (2 + i % TAG_ADDRESSES), 0));
        channel.connect(new InetSocketAddress("127.0.0.1", subject.port()));
        channel.configureBlocking(false);
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + subject.port() + "\r\nUser-Agent: cachalot-bench\r\n"
                + "Accept: " + TestImages.ACCEPT_ALL_MANIFESTS + "\r\n\r\n";
        ByteBuffer bytes = ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        return channel;
    }

    /** How many waiting tag pulls have an answer by now, and how many of those are 200s. */
    private static int[] countAnswers(List<SocketChannel> channels) {
        int answered = 0;
        int ok = 0;
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        for (SocketChannel channel : channels) {
            buffer.clear();
            try {
                if (channel.read(buffer) > 0) {
                    answered++;
                    String head = new String(buffer.array(), 0, Math.min(buffer.position(), 12), StandardCharsets.ISO_8859_1);
                    if (head.startsWith("HTTP/1.1 200")) ok++;
                }
            } catch (IOException closed) {
                // cut off without an answer: not answered
            }
        }
        return new int[] {answered, ok};
    }

    /** @param failedAs failed requests by what came back: a status, or no answer */
    private record DigestLoad(Histogram micros, long failures, Map<String, Long> failedAs) {
    }

    /** {@value #DIGEST_CLIENTS} clients pulling cached content by digest, one request after another. */
    private DigestLoad digestLoad(List<String> paths, long windowMillis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(windowMillis);
        AtomicLong failures = new AtomicLong();
        Map<String, Long> failedAs = new java.util.concurrent.ConcurrentSkipListMap<>();
        AtomicInteger turn = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(DIGEST_CLIENTS);
        try {
            List<Future<Histogram>> futures = new ArrayList<>();
            for (int c = 0; c < DIGEST_CLIENTS; c++) {
                futures.add(pool.submit((Callable<Histogram>) () -> {
                    Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
                    HttpConnection connection = new HttpConnection("127.0.0.1", subject.port(), DIGEST_TIMEOUT_MILLIS);
                    try {
                        while (System.nanoTime() < deadline) {
                            String path = paths.get(turn.getAndIncrement() % paths.size());
                            long start = System.nanoTime();
                            boolean ok;
                            try {
                                int status = connection.get(path, MANIFEST_HEADERS).status();
                                ok = status == 200;
                                if (!ok) failedAs.merge("status " + status, 1L, Long::sum);
                            } catch (IOException e) {
                                ok = false;
                                failedAs.merge("no answer (" + e.getClass().getSimpleName() + ")", 1L, Long::sum);
                                connection.close();
                                connection = new HttpConnection("127.0.0.1", subject.port(), DIGEST_TIMEOUT_MILLIS);
                            }
                            long micros = Math.max(1, (System.nanoTime() - start) / 1_000);
                            if (micros > 1_000_000) {
                                Benchmark.log(java.time.Instant.now() + " " + subject.name() + ": "
                                        + path.substring(path.lastIndexOf('/') - 5) + " took "
                                        + micros / 1_000 + " ms, ending "
                                        + (System.nanoTime() - (deadline - TimeUnit.MILLISECONDS.toNanos(windowMillis)))
                                        / 1_000_000 + " ms into the window");
                            }
                            histogram.recordValue(Math.min(histogram.getHighestTrackableValue(), micros));
                            if (!ok) failures.incrementAndGet();
                        }
                    } finally {
                        connection.close();
                    }
                    return histogram;
                }));
            }
            Histogram all = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            for (Future<Histogram> future : futures) {
                all.add(future.get());
            }
            return new DigestLoad(all, failures.get(), Map.copyOf(failedAs));
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * For a look inside by hand ({@code -Dbench.jvm=-Dbench.hung.threadDumps=DIR}, never set by the benchmark):
     * {@code jstack} of the subject at a quarter, half and three quarters of the window, into DIR. Each dump stops the
     * subject's JVM at a safepoint for a moment, so numbers of a run with dumps are not the benchmark's.
     */
    private Thread threadDumps(long windowMillis) {
        String folder = System.getProperty("bench.hung.threadDumps");
        if (folder == null || folder.isBlank()) return null;
        Thread thread = new Thread(() -> {
            try {
                for (int quarter = 1; quarter <= 3; quarter++) {
                    Thread.sleep(windowMillis / 4);
                    Path file = Path.of(folder, subject.name() + "-" + quarter + ".txt");
                    new ProcessBuilder("jstack", Long.toString(subject.pid())).redirectErrorStream(true)
                            .redirectOutput(file.toFile()).start().waitFor();
                }
            } catch (IOException | InterruptedException e) {
                Benchmark.log("thread dump failed: " + e);
            }
        }, "bench-thread-dumps");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** The process's thread count from {@code /proc} (Linux). */
    static int threads(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring(8).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Samples a process's thread count every 100 ms and keeps the highest. */
    private static final class ThreadSampler {
        private final long pid;
        private final AtomicInteger peak = new AtomicInteger();
        private Thread thread;

        ThreadSampler(long pid) {
            this.pid = pid;
        }

        void start() {
            thread = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(threads(pid), Math::max);
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "bench-thread-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            if (thread != null) {
                thread.interrupt();
                try {
                    thread.join(1_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                peak.accumulateAndGet(threads(pid), Math::max);
            }
        }

        int peak() {
            return peak.get();
        }
    }
}
