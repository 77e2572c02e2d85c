package dev.cachalot.api;

import dev.cachalot.engine.EngineAdmin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One caller's server-sent events ({@code GET /events}): {@code pull} (a {@code PullEvent}), {@code status} (an
 * {@code EngineStatus}) and {@code config} (rules, upstreams, credential sets or settings changed: reload them), each
 * {@code data} one line of JSON. A comment line every {@value #KEEPALIVE_SECONDS} s keeps proxies from closing an idle
 * stream and finds callers that left.
 *
 * <p>Events are queued by the engine's threads and written by the request's own thread, one at a time. A caller too
 * slow to keep {@value #QUEUE} events queued loses its stream: it reconnects and reloads, which is cheaper than the
 * engine holding an unbounded backlog.
 */
public final class EventStream {
    static final int KEEPALIVE_SECONDS = 15;
    static final int QUEUE = 1000;
    private static final String CLOSE = "";
    private static final Logger log = LoggerFactory.getLogger(EventStream.class);

    /** Writes one chunk of the response and waits until it is sent. */
    @FunctionalInterface
    interface Sink {
        void write(String chunk) throws IOException;
    }

    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
    private volatile boolean overflowed;

    EventStream() {
    }

    /** Queues an event; never blocks the engine's thread. */
    void send(String event, Object data) {
        String line;
        try {
            line = "event: " + event + "\ndata: " + ApiJson.mapper().writeValueAsString(data) + "\n\n";
        } catch (IOException e) {
            log.warn("Management API: cannot write a {} event", event, e);
            return;
        }
        if (!queue.offer(line)) {
            overflowed = true;
            queue.clear();
            queue.offer(CLOSE);
        }
    }

    /** Ends the stream soon (the engine stops). */
    void close() {
        queue.clear();
        queue.offer(CLOSE);
    }

    /**
     * Subscribes to the engine, writes events until the caller leaves, the queue overflows or {@link #close} is called,
     * then unsubscribes.
     */
    void run(EngineAdmin engine, Sink sink) throws Exception {
        try (AutoCloseable pulls = engine.onPull(e -> send("pull", e));
             AutoCloseable status = engine.onStatus(s -> send("status", s));
             AutoCloseable config = engine.onConfigChanged(() -> send("config", java.util.Map.of()))) {
            sink.write(": cachalot events\n\n");
            send("status", engine.status());
            while (true) {
                String next = queue.poll(KEEPALIVE_SECONDS, TimeUnit.SECONDS);
                if (next == null) {
                    sink.write(": keepalive\n\n");
                } else if (next.equals(CLOSE)) {
                    if (overflowed) log.info("Management API: an event stream fell {} events behind and was closed", QUEUE);
                    return;
                } else {
                    sink.write(next);
                }
            }
        }
    }

    static byte[] bytes(String chunk) {
        return chunk.getBytes(StandardCharsets.UTF_8);
    }
}
