package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.oci.Digest;
import dev.cachalot.storage.BlobHousekeeping.StoredBlob;
import dev.cachalot.storage.BlobStore.BlobWriter;
import dev.cachalot.storage.BlobStore.DigestMismatchException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every blob store must do: {@link BlobStore} for the registry path and {@link BlobHousekeeping} for upkeep, on
 * one store. An implementation's test extends this and makes a fresh, empty store per test. "Leaves nothing behind"
 * is checked through the interfaces: nothing listed, nothing for {@link BlobHousekeeping#sweepTemp()} to remove.
 */
public abstract class BlobStoreContract {

    protected BlobStore store;
    protected BlobHousekeeping housekeeping;

    /** A new, empty store; called before every test. */
    protected abstract BlobStore newStore() throws Exception;

    /** The housekeeping side of the store {@link #newStore()} made last. */
    protected abstract BlobHousekeeping housekeepingOf(BlobStore store);

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
        housekeeping = housekeepingOf(store);
    }

    static Digest digestOf(byte[] content) {
        return Digest.of("sha256", content);
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    List<StoredBlob> listed() throws IOException {
        List<StoredBlob> blobs = new ArrayList<>();
        housekeeping.forEachBlob(blobs::add);
        return blobs;
    }

    void assertNothingLeftBehind() throws IOException {
        assertThat(listed()).as("blobs listed").isEmpty();
        assertThat(housekeeping.sweepTemp()).as("temp files left").isZero();
    }

    @Test
    void putThenFindReadAndContains() throws Exception {
        byte[] content = "hello".getBytes(StandardCharsets.UTF_8);
        Digest d = digestOf(content);

        store.put(d, content);

        assertThat(store.contains(d)).isTrue();
        assertThat(store.find(d)).hasValueSatisfying(p -> assertThat(p).hasBinaryContent(content));
        assertThat(store.read(d)).hasValueSatisfying(b -> assertThat(b).isEqualTo(content));
    }

    @Test
    void putOfContentAlreadyStoredChangesNothing() throws Exception {
        byte[] content = "twice".getBytes(StandardCharsets.UTF_8);
        Digest d = digestOf(content);
        store.put(d, content);

        store.put(d, content);

        assertThat(listed()).extracting(StoredBlob::digest).containsExactly(d);
        assertThat(store.read(d)).hasValueSatisfying(b -> assertThat(b).isEqualTo(content));
    }

    @Test
    void putVerifiedFileStoresItsContentAndTakesTheFileOver(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        byte[] content = randomBytes(200_000, 17);
        Digest d = digestOf(content);
        Path file = java.nio.file.Files.write(dir.resolve("staged"), content);
        Path again = java.nio.file.Files.write(dir.resolve("staged-again"), content);

        store.putVerifiedFile(d, file);
        store.putVerifiedFile(d, again);

        assertThat(store.read(d)).hasValueSatisfying(b -> assertThat(b).isEqualTo(content));
        assertThat(listed()).extracting(StoredBlob::digest).containsExactly(d);
        assertThat(file).doesNotExist();
        assertThat(again).doesNotExist();
    }

    @Test
    void missingBlobsAnswerEmpty() throws Exception {
        Digest d = digestOf("never stored".getBytes(StandardCharsets.UTF_8));

        assertThat(store.find(d)).isEmpty();
        assertThat(store.contains(d)).isFalse();
        assertThat(store.read(d)).isEmpty();
    }

    @Test
    void sha512BlobsAreStoredToo() throws Exception {
        byte[] content = "by sha512".getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.of("sha512", content);

        store.put(d, content);

        assertThat(store.read(d)).hasValueSatisfying(b -> assertThat(b).isEqualTo(content));
        assertThat(listed()).extracting(StoredBlob::digest).containsExactly(d);
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
            assertThat(listed()).as("a blob being written is not listed").isEmpty();

            Path committed = writer.commit();

            assertThat(committed).hasBinaryContent(content);
        }
        assertThat(store.contains(d)).isTrue();
        assertThat(housekeeping.sweepTemp()).isZero();
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
    void aWriterWithAnExpectedSizeStoresExactlyWhatWasWritten() throws Exception {
        byte[] content = randomBytes(10_000, 3);
        try (BlobWriter writer = store.newWriter(digestOf(content), content.length)) {
            writer.write(ByteBuffer.wrap(content));
            assertThat(writer.commit()).hasBinaryContent(content);
        }
        // A size that was wrong: the blob is what was written, and its digest decides.
        byte[] shorter = randomBytes(100, 4);
        try (BlobWriter writer = store.newWriter(digestOf(shorter), 5_000)) {
            writer.write(ByteBuffer.wrap(shorter));
            assertThat(writer.commit()).hasBinaryContent(shorter);
        }
    }

    @Test
    void aDigestMismatchLeavesNothingBehind() throws Exception {
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
        assertNothingLeftBehind();
    }

    @Test
    void putRejectsContentThatDoesNotMatchItsDigest() throws Exception {
        Digest d = digestOf("a".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> store.put(d, "b".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DigestMismatchException.class);

        assertThat(store.read(d)).isEmpty();
        assertNothingLeftBehind();
    }

    @Test
    void closeWithoutCommitLeavesNothingBehind() throws Exception {
        byte[] content = randomBytes(1000, 5);
        Digest d = digestOf(content);
        try (BlobWriter writer = store.newWriter(d)) {
            writer.write(ByteBuffer.wrap(content, 0, 500));
        }
        assertThat(store.contains(d)).isFalse();
        assertNothingLeftBehind();
    }

    @Test
    void concurrentWritersOfOneDigestAllSucceedWithOneBlob() throws Exception {
        byte[] content = randomBytes(256 * 1024, 6);
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
                assertThat(f.get()).hasBinaryContent(content);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(listed()).extracting(StoredBlob::digest).containsExactly(d);
        assertThat(housekeeping.sweepTemp()).isZero();
    }

    @Test
    void commitOfContentAlreadyStoredKeepsTheStoredBlob() throws Exception {
        byte[] content = randomBytes(1024, 7);
        Digest d = digestOf(content);
        store.put(d, content);
        Path existing = store.find(d).orElseThrow();

        try (BlobWriter w = store.newWriter(d)) {
            w.write(ByteBuffer.wrap(content));
            assertThat(w.commit()).isEqualTo(existing);
        }
        assertThat(housekeeping.sweepTemp()).isZero();
    }

    @Test
    void readerCanTailTheTempFileWhileItIsWritten() throws Exception {
        byte[] content = randomBytes(64 * 1024, 8);
        Digest d = digestOf(content);
        try (BlobWriter writer = store.newWriter(d);
             FileChannel reader = FileChannel.open(writer.tempFile(), StandardOpenOption.READ)) {
            ByteBuffer seen = ByteBuffer.allocate(content.length);
            int chunk = 8 * 1024;
            for (int pos = 0; pos < content.length; pos += chunk) {
                writer.write(ByteBuffer.wrap(content, pos, chunk));
                // Read exactly what the writer reports as written so far.
                seen.limit((int) writer.written());
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
    void writerRejectsWritesAfterCommit() throws Exception {
        byte[] content = "x".getBytes(StandardCharsets.UTF_8);
        try (BlobWriter w = store.newWriter(digestOf(content))) {
            w.write(ByteBuffer.wrap(content));
            w.commit();
            assertThatThrownBy(() -> w.write(ByteBuffer.wrap(content))).isInstanceOf(IOException.class);
            assertThatThrownBy(w::commit).as("a second commit").isInstanceOf(IOException.class);
        }
    }

    @Test
    void buffersHandedOverAreHashedInOrderAndEachComesBackOnce() throws Exception {
        byte[] content = randomBytes(5 * 64 * 1024 + 123, 21);
        Digest digest = digestOf(content);
        BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(2);
        free.add(ByteBuffer.allocateDirect(64 * 1024));
        free.add(ByteBuffer.allocateDirect(64 * 1024));
        AtomicInteger released = new AtomicInteger();
        int chunks = 0;
        try (BlobWriter w = store.newWriter(digest, content.length)) {
            for (int off = 0; off < content.length; off += 64 * 1024) {
                // Only two buffers: the next write waits until the writer handed one back.
                ByteBuffer buf = free.poll(30, TimeUnit.SECONDS);
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
    void listingGivesEveryCommittedBlobWithItsSizeAndCommitTime() throws Exception {
        Instant before = Instant.now().minus(Duration.ofMinutes(1)); // file clocks may be coarse
        byte[] a = randomBytes(100, 9);
        byte[] b = randomBytes(2_000, 10);
        store.put(digestOf(a), a);
        store.put(digestOf(b), b);
        Instant after = Instant.now().plus(Duration.ofMinutes(1));

        List<StoredBlob> blobs = listed();

        assertThat(blobs).extracting(StoredBlob::digest).containsExactlyInAnyOrder(digestOf(a), digestOf(b));
        assertThat(blobs).filteredOn(s -> s.digest().equals(digestOf(b))).singleElement()
                .extracting(StoredBlob::size).isEqualTo(2_000L);
        assertThat(blobs).allSatisfy(s -> assertThat(s.committedAt()).isBetween(before, after));
    }

    @Test
    void theListingsVisitorMayDeleteWhatItWasGiven() throws Exception {
        for (int i = 0; i < 20; i++) {
            byte[] content = randomBytes(10, 100 + i);
            store.put(digestOf(content), content);
        }
        AtomicInteger visited = new AtomicInteger();

        housekeeping.forEachBlob(blob -> {
            visited.incrementAndGet();
            assertThat(housekeeping.delete(blob.digest())).isTrue();
        });

        assertThat(visited.get()).isEqualTo(20);
        assertThat(listed()).isEmpty();
    }

    @Test
    void deleteRemovesABlobAndSaysWhetherItWasThere() throws Exception {
        byte[] content = "gone soon".getBytes(StandardCharsets.UTF_8);
        Digest d = digestOf(content);
        store.put(d, content);

        assertThat(housekeeping.delete(d)).isTrue();
        assertThat(housekeeping.delete(d)).isFalse();
        assertThat(store.find(d)).isEmpty();
        assertThat(store.read(d)).isEmpty();
        assertThat(housekeeping.delete(digestOf("never stored".getBytes(StandardCharsets.UTF_8)))).isFalse();
    }

    @Test
    void sweepTempRemovesWhatAnUnfinishedWriterLeftAndKeepsCommittedBlobs() throws Exception {
        byte[] kept = "kept".getBytes(StandardCharsets.UTF_8);
        store.put(digestOf(kept), kept);
        byte[] content = randomBytes(1000, 11);
        // A writer that never finishes, as after a crash (closed below only to free its handle).
        BlobWriter abandoned = store.newWriter(digestOf(content));
        abandoned.write(ByteBuffer.wrap(content, 0, 400));

        assertThat(housekeeping.sweepTemp()).isEqualTo(1);

        assertThat(store.contains(digestOf(kept))).isTrue();
        assertThat(housekeeping.sweepTemp()).isZero();
        abandoned.close();
        assertThat(store.contains(digestOf(content))).isFalse();
    }
}
