package dev.cachalot.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import org.junit.jupiter.api.Test;

class RegistryPathTest {

    private static final String DIGEST = "sha256:" + "b".repeat(64);

    @Test
    void splitsEachRouteAtItsLastMarker() {
        assertThat(RegistryPath.parse("/v2/")).isEqualTo(new RegistryPath(RegistryPath.Route.BASE, null, null));
        assertThat(RegistryPath.parse("/v2")).isEqualTo(new RegistryPath(RegistryPath.Route.BASE, null, null));
        assertThat(RegistryPath.parse("/v2/a/b/manifests/latest"))
                .isEqualTo(new RegistryPath(RegistryPath.Route.MANIFEST, "a/b", "latest"));
        assertThat(RegistryPath.parse("/v2/a/manifests/b/manifests/v1"))
                .isEqualTo(new RegistryPath(RegistryPath.Route.MANIFEST, "a/manifests/b", "v1"));
        assertThat(RegistryPath.parse("/v2/blobs/blobs/" + DIGEST))
                .isEqualTo(new RegistryPath(RegistryPath.Route.BLOB, "blobs", DIGEST));
        assertThat(RegistryPath.parse("/v2/a/tags/list")).isEqualTo(new RegistryPath(RegistryPath.Route.TAGS, "a", null));
        assertThat(RegistryPath.parse("/v2/a/referrers/" + DIGEST))
                .isEqualTo(new RegistryPath(RegistryPath.Route.REFERRERS, "a", DIGEST));
        assertThat(RegistryPath.parse("/v2/a/blobs/uploads/")).isEqualTo(new RegistryPath(RegistryPath.Route.UPLOADS, "a", null));
        assertThat(RegistryPath.parse("/v2/a/blobs/uploads")).isEqualTo(new RegistryPath(RegistryPath.Route.UPLOADS, "a", null));
        assertThat(RegistryPath.parse("/v2/a/b/blobs/uploads/some-id"))
                .isEqualTo(new RegistryPath(RegistryPath.Route.UPLOADS, "a/b", "some-id"));
        assertThat(RegistryPath.parse("/v2/a/blobs/uploads/blobs/uploads/x"))
                .isEqualTo(new RegistryPath(RegistryPath.Route.UPLOADS, "a/blobs/uploads", "x"));
        assertThat(RegistryPath.parse("/v2/a/blobs/uploads/x/y").route()).isEqualTo(RegistryPath.Route.UNKNOWN);
    }

    @Test
    void pathsWithoutARouteAreUnknown() {
        for (String path : new String[] {"/", "/v1/x", "/v2x", "/v2/a", "/v2/a/manifests/", "/v2/a/manifests/x/y"}) {
            assertThat(RegistryPath.parse(path).route()).as(path).isEqualTo(RegistryPath.Route.UNKNOWN);
        }
    }

    @Test
    void rejectsEscapesBackslashesEmptyAndDotSegmentsBeforeDecoding() {
        for (String path : new String[] {"/v2/a%2fb/tags/list", "/v2/a/%2e%2e/tags/list", "/v2/a\\b/tags/list",
                "/v2/a//b/tags/list", "/v2/./a/tags/list", "/v2/a/../tags/list", "/v2/a/manifests/..", "/v2/a b/tags/list"}) {
            assertThatThrownBy(() -> RegistryPath.parse(path)).as(path)
                    .isInstanceOfSatisfying(DistributionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NAME_INVALID));
        }
    }

    @Test
    void dotsInsideSegmentsAreFine() {
        assertThat(RegistryPath.parse("/v2/a.b/c..d/manifests/v1.2").name()).isEqualTo("a.b/c..d");
    }
}
