package dev.cachalot.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.oci.MediaTypes;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RegistryHandlerTest extends RegistryTestSupport {

    private static final byte[] MANIFEST =
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void baseEndpointAnswersEmptyObjectWithApiVersion() throws Exception {
        HttpResponse<byte[]> response = get("/v2/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(text(response)).isEqualTo("{}");
        assertThat(response.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.headers().firstValue("Server")).isEmpty();
    }

    @Test
    void manifestByTagCarriesExactTypeDigestLengthEtagAndSource() throws Exception {
        Digest digest = backend.putManifest("library/nginx", "1.27", MANIFEST, MediaTypes.OCI_MANIFEST, ContentOrigin.STALE);

        HttpResponse<byte[]> response = get("/v2/library/nginx/manifests/1.27");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(MANIFEST);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_MANIFEST);
        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(response.headers().firstValue("Content-Length")).hasValue(String.valueOf(MANIFEST.length));
        assertThat(response.headers().firstValue("ETag")).hasValue("\"" + digest + "\"");
        assertThat(response.headers().firstValue("X-Cachalot-Source")).hasValue("stale");
    }

    @Test
    void manifestByDigestIsServedWithItsMediaTypeUnchanged() throws Exception {
        String odd = "application/vnd.docker.distribution.manifest.list.v2+json";
        Digest digest = backend.putManifest("team/app", null, MANIFEST, odd, ContentOrigin.CACHE);

        HttpResponse<byte[]> response = get("/v2/team/app/manifests/" + digest);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(odd);
        assertThat(response.headers().firstValue("X-Cachalot-Source")).hasValue("cache");
    }

    @Test
    void headManifestSendsTheHeadersWithoutABody() throws Exception {
        Digest digest = backend.putManifest("app", "v1", MANIFEST, MediaTypes.OCI_MANIFEST, ContentOrigin.CACHE);

        HttpResponse<byte[]> response = head("/v2/app/manifests/v1");
        RawHttp.Answer raw = RawHttp.send(server.port(),
                "HEAD /v2/app/manifests/v1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Length")).hasValue(String.valueOf(MANIFEST.length));
        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(raw.body()).isEmpty();
        assertThat(backend.contexts).allMatch(RequestContext::head);
    }

    @Test
    void unknownManifestIs404WithTheSpecErrorBody() throws Exception {
        HttpResponse<byte[]> response = get("/v2/app/manifests/missing");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(text(response)).isEqualTo(
                "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown: app missing\",\"detail\":{}}]}");
        assertThat(response.headers().firstValue("Docker-Content-Digest")).isEmpty();
    }

    @Test
    void acceptHeadersArePassedInOrderWithoutParameters() throws Exception {
        backend.putManifest("app", "v1", MANIFEST, MediaTypes.OCI_MANIFEST, ContentOrigin.CACHE);

        client.send(request("/v2/app/manifests/v1")
                        .header("Accept", MediaTypes.DOCKER_MANIFEST + "; q=0.9 , " + MediaTypes.OCI_INDEX)
                        .header("Accept", " " + MediaTypes.OCI_MANIFEST + ";q=0.5")
                        .GET().build(),
                HttpResponse.BodyHandlers.discarding());

        assertThat(backend.contexts.get(0).accept())
                .containsExactly(MediaTypes.DOCKER_MANIFEST, MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST);
        assertThat(backend.contexts.get(0).clientAddress()).isEqualTo("127.0.0.1");
        assertThat(backend.contexts.get(0).head()).isFalse();
    }

    @Test
    void nsQueryParameterBecomesTheNamespace() throws Exception {
        backend.putManifest("library/alpine", "3", MANIFEST, MediaTypes.OCI_MANIFEST, ContentOrigin.CACHE);

        HttpResponse<byte[]> response = get("/v2/library/alpine/manifests/3?ns=docker.io");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend.contexts.get(0).namespace()).isEqualTo("docker.io");
        assertThat(backend.contexts.get(0).accept()).isEmpty();
    }

    @Test
    void invalidNamespaceIsRejectedBeforeTheBackend() throws Exception {
        HttpResponse<byte[]> response = get("/v2/library/alpine/manifests/3?ns=evil%2F..%2Fhost");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(text(response)).contains(errorBody("NAME_INVALID"));
        assertThat(backend.calls).hasValue(0);
    }

    @Test
    void tagsListPagesWithALinkToTheNextPage() throws Exception {
        for (String tag : new String[] {"a", "b", "c", "d", "e"}) backend.putTag("app", tag);

        HttpResponse<byte[]> first = get("/v2/app/tags/list?n=2");
        HttpResponse<byte[]> second = get("/v2/app/tags/list?n=2&last=b");
        HttpResponse<byte[]> lastPage = get("/v2/app/tags/list?n=2&last=d");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(text(first)).isEqualTo("{\"name\":\"app\",\"tags\":[\"a\",\"b\"]}");
        assertThat(first.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(first.headers().firstValue("Link")).hasValue("</v2/app/tags/list?n=2&last=b>; rel=\"next\"");
        assertThat(text(second)).isEqualTo("{\"name\":\"app\",\"tags\":[\"c\",\"d\"]}");
        assertThat(text(lastPage)).isEqualTo("{\"name\":\"app\",\"tags\":[\"e\"]}");
        assertThat(lastPage.headers().firstValue("Link")).isEmpty();
    }

    @Test
    void tagsListWithoutNReturnsEverything() throws Exception {
        backend.putTag("app", "v1");
        backend.putTag("app", "v2");

        HttpResponse<byte[]> response = get("/v2/app/tags/list");

        assertThat(text(response)).isEqualTo("{\"name\":\"app\",\"tags\":[\"v1\",\"v2\"]}");
        assertThat(response.headers().firstValue("Link")).isEmpty();
    }

    @Test
    void tagsListRejectsANonNumericPageSize() throws Exception {
        HttpResponse<byte[]> response = get("/v2/app/tags/list?n=ten");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(text(response)).contains(errorBody("PAGINATION_NUMBER_INVALID"));
        assertThat(backend.calls).hasValue(0);
    }

    @Test
    void tagsOfAnUnknownRepositoryAre404NameUnknown() throws Exception {
        HttpResponse<byte[]> response = get("/v2/nothing/here/tags/list");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(text(response)).contains(errorBody("NAME_UNKNOWN"));
    }

    @Test
    void referrersAnswerAnIndexAndSayWhenFiltered() throws Exception {
        Digest subject = InMemoryBackend.digestOf(MANIFEST);

        HttpResponse<byte[]> filtered = get("/v2/app/referrers/" + subject + "?artifactType=application/vnd.example.sbom%2Bjson");
        HttpResponse<byte[]> all = get("/v2/app/referrers/" + subject);

        assertThat(filtered.statusCode()).isEqualTo(200);
        assertThat(filtered.headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_INDEX);
        assertThat(filtered.headers().firstValue("OCI-Filters-Applied")).hasValue("artifactType");
        assertThat(text(filtered)).contains("\"manifests\":[]");
        assertThat(all.headers().firstValue("OCI-Filters-Applied")).isEmpty();
        assertThat(all.headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_INDEX);
    }

    @Test
    void referrersRejectAnArtifactTypeThatIsNoMediaType() throws Exception {
        Digest subject = InMemoryBackend.digestOf(MANIFEST);

        HttpResponse<byte[]> response = get("/v2/app/referrers/" + subject + "?artifactType=not-a-type");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(backend.calls).hasValue(0);
    }

    @Test
    void pushMethodsAreUnsupported() throws Exception {
        String digest = InMemoryBackend.digestOf(MANIFEST).toString();
        HttpRequest[] pushes = {
                request("/v2/app/manifests/v1").PUT(HttpRequest.BodyPublishers.ofByteArray(MANIFEST)).build(),
                request("/v2/app/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()).build(),
                request("/v2/app/blobs/uploads/0b3c2f4e-8a1d-4c3e-9f2a-5d6e7f8a9b0c").method("PATCH", HttpRequest.BodyPublishers.ofString("x")).build(),
                request("/v2/app/manifests/" + digest).DELETE().build(),
                request("/v2/app/blobs/" + digest).DELETE().build(),
        };
        for (HttpRequest push : pushes) {
            HttpResponse<String> response = client.send(push, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(push.method() + " " + push.uri()).isEqualTo(405);
            assertThat(response.body()).contains(errorBody("UNSUPPORTED"));
        }
        assertThat(backend.calls).hasValue(0);
    }

    @Test
    void getOnAnUploadSessionIsUnsupportedNotADigestError() throws Exception {
        HttpResponse<byte[]> response = get("/v2/app/blobs/uploads/0b3c2f4e-8a1d-4c3e-9f2a-5d6e7f8a9b0c");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(text(response)).contains(errorBody("UNSUPPORTED"));
    }

    @Test
    void anUploadIdThatIsNotAUuidIsAnUnknownUploadBeforeTheBackendSeesIt() throws Exception {
        HttpResponse<byte[]> response = get("/v2/app/blobs/uploads/abc");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(text(response)).contains(errorBody("BLOB_UPLOAD_UNKNOWN"));
        assertThat(backend.calls).hasValue(0);
    }

    @Test
    void unknownPathsAre404WithAJsonBody() throws Exception {
        for (String path : new String[] {"/", "/v1/app", "/v2/app", "/v2/app/something/else", "/v2/app/manifests/"}) {
            HttpResponse<byte[]> response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).as(path).hasValue("application/json");
            assertThat(text(response)).as(path).startsWith("{\"errors\":[{\"code\":");
        }
        assertThat(backend.calls).hasValue(0);
    }

    @Test
    void backendErrorsKeepTheirStatusAndRetryAfter() throws Exception {
        backend.nextFailure = new DistributionException(ErrorCode.TOOMANYREQUESTS, 429, "upstream rate limit", 30L, null);

        HttpResponse<byte[]> response = get("/v2/app/manifests/v1");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(text(response)).isEqualTo(
                "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"upstream rate limit\",\"detail\":{}}]}");
    }

    @Test
    void upstreamUnavailableIsReportedAsUnknownWithItsStatus() throws Exception {
        backend.nextFailure = new DistributionException(ErrorCode.UPSTREAM_UNAVAILABLE, 503, "upstream down", null, null);

        HttpResponse<byte[]> response = get("/v2/app/manifests/v1");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(text(response)).contains(errorBody("UNKNOWN"));
    }

    @Test
    void unexpectedFailuresAre500WithoutDetails() throws Exception {
        backend.nextCrash = new IllegalStateException("secret path /home/user/.local/share/cachalot/db");

        HttpResponse<byte[]> response = get("/v2/app/manifests/v1");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(text(response)).isEqualTo(
                "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"internal server error\",\"detail\":{}}]}");
    }

    @Test
    void headErrorsHaveNoBody() throws Exception {
        HttpResponse<byte[]> response = head("/v2/app/manifests/missing");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEmpty();
    }
}
