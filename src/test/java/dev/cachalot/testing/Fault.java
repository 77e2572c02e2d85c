package dev.cachalot.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A fault that {@link CountingProxy} injects into the next matching requests.
 *
 * <pre>{@code
 * proxy.inject(Fault.status(503), 2);                                   // next 2 requests: 503
 * proxy.inject(Fault.tooManyRequests(1).onlyFor("GET", "/v2/.+/manifests/.+"), 1);
 * proxy.inject(Fault.closeAfterBodyBytes(1024).onlyFor("GET", "/v2/.+/blobs/sha256:.+"), 1);
 * proxy.inject(Fault.corruptBodyByte(100).onlyFor("GET", "/v2/.+/blobs/sha256:.+"), 1);
 * proxy.inject(Fault.delay(Duration.ofSeconds(3)), 1);
 * }</pre>
 *
 * @param kind what happens
 * @param status the status of a {@link Kind#STATUS} answer (429 for {@link Kind#TOO_MANY_REQUESTS})
 * @param retryAfterSeconds {@code Retry-After} of a 429 answer (negative: no header)
 * @param delay how long a {@link Kind#DELAY} holds the request before forwarding it
 * @param offset body byte offset for {@link Kind#CLOSE_MID_BODY} and {@link Kind#CORRUPT_BODY_BYTE}
 * @param method the only HTTP method it applies to (null: any)
 * @param path a regex the request path (without query) must match (null: any)
 * @param header a {@link Kind#RESPONSE_HEADER}'s header line ({@code Name: value}), else null
 */
public record Fault(Kind kind, int status, int retryAfterSeconds, Duration delay, long offset, String method,
                    Pattern path, String header) {

    public Fault(Kind kind, int status, int retryAfterSeconds, Duration delay, long offset, String method, Pattern path) {
        this(kind, status, retryAfterSeconds, delay, offset, method, path, null);
    }

    public enum Kind {
        /** Answer with a status and a spec error body; the upstream never sees the request. */
        STATUS,
        /** Answer 429 with {@code Retry-After}; the upstream never sees the request. */
        TOO_MANY_REQUESTS,
        /** Wait, then forward as usual. */
        DELAY,
        /** Forward, then close the client's connection after {@code offset} body bytes. */
        CLOSE_MID_BODY,
        /** Forward, flipping the bits of the body byte at {@code offset}. */
        CORRUPT_BODY_BYTE,
        /** Forward, adding {@code header} to the upstream's answer (a rate-limit announcement, say). */
        RESPONSE_HEADER
    }

    /** Forward, adding the header line {@code name: value} to the answer. */
    public static Fault responseHeader(String name, String value) {
        return new Fault(Kind.RESPONSE_HEADER, 0, -1, Duration.ZERO, 0, null, null, name + ": " + value);
    }

    public static Fault status(int status) {
        return new Fault(Kind.STATUS, status, -1, Duration.ZERO, 0, null, null);
    }

    public static Fault tooManyRequests(int retryAfterSeconds) {
        return new Fault(Kind.TOO_MANY_REQUESTS, 429, retryAfterSeconds, Duration.ZERO, 0, null, null);
    }

    public static Fault delay(Duration delay) {
        return new Fault(Kind.DELAY, 0, -1, Objects.requireNonNull(delay), 0, null, null);
    }

    public static Fault closeAfterBodyBytes(long bytes) {
        return new Fault(Kind.CLOSE_MID_BODY, 0, -1, Duration.ZERO, bytes, null, null);
    }

    public static Fault corruptBodyByte(long offset) {
        return new Fault(Kind.CORRUPT_BODY_BYTE, 0, -1, Duration.ZERO, offset, null, null);
    }

    /** The same fault, only for requests with this method (null: any) whose path matches {@code pathRegex}. */
    public Fault onlyFor(String method, String pathRegex) {
        return new Fault(kind, status, retryAfterSeconds, delay, offset, method,
                pathRegex == null ? null : Pattern.compile(pathRegex), header);
    }

    boolean matches(String requestMethod, String requestPath) {
        return (method == null || method.equalsIgnoreCase(requestMethod))
                && (path == null || path.matcher(requestPath).matches());
    }
}
