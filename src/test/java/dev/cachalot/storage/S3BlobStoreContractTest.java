package dev.cachalot.storage;

import dev.cachalot.testing.S3ProxyServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blob store contract on S3: a real S3Proxy process (filesystem backend), one per class; each test gets a fresh
 * key prefix in its bucket and a fresh local cache folder, so each starts from an empty store.
 */
class S3BlobStoreContractTest extends BlobStoreContract {

    private static final AtomicInteger TESTS = new AtomicInteger();

    @TempDir
    static Path serverFolder;

    static S3ProxyServer server;

    @TempDir
    Path cacheFolder;

    private S3BlobStore opened;

    @BeforeAll
    static void startServer() {
        server = S3ProxyServer.start(serverFolder);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
    }

    @AfterEach
    void closeStore() {
        if (opened != null) opened.close();
    }

    @Override
    protected BlobStore newStore() {
        // Abandoned uploads count at once here: the contract's sweepTemp() is "at start, before anyone writes".
        S3Settings settings = server.settings("contract-" + TESTS.incrementAndGet() + "/")
                .withPartSize(S3Settings.MIN_PART_SIZE).withAbandonedUploadsAge(Duration.ZERO);
        opened = new S3BlobStore(settings, new DataFolder(cacheFolder));
        return opened;
    }

    @Override
    protected BlobHousekeeping housekeepingOf(BlobStore store) {
        return (S3BlobStore) store;
    }
}
