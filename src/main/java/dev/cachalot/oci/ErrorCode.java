package dev.cachalot.oci;

/** The error codes of the OCI Distribution Spec (plus TOOMANYREQUESTS as Docker Hub uses it), with their HTTP statuses. */
public enum ErrorCode {
    BLOB_UNKNOWN(404, "blob unknown to registry"),
    BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
    BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
    DIGEST_INVALID(400, "provided digest did not match uploaded content"),
    MANIFEST_BLOB_UNKNOWN(404, "manifest references a manifest or blob unknown to registry"),
    MANIFEST_INVALID(400, "manifest invalid"),
    MANIFEST_UNKNOWN(404, "manifest unknown to registry"),
    NAME_INVALID(400, "invalid repository name"),
    NAME_UNKNOWN(404, "repository name not known to registry"),
    SIZE_INVALID(400, "provided length did not match content length"),
    UNAUTHORIZED(401, "authentication required"),
    DENIED(403, "requested access to the resource is denied"),
    UNSUPPORTED(405, "the operation is unsupported"),
    TOOMANYREQUESTS(429, "too many requests"),
    /** Not a spec code: used as {@code UNKNOWN} with 502/503/504 when the upstream failed and nothing is cached. */
    UPSTREAM_UNAVAILABLE(502, "upstream registry unavailable"),
    RANGE_INVALID(416, "requested range not satisfiable");

    private final int status;
    private final String description;

    ErrorCode(int status, String description) {
        this.status = status;
        this.description = description;
    }

    public int status() {
        return status;
    }

    public String description() {
        return description;
    }

    /** The code as written in the JSON error body. */
    public String wireCode() {
        return switch (this) {
            case UPSTREAM_UNAVAILABLE, RANGE_INVALID -> "UNKNOWN";
            default -> name();
        };
    }
}
