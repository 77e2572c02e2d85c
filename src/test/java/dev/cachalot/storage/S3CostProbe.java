package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import dev.cachalot.storage.BlobStore.BlobWriter;
import dev.cachalot.testing.S3ProxyServer;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Measures what a blob costs on S3Proxy over loopback: S3 requests per write and read, wall time and CPU of both
 * processes for a 256 MiB blob, and the latency of small blobs. Not a test (numbers, no verdicts): run by hand with
 * the test class path, e.g. {@code java -cp target/test-classes:target/classes:$(cat cp.txt)
 * dev.cachalot.storage.S3CostProbe [partMiB]}. Figures go to docs/scaling.md.
 */
public final class S3CostProbe {

    public static void main(String[] args) throws Exception {
        long partMiB = args.length > 0 ? Long.parseLong(args[0]) : 16;
        Path root = Files.createTempDirectory("s3cost");
        S3BlobStoreTest.RequestCounter requests = new S3BlobStoreTest.RequestCounter();
        OperationTimes times = new OperationTimes();
        try (S3ProxyServer server = S3ProxyServer.start(root.resolve("s3"))) {
            S3Settings settings = server.settings("cost/").withPartSize(partMiB * 1024 * 1024);
            byte[] big = new byte[256 * 1024 * 1024];
            new Random(1).nextBytes(big);
            for (int round = 0; round < 3; round++) {
                big[round] ^= 1; // a new digest each round: every round is a cold write
                Digest digest = Digest.of("sha256", big);
                try (S3BlobStore writer = new S3BlobStore(settings, new DataFolder(root.resolve("w" + round)), List.of(requests, times));
                     S3BlobStore reader = new S3BlobStore(settings, new DataFolder(root.resolve("r" + round)), List.of(requests, times))) {
                    requests.reset();
                    times.reset();
                    Sample write = Sample.start(server);
                    long filled;
                    try (BlobWriter w = writer.newWriter(digest, big.length)) {
                        for (int off = 0; off < big.length; off += 1024 * 1024) {
                            w.write(ByteBuffer.wrap(big, off, 1024 * 1024));
                        }
                        filled = System.nanoTime();
                        w.commit();
                    }
                    System.out.printf("  written after %.2f s; commit took %.2f s; time in S3 calls: %s%n",
                            (filled - write.wallStart()) / 1e9, (System.nanoTime() - filled) / 1e9, times);
                    System.out.printf("round %d write 256 MiB (parts of %d MiB): %s requests %s%n", round, partMiB,
                            write.stop(server), requests.counts());

                    requests.reset();
                    Sample read = Sample.start(server);
                    Path copy = reader.find(digest).orElseThrow();
                    System.out.printf("round %d cold read into another node's cache: %s requests %s%n", round,
                            read.stop(server), requests.counts());
                    if (Files.size(copy) != big.length) throw new AssertionError("short copy");

                    requests.reset();
                    Sample ranged = Sample.start(server);
                    long n = 0;
                    try (InputStream in = reader.openRange(digest, 0, big.length).orElseThrow()) {
                        byte[] buf = new byte[1024 * 1024];
                        int r;
                        while ((r = in.read(buf)) != -1) n += r;
                    }
                    if (n != big.length) throw new AssertionError("short ranged read");
                    System.out.printf("round %d ranged GET of the whole object (no hashing, no file): %s requests %s%n",
                            round, ranged.stop(server), requests.counts());
                }
            }
            try (S3BlobStore a = new S3BlobStore(settings, new DataFolder(root.resolve("sa")), List.of(requests, times));
                 S3BlobStore b = new S3BlobStore(settings, new DataFolder(root.resolve("sb")), List.of(requests, times))) {
                long[] writes = new long[200];
                long[] reads = new long[200];
                requests.reset();
                for (int i = 0; i < writes.length; i++) {
                    byte[] small = new byte[4096];
                    new Random(100 + i).nextBytes(small);
                    Digest d = Digest.of("sha256", small);
                    long t0 = System.nanoTime();
                    try (BlobWriter w = a.newWriter(d, small.length)) {
                        w.write(ByteBuffer.wrap(small));
                        w.commit();
                    }
                    long t1 = System.nanoTime();
                    b.find(d).orElseThrow();
                    long t2 = System.nanoTime();
                    writes[i] = t1 - t0;
                    reads[i] = t2 - t1;
                }
                System.out.printf("4 KiB blobs x%d: write p50 %.1f ms p90 %.1f ms, cold read p50 %.1f ms p90 %.1f ms; requests %s%n",
                        writes.length, pct(writes, 50), pct(writes, 90), pct(reads, 50), pct(reads, 90), requests.counts());
            }
        }
    }

    /** Seconds spent inside S3 calls, by operation (calls in parallel add up). */
    static final class OperationTimes implements software.amazon.awssdk.core.interceptor.ExecutionInterceptor {
        private static final software.amazon.awssdk.core.interceptor.ExecutionAttribute<Long> START =
                new software.amazon.awssdk.core.interceptor.ExecutionAttribute<>("cost-start");
        private final java.util.Map<String, java.util.concurrent.atomic.AtomicLong> nanos = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void beforeExecution(software.amazon.awssdk.core.interceptor.Context.BeforeExecution c,
                                    software.amazon.awssdk.core.interceptor.ExecutionAttributes a) {
            a.putAttribute(START, System.nanoTime());
        }

        @Override
        public void afterExecution(software.amazon.awssdk.core.interceptor.Context.AfterExecution c,
                                   software.amazon.awssdk.core.interceptor.ExecutionAttributes a) {
            String op = a.getAttribute(software.amazon.awssdk.core.interceptor.SdkExecutionAttribute.OPERATION_NAME);
            nanos.computeIfAbsent(op, k -> new java.util.concurrent.atomic.AtomicLong()).addAndGet(System.nanoTime() - a.getAttribute(START));
        }

        void reset() {
            nanos.clear();
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            nanos.forEach((k, v) -> b.append(k).append(String.format("=%.2fs ", v.get() / 1e9)));
            return b.toString();
        }
    }

    private static double pct(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)] / 1e6;
    }

    /** Wall time, this process's CPU and S3Proxy's CPU over one operation. */
    private record Sample(long wallStart, long cpuStart, long serverCpuStart) {
        static Sample start(S3ProxyServer server) throws Exception {
            return new Sample(System.nanoTime(), processCpu(), serverCpu(server.pid()));
        }

        String stop(S3ProxyServer server) throws Exception {
            double wall = (System.nanoTime() - wallStart) / 1e9;
            double cpu = (processCpu() - cpuStart) / 1e9;
            double serverCpu = (serverCpu(server.pid()) - serverCpuStart) / 1e9;
            return String.format("%.2f s (%.0f MiB/s), engine CPU %.2f s, S3Proxy CPU %.2f s", wall, 256 / wall, cpu, serverCpu);
        }

        private static long processCpu() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        }

        /** utime + stime of a process from /proc, in nanoseconds (clock ticks of 10 ms). */
        private static long serverCpu(long pid) throws Exception {
            String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceFirst(".*\\) ", "").split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        }
    }
}
