package dev.cachalot.upstream;

import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import okhttp3.Call;

/**
 * Enforces a {@link BlobPace} on blob downloads. One timer thread looks at every open download a few times per window
 * and cancels the OkHttp call of one that is too slow; the blocked read (or the wait for headers) then fails at once.
 * OkHttp's own call timeout cannot do this: it covers the whole body, and once started it cannot be lifted.
 *
 * <p>The reading thread only adds to a counter; all the bookkeeping runs on the timer thread.
 */
final class BlobWatchdog implements AutoCloseable {

    private static final int TICKS_PER_WINDOW = 5;

    private final BlobPace pace;
    private final LongSupplier nanoTime;
    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;

    BlobWatchdog(BlobPace pace, LongSupplier nanoTime) {
        this.pace = pace;
        this.nanoTime = nanoTime;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "upstream-blob-watchdog");
            t.setDaemon(true);
            return t;
        });
        long tickMillis = Math.max(50, Math.min(pace.window().toMillis(), pace.headersTimeout().toMillis()) / TICKS_PER_WINDOW);
        timer.scheduleWithFixedDelay(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }

    /** Starts watching a blob exchange from now on: its headers are due within the pace's deadline. */
    Watch watch(String context) {
        Watch w = new Watch(context, nanoTime.getAsLong());
        watches.add(w);
        return w;
    }

    private void tick() {
        long now = nanoTime.getAsLong();
        for (Watch w : watches) {
            try {
                w.check(now);
            } catch (RuntimeException e) {
                // one odd download must not stop the watchdog for all the others
                watches.remove(w);
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** One blob exchange: waiting for headers, then reading the body. */
    final class Watch {
        private final String context;
        private final long startedNanos;
        private final AtomicLong bytes = new AtomicLong();
        private final ArrayDeque<long[]> samples = new ArrayDeque<>(); // {nanos, bytes}, timer thread only
        private volatile Call call;
        private volatile long answeredNanos = -1;
        private volatile String verdict;

        private Watch(String context, long startedNanos) {
            this.context = context;
            this.startedNanos = startedNanos;
        }

        void attach(Call call) {
            this.call = call;
            if (verdict != null) call.cancel();
        }

        void answered() {
            answeredNanos = nanoTime.getAsLong();
        }

        void read(long n) {
            if (n > 0) bytes.addAndGet(n);
        }

        /** Why the watchdog gave this exchange up, or null while it has not. */
        String verdict() {
            return verdict;
        }

        void close() {
            watches.remove(this);
        }

        private void check(long now) {
            if (verdict != null) return;
            long answered = answeredNanos;
            if (answered < 0) {
                if (now - startedNanos > pace.headersTimeout().toNanos()) {
                    giveUp(context + ": no response headers within " + pace.headersTimeout().toMillis() + " ms");
                }
                return;
            }
            if (samples.isEmpty()) samples.addLast(new long[] {answered, 0}); // the body's bytes start with the headers
            long count = bytes.get();
            samples.addLast(new long[] {now, count});
            long windowNanos = pace.window().toNanos();
            // the window's start: the newest sample at least a window old (older ones are of no more use)
            while (samples.size() > 1 && now - second(samples)[0] >= windowNanos) {
                samples.pollFirst();
            }
            long[] start = samples.peekFirst();
            if (now - start[0] < windowNanos) return; // not a whole window yet
            long sent = count - start[1];
            if (sent < pace.minBytesPerWindow()) {
                giveUp(context + ": the upstream sent " + sent + " bytes in the last " + pace.window().toMillis()
                        + " ms, under the minimum of " + pace.minBytesPerSecond() + " bytes/s");
            }
        }

        private static long[] second(ArrayDeque<long[]> samples) {
            var it = samples.iterator();
            it.next();
            return it.next();
        }

        private void giveUp(String why) {
            verdict = why;
            watches.remove(this);
            Call c = call;
            if (c != null) c.cancel();
        }
    }
}
