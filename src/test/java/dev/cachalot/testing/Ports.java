package dev.cachalot.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free loopback ports for test servers. */
public final class Ports {
    private Ports() {
    }

    /**
     * A TCP port on 127.0.0.1 that was free a moment ago. Another process may take it before the caller binds
     * it; fixtures that start external processes retry with a new port when the bind fails.
     */
    public static int free() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
