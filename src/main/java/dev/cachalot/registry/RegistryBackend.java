package dev.cachalot.registry;

/**
 * What the HTTP layer serves. The HTTP layer validates and parses the request (names, references, digests,
 * ranges), the backend decides where content comes from (local store, upstream via a cache rule) so that the
 * handlers never know whether content came from the upstream. Every method may throw {@link RegistryException},
 * which the HTTP layer turns into a spec error body.
 */
public interface RegistryBackend {

    /** GET or HEAD of a manifest by tag or digest. */
    ManifestResult manifest(RepositoryName name, Reference reference, RequestContext context);

    /** GET or HEAD of a blob. */
    BlobResult blob(RepositoryName name, Digest digest, RequestContext context);

    /**
     * Tags of a repository in lexical order, starting after {@code last} (exclusive, may be null),
     * at most {@code n} of them ({@code n < 0}: all).
     */
    TagPage tags(RepositoryName name, int n, String last, RequestContext context);

    /** The referrers of {@code subject}, filtered by {@code artifactType} when not null. */
    Referrers referrers(RepositoryName name, Digest subject, String artifactType, RequestContext context);
}
