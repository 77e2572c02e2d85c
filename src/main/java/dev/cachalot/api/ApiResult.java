package dev.cachalot.api;

/**
 * What an operation answers: a status and a JSON value, raw bytes of a type, nothing (204), or a stream of events
 * written until the caller or the engine goes away.
 */
public record ApiResult(int status, Object json, String contentType, byte[] raw, EventStream stream) {

    public static ApiResult ok(Object json) {
        return new ApiResult(200, json, null, null, null);
    }

    public static ApiResult created(Object json) {
        return new ApiResult(201, json, null, null, null);
    }

    /** 202: a run started in the background; {@code json} is where it is now. */
    public static ApiResult accepted(Object json) {
        return new ApiResult(202, json, null, null, null);
    }

    public static ApiResult noContent() {
        return new ApiResult(204, null, null, null, null);
    }

    public static ApiResult bytes(String contentType, byte[] body) {
        return new ApiResult(200, null, contentType, body, null);
    }

    public static ApiResult events(EventStream stream) {
        return new ApiResult(200, null, "text/event-stream", null, stream);
    }

    static ApiResult error(int status, ApiError error) {
        return new ApiResult(status, error, null, null, null);
    }
}
