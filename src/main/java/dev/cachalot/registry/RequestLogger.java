package dev.cachalot.registry;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request log, written when the response is complete. With an {@link AccessLogFormat access log} on, one line per
 * request at INFO on {@value AccessLogFormat#LOGGER}:
 * {@code 2026-12-04T21:40:00.123Z 10.0.0.7 alice GET /v2/library/nginx/manifests/latest 200 1234 12ms cache} (or the
 * same fields as one JSON object); with it off, the short form at DEBUG:
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

    private static final Logger ACCESS = LoggerFactory.getLogger(AccessLogFormat.LOGGER);

    private final RequestObserver observer;
    private final AccessLogFormat format;

    RequestLogger(RequestObserver observer) {
        this(observer, AccessLogFormat.OFF);
    }

    RequestLogger(RequestObserver observer, AccessLogFormat format) {
        this.observer = observer;
        this.format = format == null ? AccessLogFormat.OFF : format;
    }

    @Override
    public void log(Request request, Response response) {
        long nanos = System.nanoTime() - request.getBeginNanoTime();
        try {
            observer.completed(request.getMethod(), Route.of(request.getHttpURI().getPath()), response.getStatus(), nanos);
        } catch (RuntimeException e) {
            LOG.warn("Request observer failed", e);
        }
        if (format != AccessLogFormat.OFF) {
            if (ACCESS.isInfoEnabled()) ACCESS.info(accessLine(request, response, nanos));
            return;
        }
        if (!LOG.isDebugEnabled()) {
            return;
        }
        long bytes = bodyBytes(request, response);
        long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
        LOG.debug("{} {} {} {} B {} ms {}", printable(request.getMethod()), printable(request.getHttpURI().getPath()),
                response.getStatus(), bytes, millis, Request.getRemoteAddr(request));
    }

    private static long bodyBytes(Request request, Response response) {
        return request.getAttribute(BODY_BYTES) instanceof Long sent ? sent : Response.getContentBytesWritten(response);
    }

    /** One access log line in {@link #format}. The user comes from {@link AccessHandler#USER}; the source from the answer. */
    String accessLine(Request request, Response response, long nanos) {
        String time = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(Request.getTimeStamp(request)));
        String client = Request.getRemoteAddr(request);
        String user = request.getAttribute(AccessHandler.USER) instanceof String u ? printable(u) : "-";
        String method = printable(request.getMethod());
        String path = printable(request.getHttpURI().getPath());
        int status = response.getStatus();
        long bytes = bodyBytes(request, response);
        long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
        String source = response.getHeaders().get(ContentOrigin.HEADER);
        source = source == null ? "-" : printable(source);
        if (format == AccessLogFormat.JSON) {
            StringBuilder json = new StringBuilder(256);
            json.append("{\"time\":\"").append(time).append("\",\"client\":");
            jsonString(json, client);
            json.append(",\"user\":");
            jsonString(json, user);
            json.append(",\"method\":");
            jsonString(json, method);
            json.append(",\"path\":");
            jsonString(json, path);
            json.append(",\"status\":").append(status).append(",\"bytes\":").append(bytes).append(",\"durationMs\":")
                    .append(millis).append(",\"source\":");
            jsonString(json, source);
            return json.append('}').toString();
        }
        return time + ' ' + client + ' ' + user + ' ' + method + ' ' + path + ' ' + status + ' ' + bytes + ' ' + millis + "ms " + source;
    }

    private static void jsonString(StringBuilder json, String value) {
        json.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, json);
        json.append('"');
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
