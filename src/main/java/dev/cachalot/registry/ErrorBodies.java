package dev.cachalot.registry;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.cachalot.oci.DistributionException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Writes the OCI Distribution Spec error body: {@code {"errors":[{"code":…,"message":…,"detail":{}}]}}.
 * Messages come from {@link DistributionException}s (safe to show by contract) or are fixed texts; never a stack trace.
 */
final class ErrorBodies {

    static final HttpField JSON = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");

    private ErrorBodies() {
    }

    static byte[] body(String wireCode, String message) {
        StringBuilder json = new StringBuilder(64 + message.length());
        json.append("{\"errors\":[{\"code\":\"");
        JsonStringEncoder.getInstance().quoteAsString(wireCode, json);
        json.append("\",\"message\":\"");
        JsonStringEncoder.getInstance().quoteAsString(message, json);
        json.append("\",\"detail\":{}}]}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Sends {@code status} with an error body (headers only for HEAD, as HTTP requires). */
    static void send(Response response, Callback callback, int status, String wireCode, String message, boolean head) {
        byte[] body = body(wireCode, message);
        response.setStatus(status);
        response.getHeaders().put(JSON);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if (head) {
            EmptyAnswer.send(response, callback);
        } else {
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }

    static void send(Response response, Callback callback, DistributionException e, boolean head) {
        if (e.retryAfterSeconds() != null) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, e.retryAfterSeconds());
        }
        String message = e.getMessage() == null ? e.code().description() : e.getMessage();
        send(response, callback, e.status(), e.code().wireCode(), message, head);
    }
}
