package dev.cachalot.registry;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request log: at DEBUG, one line per request, written when the response is complete:
 * {@code GET /v2/library/nginx/manifests/latest 200 1234 B 12 ms 127.0.0.1}.
 *
 * <p>The query is left out: it may carry what a client considers private (a {@code last} tag, a mount source, a
 * token some client appends), and routing never depends on it beyond {@code ns}. The path is shown as printable
 * ASCII only, so a crafted request cannot forge or hide log lines. Blob bodies written straight from the file
 * (sendfile) bypass Jetty's byte counter; {@link #BODY_BYTES} carries the count the handler measured. Every request
 * is also handed to the {@link RequestObserver} (metrics), whatever the log level.
 */
final class RequestLogger implements RequestLog {

    /** Request attribute: body bytes sent when the handler wrote them past Jetty's response ({@link Long}). */
    static final String BODY_BYTES = RequestLogger.class.getName() + ".bodyBytes";

    private static final Logger LOG = LoggerFactory.getLogger(RequestLogger.class);
    private static final int MAX_PATH = 300;

    private final RequestObserver observer;

    RequestLogger(RequestObserver observer) {
        this.observer = observer;
    }

    @Override
    public void log(Request request, Response response) {
        long nanos = System.nanoTime() - request.getBeginNanoTime();
        try {
            observer.completed(request.getMethod(), Route.of(request.getHttpURI().getPath()), response.getStatus(), nanos);
        } catch (RuntimeException e) {
            LOG.warn("Request observer failed", e);
        }
        if (!LOG.isDebugEnabled()) {
            return;
        }
        long bytes = request.getAttribute(BODY_BYTES) instanceof Long sent ? sent : Response.getContentBytesWritten(response);
        long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
        LOG.debug("{} {} {} {} B {} ms {}", printable(request.getMethod()), printable(request.getHttpURI().getPath()),
                response.getStatus(), bytes, millis, Request.getRemoteAddr(request));
    }

    private static String printable(String text) {
        if (text == null) {
            return "-";
        }
        int length = Math.min(text.length(), MAX_PATH);
        StringBuilder shown = new StringBuilder(length + 1);
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            shown.append(c > 0x20 && c < 0x7f ? c : '?');
        }
        if (text.length() > MAX_PATH) {
            shown.append('…');
        }
        return shown.toString();
    }
}
