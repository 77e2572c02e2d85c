package dev.cachalot.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine on a real, small volume that fills up: a 32 MiB tmpfs holds the whole data folder (blobs, the H2
 * database, temp files). Mounting needs root, which the tests have here; a refused mount fails the test rather than
 * skipping it. The upstream is Debian's docker-registry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FullVolumeTest {

    private static final String ACCEPT_ALL = TestImages.ACCEPT_ALL_MANIFESTS;

    @TempDir
    static Path temp;

    private final TestImages images = new TestImages(97);
    private Path volume;
    private DockerRegistryFixture registry;
    private RegistryPusher pusher;
    private Engine engine;
    private RegistryReader cache;

    @BeforeAll
    void mountAndStart() throws Exception {
        volume = Files.createDirectories(temp.resolve("volume"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", volume.toString())
                .redirectErrorStream(true).start();
        String said = new String(mount.getInputStream().readAllBytes());
        assertThat(mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0)
                .as("mounting a 32 MiB tmpfs (the test needs root): " + said).isTrue();
        registry = DockerRegistryFixture.start();
        pusher = new RegistryPusher(registry.url());
        engine = Engine.open(new DataFolder(volume.resolve("data")));
        engine.addUpstream(registry.hostPort(), registry.url(), null);
        engine.createRule(new RuleDraft("full-volume", registry.hostPort() + "/*", "up/*", null, null));
        engine.startServer("127.0.0.1:0");
        cache = new RegistryReader("http://127.0.0.1:" + engine.port());
    }

    @AfterAll
    void stopAndUnmount() throws Exception {
        if (engine != null) engine.close();
        if (registry != null) registry.close();
        if (volume != null) {
            // Lazy: a file the JVM still holds open (the database's, closing) must not leave the mount behind.
            Process umount = new ProcessBuilder("umount", "-l", volume.toString()).redirectErrorStream(true).start();
            umount.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFullVolumeStillServesCachedContentAnswers507ForNewContentAndCachesSmallContentOnceThereIsRoom() throws Exception {
        TestImage cached = images.ociImage();
        pusher.push("cached", "1", cached);
        TestImage later = images.ociImage();
        pusher.push("later", "1", later);
        assertThat(cache.manifest("up/cached", "1", ACCEPT_ALL).status()).isEqualTo(200);
        for (TestBlob blob : cached.blobs()) {
            assertThat(cache.blob("up/cached", blob.digest()).digest()).isEqualTo(blob.digest());
        }

        Path filler = volume.resolve("filler");
        fillUp(filler, Long.MAX_VALUE);

        for (TestBlob blob : cached.blobs()) {
            RegistryReader.BlobRead read = cache.blob("up/cached", blob.digest());
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.digest()).isEqualTo(blob.digest());
            // Through another repository the blob is not linked yet: linking it is a database write, which fails.
            RegistryReader.BlobRead elsewhere = cache.blob("up/elsewhere", blob.digest());
            assertThat(elsewhere.status()).isEqualTo(200);
            assertThat(elsewhere.digest()).isEqualTo(blob.digest());
        }
        RegistryReader.Fetched manifest = cache.manifest("up/later", "1", ACCEPT_ALL);
        assertThat(manifest.status()).isEqualTo(507);
        assertThat(manifest.text()).startsWith("{\"errors\":[{\"code\":").contains("not enough disk space");
        TestBlob smallest = later.blobs().stream().min(java.util.Comparator.comparingLong(TestBlob::size)).orElseThrow();
        assertThat(cache.get("/v2/up/later/blobs/" + smallest.digest()).status()).isEqualTo(507);

        // Room for a few small blobs, far less than a fixed reserve of 256 MiB, more than 1% of the volume.
        Files.delete(filler);
        // 6 MiB: the blob and its manifest need a few KiB, the H2 database (on the same volume) may grow a chunk or two.
        fillUp(filler, Files.getFileStore(volume).getUsableSpace() - 6 * 1024 * 1024);

        assertThat(smallest.size()).isLessThan(4096);
        RegistryReader.BlobRead small = cache.blob("up/later", smallest.digest());
        assertThat(small.status()).isEqualTo(200);
        assertThat(small.digest()).isEqualTo(smallest.digest());
        assertThat(cache.manifest("up/later", "1", ACCEPT_ALL).status()).isEqualTo(200);
    }

    /** Writes up to {@code bytes} to {@code file}, stopping quietly where the volume is full. */
    private static void fillUp(Path file, long bytes) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            while (written < bytes) {
                int n = (int) Math.min(chunk.length, bytes - written);
                out.write(chunk, 0, n);
                written += n;
            }
        } catch (IOException e) {
            if (!DiskRoom.isNoSpace(e)) throw e;
        }
    }
}
