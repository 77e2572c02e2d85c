package dev.cachalot.upstream;

import dev.cachalot.rules.Upstream;

/**
 * Which upstream repository to talk to, and as whom.
 *
 * @param repository    the path on the upstream ({@code library/nginx})
 * @param credentialSet the credential set to authenticate with, or null for anonymous
 */
public record UpstreamRequest(Upstream upstream, String repository, String credentialSet) {
}
