package dev.cachalot.upstream;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import java.io.IOException;
import okhttp3.Response;
import okio.Buffer;
import okio.BufferedSource;

/**
 * Reading and checking manifest bodies: bounded in size, and never returned unless their digest matches both the
 * upstream's {@code Docker-Content-Digest} and, for a pull by digest, the reference itself.
 */
final class ManifestBodies {


    private ManifestBodies() {
    }

    static byte[] readBounded(Response response, long limit, String context) throws IOException {
        long declared = response.body().contentLength();
        if (declared > limit) {
            throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, response.code(),
                    context + ": manifest of " + declared + " bytes exceeds the " + limit + "-byte limit");
        }
        BufferedSource source = response.body().source();
        Buffer buffer = new Buffer();
        while (buffer.size() <= limit) {
            if (source.read(buffer, 64 * 1024) == -1) {
                return buffer.readByteArray();
            }
        }
        throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, response.code(),
                context + ": manifest exceeds the " + limit + "-byte limit");
    }

    /** The body's digest, in the reference's algorithm when pulling by digest, else sha256; throws on mismatch. */
    static Digest verify(byte[] body, String dockerContentDigest, String reference, String context) throws UpstreamFailure {
        Digest byReference = Digest.isDigest(reference) ? parse(reference, context, "reference") : null;
        Digest computed = Digest.of(byReference != null ? byReference.algorithm() : "sha256", body);
        if (byReference != null && !byReference.equals(computed)) {
            throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, 200,
                    context + ": body does not match the requested digest (got " + computed + ")");
        }
        if (dockerContentDigest != null && !dockerContentDigest.isBlank()) {
            Digest claimed = parse(dockerContentDigest.trim(), context, "Docker-Content-Digest");
            Digest actual = claimed.algorithm().equals(computed.algorithm()) ? computed : Digest.of(claimed.algorithm(), body);
            if (!claimed.equals(actual)) {
                throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, 200,
                        context + ": body does not match Docker-Content-Digest " + claimed + " (got " + actual + ")");
            }
        }
        return computed;
    }

    /** The digest a HEAD announced; for a pull by digest it must be that digest. */
    static Digest headDigest(String dockerContentDigest, String reference, String context) {
        try {
            Digest claimed = parse(dockerContentDigest.trim(), context, "Docker-Content-Digest");
            if (Digest.isDigest(reference) && !parse(reference, context, "reference").equals(claimed)) {
                throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, 200,
                        context + ": Docker-Content-Digest " + claimed + " is not the requested digest");
            }
            return claimed;
        } catch (UpstreamFailure e) {
            throw e.toUpstreamException();
        }
    }

    static String stripParameters(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).trim();
    }

    private static Digest parse(String text, String context, String what) throws UpstreamFailure {
        try {
            return Digest.parse(text);
        } catch (DistributionException | IllegalArgumentException e) {
            throw new UpstreamFailure(UpstreamException.Kind.PROTOCOL, 200, context + ": unusable " + what + " digest");
        }
    }
}
