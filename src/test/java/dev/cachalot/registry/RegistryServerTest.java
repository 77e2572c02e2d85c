package dev.cachalot.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
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
