package dev.cachalot.registry;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Answers {@code /healthz}, {@code /readyz} and {@code /metrics} in front of the registry API; every other request
 * goes on to the wrapped handler. These paths sit outside {@code /v2/}, so no repository name can shadow them. Whether
 * they answer anonymously is decided before this, by {@link AccessHandler} in server mode.
 */
final class OperationsHandler extends Handler.Wrapper {
    private final Operations operations;

    OperationsHandler(Handler next, Operations operations) {
        super(next);
        this.operations = operations;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        if (!"/healthz".equals(path) && !"/readyz".equals(path) && !"/metrics".equals(path)) {
            return super.handle(request, response, callback);
        }
        String method = request.getMethod();
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            text(request, response, callback, 405, "method not allowed\n");
            return true;
        }
        switch (path) {
            case "/healthz" -> text(request, response, callback, 200, "ok\n");
            case "/readyz" -> {
                Optional<String> reason = operations.notReadyBecause();
                text(request, response, callback, reason.isEmpty() ? 200 : 503,
                        reason.map(r -> "not ready: " + r + "\n").orElse("ready\n"));
            }
            default -> {
                ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
                operations.writeMetrics(body);
                send(request, response, callback, 200, operations.metricsContentType(), body.toByteArray());
            }
        }
        return true;
    }

    private static void text(Request request, Response response, Callback callback, int status, String body) {
        send(request, response, callback, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(Request request, Response response, Callback callback, int status, String type, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        boolean head = HttpMethod.HEAD.is(request.getMethod());
        response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
    }
}
