package dev.cachalot.upstream;

import static dev.cachalot.testing.LoopbackHttpServer.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cachalot.oci.MediaTypes;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.Upstream;
import dev.cachalot.testing.LoopbackHttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's per-upstream circuit breaker against real sockets: a loopback server that accepts connections and
 * never answers, and one that rate-limits. Counts of what reached the server, never timings.
 */
class UpstreamBreakerTest {

    private static final String REPO = "team/app";
    private static final String PATH = "/v2/" + REPO + "/manifests/v1";
    private static final byte[] MANIFEST = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\",\"size\":2},\"layers\":[]}")
            .getBytes(StandardCharsets.UTF_8);

    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    /** A revalidation deadline shorter than the {@code Retry-After} below, long enough for any loopback answer. */
    private final OkHttpUpstreamClient client = new OkHttpUpstreamClient(UpstreamCredentials.NONE,
            UpstreamHttpSettings.defaults().withRetryPolicy(RetryPolicy.defaults().withSleeper(waits::add))
                    .withRevalidationTimeout(Duration.ofSeconds(5)).withBreakerPause(Duration.ofMinutes(5)));
    private final LoopbackHttpServer server = new LoopbackHttpServer();

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private static UpstreamRequest request(String base) {
        return new UpstreamRequest(new Upstream("fake", URI.create(base).getAuthority(), URI.create(base), AuthMode.BOTH, null, false),
                REPO, null);
    }

    @Test
    void anUpstreamThatNeverAnswersCostsOneRevalidationThenEveryRequestFailsAtOnce() throws Exception {
        // The silent upstream never answers, so the deadline is always reached: a short one only keeps the test short.
        try (Silent silent = new Silent();
             OkHttpUpstreamClient client = new OkHttpUpstreamClient(UpstreamCredentials.NONE, UpstreamHttpSettings.defaults()
                     .withRevalidationTimeout(Duration.ofMillis(500)).withBreakerPause(Duration.ofMinutes(5)))) {
            UpstreamRequest request = request("http://127.0.0.1:" + silent.port());

            assertThatThrownBy(() -> client.headManifest(request, "v1", MediaTypes.DEFAULT_ACCEPT))
                    .isInstanceOfSatisfying(UpstreamException.class, e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.UNAVAILABLE));
            int afterFirst = silent.accepted.get();
            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(() -> client.headManifest(request, "v1", MediaTypes.DEFAULT_ACCEPT))
                        .isInstanceOfSatisfying(UpstreamRefused.class, e -> {
                            assertThat(e.kind()).isEqualTo(UpstreamException.Kind.UNAVAILABLE);
                            assertThat(e.getMessage()).contains("not asked").contains("did not answer in time");
                        });
            }
            assertThatThrownBy(() -> client.fetchManifest(request, "v2", MediaTypes.DEFAULT_ACCEPT))
                    .isInstanceOf(UpstreamException.class);

            assertThat(afterFirst).isEqualTo(1);
            assertThat(silent.accepted).as("connections after the breaker opened").hasValue(1);
        }
    }

    @Test
    void aRevalidationDoesNotSleepThroughARetryAfterItsDeadlineCannotCoverAndTheBreakerHonoursIt() {
        server.route(PATH, ex -> {
            ex.getResponseHeaders().set("Retry-After", "10");
            send(ex, 429, "application/json", "{}");
        });

        assertThatThrownBy(() -> client.headManifest(request(server.base()), "v1", MediaTypes.DEFAULT_ACCEPT))
                .isInstanceOfSatisfying(UpstreamException.class, e -> {
                    assertThat(e.kind()).isEqualTo(UpstreamException.Kind.RATE_LIMITED);
                    assertThat(e.retryAfterSeconds()).isEqualTo(10L);
                });
        assertThat(waits).isEmpty();

        assertThatThrownBy(() -> client.fetchManifest(request(server.base()), "v1", MediaTypes.DEFAULT_ACCEPT))
                .isInstanceOfSatisfying(UpstreamException.class, e -> {
                    assertThat(e.kind()).isEqualTo(UpstreamException.Kind.RATE_LIMITED);
                    assertThat(e.retryAfterSeconds()).isBetween(1L, 10L);
                });
        assertThat(server.requestsTo(PATH)).hasSize(1);
    }

    @Test
    void fastFailuresAndRetryAfterZeroLeaveTheBreakerClosed() {
        AtomicInteger calls = new AtomicInteger();
        server.route(PATH, ex -> {
            int n = calls.incrementAndGet();
            if (n <= 3) {
                send(ex, 503, "text/plain", "busy");
            } else if (n == 4) {
                ex.getResponseHeaders().set("Retry-After", "0");
                send(ex, 429, "application/json", "{}");
            } else {
                send(ex, 200, MediaTypes.OCI_MANIFEST, MANIFEST);
            }
        });

        assertThatThrownBy(() -> client.fetchManifest(request(server.base()), "v1", MediaTypes.DEFAULT_ACCEPT))
                .isInstanceOfSatisfying(UpstreamException.class, e -> assertThat(e.status()).isEqualTo(503));

        assertThat(client.fetchManifest(request(server.base()), "v1", MediaTypes.DEFAULT_ACCEPT).body()).isEqualTo(MANIFEST);
        assertThat(calls).hasValue(5);
    }

    @Test
    void requestsBeyondTheBoundOfThoseWaitingOnOneUpstreamFailAtOnce() throws Exception {
        ExecutorService waiting = Executors.newFixedThreadPool(3);
        try (Silent silent = new Silent();
             OkHttpUpstreamClient bounded = new OkHttpUpstreamClient(UpstreamCredentials.NONE,
                     UpstreamHttpSettings.defaults().withMaxWaitingPerUpstream(3))) {
            UpstreamRequest request = request("http://127.0.0.1:" + silent.port());
            List<Future<?>> held = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                held.add(waiting.submit(() -> bounded.fetchManifest(request, "v1", MediaTypes.DEFAULT_ACCEPT)));
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(silent.accepted).hasValue(3));

            assertThatThrownBy(() -> bounded.fetchManifest(request, "v2", MediaTypes.DEFAULT_ACCEPT))
                    .isInstanceOfSatisfying(UpstreamException.class, e -> {
                        assertThat(e.kind()).isEqualTo(UpstreamException.Kind.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("already waiting");
                    });
            assertThat(silent.accepted).hasValue(3);

            silent.close();
            for (Future<?> f : held) {
                assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(UpstreamException.class);
            }
        } finally {
            waiting.shutdownNow();
        }
    }

    /** Accepts connections, reads nothing, answers nothing. */
    private static final class Silent implements AutoCloseable {
        private final ServerSocket socket;
        private final List<Socket> held = new CopyOnWriteArrayList<>();
        final AtomicInteger accepted = new AtomicInteger();

        Silent() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(socket.accept());
                        accepted.incrementAndGet();
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "silent-upstream");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : held) s.close();
        }
    }
}
