package dev.cachalot.bench;

import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.TempDirs;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures the cold blob path in one JVM, by hand (never part of the test run): a real {@code docker-registry}
 * upstream seeded with one random blob by writing its storage layout directly, the engine in-process, and a raw
 * socket client. Each run deletes the cached blob file first, so every fetch is a cold fill; the first run is the
 * fresh-JVM number. Prints MiB/s, time to headers and to the first body byte, and the CPU of the busiest threads
 * (engine threads from {@link ThreadMXBean}, the upstream from {@code /proc}).
 *
 * <pre>
 * mvn -q -o test-compile &amp;&amp; mvn -q -o dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -Xmx1g -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) dev.cachalot.bench.ColdPathProbe [MiB] [runs] [pre-touch MiB]
 * </pre>
 * Memory is pre-touched once the engine is ready and before the first fetch ({@link MemoryPreTouch}; default most of
 * the free memory, 0 for none).
 * The seeded upstream storage is kept in {@code /tmp/cachalot-coldprobe-<MiB>} for the next invocation.
 */
public final class ColdPathProbe {

    private static final String REPOSITORY = "probe/big";

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long preTouchMib = args.length > 2 ? Long.parseLong(args[2]) : -1;
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        Path storage = Path.of(System.getProperty("java.io.tmpdir"), "cachalot-coldprobe-" + mib);
        String digest = seed(storage, mib);
        Path data = TempDirs.create("cachalot-coldprobe-data-");
        try (DockerRegistryFixture registry = DockerRegistryFixture.builder().storage(storage).accessLog(false)
                .logLevel("error").start();
             Engine engine = Engine.open(new DataFolder(data))) {
            engine.addUpstream(registry.hostPort(), registry.url(), null);
            engine.createRule(new RuleDraft("probe", registry.hostPort() + "/*", "cached/*", null, null));
            engine.startServer("127.0.0.1:0");
            // As the benchmark does: the first request after start is a readiness check, not the blob.
            try (HttpConnection ready = new HttpConnection("127.0.0.1", engine.port())) {
                if (ready.get("/v2/", Map.of()).status() != 200) throw new IllegalStateException("/v2/ not ready");
            }
            System.out.printf(Locale.ROOT, "engine ready %d ms after JVM start; load average %s%n",
                    System.currentTimeMillis() - jvmStart, loadAverage());
            MemoryPreTouch.beforeProbe(preTouchMib);
            String path = "/v2/cached/" + REPOSITORY + "/blobs/" + digest;
            Path cachedFile = data.resolve("blobs").resolve("sha256").resolve(digest.substring(7, 9)).resolve(digest.substring(7));
            List<double[]> rows = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                Files.deleteIfExists(cachedFile);
                rows.add(fetchOnce(run, engine.port(), path, (long) mib << 20, registry.pid()));
                if (!Files.exists(cachedFile)) throw new IllegalStateException("the fill did not store the blob");
            }
            if (rows.size() > 1) {
                List<double[]> warmJvm = rows.subList(1, rows.size());
                System.out.printf(Locale.ROOT, "median of runs 2..%d: %.0f MiB/s, headers %.1f ms, first byte %.1f ms; load average %s%n",
                        runs, median(warmJvm, 0), median(warmJvm, 1), median(warmJvm, 2), loadAverage());
            }
        } finally {
            TempDirs.deleteQuietly(data);
        }
    }

    /** One cold fetch; returns {MiB/s, ms to headers, ms to first body byte}. */
    private static double[] fetchOnce(int run, int port, String path, long size, long upstreamPid) throws IOException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, long[]> before = cpuByThread(threads);
        long upstreamBefore = procCpuNanos(upstreamPid);
        long processBefore = processCpuNanos();
        byte[] buffer = new byte[1 << 20];
        long headersAt;
        long firstByteAt = -1;
        long start;
        long read = 0;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            socket.setReceiveBufferSize(4 << 20);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n";
            start = System.nanoTime();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            int headerEnd = -1;
            int filled = 0;
            while (headerEnd < 0) {
                int n = in.read(buffer, filled, buffer.length - filled);
                if (n < 0) throw new EOFException("no response headers");
                filled += n;
                headerEnd = indexOf(buffer, filled, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            headersAt = System.nanoTime();
            String head = new String(buffer, 0, headerEnd, StandardCharsets.ISO_8859_1);
            if (!head.startsWith("HTTP/1.1 200")) throw new IOException("unexpected response: " + head);
            read = filled - headerEnd - 4;
            if (read > 0) firstByteAt = headersAt;
            while (read < size) {
                int n = in.read(buffer);
                if (n < 0) throw new EOFException("body ended after " + read + " of " + size + " bytes");
                if (firstByteAt < 0 && n > 0) firstByteAt = System.nanoTime();
                read += n;
            }
        }
        long end = System.nanoTime();
        long upstreamCpu = procCpuNanos(upstreamPid) - upstreamBefore;
        long processCpu = processCpuNanos() - processBefore;
        double seconds = (end - start) / 1e9;
        double mibPerSecond = read / 1048576.0 / seconds;
        double headersMs = (headersAt - start) / 1e6;
        double firstByteMs = (firstByteAt - start) / 1e6;
        System.out.printf(Locale.ROOT, "run %d: %.0f MiB/s (%.2f s), headers %.1f ms, first byte %.1f ms, JVM CPU %.2f s, upstream CPU %.2f s, load %s%n",
                run, mibPerSecond, seconds, headersMs, firstByteMs, processCpu / 1e9, upstreamCpu / 1e9, loadAverage());
        printBusiestThreads(threads, before);
        return new double[] {mibPerSecond, headersMs, firstByteMs};
    }

    private static void printBusiestThreads(ThreadMXBean threads, Map<Long, long[]> before) {
        record Used(String name, long cpu, long user) {
        }
        List<Used> used = new ArrayList<>();
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) continue;
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            long user = threads.getThreadUserTime(info.getThreadId());
            long[] was = before.getOrDefault(info.getThreadId(), new long[] {0, 0});
            if (cpu - was[0] > 20_000_000L) used.add(new Used(info.getThreadName(), cpu - was[0], user - was[1]));
        }
        used.sort((a, b) -> Long.compare(b.cpu, a.cpu));
        for (Used u : used) {
            System.out.printf(Locale.ROOT, "    %-40s cpu %.2f s (user %.2f, sys %.2f)%n", u.name, u.cpu / 1e9, u.user / 1e9,
                    (u.cpu - u.user) / 1e9);
        }
    }

    private static Map<Long, long[]> cpuByThread(ThreadMXBean threads) {
        Map<Long, long[]> cpu = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            cpu.put(id, new long[] {threads.getThreadCpuTime(id), threads.getThreadUserTime(id)});
        }
        return cpu;
    }

    private static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    /** utime + stime of a process, from /proc (clock ticks of 10 ms on Linux). */
    private static long procCpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static double median(List<double[]> rows, int column) {
        double[] values = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static int indexOf(byte[] haystack, int length, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    /**
     * Writes {@code mib} MiB of seeded random bytes straight into docker-registry's filesystem layout (blob data and
     * the repository's layer link), once; returns the digest. Much quicker than pushing 1 GiB through the API.
     */
    private static String seed(Path storage, int mib) throws Exception {
        Path marker = storage.resolve("probe-digest");
        if (Files.exists(marker)) return Files.readString(marker).trim();
        Path v2 = storage.resolve("docker/registry/v2");
        Path staging = Files.createDirectories(storage).resolve("staging");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(6);
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        try (FileChannel out = FileChannel.open(staging, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int i = 0; i < mib; i++) {
                chunk.clear();
                while (chunk.hasRemaining()) chunk.putLong(random.nextLong());
                sha.update(chunk.array());
                chunk.flip();
                while (chunk.hasRemaining()) out.write(chunk);
            }
        }
        String hex = HexFormat.of().formatHex(sha.digest());
        Path blobDir = Files.createDirectories(v2.resolve("blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex));
        Files.move(staging, blobDir.resolve("data"));
        Path link = Files.createDirectories(v2.resolve("repositories").resolve(REPOSITORY).resolve("_layers/sha256").resolve(hex));
        Files.writeString(link.resolve("link"), "sha256:" + hex);
        Files.writeString(marker, "sha256:" + hex);
        return "sha256:" + hex;
    }

    private ColdPathProbe() {
    }
}
