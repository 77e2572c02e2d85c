package dev.cachalot.storage;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how the S3 blob store keeps blobs.
 *
 * @param endpoint            the S3 API's base address (any S3-compatible server: MinIO, Ceph, S3Proxy, AWS)
 * @param region              the signing region; S3-compatible servers mostly accept any (e.g. {@code us-east-1})
 * @param bucket              an existing bucket
 * @param prefix              where in the bucket this cache's keys start: empty, or ending in {@code /}
 * @param pathStyle           {@code http://host/bucket/key} instead of {@code http://bucket.host/key}: what most
 *                            S3-compatible servers need, since they have no wildcard DNS per bucket
 * @param credentials         the access key
 * @param partSize            bytes per part of a multipart upload (at least 5 MiB, S3's floor for all parts but the
 *                            last); a blob no larger than one part is stored with one PUT
 * @param presignedRedirects  how long a presigned GET URL for a warm blob stays valid; {@link Duration#ZERO} turns
 *                            redirects off (the default): the engine then serves every byte itself
 * @param abandonedUploadsAge how old an unfinished multipart upload must be before housekeeping aborts it: other
 *                            nodes sharing the bucket may still be filling younger ones
 * @param localCopiesBytes    how many bytes of local copies of the bucket's blobs this node keeps in its data folder
 *                            (it serves files, so every blob it serves is copied there first); past it the least
 *                            recently used copies that no client of this node is reading are deleted. 0 keeps only
 *                            the copies being read and the one just fetched
 */
public record S3Settings(URI endpoint, String region, String bucket, String prefix, boolean pathStyle,
                         S3Credentials credentials, long partSize, Duration presignedRedirects,
                         Duration abandonedUploadsAge, long localCopiesBytes) {

    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    public static final long DEFAULT_PART_SIZE = 16L * 1024 * 1024;
    public static final Duration DEFAULT_ABANDONED_UPLOADS_AGE = Duration.ofHours(24);
    /** Ten blobs of a few GiB, or thousands of ordinary layers: the working set of a busy node, on any server disk. */
    public static final long DEFAULT_LOCAL_COPIES_BYTES = 20L * 1024 * 1024 * 1024;

    public S3Settings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(credentials, "credentials");
        if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme())) {
            throw new IllegalArgumentException("the S3 endpoint must be an http or https address, not " + endpoint);
        }
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("the S3 region is empty");
        }
        if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("'" + bucket + "' is not an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)");
        }
        prefix = prefix == null ? "" : prefix;
        if (!prefix.isEmpty() && (!prefix.endsWith("/") || prefix.startsWith("/"))) {
            throw new IllegalArgumentException("the S3 key prefix must end with '/' and not start with one: '" + prefix + "'");
        }
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("the S3 part size must be at least " + MIN_PART_SIZE + " bytes");
        }
        Objects.requireNonNull(presignedRedirects, "presignedRedirects");
        Objects.requireNonNull(abandonedUploadsAge, "abandonedUploadsAge");
        if (presignedRedirects.isNegative() || abandonedUploadsAge.isNegative()) {
            throw new IllegalArgumentException("S3 durations must not be negative");
        }
        if (localCopiesBytes < 0) {
            throw new IllegalArgumentException("the bound on local copies must not be negative");
        }
    }

    /** The same settings with the default bound on local copies. */
    public S3Settings(URI endpoint, String region, String bucket, String prefix, boolean pathStyle,
                      S3Credentials credentials, long partSize, Duration presignedRedirects, Duration abandonedUploadsAge) {
        this(endpoint, region, bucket, prefix, pathStyle, credentials, partSize, presignedRedirects, abandonedUploadsAge,
                DEFAULT_LOCAL_COPIES_BYTES);
    }

    /** Path-style, 16 MiB parts, no redirects, uploads abandoned after a day, 20 GiB of local copies. */
    public static S3Settings of(URI endpoint, String region, String bucket, String prefix, S3Credentials credentials) {
        return new S3Settings(endpoint, region, bucket, prefix, true, credentials, DEFAULT_PART_SIZE, Duration.ZERO,
                DEFAULT_ABANDONED_UPLOADS_AGE);
    }

    public S3Settings withPartSize(long bytes) {
        return new S3Settings(endpoint, region, bucket, prefix, pathStyle, credentials, bytes, presignedRedirects, abandonedUploadsAge,
                localCopiesBytes);
    }

    public S3Settings withPresignedRedirects(Duration validity) {
        return new S3Settings(endpoint, region, bucket, prefix, pathStyle, credentials, partSize, validity, abandonedUploadsAge,
                localCopiesBytes);
    }

    public S3Settings withAbandonedUploadsAge(Duration age) {
        return new S3Settings(endpoint, region, bucket, prefix, pathStyle, credentials, partSize, presignedRedirects, age,
                localCopiesBytes);
    }

    public S3Settings withPathStyle(boolean on) {
        return new S3Settings(endpoint, region, bucket, prefix, on, credentials, partSize, presignedRedirects, abandonedUploadsAge,
                localCopiesBytes);
    }

    public S3Settings withLocalCopiesBytes(long bytes) {
        return new S3Settings(endpoint, region, bucket, prefix, pathStyle, credentials, partSize, presignedRedirects,
                abandonedUploadsAge, bytes);
    }
}
