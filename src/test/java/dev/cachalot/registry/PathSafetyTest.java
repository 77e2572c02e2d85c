package dev.cachalot.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Traversal and smuggling attempts, sent byte for byte over a raw socket (the JDK client would normalise them).
 * Each must get a 400 spec error body, and none may reach the backend.
 */
class PathSafetyTest extends RegistryTestSupport {

    private static final String DIGEST = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    @ParameterizedTest
    @ValueSource(strings = {
            "/v2/../etc/passwd",
            "/v2/library/../../../etc/manifests/latest",
            "/v2/library/nginx/../../blobs/" + DIGEST,
            "/v2/./library/nginx/manifests/latest",
            "/v2/library/nginx/manifests/..",
            "/v2/%2e%2e/%2e%2e/etc/manifests/latest",
            "/v2/library/%2E%2E/manifests/latest",
            "/v2/library%2Fnginx/manifests/latest",
            "/v2/library%2fnginx/manifests/latest",
            "/v2/library/nginx/manifests/..%2F..%2Fetc%2Fpasswd",
            "/v2/library/nginx/blobs/sha256:..%2f..%2f",
            "/v2/library/%252e%252e/manifests/latest",
            "/v2/library%5c..%5cnginx/manifests/latest",
            "/v2/library\\..\\nginx/manifests/latest",
            "/v2/library//nginx/manifests/latest",
            "/v2/library/nginx%00/manifests/latest",
            "/v2/library/ng%69nx/manifests/latest",
    })
    void traversalAttemptsAreRejectedAsInvalidNames(String rawPath) throws Exception {
        RawHttp.Answer answer = RawHttp.get(server.port(), rawPath);

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.header("Content-Type")).isEqualTo("application/json");
        assertThat(answer.text()).startsWith("{\"errors\":[{\"code\":\"NAME_INVALID\"");
        assertThat(backend.calls).hasValue(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/../v2/library/nginx/manifests/latest", "/v2x/../v2/app/manifests/latest", "/%2e%2e/v2/app/tags/list"})
    void pathsOutsideV2AreNotFoundAndNeverReachTheBackend(String rawPath) throws Exception {
        RawHttp.Answer answer = RawHttp.get(server.port(), rawPath);

        assertThat(answer.status()).isBetween(400, 404);
        assertThat(answer.header("Content-Type")).isEqualTo("application/json");
        assertThat(answer.text()).startsWith("{\"errors\":[{\"code\":");
        assertThat(backend.calls).hasValue(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/v2/Library/nginx/manifests/latest",
            "/v2/library/-nginx/manifests/latest",
            "/v2/library/nginx./manifests/latest",
            "/v2/library/ng:inx/manifests/latest",
    })
    void invalidNamesAreRejected(String rawPath) throws Exception {
        RawHttp.Answer answer = RawHttp.get(server.port(), rawPath);

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.text()).contains("\"code\":\"NAME_INVALID\"");
        assertThat(backend.calls).hasValue(0);
    }

    @org.junit.jupiter.api.Test
    void overlongNamesAreRejected() throws Exception {
        String name = "a".repeat(128) + "/" + "b".repeat(127); // 256 characters

        RawHttp.Answer answer = RawHttp.get(server.port(), "/v2/" + name + "/manifests/latest");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.text()).contains("\"code\":\"NAME_INVALID\"");
        assertThat(backend.calls).hasValue(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/v2/app/blobs/sha256:abc",
            "/v2/app/blobs/sha256:Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "/v2/app/blobs/md5:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "/v2/app/blobs/latest",
            "/v2/app/manifests/sha256:gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg",
            "/v2/app/referrers/sha256:123",
    })
    void badDigestsAreRejectedAsDigestInvalid(String rawPath) throws Exception {
        RawHttp.Answer answer = RawHttp.get(server.port(), rawPath);

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.text()).contains("\"code\":\"DIGEST_INVALID\"");
        assertThat(backend.calls).hasValue(0);
    }
}
