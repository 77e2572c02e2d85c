package dev.cachalot.rules;

import dev.cachalot.oci.RepositoryName;

/**
 * How a requested name maps to an upstream.
 *
 * @param localName          the repository the content is cached under (inside the rule's target)
 * @param upstreamRepository the path on the upstream, without the login server ({@code library/nginx})
 */
public record Resolution(CacheRule rule, Upstream upstream, RepositoryName localName, String upstreamRepository) {
}
