package dev.cachalot.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny HTTP server on 127.0.0.1 (JDK {@code com.sun.net.httpserver}) for what no real registry here can do:
 * a bearer token issuer, a blob CDN on another port, scripted 503/429 answers and lying digests. Every request
 * is recorded with its {@code Authorization} header so tests can prove where credentials went.
 */
public final class LoopbackHttpServer implements AutoCloseable {

    public record Seen(String method, String path, String query, String authorization) {
    }

    @FunctionalInterface
    public interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    public final List<Seen> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Handler> routes = new ConcurrentHashMap<>();

    public LoopbackHttpServer() {
        this(false);
    }

    /** @param concurrent handle requests on a thread each (a handler that blocks then holds up no other request) */
    public LoopbackHttpServer(boolean concurrent) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getRawPath();
                requests.add(new Seen(exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(),
                        exchange.getRequestHeaders().getFirst("Authorization")));
                Handler h = routes.get(path);
                if (h == null) {
                    send(exchange, 404, "application/json", "{\"errors\":[{\"code\":\"NOT_FOUND\"}]}");
                } else {
                    h.handle(exchange);
                }
            }
        });
        if (concurrent) {
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "loopback-http");
                t.setDaemon(true);
                return t;
            }));
        }
        server.start();
    }

    public LoopbackHttpServer route(String path, Handler handler) {
        routes.put(path, handler);
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String base() {
        return "http://127.0.0.1:" + port();
    }

    public List<Seen> requestsTo(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    public static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        send(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        if (head) {
            exchange.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
