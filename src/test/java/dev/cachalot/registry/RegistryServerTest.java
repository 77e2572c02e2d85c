package dev.cachalot.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RegistryServerTest {

    static {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.eclipse.jetty"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
    }

    @Test
    void portZeroPicksAFreePortAndStopReleasesIt() throws Exception {
        RegistryServer server = new RegistryServer(new InMemoryBackend());
        server.start("127.0.0.1", 0);
        int port = server.port();

        RawHttp.Answer answer = RawHttp.get(port, "/v2/");
        server.stop();

        assertThat(port).isPositive();
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Server")).isNull();
        assertThat(answer.header("Docker-Distribution-API-Version")).isEqualTo("registry/2.0");
        assertThat(server.isRunning()).isFalse();
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    /**
     * A burst of concurrent requests grows the pool by a thread each; once they are idle the pool shrinks back within
     * seconds. Jetty's defaults end one idle thread per minute, which kept a burst's ~100 threads (and their stacks)
     * for over an hour after a manifest burst.
     */
    @Test
    void threadsABurstAddedEndOnceIdle() throws Exception {
        InMemoryBackend backend = new InMemoryBackend();
        CountDownLatch release = new CountDownLatch(1);
        backend.hold = release;
        int burst = 40;
        ExecutorService clients = Executors.newFixedThreadPool(burst);
        try (RegistryServer server = new RegistryServer(backend)) {
            server.start("127.0.0.1", 0);
            int atStart = server.poolThreads();
            List<Future<RawHttp.Answer>> answers = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                answers.add(clients.submit(() -> RawHttp.get(server.port(), "/v2/app/manifests/latest")));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> backend.calls.get() == burst);
            assertThat(server.poolThreads()).isGreaterThanOrEqualTo(burst);

            release.countDown();
            for (Future<RawHttp.Answer> answer : answers) {
                assertThat(answer.get(30, TimeUnit.SECONDS).status()).isEqualTo(404);
            }
            // Not back to atStart exactly: Jetty keeps a few threads reserved (one per core, with their own timeout).
            await().atMost(Duration.ofSeconds(45)).untilAsserted(
                    () -> assertThat(server.poolThreads()).isLessThan(atStart + burst / 2));
        } finally {
            clients.shutdownNow();
        }
    }

    /** What an idle process lets go of before its collection: the pool's buffers, not the server's ability to serve. */
    @Test
    void pooledBuffersAreLetGoAndTheServerServesOn() throws Exception {
        try (RegistryServer server = new RegistryServer(new InMemoryBackend())) {
            server.start("127.0.0.1", 0);
            for (int i = 0; i < 3; i++) {
                assertThat(RawHttp.get(server.port(), "/v2/").status()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.pooledBufferBytes()).isPositive());

            server.releasePooledBuffers();

            assertThat(server.pooledBufferBytes()).isZero();
            assertThat(RawHttp.get(server.port(), "/v2/").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.pooledBufferBytes()).isPositive());
        }
    }

    @Test
    void aPortInUseFailsWithAClearMessage() throws Exception {
        try (RegistryServer first = new RegistryServer(new InMemoryBackend());
             RegistryServer second = new RegistryServer(new InMemoryBackend())) {
            first.start("127.0.0.1", 0);

            assertThatThrownBy(() -> second.start("127.0.0.1", first.port()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("already in use")
                    .hasMessageContaining("127.0.0.1:" + first.port());
            assertThat(second.isRunning()).isFalse();
        }
    }
}
