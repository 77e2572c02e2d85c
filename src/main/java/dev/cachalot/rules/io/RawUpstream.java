package dev.cachalot.rules.io;

/**
 * A custom upstream from a Cachalot document. {@code authMode} as written (e.g. {@code BOTH}); null means both.
 *
 * @param problem why the entry could not be read at all, or null
 */
public record RawUpstream(String location, String displayName, String loginServer, String endpoint, String authMode,
                          String caCertPem, String problem) {
}
