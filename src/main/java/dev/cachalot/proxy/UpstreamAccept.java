package dev.cachalot.proxy;

import dev.cachalot.oci.MediaTypes;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code Accept} sent upstream for a client's manifest request. A distribution upstream converts a Docker v2
 * manifest to signed schema 1 when {@code Accept} lacks the Docker v2 types, and a wildcard does not count as
 * naming them: curl's default {@code Accept: *}{@code /*} or no header at all would get a schema 1 manifest, whose
 * digest differs from the image's. So a client that named no type, or accepts anything, is asked for as one that
 * named every modern type; a client that listed types gets exactly those (no conversion, ever).
 */
final class UpstreamAccept {

    private static final Set<String> WILDCARDS = Set.of("*/*", "application/*");

    private UpstreamAccept() {
    }

    static List<String> forClient(List<String> clientAccept) {
        if (clientAccept.isEmpty()) {
            return MediaTypes.DEFAULT_ACCEPT;
        }
        if (clientAccept.stream().noneMatch(WILDCARDS::contains)) {
            return clientAccept;
        }
        Set<String> types = new LinkedHashSet<>();
        clientAccept.stream().filter(t -> !WILDCARDS.contains(t)).forEach(types::add);
        types.addAll(MediaTypes.DEFAULT_ACCEPT);
        // The wildcard last, so that an artifact of a type nobody listed still comes back.
        clientAccept.stream().filter(WILDCARDS::contains).forEach(types::add);
        return List.copyOf(types);
    }
}
