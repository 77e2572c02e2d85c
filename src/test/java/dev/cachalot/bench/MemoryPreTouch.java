package dev.cachalot.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Touches most of the machine's free memory once, in a child process that then exits, before anything is measured.
 *
 * <p>Why: a virtual machine pays a fault into the hypervisor the first time the guest touches each page of its memory.
 * On a freshly booted VM every new page-cache page (a new file being written, a blob being stored) pays it: writing a
 * new 256 MiB file ran at 190–340 MB/s there, and at 1.0–2.7 GB/s once a process had touched 14 GiB and exited. A
 * desktop or a server that has been up a while is in the second state, so the benchmark measures in it, and reports
 * the new-file write speed before and after the touch so the reader sees which state the machine was in.
 *
 * <p>The touch does not last on this VM: its kernel hands freed pages back to the host (free page reporting), so
 * once the gigabytes a run writes and deletes have used up what was touched, new page-cache pages pay the first touch
 * again. The cold workload therefore touches again right before each running subject's cold fetch
 * (bench/README.md, "Free page reporting").
 */
final class MemoryPreTouch {

    /** Left untouched for everything else running on the machine while the child holds its memory. */
    private static final long HEADROOM_MIB = 3 * 1024;
    private static final int CHUNK_MIB = 256;

    /** What was touched and how long it took (the time is the VM's first-touch cost, if it had not paid it yet). */
    record Touched(long mib, double seconds) {
    }

    private MemoryPreTouch() {
    }

    /** The default amount: the available memory less some headroom, at most 90% of the total. */
    static long defaultMib() {
        long available = meminfoKib("MemAvailable") / 1024;
        long total = meminfoKib("MemTotal") / 1024;
        return Math.max(0, Math.min(available - HEADROOM_MIB, total * 9 / 10));
    }

    /**
     * For the hand-run probes ({@link ColdPathProbe}, {@link LoopbackSendProbe}): touches {@code mib} MiB, or
     * {@link #defaultMib()} when negative, and says so, as the benchmark's report does.
     */
    static void beforeProbe(long mib) {
        Touched touched = run(mib < 0 ? defaultMib() : mib);
        System.out.printf(Locale.ROOT, "touched %d MiB of memory in a child process before measuring (%.1f s): a VM's "
                + "first touch of guest memory would otherwise slow every new page%n", touched.mib(), touched.seconds());
    }

    /** Touches {@code mib} MiB in a child JVM (direct buffers, zeroed on allocation: every page written once). */
    static Touched run(long mib) {
        if (mib <= 0) {
            return new Touched(0, 0);
        }
        List<String> command = List.of(BenchConfig.javaBinary(), "-Xmx32m", "-XX:MaxDirectMemorySize=" + (mib + 64) + "m",
                "-cp", System.getProperty("java.class.path"), MemoryPreTouch.class.getName(), Long.toString(mib));
        long start = System.nanoTime();
        try {
            Process child = new ProcessBuilder(command).inheritIO().start();
            if (!child.waitFor(10, TimeUnit.MINUTES)) {
                child.destroyForcibly();
                throw new IllegalStateException("touching " + mib + " MiB of memory took over 10 minutes");
            }
            if (child.exitValue() != 0) {
                throw new IllegalStateException("the memory pre-touch child exited with " + child.exitValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while touching memory", e);
        }
        return new Touched(mib, (System.nanoTime() - start) / 1e9);
    }

    /** The child: holds every chunk until all are touched, so the pages are distinct, then exits and frees them. */
    public static void main(String[] args) {
        long mib = Long.parseLong(args[0]);
        List<ByteBuffer> held = new ArrayList<>();
        for (long done = 0; done < mib; done += CHUNK_MIB) {
            held.add(ByteBuffer.allocateDirect((int) Math.min(CHUNK_MIB, mib - done) << 20));
        }
        System.exit(held.size() > 0 ? 0 : 1);
    }

    private static long meminfoKib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no " + field + " in /proc/meminfo");
    }
}
