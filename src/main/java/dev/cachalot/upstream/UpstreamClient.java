package dev.cachalot.upstream;

import dev.cachalot.oci.Digest;
import dev.cachalot.rules.Upstream;
import java.util.List;

/**
 * Talks to one upstream registry's OCI Distribution API on behalf of the cache. Implementations handle the
 * token flow, retries with backoff and redirects; callers see content or an {@link UpstreamException}.
 */
public interface UpstreamClient {

    /** GET a manifest, sending {@code accept} as the {@code Accept} header (never empty). */
    UpstreamManifest fetchManifest(UpstreamRequest request, String reference, List<String> accept);

    /**
     * HEAD a manifest: digest and media type only. It revalidates a copy the caller already has, so it runs under the
     * short revalidation deadline ({@link UpstreamHttpSettings#revalidationTimeout()}): a caller with a copy in hand
     * serves it stale rather than keep its client waiting on a slow upstream.
     */
    UpstreamManifest.Head headManifest(UpstreamRequest request, String reference, List<String> accept);

    /** Opens a blob download; the caller closes it. Redirects to other hosts are followed without credentials. */
    UpstreamBlob openBlob(UpstreamRequest request, Digest digest);

    /**
     * The size of a blob, from a {@code HEAD} that downloads nothing, or -1 when the upstream did not say. A
     * {@code Docker-Content-Digest} that names another blob is refused as {@link UpstreamException.Kind#PROTOCOL}.
     *
     * <p>The default learns the size from a GET's headers and closes the body unread, for clients that cannot HEAD.
     *
     * @throws UpstreamException {@code NOT_FOUND} when the upstream does not have the blob, other kinds as for GET
     */
    default long headBlob(UpstreamRequest request, Digest digest) {
        try (UpstreamBlob blob = openBlob(request, digest)) {
            return blob.contentLength();
        }
    }

    /**
     * Opens the rest of a blob from byte {@code offset} on (a {@code Range} request), to resume a download whose
     * connection broke. The answer must be a 206 whose {@code Content-Range} starts exactly at {@code offset} and
     * runs to the end of the blob; anything else (a 200 with the whole blob, another range) is refused with an
     * {@link UpstreamException} of kind {@link UpstreamException.Kind#PROTOCOL}, since appending it would corrupt
     * the blob. The body's {@link UpstreamBlob#contentLength()} is the length of the rest.
     *
     * <p>The default supports only {@code offset == 0}.
     *
     * @throws UnsupportedOperationException when this client cannot resume downloads
     */
    default UpstreamBlob openBlob(UpstreamRequest request, Digest digest, long offset) {
        if (offset == 0) {
            return openBlob(request, digest);
        }
        throw new UnsupportedOperationException("this upstream client cannot resume blob downloads");
    }

    /**
     * All tags of the repository, following the upstream's pagination, bounded in pages, bytes and entries.
     *
     * @throws UpstreamException {@code PROTOCOL} when the list is longer than the bound; page through it with
     *                           {@link #tags(UpstreamRequest, int, String)} instead
     */
    List<String> tags(UpstreamRequest request);

    /**
     * One page of the repository's tags: at most {@code n} tags after {@code last} (null: from the first), asked of
     * the upstream with the same {@code n} and {@code last}, so that a client paging through a long list never makes
     * the cache hold all of it. An upstream may answer fewer than {@code n} and still have more.
     *
     * <p>The default pages through {@link #tags(UpstreamRequest)}.
     */
    default UpstreamTags tags(UpstreamRequest request, int n, String last) {
        java.util.TreeSet<String> all = new java.util.TreeSet<>(tags(request));
        List<String> after = List.copyOf(last == null ? all : all.tailSet(last, false));
        return after.size() > n ? new UpstreamTags(after.subList(0, n), true) : new UpstreamTags(after, false);
    }

    /**
     * The referrers of a manifest (signatures, SBOMs, attestations pointing at it as their subject): the image index
     * the OCI 1.1 referrers API answers ({@code GET /v2/<name>/referrers/<digest>}), or for an upstream without that
     * API the index its referrers tag points at ({@code sha256-<hex>}, the spec's fallback). Empty when neither exists.
     *
     * <p>The default knows no referrers.
     */
    default java.util.Optional<byte[]> referrers(UpstreamRequest request, Digest subject) {
        return java.util.Optional.empty();
    }

    /**
     * Checks that a credential set can log in to an upstream: {@code GET /v2/} with the auth flow (on a Bearer
     * challenge without a scope, a token request naming the service only). Reports the set's health on the way
     * like every other call.
     *
     * @throws UpstreamException {@code UNAUTHORIZED} when the login is refused, {@code UNAVAILABLE} when the
     *                           upstream cannot be reached, other kinds for other answers
     */
    default void checkLogin(Upstream upstream, String credentialSet) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot check a login");
    }
}
