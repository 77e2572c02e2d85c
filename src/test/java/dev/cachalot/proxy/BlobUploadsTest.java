package dev.cachalot.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.registry.UploadId;
import dev.cachalot.registry.UploadStatus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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
        uploads.append(APP, started.id(), 0, 60, bytes(60));

        assertThatThrownBy(() -> uploads.append(APP, started.id(), 60, 50, bytes(50)))
                .isInstanceOfSatisfying(DistributionException.class, e -> assertThat(e.status()).isEqualTo(413));

        assertThat(uploads.status(APP, started.id()).size()).isEqualTo(60);
        assertThat(Files.size(onlyFile())).isEqualTo(60);
    }

    @Test
    void aChunkDeclaredLargerThanTheCapIsRefusedBeforeAnyOfItIsRead() {
        BlobUploads uploads = uploads(100);
        UploadStatus started = uploads.start(APP);
        InputStream unread = new InputStream() {
            @Override public int read() {
                throw new AssertionError("the body was read");
            }
        };

        assertThatThrownBy(() -> uploads.append(APP, started.id(), 0, 101, unread))
                .isInstanceOfSatisfying(DistributionException.class, e -> assertThat(e.status()).isEqualTo(413));
        assertThat(uploads.status(APP, started.id()).size()).isZero();
    }

    @Test
    void aChunkShorterThanItsRangeIsRefusedAndRolledBack() throws IOException {
        BlobUploads uploads = uploads(1000);
        UploadStatus started = uploads.start(APP);
        uploads.append(APP, started.id(), -1, -1, bytes(10));

        assertThatThrownBy(() -> uploads.append(APP, started.id(), 10, 20, bytes(5)))
                .isInstanceOfSatisfying(DistributionException.class, e -> assertThat(e.code().name()).isEqualTo("SIZE_INVALID"));

        assertThat(uploads.status(APP, started.id()).size()).isEqualTo(10);
        assertThat(Files.size(onlyFile())).isEqualTo(10);
    }

    @Test
    void aClientThatBreaksOffMidChunkLeavesTheUploadAsItWas() throws IOException {
        BlobUploads uploads = uploads(1000);
        UploadStatus started = uploads.start(APP);
        uploads.append(APP, started.id(), 0, 10, bytes(10));
        InputStream broken = new InputStream() {
            private int left = 7;
            @Override public int read() throws IOException {
                if (left-- > 0) return 1;
                throw new IOException("connection reset");
            }
        };

        assertThatThrownBy(() -> uploads.append(APP, started.id(), 10, 20, broken))
                .isInstanceOfSatisfying(DistributionException.class, e -> assertThat(e.code().name()).isEqualTo("BLOB_UPLOAD_INVALID"));

        assertThat(uploads.status(APP, started.id()).size()).isEqualTo(10);
        assertThat(Files.size(onlyFile())).isEqualTo(10);
    }

    @Test
    void anIdleUploadExpiresWithItsFile() throws IOException {
        BlobUploads uploads = uploads(1000);
        UploadStatus idle = uploads.start(APP);
        uploads.append(APP, idle.id(), 0, 10, bytes(10));

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
            uploads.append(APP, abandoned.id(), 0, 10, bytes(10));
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

        assertThatThrownBy(() -> uploads.finish(APP, started.id(), bytes(3), (file, size) -> {
            assertThat(size).isEqualTo(3);
            throw new DistributionException(dev.cachalot.oci.ErrorCode.DIGEST_INVALID, "mismatch");
        })).isInstanceOf(DistributionException.class);

        assertThat(uploads.openUploads()).isZero();
        try (var files = Files.list(tmp)) {
            assertThat(files).isEmpty();
        }
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
