package dev.cachalot.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/** One request to an operation: its path parameters, query and JSON body, read and checked on demand. */
public final class ApiCall {
    /** Rule files are the largest bodies (an import of 1,000 rules is well under 1 MiB). */
    static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

    private final Request request;
    private final Map<String, String> path;
    private Fields query;

    ApiCall(Request request, Map<String, String> path) {
        this.request = request;
        this.path = path;
    }

    public String path(String name) {
        return path.get(name);
    }

    /** A query parameter, or null when absent or empty. */
    public String query(String name) {
        if (query == null) query = Request.extractQueryParameters(request);
        String value = query.getValue(name);
        return value == null || value.isEmpty() ? null : value;
    }

    public String requiredQuery(String name) {
        String value = query(name);
        if (value == null) throw ApiException.invalid("the query parameter '" + name + "' is required");
        return value;
    }

    /** An ISO-8601 instant query parameter; {@code fallback} when absent. */
    public Instant instant(String name, Instant fallback) {
        String value = query(name);
        if (value == null) return fallback;
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.invalid("'" + name + "' must be an ISO-8601 time such as 2026-01-01T00:00:00Z, not '" + value + "'");
        }
    }

    /** The JSON body as {@code type}; 400 when it is missing, too large or not JSON of that shape. */
    public <T> T body(Class<T> type) throws IOException {
        byte[] bytes;
        try (InputStream in = Content.Source.asInputStream(request)) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new ApiException(413, ApiError.TOO_LARGE, "the request body is larger than " + MAX_BODY_BYTES / (1024 * 1024) + " MiB");
        }
        if (bytes.length == 0) throw ApiException.invalid("the request needs a JSON body");
        try {
            T value = ApiJson.mapper().readValue(bytes, type);
            if (value == null) throw ApiException.invalid("the request needs a JSON object, not null");
            return value;
        } catch (JsonProcessingException e) {
            throw ApiException.invalid("the request body is not valid JSON for this operation: " + e.getOriginalMessage());
        }
    }

    /**
     * The request body as a stream, for bodies that are not JSON and not bounded by {@link #MAX_BODY_BYTES} (a
     * bundle's tar): whoever reads it bounds it.
     */
    public InputStream bodyStream() {
        return Content.Source.asInputStream(request);
    }

    /** The body's declared length ({@code Content-Length}), or -1 when it is sent in chunks. */
    public long bodyLength() {
        return request.getLength();
    }

    /** The body's media type without parameters, lower case; null when not given. */
    public String contentType() {
        String type = request.getHeaders().get(org.eclipse.jetty.http.HttpHeader.CONTENT_TYPE);
        if (type == null) return null;
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).strip().toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code value}, or 400 naming the missing field. */
    public static <T> T required(T value, String field) {
        if (value == null || value instanceof String s && s.isBlank()) {
            throw ApiException.invalid("the field '" + field + "' is required");
        }
        return value;
    }
}
