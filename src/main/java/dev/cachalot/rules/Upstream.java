package dev.cachalot.rules;

import java.net.URI;

/**
 * A source registry: the login server users write in rules ({@code docker.io}), the API endpoint the engine
 * talks to ({@code https://registry-1.docker.io}) and the auth it allows.
 *
 * @param displayName  e.g. "Docker Hub"
 * @param caCertPem    extra trusted CA certificate(s) in PEM for a custom HTTPS upstream, or null
 * @param builtIn      true for entries of the built-in catalog
 */
public record Upstream(String displayName, String loginServer, URI endpoint, AuthMode authMode, String caCertPem, boolean builtIn) {
}
