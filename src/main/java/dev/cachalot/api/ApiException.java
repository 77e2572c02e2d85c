package dev.cachalot.api;

/** A failure the API answers as it is: the status and the error body are decided where it is thrown. */
final class ApiException extends RuntimeException {
    private final int status;
    private final ApiError error;

    ApiException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.error = new ApiError(code, message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, ApiError.NOT_FOUND, message);
    }

    static ApiException invalid(String message) {
        return new ApiException(400, ApiError.INVALID_REQUEST, message);
    }

    int status() {
        return status;
    }

    ApiError error() {
        return error;
    }
}
