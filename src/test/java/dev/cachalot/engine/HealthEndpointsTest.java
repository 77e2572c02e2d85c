package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.RegistryReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /healthz} and {@code /readyz} on a real engine's listener, readiness failing the way a real disk fails it. */
class HealthEndpointsTest {

    @TempDir
    Path temp;

    private Engine engine;
    private RegistryReader http;
    private DataFolder folder;

    @BeforeEach
    void start() {
        folder = new DataFolder(temp.resolve("data"));
        engine = Engine.open(folder);
        engine.startServer("127.0.0.1:0");
        http = new RegistryReader("http://127.0.0.1:" + engine.port());
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    @Test
    void aServingEngineIsAliveAndReady() {
        assertThat(http.get("/healthz").status()).isEqualTo(200);
        RegistryReader.Fetched ready = http.get("/readyz");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.text()).isEqualTo("ready\n");
    }

    @Test
    void anEngineWhoseBlobStoreCannotBeWrittenIsAliveButNotReadyAndSaysWhy() throws Exception {
        // Even root cannot create a file inside a regular file: the fill folder replaced by one breaks every fill.
        Path tmp = folder.tmp();
        try (var leftovers = Files.list(tmp)) {
            assertThat(leftovers).isEmpty();
        }
        Files.delete(tmp);
        Files.writeString(tmp, "not a folder");

        RegistryReader.Fetched ready = http.get("/readyz");
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.text()).startsWith("not ready: the blob store cannot be written");
        assertThat(http.get("/healthz").status()).isEqualTo(200);

        Files.delete(tmp);
        Files.createDirectory(tmp);
        assertThat(http.get("/readyz").status()).isEqualTo(200);
    }

    @Test
    void healthEndpointsAnswerOnlyReads() {
        assertThat(http.head("/healthz").status()).isEqualTo(200);
        assertThat(http.get("/metrics").contentType()).startsWith("text/plain; version=0.0.4");
    }
}
