package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.testing.HaproxyBalancer;
import dev.cachalot.testing.Ports;
import dev.cachalot.testing.Processes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import javax.net.SocketFactory;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cachalot serve} behind a real HAProxy that passes connections through ({@code mode tcp}) and names each client
 * in a PROXY protocol v2 header, the engine trusting the balancer's address ({@code listen.trustedProxies}). Clients
 * come from two loopback addresses (Linux routes all of 127.0.0.0/8 to lo; each client's sockets are bound to its
 * own): one client's failed sign-ins throttle that client only, and the access log names each client rather than the
 * balancer. A PROXY header sent straight to the engine from an address it does not trust is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientAddressBehindBalancerTest {
    private static final Duration START_LIMIT = Duration.ofSeconds(90);
    private static final String PASSWORD = "alice-Balanced-7";

    @TempDir
    static Path temp;

    private Process serve;
    private Path serveOut;
    private Path serveErr;
    private int enginePort;
    private HaproxyBalancer balancer;

    @BeforeAll
    void engineBehindHaproxy() throws Exception {
        Path data = temp.resolve("data");
        addUser(new Cli(data), "alice", PASSWORD);
        enginePort = Ports.free();
        Path config = Files.writeString(temp.resolve("cachalot.yaml"), """
                listen:
                  address: 127.0.0.1:%d
                  trustedProxies: [127.0.0.1/32]
                auth:
                  mode: required
                """.formatted(enginePort));
        serveOut = temp.resolve("serve.out");
        serveErr = temp.resolve("serve.err");
        serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), "dev.cachalot.Main", "--data", data.toString(), "serve", "--config",
                config.toString()).redirectOutput(serveOut.toFile()).redirectError(serveErr.toFile()).start();
        await("serve").atMost(START_LIMIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!serve.isAlive()) throw new AssertionError("serve exited with " + serve.exitValue() + ":\n" + output());
            return Files.readString(serveOut).contains("Cachalot serving on http://127.0.0.1:" + enginePort);
        });
        balancer = HaproxyBalancer.proxyProtocolTo(temp.resolve("haproxy"), enginePort);
    }

    @AfterAll
    void stop() {
        if (balancer != null) balancer.close();
        if (serve != null) Processes.stop(serve, Duration.ofSeconds(30));
    }

    @Test
    void oneClientsFailedSignInsThrottleThatClientWhileAnotherSignsInAndTheLogNamesBoth() throws Exception {
        OkHttpClient guesser = clientFrom("127.0.0.2");
        OkHttpClient alice = clientFrom("127.0.0.3");
        for (int i = 0; i < 10; i++) {
            assertThat(signIn(guesser, "guess-" + i)).as("failure %d through the balancer", i + 1).isEqualTo(401);
        }
        assertThat(signIn(guesser, "guess-10")).as("the guesser must now wait").isEqualTo(429);
        assertThat(signIn(guesser, PASSWORD)).as("even with the right password, until the wait is over").isEqualTo(429);

        assertThat(signIn(alice, PASSWORD)).as("another client behind the same balancer: %s", balancer.log()).isEqualTo(200);
        assertThat(signIn(alice, "typo")).as("her own budget is untouched").isEqualTo(401);
        assertThat(signIn(alice, PASSWORD)).isEqualTo(200);

        await("the access log lines").atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Files.readString(serveOut))
                .containsPattern("(?m)^\\S+Z 127\\.0\\.0\\.2 - GET /cachalot/token 429 ")
                .containsPattern("(?m)^\\S+Z 127\\.0\\.0\\.3 \\S+ GET /cachalot/token 200 "));
        String log = output();
        assertThat(log).as("every sign-in came through the balancer, none is logged as its").doesNotContainPattern(
                "(?m)^\\S+Z 127\\.0\\.0\\.1 \\S+ GET /cachalot/token ");
        assertThat(log).contains("Failed login as 'alice' from 127.0.0.2").contains("Failed login as 'alice' from 127.0.0.3")
                .doesNotContain(PASSWORD);
    }

    @Test
    void aProxyHeaderSentStraightToTheEngineFromAnAddressItDoesNotTrustIsRefused() throws Exception {
        String forged = "PROXY TCP4 192.0.2.99 127.0.0.1 41000 " + enginePort + "\r\n"
                + "GET /readyz HTTP/1.1\r\nHost: cache\r\nConnection: close\r\n\r\n";
        assertThat(exchange("127.0.0.4", forged)).as("closed unanswered").isEmpty();
        assertThat(exchange("127.0.0.4", "GET /readyz HTTP/1.1\r\nHost: cache\r\nConnection: close\r\n\r\n"))
                .as("the same address without a header is served as itself").startsWith("HTTP/1.1 200");

        await("the refusal in the engine's log").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(output()).contains("Refused a connection from 127.0.0.4: it began with a PROXY protocol header"));
        assertThat(output()).doesNotContain("192.0.2.99").containsPattern("(?m)^\\S+Z 127\\.0\\.0\\.4 - GET /readyz 200 ");
    }

    private int signIn(OkHttpClient client, String password) throws IOException {
        Request request = new Request.Builder()
                .url("http://127.0.0.1:" + balancer.port() + "/cachalot/token?service=cachalot&scope=repository:team/app:pull")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("alice:" + password)
                        .getBytes(StandardCharsets.UTF_8)))
                .build();
        try (Response response = client.newCall(request).execute()) {
            return response.code();
        }
    }

    /** A client whose every socket is bound to {@code local}, so the balancer sees it as that address. */
    private static OkHttpClient clientFrom(String local) throws IOException {
        return new OkHttpClient.Builder().socketFactory(new BoundSockets(InetAddress.getByName(local))).retryOnConnectionFailure(false)
                .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(30)).build();
    }

    /**
     * Sockets bound to one local address. OkHttp asks for unconnected ones ({@link #createSocket()}) and connects them
     * itself; the connected forms, which SocketFactory requires, keep a local address a caller names.
     */
    private static final class BoundSockets extends SocketFactory {
        private final InetAddress local;

        BoundSockets(InetAddress local) {
            this.local = local;
        }

        @Override
        public Socket createSocket() throws IOException {
            return connected(null, local, 0);
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port), local, 0);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return createSocket(host.getHostAddress(), port);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localAddress, int localPort) throws IOException {
            return connected(new InetSocketAddress(host, port), localAddress, localPort);
        }

        @Override
        public Socket createSocket(InetAddress host, int port, InetAddress localAddress, int localPort) throws IOException {
            return createSocket(host.getHostAddress(), port, localAddress, localPort);
        }

        /** A socket bound to {@code from}, connected to {@code to} unless that is null. */
        private static Socket connected(InetSocketAddress to, InetAddress from, int fromPort) throws IOException {
            Socket socket = new Socket();
            try {
                socket.bind(new InetSocketAddress(from, fromPort));
                if (to != null) socket.connect(to);
                return socket;
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }
    }

    /** Sends {@code text} straight to the engine from a socket bound to {@code from}; what came back before it closed. */
    private String exchange(String from, String text) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", enginePort), 5_000);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(answer);
            } catch (IOException reset) {
                // a refused connection may end in a reset rather than a close
            }
            return answer.toString(StandardCharsets.US_ASCII);
        }
    }

    private String output() {
        try {
            return Files.readString(serveOut) + "\n" + Files.readString(serveErr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void addUser(Cli cli, String name, String password) {
        InputStream stdin = System.in;
        System.setIn(new ByteArrayInputStream((password + "\n").getBytes(StandardCharsets.UTF_8)));
        try {
            assertThat(cli.run("users", "add", name, "--role", "pull").succeeded().out()).startsWith("Added user " + name);
        } finally {
            System.setIn(stdin);
        }
    }
}
