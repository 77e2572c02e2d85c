package dev.cachalot.metrics;

import dev.cachalot.stats.PullEvent;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The engine's Prometheus metrics: one registry per engine (so two engines in one JVM, as in tests, never share
 * counters), written in the Prometheus text format by the client library's own writer.
 *
 * <p>Every label takes values from a small fixed set or from configuration (an upstream's login server), never from a
 * request: a path, a repository or a tag as a label would let any client grow the series without bound. Methods
 * outside the registry's own are counted as {@code OTHER}; routes come from the registry's fixed list.
 */
public final class EngineMetrics {

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "PUT", "POST", "PATCH", "DELETE");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    /**
     * JVM metrics join at the first scrape: they start the platform MBean server, tens of milliseconds that an engine
     * no one scrapes (the desktop app's) need not pay at start-up.
     */
    private boolean jvmMetricsRegistered;

    private final Counter requests = Counter.builder().name("cachalot_http_requests_total")
            .help("HTTP requests answered, by method, route and status").labelNames("method", "route", "status")
            .register(registry);
    private final Histogram latency = Histogram.builder().name("cachalot_http_request_duration_seconds")
            .help("Time from a request's arrival to its response's last byte, by method and route")
            .labelNames("method", "route")
            .classicUpperBounds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
            .register(registry);
    private final Counter pulls = Counter.builder().name("cachalot_pulls_total")
            .help("Manifest and blob pulls by outcome: hit (from cache), miss (from upstream), stale (cache, upstream failed), local, failed")
            .labelNames("kind", "outcome").register(registry);
    private final Counter servedFromCache = Counter.builder().name("cachalot_cache_served_bytes_total")
            .help("Bytes sent to clients from the local cache (hits, stale serves and local repositories)")
            .register(registry);
    private final Counter fetchedFromUpstream = Counter.builder().name("cachalot_upstream_fetched_bytes_total")
            .help("Bytes fetched from upstream registries").register(registry);
    private final Counter upstreamErrors = Counter.builder().name("cachalot_upstream_errors_total")
            .help("Failed upstream calls by upstream (login server) and kind").labelNames("upstream", "kind")
            .register(registry);
    private final Counter evictions = Counter.builder().name("cachalot_cache_evicted_manifests_total")
            .help("Cached manifests evicted to keep the cache within its size bound").register(registry);

    /**
     * @param fillsInFlight upstream blob downloads running now
     * @param cacheBytes    bytes the cache holds now (read on each scrape)
     */
    public EngineMetrics(LongSupplier fillsInFlight, LongSupplier cacheBytes) {
        GaugeWithCallback.builder().name("cachalot_blob_fills_in_flight")
                .help("Upstream blob downloads in flight").callback(c -> c.call(fillsInFlight.getAsLong()))
                .register(registry);
        GaugeWithCallback.builder().name("cachalot_cache_size_bytes")
                .help("Bytes of content the cache holds").callback(c -> c.call(cacheBytes.getAsLong()))
                .register(registry);
    }

    /**
     * Counts the requests the pull statistics lost, read on each scrape: {@code dropped} when the recorder fell behind
     * the requests (its queue was full), {@code refused} when the database refused a batch. Both stay 0 on a healthy
     * engine; the pull counters above count only what was recorded.
     */
    public void countLostPullEvents(LongSupplier dropped, LongSupplier refused) {
        CounterWithCallback.builder().name("cachalot_pull_events_lost_total")
                .help("Requests the pull statistics lost: dropped (the recorder fell behind) or refused (by the database)")
                .labelNames("reason").callback(c -> {
                    c.call(dropped.getAsLong(), "dropped");
                    c.call(refused.getAsLong(), "refused");
                }).register(registry);
    }

    /**
     * Loads and initialises the metrics classes (the Prometheus client's builders, snapshots and text writer) without
     * keeping anything: in a fresh JVM they cost 150-250 ms on 2 vCPUs, which a process about to serve pays on a spare
     * thread while it opens its database, not on the way to ready.
     */
    public static void preload() {
        EngineMetrics warm = new EngineMetrics(() -> 0, () -> 0);
        warm.requestCompleted("GET", "other", 200, 0);
        try {
            warm.writer.write(OutputStream.nullOutputStream(), warm.registry.scrape());
        } catch (IOException ignored) {
            // a null stream does not fail
        }
    }

    /** One answered HTTP request; {@code route} is one of the registry's fixed route names. */
    public void requestCompleted(String method, String route, int status, long nanos) {
        String m = method != null && METHODS.contains(method) ? method : "OTHER";
        requests.labelValues(m, route, Integer.toString(status)).inc();
        latency.labelValues(m, route).observe(nanos / 1e9);
    }

    /** One pull, as the engine's pull-event recorder sees it. */
    public void pullRecorded(PullEvent event) {
        pulls.labelValues(event.kind().name().toLowerCase(Locale.ROOT), event.outcome().name().toLowerCase(Locale.ROOT)).inc();
        // An image pull sums its requests' bytes, which were counted as the requests came.
        if (event.kind() == PullEvent.Kind.IMAGE) return;
        switch (event.outcome()) {
            case HIT, STALE, LOCAL -> servedFromCache.inc(event.bytes());
            default -> {
            }
        }
        if (event.upstreamBytes() > 0) {
            fetchedFromUpstream.inc(event.upstreamBytes());
        }
    }

    /** An upstream call that failed; {@code kind} is the failure's kind (not found, rate limited, unavailable...). */
    public void upstreamFailed(String loginServer, String kind) {
        upstreamErrors.labelValues(loginServer, kind.toLowerCase(Locale.ROOT)).inc();
    }

    /** Manifests evicted by one run of the cache bound. */
    public void evicted(long manifests) {
        if (manifests > 0) evictions.inc(manifests);
    }

    /** The content type of {@link #write}. */
    public String contentType() {
        return writer.getContentType();
    }

    /** Writes every metric in the Prometheus text format. */
    public void write(OutputStream out) throws IOException {
        synchronized (this) {
            if (!jvmMetricsRegistered) {
                JvmMetrics.builder().register(registry);
                jvmMetricsRegistered = true;
            }
        }
        writer.write(out, registry.scrape());
    }
}
