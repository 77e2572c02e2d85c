package dev.cachalot.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;

/**
 * What the listener's operational endpoints answer: {@code GET /healthz} (the process is alive: always 200),
 * {@code GET /readyz} (200, or 503 with the reason from {@link #notReadyBecause}) and {@code GET /metrics}.
 */
public interface Operations {

    /** Why this engine cannot serve now (database or blob store unusable, shutting down); empty when it can. */
    Optional<String> notReadyBecause();

    /** The content type of {@link #writeMetrics}. */
    String metricsContentType();

    /** Writes the metrics exposition. */
    void writeMetrics(OutputStream out) throws IOException;

    /** No metrics and always ready: a server without an engine behind it (tests of the HTTP layer). */
    Operations ALWAYS_READY = new Operations() {
        @Override
        public Optional<String> notReadyBecause() {
            return Optional.empty();
        }

        @Override
        public String metricsContentType() {
            return "text/plain; version=0.0.4; charset=utf-8";
        }

        @Override
        public void writeMetrics(OutputStream out) {
        }
    };
}
