package dev.cachalot.engine;

import dev.cachalot.metrics.EngineMetrics;
import dev.cachalot.registry.Operations;
import dev.cachalot.storage.Database;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What {@code /readyz} and {@code /metrics} answer for one engine. Ready means a pull could be served now: the
 * database answers, a blob file can be written where fills write theirs, and the engine is not shutting down. Each
 * check runs per probe (a load balancer asks every few seconds): a validity check on one pooled connection and one
 * empty file created and deleted.
 */
final class EngineOperations implements Operations {
    private static final int DATABASE_TIMEOUT_SECONDS = 2;

    private final Database database;
    private final Path blobTemp;
    private final BooleanSupplier shuttingDown;
    private final EngineMetrics metrics;

    EngineOperations(Database database, Path blobTemp, BooleanSupplier shuttingDown, EngineMetrics metrics) {
        this.database = database;
        this.blobTemp = blobTemp;
        this.shuttingDown = shuttingDown;
        this.metrics = metrics;
    }

    @Override
    public Optional<String> notReadyBecause() {
        if (shuttingDown.getAsBoolean()) {
            return Optional.of("shutting down");
        }
        try {
            if (!database.query(c -> c.isValid(DATABASE_TIMEOUT_SECONDS))) {
                return Optional.of("the database does not answer");
            }
        } catch (RuntimeException e) {
            return Optional.of("the database is not usable (" + e.getMessage() + ")");
        }
        try {
            Path probe = Files.createTempFile(blobTemp, "readyz-", ".probe");
            Files.delete(probe);
        } catch (IOException | RuntimeException e) {
            return Optional.of("the blob store cannot be written (" + e + ")");
        }
        return Optional.empty();
    }

    @Override
    public String metricsContentType() {
        return metrics.contentType();
    }

    @Override
    public void writeMetrics(OutputStream out) throws IOException {
        metrics.write(out);
    }
}
