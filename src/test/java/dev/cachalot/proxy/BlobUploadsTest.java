package dev.cachalot.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.registry.UploadId;
import dev.cachalot.registry.UploadSink;
import dev.cachalot.registry.UploadStatus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobUploadsTest {

    private static final RepositoryName APP = RepositoryName.of("app");

    @TempDir
    Path tmp;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2025-01-01T00:00:00Z"));
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };

    private BlobUploads uploads(long maxBytes) {
        return new BlobUploads(tmp, maxBytes, Duration.ofMinutes(10), 4, clock);
    }

    @Test
    void aChunkBeyondTheSizeCapIsRefusedWith413AndTheUploadKeepsItsEarlierBytes() throws IOException {
        BlobUploads uploads = uploads(100);
        UploadStatus started = uploads.start(APP);
        feed(uploads.append(APP, started.id(), 0, 60), bytes(60));

        // Streamed, no declared length: the write that would cross the cap is refused.
        assertThatThrownBy(() -> feed(uploads.append(APP, started.id(), 60, -1), bytes(50)))
                .isInstanceOfSatisfying(DistributionException.class, e -> assertThat(e.status()).isEqualTo(413));

        assertThat(uploads.status(APP, started.id()).size()).isEqualTo(60);
        assertThat(Files.size(onlyFile())).isEqualTo(60);
    }

    @Test
    void aChunkDeclaredLargerThanTheCapIsRefusedBeforeAnyOfItIsRead() {
        BlobUploads uploads = uploads(100);
        UploadStatus started = uploads.start(APP);

        // Refused when the sink is opened: there is no sink to hand a byte of the body to.
        assertThatThrownBy(() -> uploads.append(APP, started.id(), 0, 101))
                .isInstanceOfSatisfying(DistributionException.class, e -> assertThat(e.status()).isEqualTo(413));
        assertThat(uploads.status(APP, started.id()).size()).isZero();
    }

    @Test
    void aChunkShorterThanItsRangeIsRefusedAndRolledBack() throws IOException {
        BlobUploads uploads = uploads(1000);
        UploadStatus started = uploads.start(APP);
        feed(uploads.append(APP, started.id(), -1, -1), bytes(10));

        assertThatThrownBy(() -> feed(uploads.append(APP, started.id(), 10, 20), bytes(5)))
                .isInstanceOfSatisfying(DistributionException.class, e -> assertThat(e.code().name()).isEqualTo("SIZE_INVALID"));

        assertThat(uploads.status(APP, started.id()).size()).isEqualTo(10);
        assertThat(Files.size(onlyFile())).isEqualTo(10);
    }

    @Test
    void aClientThatBreaksOffMidChunkLeavesTheUploadAsItWas() throws IOException {
        BlobUploads uploads = uploads(1000);
        UploadStatus started = uploads.start(APP);
        feed(uploads.append(APP, started.id(), 0, 10), bytes(10));
        InputStream broken = new InputStream() {
            private int left = 7;
            @Override public int read() throws IOException {
                if (left-- > 0) return 1;
                throw new IOException("connection reset");
            }
        };

        assertThatThrownBy(() -> feed(uploads.append(APP, started.id(), 10, 20), broken))
                .isInstanceOf(IOException.class);

        assertThat(uploads.status(APP, started.id()).size()).isEqualTo(10);
        assertThat(Files.size(onlyFile())).isEqualTo(10);
    }

    @Test
    void anIdleUploadExpiresWithItsFile() throws IOException {
        BlobUploads uploads = uploads(1000);
        UploadStatus idle = uploads.start(APP);
        feed(uploads.append(APP, idle.id(), 0, 10), bytes(10));

        now.set(now.get().plus(Duration.ofMinutes(11)));
        UploadStatus fresh = uploads.start(APP);

        assertThatThrownBy(() -> uploads.status(APP, idle.id()))
                .isInstanceOfSatisfying(DistributionException.class, e -> assertThat(e.code().name()).isEqualTo("BLOB_UPLOAD_UNKNOWN"));
        assertThat(uploads.status(APP, fresh.id()).size()).isZero();
        assertThat(onlyFile().getFileName().toString()).contains(fresh.id().value());
    }

    @Test
    void anUploadIsUnknownUnderAnotherRepository() {
        BlobUploads uploads = uploads(1000);
        UploadStatus started = uploads.start(APP);

        assertThatThrownBy(() -> uploads.status(RepositoryName.of("other"), started.id()))
                .isInstanceOfSatisfying(DistributionException.class, e -> assertThat(e.code().name()).isEqualTo("BLOB_UPLOAD_UNKNOWN"));
    }

    @Test
    void tooManyOpenUploadsAreRefusedUntilOneEnds() {
        BlobUploads uploads = uploads(1000);
        UploadId first = uploads.start(APP).id();
        for (int i = 1; i < 4; i++) uploads.start(APP);

        assertThatThrownBy(() -> uploads.start(APP))
                .isInstanceOfSatisfying(DistributionException.class, e -> assertThat(e.status()).isEqualTo(429));
        uploads.cancel(APP, first);
        assertThat(uploads.start(APP).size()).isZero();
    }

    @Test
    void aClientOverItsCapGetsTooManyRequestsWhileAnotherClientStillStarts() {
        BlobUploads uploads = new BlobUploads(tmp, 1000, new UploadLimits(Duration.ofMinutes(10), 3, 100), null, clock);
        for (int i = 0; i < 3; i++) uploads.start(APP, "192.0.2.7");

        assertThatThrownBy(() -> uploads.start(APP, "192.0.2.7"))
                .isInstanceOfSatisfying(DistributionException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.code().name()).isEqualTo("TOOMANYREQUESTS");
                    assertThat(e.getMessage()).contains("this client has 3 blob uploads open");
                });
        assertThat(uploads.start(APP, "192.0.2.8").size()).isZero();
    }

    @Test
    void anAbandonedUploadIsSweptWithItsFileWithoutAnyoneAskingAboutIt() throws IOException {
        BlobUploads uploads = new BlobUploads(tmp, 1000, new UploadLimits(Duration.ofMillis(300), 32, 1024), null,
                Clock.systemUTC());
        try {
            UploadStatus abandoned = uploads.start(APP, "192.0.2.7");
            feed(uploads.append(APP, abandoned.id(), 0, 10), bytes(10));
            assertThat(onlyFile()).exists();

            // Nothing touches the session: the sweep alone removes the file.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                try (var files = Files.list(tmp)) {
                    return files.findAny().isEmpty();
                }
            });
            assertThatThrownBy(() -> uploads.status(APP, abandoned.id()))
                    .isInstanceOfSatisfying(DistributionException.class, e -> assertThat(e.code().name()).isEqualTo("BLOB_UPLOAD_UNKNOWN"));
            assertThat(uploads.openUploads()).isZero();
        } finally {
            uploads.close();
        }
    }

    @Test
    void finishEndsTheUploadEvenWhenTheCompletionFails() throws IOException {
        BlobUploads uploads = uploads(1000);
        UploadStatus started = uploads.start(APP);

        assertThatThrownBy(() -> feed(uploads.finish(APP, started.id(), (file, size) -> {
            assertThat(size).isEqualTo(3);
            throw new DistributionException(dev.cachalot.oci.ErrorCode.DIGEST_INVALID, "mismatch");
        }), bytes(3))).isInstanceOf(DistributionException.class);

        assertThat(uploads.openUploads()).isZero();
        try (var files = Files.list(tmp)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aSessionIsHeldFromOpeningItsSinkToCompletingItWhicheverThreadsCarryTheBody() throws Exception {
        BlobUploads uploads = uploads(1000);
        UploadStatus started = uploads.start(APP);
        UploadSink<UploadStatus> chunk = uploads.append(APP, started.id(), 0, 6);

        // The body arrives on other threads than the one that opened the sink, as Jetty's demand callbacks deliver it.
        onAnotherThread(() -> chunk.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        assertThatThrownBy(() -> onAnotherThread(() -> uploads.append(APP, started.id(), 3, 3)))
                .hasRootCauseInstanceOf(DistributionException.class)
                .rootCause().hasMessageContaining("another request is writing to this upload");
        onAnotherThread(() -> chunk.write(ByteBuffer.wrap(new byte[] {4, 5, 6})));
        UploadStatus done = onAnotherThread(chunk::complete);

        assertThat(done.size()).isEqualTo(6);
        assertThat(Files.readAllBytes(onlyFile())).containsExactly(1, 2, 3, 4, 5, 6);
        // Released by the thread that completed it: the next chunk is taken.
        assertThat(feed(uploads.append(APP, started.id(), 6, 2), bytes(2)).size()).isEqualTo(8);
    }

    @Test
    void aSessionWhoseBodyIsStillArrivingDoesNotExpire() throws IOException {
        BlobUploads uploads = uploads(1000);
        UploadStatus started = uploads.start(APP);
        UploadSink<UploadStatus> chunk = uploads.append(APP, started.id(), 0, -1);
        chunk.write(ByteBuffer.wrap(new byte[4]));

        now.set(now.get().plus(Duration.ofMinutes(11)));
        assertThat(uploads.expireIdle()).isZero();
        chunk.write(ByteBuffer.wrap(new byte[4]));

        assertThat(chunk.complete().size()).isEqualTo(8);
        assertThat(uploads.status(APP, started.id()).size()).isEqualTo(8);
    }

    @Test
    void aCancelWhileABodyArrivesEndsTheSessionAtOnceAndTheFileGoesWhenTheBodyEnds() throws IOException {
        BlobUploads uploads = uploads(1000);
        UploadStatus started = uploads.start(APP);
        UploadSink<Object> last = uploads.finish(APP, started.id(), (file, size) -> {
            throw new AssertionError("a cancelled upload was completed");
        });
        last.write(ByteBuffer.wrap(new byte[4]));

        uploads.cancel(APP, started.id());
        assertThatThrownBy(() -> uploads.status(APP, started.id()))
                .isInstanceOfSatisfying(DistributionException.class, e -> assertThat(e.code().name()).isEqualTo("BLOB_UPLOAD_UNKNOWN"));
        assertThatThrownBy(last::complete)
                .isInstanceOfSatisfying(DistributionException.class, e -> assertThat(e.code().name()).isEqualTo("BLOB_UPLOAD_UNKNOWN"));
        try (var files = Files.list(tmp)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void anAbortedChunkLeavesTheUploadAsItWasAndReleasesIt() throws IOException {
        BlobUploads uploads = uploads(1000);
        UploadStatus started = uploads.start(APP);
        feed(uploads.append(APP, started.id(), 0, 5), bytes(5));
        UploadSink<UploadStatus> broken = uploads.append(APP, started.id(), 5, 100);
        broken.write(ByteBuffer.wrap(new byte[40]));

        broken.abort();
        broken.abort();

        assertThat(uploads.status(APP, started.id()).size()).isEqualTo(5);
        assertThat(Files.size(onlyFile())).isEqualTo(5);
        assertThat(feed(uploads.append(APP, started.id(), 5, 3), bytes(3)).size()).isEqualTo(8);
    }

    /** Hands {@code body} to {@code sink} the way the HTTP layer does: piece by piece, then complete, or abort. */
    private static <T> T feed(UploadSink<T> sink, InputStream body) throws IOException {
        byte[] buffer = new byte[7];
        try {
            int n;
            while ((n = body.read(buffer)) >= 0) {
                sink.write(ByteBuffer.wrap(buffer, 0, n));
            }
        } catch (IOException | RuntimeException e) {
            sink.abort();
            throw e;
        }
        return sink.complete();
    }

    private static <T> T onAnotherThread(java.util.concurrent.Callable<T> work) throws Exception {
        var executor = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            return executor.submit(work).get();
        } finally {
            executor.shutdown();
        }
    }

    private static void onAnotherThread(Runnable work) throws Exception {
        onAnotherThread(() -> {
            work.run();
            return null;
        });
    }

    private Path onlyFile() throws IOException {
        try (var files = Files.list(tmp)) {
            return files.reduce((a, b) -> {
                throw new AssertionError("more than one upload file: " + a + ", " + b);
            }).orElseThrow();
        }
    }

    private static InputStream bytes(int n) {
        return new ByteArrayInputStream(new byte[n]);
    }
}
