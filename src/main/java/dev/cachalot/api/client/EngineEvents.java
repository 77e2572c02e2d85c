package dev.cachalot.api.client;

import dev.cachalot.api.ApiJson;
import dev.cachalot.engine.EngineStatus;
import dev.cachalot.stats.PullEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote engine's live updates: one {@code GET /events} stream (server-sent events), opened when the first listener
 * subscribes and kept open, reconnecting with backoff, until {@link #close}. Listeners are called on the stream's
 * thread, as the local engine calls them on its own.
 *
 * <p>A lost connection is a status: listeners of {@code onStatus} hear {@code ERROR} with "connection to URL lost",
 * and once the stream is back the engine's own status, then a {@code config} reload (what changed meanwhile was not
 * seen). A stream silent for three keepalive periods is taken as lost: a half-open TCP connection never ends by itself.
 */
final class EngineEvents implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EngineEvents.class);
    private static final Duration SILENCE_LIMIT = Duration.ofSeconds(45);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(15);

    private final HttpClient http;
    private final URI events;
    private final String token;
    private final URI engine;
    private final List<Consumer<PullEvent>> pulls = new CopyOnWriteArrayList<>();
    private final List<Consumer<EngineStatus>> statuses = new CopyOnWriteArrayList<>();
    private final List<Runnable> configs = new CopyOnWriteArrayList<>();

    private Thread reader;
    private ScheduledExecutorService watchdog;
    private volatile InputStream current;
    private volatile long lastLineNanos;
    private volatile boolean closed;

    EngineEvents(HttpClient http, URI events, String token, URI engine) {
        this.http = http;
        this.events = events;
        this.token = token;
        this.engine = engine;
    }

    AutoCloseable onPull(Consumer<PullEvent> listener) {
        return subscribe(pulls, listener);
    }

    AutoCloseable onStatus(Consumer<EngineStatus> listener) {
        return subscribe(statuses, listener);
    }

    AutoCloseable onConfigChanged(Runnable listener) {
        return subscribe(configs, listener);
    }

    private <T> AutoCloseable subscribe(List<T> list, T listener) {
        list.add(listener);
        start();
        return () -> list.remove(listener);
    }

    private synchronized void start() {
        if (reader != null || closed) return;
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "engine-events-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.scheduleWithFixedDelay(this::closeIfSilent, 5, 5, TimeUnit.SECONDS);
        reader = new Thread(this::readUntilClosed, "engine-events " + engine);
        reader.setDaemon(true);
        reader.start();
    }

    private void readUntilClosed() {
        long backoffMillis = 500;
        boolean lost = false;
        while (!closed) {
            String why;
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(events).header("Accept", "text/event-stream").GET();
                if (token != null) request.header("Authorization", "Bearer " + token);
                HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() != 200) {
                    response.body().close();
                    why = "the engine answered HTTP " + response.statusCode() + " to its event stream";
                } else {
                    backoffMillis = 500;
                    if (lost) {
                        lost = false;
                        notify(configs, Runnable::run);
                    }
                    read(response.body());
                    why = "the engine closed the event stream";
                }
            } catch (IOException e) {
                why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
            } catch (InterruptedException e) {
                return;
            }
            if (closed) return;
            lost = true;
            EngineStatus down = new EngineStatus(EngineStatus.State.ERROR, engine.getAuthority(),
                    "connection to " + engine + " lost (" + why + "); reconnecting");
            notify(statuses, l -> l.accept(down));
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                return;
            }
            backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
        }
    }

    private void read(InputStream body) throws IOException {
        current = body;
        lastLineNanos = System.nanoTime();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String event = null;
            StringBuilder data = new StringBuilder();
            String line;
            while (!closed && (line = lines.readLine()) != null) {
                lastLineNanos = System.nanoTime();
                if (line.isEmpty()) {
                    if (event != null) dispatch(event, data.toString());
                    event = null;
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    if (data.length() > 0) data.append('\n');
                    data.append(line.substring(5).strip());
                }
                // ':' lines are comments (keepalives); other fields are not used
            }
        } finally {
            current = null;
        }
    }

    private void dispatch(String event, String data) {
        try {
            switch (event) {
                case "pull" -> {
                    PullEvent e = ApiJson.mapper().readValue(data, PullEvent.class);
                    notify(pulls, l -> l.accept(e));
                }
                case "status" -> {
                    EngineStatus s = ApiJson.mapper().readValue(data, EngineStatus.class);
                    notify(statuses, l -> l.accept(s));
                }
                case "config" -> notify(configs, Runnable::run);
                default -> {
                    // an event of a newer engine: ignored, as unknown fields are
                }
            }
        } catch (IOException e) {
            log.warn("Unreadable {} event from {}: {}", event, engine, e.getMessage());
        }
    }

    private static <T> void notify(List<T> listeners, Consumer<T> call) {
        for (T l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                log.warn("An engine event listener failed", e);
            }
        }
    }

    private void closeIfSilent() {
        InputStream body = current;
        if (body != null && System.nanoTime() - lastLineNanos > SILENCE_LIMIT.toNanos()) {
            closeQuietly(body);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (watchdog != null) watchdog.shutdownNow();
        InputStream body = current;
        if (body != null) closeQuietly(body);
        if (reader != null) reader.interrupt();
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the reader sees the stream end either way
        }
    }
}
