package dev.cachalot.cache;

import dev.cachalot.registry.Digest;
import dev.cachalot.rules.Upstream;
import java.util.List;

/**
 * Talks to one upstream registry's OCI Distribution API on behalf of the cache. Implementations handle the
 * token flow, retries with backoff and redirects; callers see content or an {@link UpstreamException}.
 */
public interface UpstreamClient {

    /** GET a manifest, sending {@code accept} as the {@code Accept} header (never empty). */
    UpstreamManifest fetchManifest(UpstreamRequest request, String reference, List<String> accept);

    /** HEAD a manifest: digest and media type only. */
    UpstreamManifest.Head headManifest(UpstreamRequest request, String reference, List<String> accept);

    /** Opens a blob download; the caller closes it. Redirects to other hosts are followed without credentials. */
    UpstreamBlob openBlob(UpstreamRequest request, Digest digest);

    /** All tags of the repository (following the upstream's pagination, bounded). */
    List<String> tags(UpstreamRequest request);

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
