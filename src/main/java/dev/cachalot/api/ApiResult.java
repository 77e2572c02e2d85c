package dev.cachalot.api;

/** What an operation answers: a status and a JSON value, raw bytes of a type, or nothing (204). */
public record ApiResult(int status, Object json, String contentType, byte[] raw) {

    public static ApiResult ok(Object json) {
        return new ApiResult(200, json, null, null);
    }

    public static ApiResult created(Object json) {
        return new ApiResult(201, json, null, null);
    }

    public static ApiResult noContent() {
        return new ApiResult(204, null, null, null);
    }

    public static ApiResult bytes(String contentType, byte[] body) {
        return new ApiResult(200, null, contentType, body);
    }
}
