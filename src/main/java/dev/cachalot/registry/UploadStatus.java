package dev.cachalot.registry;


import dev.cachalot.oci.RepositoryName;
/**
 * Where a blob upload stands: the repository it belongs to, its id and how many bytes were received so far.
 * The HTTP layer derives {@code Location}, {@code Range} and {@code Docker-Upload-UUID} from it.
 */
public record UploadStatus(RepositoryName name, UploadId id, long size) {

    /** {@code /v2/<name>/blobs/uploads/<id>}, where the client continues the upload. */
    public String location() {
        return "/v2/" + name.value() + "/blobs/uploads/" + id.value();
    }

    /**
     * The {@code Range} header value: {@code 0-<size-1>}. An empty upload reads {@code 0-0}, as CNCF
     * distribution answers (clients treat it as "nothing received yet").
     */
    public String range() {
        return "0-" + Math.max(0, size - 1);
    }
}
