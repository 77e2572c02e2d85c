package dev.cachalot;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * A graceful stop on SIGTERM, SIGINT (Ctrl-C) and SIGHUP that is over before the JVM's shutdown sequence begins.
 *
 * <p>Why not a shutdown hook: the embedded H2 database closes itself in a JVM shutdown hook of its own (H2 refuses
 * {@code DB_CLOSE_ON_EXIT=FALSE} with the {@code AUTO_SERVER} the data folder is shared through), and the JVM starts
 * every hook at once, in no order. Whatever an engine writes as it closes (the queued pull events, the open image
 * pulls, the revalidation stamps, a cancelled sync's outcome) raced the database's close, and mostly lost. With the
 * signal handled here, the JVM's shutdown has not begun: the command closes its engine on its own thread while the
 * database is open, and returns; {@code Main} then exits with {@link #exitStatus}. docs/decisions/0032-graceful-stop.md
 *
 * <p>How a command uses it: {@link #install} with what asks it to stop, which must return at once (count down the latch
 * the command waits on, cancel its run); close the returned handle once the engine is closed. Bounds, so a stop never
 * hangs: when the process has not exited {@link #LIMIT} after the signal, or on a second signal, it exits through
 * {@link System#exit}, and the JVM's shutdown hooks (each command keeps one as the fallback) run as before.
 *
 * <p>{@code sun.misc.Signal} is in the {@code jdk.unsupported} module, which the installers' runtime includes
 * (installer/jlink.args). Where a signal cannot be handled (SIGHUP on Windows, a JVM started with {@code -Xrs}) the JVM's
 * own handling stays; a signal the process was started to ignore ({@code nohup}, a background job's SIGINT) stays ignored.
 */
public final class StopSignals implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StopSignals.class);

    /** Longer than an engine's close takes at worst (a running sync gets 10 s, requests in flight 5 s). */
    static final Duration LIMIT = Duration.ofSeconds(30);

    private static final String[] NAMES = {"TERM", "INT", "HUP"};

    /** The number of the first stop signal this process received; 0 while none did. */
    private static final AtomicInteger RECEIVED = new AtomicInteger();

    private final Runnable requestStop;
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();

    private StopSignals(Runnable requestStop) {
        this.requestStop = requestStop;
    }

    /**
     * Handles the stop signals from now on: the first one calls {@code requestStop} (on a thread of its own), and the
     * process is expected to exit on its own, with {@link #exitStatus}, once the command has closed what it holds.
     */
    public static StopSignals install(Runnable requestStop) {
        StopSignals signals = new StopSignals(requestStop);
        for (String name : NAMES) {
            Signal signal;
            try {
                signal = new Signal(name);
            } catch (IllegalArgumentException e) {
                continue; // not a signal on this system
            }
            try {
                SignalHandler before = Signal.handle(signal, signals::handle);
                if (before == SignalHandler.SIG_IGN) {
                    Signal.handle(signal, SignalHandler.SIG_IGN);
                } else {
                    signals.previous.put(signal, before);
                }
            } catch (IllegalArgumentException e) {
                log.debug("SIG{} stays with the JVM: {}", name, e.getMessage());
            }
        }
        return signals;
    }

    /**
     * What the process exits with when the command returned {@code status}: 128 + the signal's number after a stop
     * signal (143 for SIGTERM, 130 for SIGINT, as the JVM's own handling gives), else {@code status}.
     */
    public static int exitStatus(int status) {
        int signal = RECEIVED.get();
        return signal == 0 ? status : 128 + signal;
    }

    private void handle(Signal signal) {
        if (!RECEIVED.compareAndSet(0, signal.getNumber())) {
            log.warn("SIG{} while stopping: exiting without waiting for the stop to finish", signal.getName());
            System.exit(exitStatus(0));
            return;
        }
        Thread limit = new Thread(() -> exitAfterLimit(signal), "cachalot-stop-limit");
        limit.setDaemon(true);
        limit.start();
        try {
            requestStop.run();
        } catch (RuntimeException e) {
            log.warn("Cannot ask for a stop on SIG{}: {}", signal.getName(), e.toString());
        }
    }

    private static void exitAfterLimit(Signal signal) {
        try {
            Thread.sleep(LIMIT.toMillis());
        } catch (InterruptedException e) {
            return;
        }
        log.warn("Still not stopped {} s after SIG{}: exiting anyway", LIMIT.toSeconds(), signal.getName());
        System.exit(exitStatus(0));
    }

    /** Gives the signals back to the handling they had before {@link #install}. */
    @Override
    public void close() {
        previous.forEach((signal, handler) -> {
            try {
                Signal.handle(signal, handler);
            } catch (IllegalArgumentException e) {
                log.debug("SIG{} not given back: {}", signal.getName(), e.getMessage());
            }
        });
        previous.clear();
    }
}
