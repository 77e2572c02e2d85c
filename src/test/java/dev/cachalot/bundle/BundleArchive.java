package dev.cachalot.bundle;

import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Builds bundle archives in memory for tests, good or hostile: entries are written exactly as given (absolute names
 * and {@code ..} kept), so a test can make any archive an attacker could.
 */
public final class BundleArchive {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

    public BundleArchive() {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    /** A whole, valid bundle of {@code image} tagged {@code refName}. */
    public static BundleArchive of(TestImage image, String refName) {
        return new BundleArchive().layout().index(refName, image).blobsOf(image);
    }

    public BundleArchive layout() {
        return file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
    }

    public BundleArchive index(String refName, TestImage image) {
        return index(java.util.Map.of(refName, image));
    }

    /** An index.json naming each image by its ref name ({@code REPOSITORY:TAG}). */
    public BundleArchive index(java.util.Map<String, TestImage> refNames) {
        List<String> descriptors = new ArrayList<>();
        for (var e : new java.util.TreeMap<>(refNames).entrySet()) {
            TestImage image = e.getValue();
            descriptors.add("{\"mediaType\":\"" + image.mediaType() + "\",\"digest\":\"" + image.digest() + "\",\"size\":"
                    + image.manifestSize() + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + e.getKey() + "\"}}");
        }
        String json = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + String.join(",", descriptors) + "]}";
        return file("index.json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** The manifests and blobs of an image (and of an index's platform images). */
    public BundleArchive blobsOf(TestImage image) {
        List<String> written = new ArrayList<>();
        for (TestImage m : image.manifests()) {
            blob(m.digest(), m.manifest());
        }
        for (TestBlob b : image.blobs()) {
            if (!written.contains(b.digest())) blob(b.digest(), content(b));
            written.add(b.digest());
        }
        return this;
    }

    /** A blob's bytes; a big layer's are read from its file (the archive is built in memory anyway). */
    private static byte[] content(TestBlob blob) {
        try (java.io.InputStream in = blob.open()) {
            return in.readAllBytes();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    public BundleArchive blob(String digest, byte[] content) {
        return file("blobs/sha256/" + digest.substring("sha256:".length()), content);
    }

    public BundleArchive file(String name, byte[] content) {
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(content.length);
        return put(e, content);
    }

    public BundleArchive link(String name, byte type, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setLinkName(target);
        return put(e, null);
    }

    public BundleArchive device(String name) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_CHR, true);
        e.setDevMajor(1);
        e.setDevMinor(3);
        return put(e, null);
    }

    private BundleArchive put(TarArchiveEntry e, byte[] content) {
        try {
            tar.putArchiveEntry(e);
            if (content != null) tar.write(content);
            tar.closeArchiveEntry();
            return this;
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    public byte[] bytes() {
        try {
            tar.finish();
            tar.flush();
            return bytes.toByteArray();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    /** A tar holding only the header of a regular file that declares {@code size} bytes (none follow). */
    public static byte[] headerOnly(String name, long size) {
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(size);
        byte[] header = new byte[512];
        // star (base-256) numbers: sizes beyond the 8 GiB an octal field holds
        try {
            e.writeEntryHeader(header, org.apache.commons.compress.archivers.zip.ZipEncodingHelper.getZipEncoding("UTF-8"), true);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return header;
    }
}
