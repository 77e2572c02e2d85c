package dev.cachalot.storage;

import java.io.IOException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Turns the SDK's exceptions into the store's {@link IOException}s, with a message built from fields that hold no
 * secret: what was being done, the HTTP status and S3's error code. A server's own error text is left out on purpose:
 * some servers echo request details (signature inputs, the key id) into it.
 */
final class S3Failures {

    private S3Failures() {
    }

    static IOException of(String action, SdkException e) {
        return new IOException(describe(action, e), e);
    }

    static String describe(String action, SdkException e) {
        if (e instanceof S3Exception s3) {
            String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
            return "S3 " + action + " failed: HTTP " + s3.statusCode() + (code == null ? "" : " " + code)
                    + (s3.requestId() == null ? "" : " (request id " + s3.requestId() + ")");
        }
        if (e instanceof SdkClientException) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            // Connection-level causes (refused, reset, timed out) carry host and port at most.
            return "S3 " + action + " failed: " + root.getClass().getSimpleName()
                    + (root.getMessage() == null ? "" : ": " + root.getMessage());
        }
        return "S3 " + action + " failed: " + e.getClass().getSimpleName();
    }

    static boolean isStatus(SdkException e, int status) {
        return e instanceof S3Exception s3 && s3.statusCode() == status;
    }
}
