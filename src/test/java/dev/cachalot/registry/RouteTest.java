package dev.cachalot.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Metrics label requests by these routes; a path must never land outside the fixed set. */
class RouteTest {

    @Test
    void classifiesEachEndpointOfTheSpecByItsShape() {
        assertThat(Route.of("/v2/library/nginx/manifests/1.27")).isEqualTo(Route.MANIFESTS);
        assertThat(Route.of("/v2/a/b/c/blobs/sha256:abc")).isEqualTo(Route.BLOBS);
        assertThat(Route.of("/v2/a/blobs/uploads/")).isEqualTo(Route.UPLOADS);
        assertThat(Route.of("/v2/a/blobs/uploads/1234-5678")).isEqualTo(Route.UPLOADS);
        assertThat(Route.of("/v2/a/tags/list")).isEqualTo(Route.TAGS);
        assertThat(Route.of("/v2/a/referrers/sha256:abc")).isEqualTo(Route.REFERRERS);
        assertThat(Route.of("/v2/")).isEqualTo(Route.OTHER);
        assertThat(Route.of("/metrics")).isEqualTo(Route.OTHER);
        assertThat(Route.of(null)).isEqualTo(Route.OTHER);
    }

    @Test
    void aRepositoryNamedLikeAnEndpointIsClassifiedByTheEndpointItAsksFor() {
        assertThat(Route.of("/v2/tags/list/manifests/latest")).isEqualTo(Route.MANIFESTS);
        assertThat(Route.of("/v2/manifests/blobs/sha256:abc")).isEqualTo(Route.BLOBS);
        assertThat(Route.of("/v2/blobs/uploads/blobs/sha256:abc")).isEqualTo(Route.BLOBS);
        assertThat(Route.of("/v2/team/manifests/tags/list")).isEqualTo(Route.TAGS);
    }
}
