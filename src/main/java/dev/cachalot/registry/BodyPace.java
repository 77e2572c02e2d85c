package dev.cachalot.registry;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Holds a request body to a minimum pace: in every {@link ServerLimits#bodyRateWindow()} at least
 * {@link ServerLimits#minBytesPerWindow()} must arrive, until the body is complete. A body that falls behind (or
 * never starts) fails the request, which wakes whoever waits for its content and closes the connection.
 *
 * <p>Why not Jetty's idle timeout: a client sending one byte every second is never idle, and held a thread (and a
 * connection) for as long as it liked; a few hundred of them stopped the registry. Why not Jetty's
 * {@code MinimumDataRateHandler}: it checks only when the handler asks for more content, so a body that stalls
 * before its first byte is never checked.
 */
final class BodyPace {

    private final Request request;
    private final long minBytes;
    private final long windowMillis;
    private final Scheduler scheduler;
    private volatile boolean done;
    private long lastRead;

    private BodyPace(Request request, ServerLimits limits) {
        this.request = request;
        this.minBytes = limits.minBytesPerWindow();
        this.windowMillis = limits.bodyRateWindow().toMillis();
        this.scheduler = request.getComponents().getScheduler();
    }

    /** Starts watching {@code request}'s body; the watch ends with {@link #finished()} or when the request completes. */
    static BodyPace watch(Request request, ServerLimits limits) {
        BodyPace pace = new BodyPace(request, limits);
        Request.addCompletionListener(request, failure -> pace.finished());
        pace.schedule();
        return pace;
    }

    /** The body was read completely (or will not be read any further): its pace no longer matters. */
    void finished() {
        done = true;
    }

    private void schedule() {
        scheduler.schedule(this::check, windowMillis, TimeUnit.MILLISECONDS);
    }

    private void check() {
        if (done) return;
        long read = Request.getContentBytesRead(request);
        if (read - lastRead >= minBytes) {
            lastRead = read;
            schedule();
            return;
        }
        done = true;
        try {
            request.fail(new TimeoutException("the request body arrived slower than " + minBytes + " bytes per "
                    + windowMillis + " ms; the connection is closed"));
        } catch (IllegalStateException completedMeanwhile) {
            // the request ended between the check and the failure: nothing to cut
        }
    }
}
