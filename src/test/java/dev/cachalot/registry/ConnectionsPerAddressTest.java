package dev.cachalot.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-address connection count: extras are closed at once, and every close is counted, refused ones included. */
class ConnectionsPerAddressTest {

    private static final InetSocketAddress OTHER = new InetSocketAddress("127.0.0.3", 0);

    @Test
    void extrasAreClosedAndTheCountGoesBackToZeroWhenTheClientLeaves() throws Exception {
        InetAddress other = OTHER.getAddress();
        try (RegistryServer server = new RegistryServer(new InMemoryBackend(), new ServerLimits(8, 1024, Duration.ofSeconds(20)))) {
            server.start("127.0.0.1", 0);
            for (int round = 0; round < 2; round++) {
                List<SocketChannel> channels = new ArrayList<>();
                try {
                    for (int i = 0; i < 12; i++) {
                        SocketChannel channel = SocketChannel.open();
                        channel.bind(OTHER);
                        channel.connect(new InetSocketAddress("127.0.0.1", server.port()));
                        channels.add(channel);
                    }
                    await().atMost(Duration.ofSeconds(30)).until(() -> server.connectionsFrom(other), org.hamcrest.Matchers.equalTo(8));
                    assertThat(server.connectionsFrom(InetAddress.getByName("127.0.0.1"))).isZero();
                } finally {
                    for (SocketChannel channel : channels) closeQuietly(channel);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> server.connectionsFrom(other) == 0);
            }
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closed either way
        }
    }
}
