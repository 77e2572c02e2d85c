package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.oci.Digest;
import dev.cachalot.storage.BlobStore.BlobWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blob store contract on files in a temp data folder, plus the file layout only this store promises. */
class FileBlobStoreContractTest extends BlobStoreContract {

    @TempDir
    Path root;

    DataFolder folder;

    @Override
    protected BlobStore newStore() {
        folder = new DataFolder(root);
        return new FileBlobStore(folder);
    }

    @Override
    protected BlobHousekeeping housekeepingOf(BlobStore store) {
        return (FileBlobStore) store;
    }

    static List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void storesBlobUnderAlgorithmAndHexPrefix() throws Exception {
        byte[] content = "hello".getBytes(StandardCharsets.UTF_8);
        Digest d = digestOf(content);

        store.put(d, content);

        Path expected = root.resolve("blobs/sha256").resolve(d.hex().substring(0, 2)).resolve(d.hex());
        assertThat(store.find(d)).contains(expected);
        assertThat(expected).hasBinaryContent(content);
    }

    @Test
    void writesGoToTmpOnTheSameFileSystemAndLeaveNothingThere() throws Exception {
        byte[] content = randomBytes(10_000, 1);
        try (BlobWriter writer = store.newWriter(digestOf(content))) {
            writer.write(ByteBuffer.wrap(content));
            assertThat(writer.tempFile()).startsWith(folder.tmp());
            writer.commit();
            assertThat(writer.tempFile()).doesNotExist();
        }
        byte[] wrong = randomBytes(10, 2);
        try (BlobWriter writer = store.newWriter(digestOf(content))) {
            writer.write(ByteBuffer.wrap(wrong));
            assertThatThrownBy(writer::commit).isInstanceOf(BlobStore.DigestMismatchException.class);
        }
        assertThat(filesUnder(folder.tmp())).isEmpty();
        assertThat(filesUnder(folder.blobs())).hasSize(1);
    }

    @Test
    void sweepTempRemovesLeftoversOfAnEarlierRun() throws Exception {
        Files.writeString(folder.tmp().resolve("abc-1.part"), "partial");
        Files.writeString(folder.tmp().resolve("abc-2.part"), "partial");
        byte[] kept = "kept".getBytes(StandardCharsets.UTF_8);
        store.put(digestOf(kept), kept);

        assertThat(housekeeping.sweepTemp()).isEqualTo(2);

        assertThat(filesUnder(folder.tmp())).isEmpty();
        assertThat(store.contains(digestOf(kept))).isTrue();
    }

    @Test
    void theListingSkipsFilesThatAreNotWellPlacedBlobs() throws Exception {
        byte[] content = "a real blob".getBytes(StandardCharsets.UTF_8);
        store.put(digestOf(content), content);
        String hex = digestOf(content).hex();
        for (String stray : List.of("sha256/ab/not-a-digest", "sha256/" + hex.substring(0, 3) + "/" + hex,
                "sha256/00/" + hex, "md5/ab/abcdef", "sha256/README")) {
            Path file = folder.blobs().resolve(stray);
            Files.createDirectories(file.getParent());
            Files.writeString(file, "x");
        }

        assertThat(listed()).extracting(BlobHousekeeping.StoredBlob::digest).containsExactly(digestOf(content));
    }

    @Test
    void aHashingFailureFailsTheCommitAndLeavesNothingBehind() throws Exception {
        byte[] content = randomBytes(256 * 1024, 23);
        Digest digest = digestOf(content);
        FileBlobStore failing = new FileBlobStore(folder, d -> new MessageDigest("SHA-256") {
            private long seen;

            @Override
            protected void engineUpdate(byte input) {
                engineUpdate(new byte[] {input}, 0, 1);
            }

            @Override
            protected void engineUpdate(byte[] input, int offset, int len) {
                seen += len;
                if (seen > 100_000) throw new IllegalStateException("hasher broke");
            }

            @Override
            protected byte[] engineDigest() {
                return new byte[32];
            }

            @Override
            protected void engineReset() {
                seen = 0;
            }
        });
        AtomicInteger released = new AtomicInteger();
        try (BlobWriter w = failing.newWriter(digest, content.length)) {
            for (int off = 0; off < content.length; off += 64 * 1024) {
                try {
                    w.writeAndRelease(ByteBuffer.wrap(content, off, 64 * 1024).slice(), b -> released.incrementAndGet());
                } catch (IOException e) {
                    assertThat(e).hasMessageContaining("hasher broke");
                }
            }
            assertThatThrownBy(w::commit).isInstanceOf(IOException.class).hasMessageContaining("hasher broke");
        }
        assertThat(failing.find(digest)).isEmpty();
        assertThat(filesUnder(folder.tmp())).isEmpty();
        assertThat(filesUnder(folder.blobs())).isEmpty();
    }
}
