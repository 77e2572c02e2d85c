package dev.cachalot;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the heap back once the process goes idle after work: one full collection when a look finds no collection
 * since the one before, after collections had run again since the last release.
 *
 * <p>Why: the launcher runs the serial collector with a small initial heap (installer/launcher.args), which grows the
 * heap only as far as the load needs, but shrinks it only in a full collection, and an idle engine runs none. After
 * a burst of manifest requests and 32 streams the heap stayed at 59 MiB with 21 MiB live; this collection shrinks it
 * and unmaps the rest. It runs without headroom ({@link HeapFreeRatios#withoutHeadroom}): each generation shrinks to its live
 * data, though not below its size at the JVM's start, so with the launcher's 24 MiB initial heap an idle heap is 23–25
 * MiB where the launcher's 30% headroom from 32 MiB left it at 31–35 (docs/decisions/0039-idle-heap-without-headroom.md). Unlike G1's periodic collection it runs once per idle spell,
 * not every interval while idle, so an idle desktop app does not wake to collect
 * (docs/decisions/0035-serial-collector.md).
 *
 * <p>Right before it, the engine lets go of what it keeps for the next requests ({@link #beforeCollecting}): the
 * downloads' spare buffers and the server's pooled ones (direct memory the collection frees) and the database's page
 * cache, full after a burst. They took an idle engine from 161–164 MiB to 143–144 (docs/decisions/0038-idle-release.md).
 *
 * <p>"No collection since the last look" means the process allocated less than its young generation in an interval:
 * idle or nearly so, where a pause of a few tens of milliseconds delays little. A process that allocates that slowly
 * without being idle (a few pulls a minute) gets one such collection after each of its young ones.
 */
public final class IdleHeapRelease implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IdleHeapRelease.class);

    /** How often it looks. */
    static final Duration INTERVAL = Duration.ofSeconds(10);

    private final LongSupplier collections;
    private final Runnable collect;
    /** Lets go of what the engine keeps for later (pooled buffers, page cache) for the collection to free. */
    private volatile Runnable letGo = () -> { };
    private ScheduledExecutorService looks;
    /** The collection count at the last look; -1 before the first. */
    private long seen = -1;
    /** Collections ran since the last release: the process did some work. */
    private boolean workedSinceRelease;

    IdleHeapRelease(LongSupplier collections, Runnable collect) {
        this.collections = collections;
        this.collect = collect;
    }

    /**
     * Looks every {@link #INTERVAL} from now on, on a daemon thread, until closed. The JVM's management beans are
     * looked up there, at the first look: loading them took ~7 ms of a fresh {@code serve}'s path to ready.
     */
    public static IdleHeapRelease start() {
        JvmCollections jvm = new JvmCollections();
        IdleHeapRelease release = new IdleHeapRelease(jvm::count, jvm::collect);
        ScheduledExecutorService looks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "idle-heap-release");
            t.setDaemon(true);
            return t;
        });
        long millis = INTERVAL.toMillis();
        looks.scheduleWithFixedDelay(() -> {
            try {
                release.look();
            } catch (RuntimeException e) {
                log.warn("Idle heap release failed: {}", e.toString());
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
        release.looks = looks;
        return release;
    }

    /**
     * Runs {@code letGo} before each collection from now on, instead of what was set before (the engine of the process:
     * the app may open another). It runs on this object's thread; a failure is logged, and the collection runs anyway.
     */
    public void beforeCollecting(Runnable letGo) {
        this.letGo = letGo;
    }

    /**
     * One look: collects when the process worked since the last release and then ran no collection; says whether. The
     * first look only takes the count (what ran before it was the start).
     */
    synchronized boolean look() {
        long now = collections.getAsLong();
        if (seen < 0) {
            seen = now;
            return false;
        }
        if (now != seen) {
            seen = now;
            workedSinceRelease = true;
            return false;
        }
        if (!workedSinceRelease) return false;
        try {
            letGo.run();
        } catch (RuntimeException e) {
            log.warn("Idle release: letting go of pooled memory failed: {}", e.toString());
        }
        collect.run();
        seen = collections.getAsLong();
        workedSinceRelease = false;
        return true;
    }

    /** The running JVM's collectors, looked up on first use. */
    private static final class JvmCollections {
        private List<GarbageCollectorMXBean> collectors;
        private MemoryMXBean memory;

        long count() {
            if (collectors == null) {
                collectors = ManagementFactory.getGarbageCollectorMXBeans();
                memory = ManagementFactory.getMemoryMXBean();
            }
            return collections(collectors);
        }

        void collect() {
            long before = memory.getHeapMemoryUsage().getCommitted();
            HeapFreeRatios.withoutHeadroom(System::gc);
            if (log.isDebugEnabled()) {
                log.debug("Idle: collected, heap committed {} -> {} MiB", before >> 20,
                        memory.getHeapMemoryUsage().getCommitted() >> 20);
            }
        }
    }

    private static long collections(List<GarbageCollectorMXBean> collectors) {
        long total = 0;
        for (GarbageCollectorMXBean collector : collectors) {
            total += Math.max(0, collector.getCollectionCount());
        }
        return total;
    }

    @Override
    public void close() {
        if (looks != null) looks.shutdownNow();
    }
}
