package dev.cachalot.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.oci.MediaTypes;
import dev.cachalot.oci.RepositoryName;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.Test;

class PushEndpointsTest {

    @Test
    void contentRangeIsReadAsTheSpecWritesItAndAsHttpRangesAre() {
        assertThat(PushEndpoints.contentRange(range("0-9"))).containsExactly(0, 9);
        assertThat(PushEndpoints.contentRange(range("bytes=10-19"))).containsExactly(10, 19);
        assertThat(PushEndpoints.contentRange(range("bytes 20-29/30"))).containsExactly(20, 29);
        assertThat(PushEndpoints.contentRange(HttpFields.build())).isNull();
    }

    @Test
    void aMalformedOrBackwardsContentRangeIsUnsatisfiable() {
        for (String bad : new String[] {"9-0", "abc", "-5", "5-", "0-99999999999999999999"}) {
            assertThatThrownBy(() -> PushEndpoints.contentRange(range(bad))).as(bad)
                    .isInstanceOfSatisfying(DistributionException.class, e -> assertThat(e.status()).isEqualTo(416));
        }
    }

    @Test
    void theManifestMediaTypeDropsParameters() {
        assertThat(PushEndpoints.mediaType(HttpFields.build().put(HttpHeader.CONTENT_TYPE,
                MediaTypes.OCI_MANIFEST + "; charset=utf-8"))).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(PushEndpoints.mediaType(HttpFields.build())).isNull();
    }

    @Test
    void anEmptyUploadReportsRangeZeroToZeroAndItsLocation() {
        UploadId id = UploadId.random();
        UploadStatus status = new UploadStatus(RepositoryName.of("team/app"), id, 0);

        assertThat(status.range()).isEqualTo("0-0");
        assertThat(new UploadStatus(RepositoryName.of("team/app"), id, 10).range()).isEqualTo("0-9");
        assertThat(status.location()).isEqualTo("/v2/team/app/blobs/uploads/" + id.value());
    }

    @Test
    void uploadIdsAreCanonicalUuidsOnly() {
        assertThat(UploadId.parse(UploadId.random().value())).isNotNull();
        for (String bad : new String[] {"abc", "../../etc", "0B3C2F4E-8A1D-4C3E-9F2A-5D6E7F8A9B0C", ""}) {
            assertThatThrownBy(() -> UploadId.parse(bad)).as(bad)
                    .isInstanceOfSatisfying(DistributionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN));
        }
    }

    private static HttpFields range(String value) {
        return HttpFields.build().put(HttpHeader.CONTENT_RANGE, value);
    }
}
