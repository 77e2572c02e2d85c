package dev.cachalot.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The error codes the OCI Distribution Spec and its conformance suite expect for references, digests and names
 * that are not well formed. The suite (v1.0.1 and v1.1.1, pull and push workflows) asks for
 * {@code .INVALID_MANIFEST_NAME} as its "nonexistent manifest" and expects 404, as CNCF distribution answers:
 * a string that cannot be a tag names no manifest. A digest that cannot be one is {@code DIGEST_INVALID}, and a
 * name that cannot be one is {@code NAME_INVALID}, never a generic {@code NOT_FOUND} or {@code UNKNOWN}.
 */
class SpecErrorCodesTest extends RegistryTestSupport {

    private static final String CONFORMANCE_NONEXISTENT_MANIFEST = ".INVALID_MANIFEST_NAME";

    @Test
    void getOfTheConformanceSuitesInvalidTagIsManifestUnknown() throws Exception {
        HttpResponse<byte[]> response = get("/v2/library/app/manifests/" + CONFORMANCE_NONEXISTENT_MANIFEST);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(text(response)).contains(errorBody("MANIFEST_UNKNOWN"));
        assertThat(backend.calls).hasValue(0);
    }

    @Test
    void headOfAnInvalidTagIsNotFound() throws Exception {
        HttpResponse<byte[]> response = head("/v2/library/app/manifests/" + CONFORMANCE_NONEXISTENT_MANIFEST);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(backend.calls).hasValue(0);
    }

    @Test
    void putToAnInvalidTagIsManifestUnknown() throws Exception {
        HttpResponse<byte[]> response = client.send(request("/v2/library/app/manifests/" + CONFORMANCE_NONEXISTENT_MANIFEST)
                        .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"schemaVersion\":2}")).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(text(response)).contains(errorBody("MANIFEST_UNKNOWN"));
        assertThat(backend.calls).hasValue(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {".hidden", "-leading-dash", "has+plus", "tag~tilde", "x12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678"})
    void everyStringThatCannotBeATagIsManifestUnknown(String tag) throws Exception {
        HttpResponse<byte[]> response = get("/v2/library/app/manifests/" + tag);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(text(response)).contains(errorBody("MANIFEST_UNKNOWN"));
    }

    @Test
    void aMalformedDigestAsAManifestReferenceStaysDigestInvalid() throws Exception {
        // The conformance suite's "400 response body should contain OCI-conforming JSON message" case.
        HttpResponse<byte[]> response = get("/v2/library/app/manifests/sha256:totallywrong");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(text(response)).contains(errorBody("DIGEST_INVALID"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/v2/library/app/blobs/sha256:../x",
            "/v2/library/app/manifests/sha256:../x",
            "/v2/library/app/referrers/sha256:../x",
    })
    void aDigestWithAPathInItIsDigestInvalid(String rawPath) throws Exception {
        RawHttp.Answer answer = RawHttp.get(server.port(), rawPath);

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.header("Content-Type")).isEqualTo("application/json");
        assertThat(answer.text()).contains(errorBody("DIGEST_INVALID"));
        assertThat(backend.calls).hasValue(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v2/library/ng\0inx/manifests/latest", "/v2/library/nginx\0/blobs/sha256:"})
    void aRawNulInTheNameIsNameInvalid(String rawPath) throws Exception {
        RawHttp.Answer answer = RawHttp.get(server.port(), rawPath);

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.header("Content-Type")).isEqualTo("application/json");
        assertThat(answer.text()).contains(errorBody("NAME_INVALID"));
        assertThat(backend.calls).hasValue(0);
    }

    @Test
    void aNulInAHeaderIsABadRequestButNotANameProblem() throws Exception {
        RawHttp.Answer answer = RawHttp.send(server.port(),
                "GET /v2/library/app/manifests/latest HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Probe: a\0b\r\nConnection: close\r\n\r\n");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.text()).doesNotContain("NAME_INVALID");
        assertThat(backend.calls).hasValue(0);
    }
}
