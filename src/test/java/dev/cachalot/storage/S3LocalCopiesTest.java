package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.oci.Digest;
import dev.cachalot.testing.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bound on a node's local copies of bucket blobs ({@link S3Settings#localCopiesBytes()}), against a real S3Proxy:
 * a writer node puts blobs in the bucket, a reader node with a small bound serves them, and what stays in the reader's
 * data folder is checked on disk. An evicted copy is only a cache: it is downloaded again, verified, when served next.
 */
class S3LocalCopiesTest {

    private static final int MIB = 1024 * 1024;
    private static final AtomicInteger TESTS = new AtomicInteger();

    @TempDir
    static Path serverFolder;

    static S3ProxyServer server;

    @TempDir
    Path writerCache;

    @TempDir
    Path readerCache;

    private final List<S3BlobStore> opened = new ArrayList<>();
    private final String prefix = "copies-" + TESTS.incrementAndGet() + "/";

    @BeforeAll
    static void startServer() {
        server = S3ProxyServer.start(serverFolder);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
    }

    @AfterEach
    void closeStores() {
        opened.forEach(S3BlobStore::close);
    }

    private S3BlobStore open(Path cache, long bound) {
        S3BlobStore store = new S3BlobStore(server.settings(prefix).withLocalCopiesBytes(bound), new DataFolder(cache));
        opened.add(store);
        return store;
    }

    /** {@code count} blobs of one MiB each, stored in the bucket by a node of its own. */
    private List<Blob> storedBlobs(int count) throws Exception {
        S3BlobStore writer = open(writerCache, S3Settings.DEFAULT_LOCAL_COPIES_BYTES);
        List<Blob> blobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] content = new byte[MIB];
            new Random(100 + i).nextBytes(content);
            Digest digest = Digest.of("sha256", content);
            writer.put(digest, content);
            blobs.add(new Blob(digest, content));
        }
        return blobs;
    }

    private record Blob(Digest digest, byte[] content) {
    }

    private boolean copyOnDisk(Path cache, Blob blob) {
        return new FileBlobStore(new DataFolder(cache)).contains(blob.digest());
    }

    @Test
    void keepsTheMostRecentlyUsedCopiesWithinTheBound() throws Exception {
        List<Blob> blobs = storedBlobs(3);
        Blob a = blobs.get(0);
        Blob b = blobs.get(1);
        Blob c = blobs.get(2);
        S3BlobStore reader = open(readerCache, 2 * MIB + MIB / 2);

        reader.find(a.digest()).orElseThrow();
        reader.find(b.digest()).orElseThrow();
        reader.find(a.digest()).orElseThrow(); // a is now more recent than b
        reader.find(c.digest()).orElseThrow();

        assertThat(copyOnDisk(readerCache, a)).isTrue();
        assertThat(copyOnDisk(readerCache, b)).as("least recently used").isFalse();
        assertThat(copyOnDisk(readerCache, c)).isTrue();
        assertThat(reader.localCopiesBytes()).isEqualTo(2L * MIB);
        // Only a cache: served again from the bucket, verified, and a (now the eldest) makes room.
        assertThat(Files.readAllBytes(reader.find(b.digest()).orElseThrow())).isEqualTo(b.content());
        assertThat(copyOnDisk(readerCache, a)).isFalse();
        assertThat(copyOnDisk(readerCache, c)).isTrue();
        assertThat(reader.contains(a.digest())).as("still in the bucket").isTrue();
    }

    @Test
    void neverDeletesACopyAClientIsReading() throws Exception {
        List<Blob> blobs = storedBlobs(3);
        Set<Digest> reading = ConcurrentHashMap.newKeySet();
        S3BlobStore reader = open(readerCache, MIB + MIB / 2);
        reader.keepLocalCopiesOf(reading::contains);

        Path first = reader.find(blobs.get(0).digest()).orElseThrow();
        reading.add(blobs.get(0).digest());
        reader.find(blobs.get(1).digest()).orElseThrow();

        assertThat(first).exists();
        assertThat(copyOnDisk(readerCache, blobs.get(1))).as("just fetched, about to be served").isTrue();
        assertThat(reader.localCopiesBytes()).as("over the bound while both are needed").isEqualTo(2L * MIB);

        reader.find(blobs.get(2).digest()).orElseThrow();

        assertThat(first).exists();
        assertThat(copyOnDisk(readerCache, blobs.get(1))).isFalse();
        assertThat(copyOnDisk(readerCache, blobs.get(2))).isTrue();
    }

    @Test
    void countsTheCopiesFoundAtStart() throws Exception {
        List<Blob> blobs = storedBlobs(3);
        S3BlobStore before = open(readerCache, 10L * MIB);
        for (Blob blob : blobs) before.find(blob.digest()).orElseThrow();
        before.close();
        opened.remove(before);

        S3BlobStore restarted = open(readerCache, 2L * MIB);
        assertThat(restarted.localCopiesBytes()).isEqualTo(3L * MIB);
        restarted.find(blobs.get(2).digest()).orElseThrow();
        // Nothing new was copied, so nothing was over the bound yet; the next copy brings the total back within it.
        byte[] another = new byte[MIB / 2];
        new Random(7).nextBytes(another);
        restarted.put(Digest.of("sha256", another), another);

        assertThat(restarted.localCopiesBytes()).isLessThanOrEqualTo(2L * MIB);
        assertThat(copyOnDisk(readerCache, blobs.get(2))).as("used since the start").isTrue();
    }

    @Test
    void aWritersCopyCountsOnceTheBucketHasTheBlob() throws Exception {
        S3BlobStore writer = open(writerCache, MIB + MIB / 2);
        List<Digest> written = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] content = new byte[MIB];
            new Random(200 + i).nextBytes(content);
            Digest digest = Digest.of("sha256", content);
            writer.put(digest, content);
            written.add(digest);
        }

        assertThat(writer.localCopiesBytes()).isEqualTo(MIB);
        assertThat(new FileBlobStore(new DataFolder(writerCache)).contains(written.get(0))).isFalse();
        for (Digest d : written) {
            assertThat(writer.contains(d)).as("in the bucket").isTrue();
        }
    }
}
