package dev.cachalot.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on loopback in front of the benchmark's upstream that can be made to hang: while hung it still accepts
 * connections but never answers on any of them, new or already open, as a stuck upstream does (the fault probe of
 * issue 13 found hundreds of waiting tag pulls then starving pulls of content already on disk). Until then it passes
 * bytes both ways, so the subjects can fill their caches through it first.
 */
final class HangingRelay implements AutoCloseable {
    private static final int BUFFER = 64 * 1024;

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean hung;

    /** @param targetHostPort the real upstream, {@code 127.0.0.1:PORT} */
    HangingRelay(String targetHostPort) throws IOException {
        int colon = targetHostPort.lastIndexOf(':');
        target = new InetSocketAddress(targetHostPort.substring(0, colon), Integer.parseInt(targetHostPort.substring(colon + 1)));
        server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "bench-relay-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String hostPort() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    String url() {
        return "http://" + hostPort();
    }

    /** From now on nothing is answered: requests are read and dropped, the upstream's answers too. */
    void hang() {
        hung = true;
    }

    /** Passes bytes again; connections opened or silenced while hung are closed, so clients open fresh ones. */
    void recover() {
        hung = false;
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            sockets.add(client);
            if (hung) {
                // Accepted and held open; what the client sends stays unread, as with a process that stopped reading.
                continue;
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(target, 5_000);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    /** Copies {@code from} to {@code to} while not hung; while hung the bytes are dropped. */
    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[BUFFER];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (!hung) {
                        out.write(buffer, 0, n);
                    }
                }
            } catch (IOException e) {
                // one side closed: the other goes with it
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "bench-relay-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private void closeQuietly(Socket socket) {
        sockets.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
        recover();
    }
}
