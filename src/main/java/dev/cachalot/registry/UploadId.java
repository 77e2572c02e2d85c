package dev.cachalot.registry;

import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The id of a blob upload session: a random UUID in its canonical lowercase form. Checked with an anchored
 * pattern before it reaches a backend, so an id can safely become part of a temp file name.
 */
public record UploadId(String value) {

    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    public UploadId {
        if (value == null || !UUID_TEXT.matcher(value).matches()) {
            throw unknown();
        }
    }

    /** A new random id. */
    public static UploadId random() {
        return new UploadId(UUID.randomUUID().toString());
    }

    /** Parses an id from a request path; anything but a canonical UUID is an upload this registry never started. */
    public static UploadId parse(String text) {
        return new UploadId(text);
    }

    private static DistributionException unknown() {
        return new DistributionException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "blob upload unknown: upload ids are UUIDs this registry hands out");
    }

    @Override
    public String toString() {
        return value;
    }
}
