package dev.cachalot.api;

import java.io.OutputStream;
import java.util.function.BiConsumer;

/**
 * What an operation answers: a status and a JSON value, raw bytes of a type, nothing (204), a stream of events
 * written until the caller or the engine goes away, or a body written as it is made ({@link Download}).
 */
public record ApiResult(int status, Object json, String contentType, byte[] raw, EventStream stream, Download download) {

    /**
     * A body too large to hold (a bundle's tar), written straight to the response. {@code header} sets a response
     * header; it may be called until the first byte is written. A failure before the first byte answers an error
     * body as any operation's would; after it, the response is cut (see {@link ManagementApi}).
     */
    @FunctionalInterface
    public interface Download {
        void write(BiConsumer<String, String> header, OutputStream body) throws Exception;
    }

    public static ApiResult ok(Object json) {
        return new ApiResult(200, json, null, null, null, null);
    }

    public static ApiResult created(Object json) {
        return new ApiResult(201, json, null, null, null, null);
    }

    /** 202: a run started in the background; {@code json} is where it is now. */
    public static ApiResult accepted(Object json) {
        return new ApiResult(202, json, null, null, null, null);
    }

    public static ApiResult noContent() {
        return new ApiResult(204, null, null, null, null, null);
    }

    public static ApiResult bytes(String contentType, byte[] body) {
        return new ApiResult(200, null, contentType, body, null, null);
    }

    public static ApiResult events(EventStream stream) {
        return new ApiResult(200, null, "text/event-stream", null, stream, null);
    }

    public static ApiResult download(String contentType, Download body) {
        return new ApiResult(200, null, contentType, null, null, body);
    }

    static ApiResult error(int status, ApiError error) {
        return new ApiResult(status, error, null, null, null, null);
    }
}
