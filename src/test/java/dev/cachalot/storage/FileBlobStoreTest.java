package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.oci.Digest;
import dev.cachalot.storage.BlobStore.BlobWriter;
import dev.cachalot.storage.BlobStore.DigestMismatchException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlobStoreTest {

    @TempDir
    Path root;

    DataFolder folder;
    FileBlobStore store;

    @BeforeEach
    void setUp() {
        folder = new DataFolder(root);
        store = new FileBlobStore(folder);
    }

    static Digest digestOf(byte[] content) throws Exception {
        return Digest.sha256(MessageDigest.getInstance("SHA-256").digest(content));
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
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
        assertThat(store.read(d)).hasValueSatisfying(b -> assertThat(b).isEqualTo(content));
    }

    @Test
    void commitMakesBlobVisibleOnlyAfterVerification() throws Exception {
        byte[] content = randomBytes(3 * 1024 * 1024 + 17, 1);
        Digest d = digestOf(content);

        try (BlobWriter writer = store.newWriter(d)) {
            ByteBuffer direct = ByteBuffer.allocateDirect(content.length);
            direct.put(content).flip();
            // Feed it in uneven slices, as a network read loop would.
            int pos = 0;
            while (pos < content.length) {
                int len = Math.min(100_003, content.length - pos);
                writer.write(direct.slice(pos, len));
                pos += len;
                assertThat(store.contains(d)).isFalse();
            }
            assertThat(writer.written()).isEqualTo(content.length);
            assertThat(writer.tempFile()).startsWith(folder.tmp());

            Path committed = writer.commit();

            assertThat(committed).hasBinaryContent(content);
            assertThat(writer.tempFile()).doesNotExist();
        }
        assertThat(store.contains(d)).isTrue();
        assertThat(filesUnder(folder.tmp())).isEmpty();
    }

    @Test
    void writeConsumesTheCallersBuffer() throws Exception {
        byte[] content = randomBytes(5000, 2);
        try (BlobWriter writer = store.newWriter(digestOf(content))) {
            ByteBuffer src = ByteBuffer.allocateDirect(content.length).put(content).flip();
            writer.write(src);
            assertThat(src.hasRemaining()).isFalse();
            assertThat(writer.commit()).hasBinaryContent(content);
        }
    }

    @Test
    void mismatchLeavesNothingInBlobsNorTmp() throws Exception {
        byte[] claimed = "what the manifest promised".getBytes(StandardCharsets.UTF_8);
        byte[] actual = "what the upstream sent".getBytes(StandardCharsets.UTF_8);
        Digest d = digestOf(claimed);

        BlobWriter writer = store.newWriter(d);
        writer.write(ByteBuffer.wrap(actual));

        assertThatThrownBy(writer::commit)
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining(d.toString())
                .hasMessageContaining(digestOf(actual).toString());
        writer.close();

        assertThat(store.contains(d)).isFalse();
        assertThat(filesUnder(folder.blobs())).isEmpty();
        assertThat(filesUnder(folder.tmp())).isEmpty();
    }

    @Test
    void putRejectsContentThatDoesNotMatchItsDigest() throws Exception {
        Digest d = digestOf("a".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> store.put(d, "b".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DigestMismatchException.class);

        assertThat(store.read(d)).isEmpty();
        assertThat(filesUnder(root)).isEmpty();
    }

    @Test
    void closeWithoutCommitDeletesTheTempFile() throws Exception {
        byte[] content = randomBytes(1000, 3);
        Digest d = digestOf(content);
        Path temp;
        try (BlobWriter writer = store.newWriter(d)) {
            writer.write(ByteBuffer.wrap(content, 0, 500));
            temp = writer.tempFile();
            assertThat(temp).exists();
        }
        assertThat(temp).doesNotExist();
        assertThat(store.contains(d)).isFalse();
    }

    @Test
    void concurrentWritersOfOneDigestBothSucceedWithOneFile() throws Exception {
        byte[] content = randomBytes(256 * 1024, 4);
        Digest d = digestOf(content);
        int writers = 4;
        CountDownLatch allWritten = new CountDownLatch(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                results.add(pool.submit(() -> {
                    try (BlobWriter w = store.newWriter(d)) {
                        w.write(ByteBuffer.wrap(content));
                        allWritten.countDown();
                        allWritten.await();
                        return w.commit();
                    }
                }));
            }
            for (Future<Path> f : results) {
                assertThat(f.get()).isEqualTo(store.find(d).orElseThrow()).hasBinaryContent(content);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(filesUnder(folder.blobs())).hasSize(1);
        assertThat(filesUnder(folder.tmp())).isEmpty();
    }

    @Test
    void commitOfContentAlreadyPresentKeepsExistingFile() throws Exception {
        byte[] content = randomBytes(1024, 5);
        Digest d = digestOf(content);
        store.put(d, content);
        Path existing = store.find(d).orElseThrow();

        try (BlobWriter w = store.newWriter(d)) {
            w.write(ByteBuffer.wrap(content));
            assertThat(w.commit()).isEqualTo(existing);
        }
        assertThat(filesUnder(folder.tmp())).isEmpty();
    }

    @Test
    void sweepTempRemovesLeftoversOfAnEarlierRun() throws Exception {
        Files.writeString(folder.tmp().resolve("abc-1.part"), "partial");
        Files.writeString(folder.tmp().resolve("abc-2.part"), "partial");
        byte[] kept = "kept".getBytes(StandardCharsets.UTF_8);
        store.put(digestOf(kept), kept);

        assertThat(store.sweepTemp()).isEqualTo(2);

        assertThat(filesUnder(folder.tmp())).isEmpty();
        assertThat(store.contains(digestOf(kept))).isTrue();
        assertThat(store.sweepTemp()).isZero();
    }

    @Test
    void readerCanTailTheTempFileWhileItIsWritten() throws Exception {
        byte[] content = randomBytes(64 * 1024, 6);
        Digest d = digestOf(content);
        try (BlobWriter writer = store.newWriter(d);
             FileChannel reader = FileChannel.open(writer.tempFile(), StandardOpenOption.READ)) {
            ByteBuffer seen = ByteBuffer.allocate(content.length);
            int chunk = 8 * 1024;
            for (int pos = 0; pos < content.length; pos += chunk) {
                writer.write(ByteBuffer.wrap(content, pos, chunk));
                // Read exactly what the writer reports as written so far.
                long available = writer.written();
                seen.limit((int) available);
                while (seen.hasRemaining()) {
                    assertThat(reader.read(seen)).isPositive();
                }
            }
            assertThat(seen.array()).isEqualTo(content);
            writer.commit();
        }
        assertThat(store.contains(d)).isTrue();
    }

    @Test
    void deleteRemovesBlobFile() throws Exception {
        byte[] content = "gone soon".getBytes(StandardCharsets.UTF_8);
        Digest d = digestOf(content);
        store.put(d, content);

        assertThat(store.delete(d)).isTrue();
        assertThat(store.delete(d)).isFalse();
        assertThat(store.find(d)).isEmpty();
        assertThat(store.read(d)).isEmpty();
    }

    @Test
    void writerRejectsWritesAfterCommit() throws Exception {
        byte[] content = "x".getBytes(StandardCharsets.UTF_8);
        try (BlobWriter w = store.newWriter(digestOf(content))) {
            w.write(ByteBuffer.wrap(content));
            w.commit();
            assertThatThrownBy(() -> w.write(ByteBuffer.wrap(content))).isInstanceOf(IOException.class);
        }
    }

    @Test
    void buffersHandedOverAreHashedInOrderAndEachComesBackOnce() throws Exception {
        byte[] content = randomBytes(5 * 64 * 1024 + 123, 21);
        Digest digest = digestOf(content);
        java.util.concurrent.BlockingQueue<ByteBuffer> free = new java.util.concurrent.ArrayBlockingQueue<>(2);
        free.add(ByteBuffer.allocateDirect(64 * 1024));
        free.add(ByteBuffer.allocateDirect(64 * 1024));
        java.util.concurrent.atomic.AtomicInteger released = new java.util.concurrent.atomic.AtomicInteger();
        int chunks = 0;
        try (BlobWriter w = store.newWriter(digest, content.length)) {
            for (int off = 0; off < content.length; off += 64 * 1024) {
                // Only two buffers: the next write waits until the hasher handed one back.
                ByteBuffer buf = free.poll(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(buf).isNotNull();
                buf.clear().put(content, off, Math.min(64 * 1024, content.length - off)).flip();
                w.writeAndRelease(buf, b -> {
                    released.incrementAndGet();
                    free.add(b);
                });
                chunks++;
            }
            Path stored = w.commit();
            assertThat(Files.readAllBytes(stored)).isEqualTo(content);
        }
        assertThat(released.get()).isEqualTo(chunks);
    }

    @Test
    void aPlainWriteAfterHandedOverBuffersKeepsTheHashInWriteOrder() throws Exception {
        byte[] content = randomBytes(300_000, 22);
        Digest digest = digestOf(content);
        try (BlobWriter w = store.newWriter(digest, content.length)) {
            w.writeAndRelease(ByteBuffer.wrap(content, 0, 200_000).slice(), b -> { });
            w.write(ByteBuffer.wrap(content, 200_000, 100_000));
            assertThat(Files.readAllBytes(w.commit())).isEqualTo(content);
        }
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
        java.util.concurrent.atomic.AtomicInteger released = new java.util.concurrent.atomic.AtomicInteger();
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
