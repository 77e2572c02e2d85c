package dev.cachalot.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.registry.ServerLimits;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes may not take the cache's share of the data volume: on a real small file system (a 512 MiB tmpfs, mounted
 * by the test, which therefore needs root), filled until a blob fits above the fill floor but not above the push
 * floor, pushing the blob is refused with 507 while a cold fill of a blob of the same size is cached and served.
 */
class PushReserveTest {

    private static final long MIB = 1024 * 1024;
    private static final int BLOB_MIB = 8;

    @TempDir
    Path temp;

    private Path volume;
    private boolean mounted;
    private CacheOnLoopback cache;

    @BeforeEach
    void mountSmallVolume() throws Exception {
        volume = Files.createDirectories(temp.resolve("volume"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=512m", "tmpfs", volume.toString())
                .redirectErrorStream(true).start();
        mounted = mount.waitFor() == 0;
        if (!mounted) {
            // Never skipped: a real small volume is the point of this test (the test command runs as root, as CI does).
            throw new IllegalStateException("PushReserveTest mounts a 512 MiB tmpfs and needs root (util-linux `mount`): "
                    + new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        cache = new CacheOnLoopback(volume.resolve("data"), ServerLimits.DEFAULT);
    }

    @AfterEach
    void unmount() throws Exception {
        if (cache != null) cache.close();
        if (mounted) new ProcessBuilder("umount", "-l", volume.toString()).inheritIO().start().waitFor();
    }

    @Test
    void aPushThatWouldEatTheCacheShareIsRefusedWhileAColdFillOfTheSameSizeIsCached() throws Exception {
        TestImage image = new TestImages(13).ociImageWithBigLayer(temp.resolve("layers"), BLOB_MIB);
        TestBlob layer = image.layers().stream().filter(TestBlob::inFile).findFirst().orElseThrow();
        cache.upstreamPusher.push("big", "1", image);

        long total = volume.toFile().getTotalSpace();
        long share = DiskReserve.cacheShare(total);
        // Free space the blob fits in above the fill floor, with half the share to spare, but not above the push floor.
        long target = DiskRoom.reserveFor(total) + layer.size() + share / 2;
        assertThat(target - layer.size()).isLessThan(DiskReserve.pushFloor(total));
        fill(volume.resolve("filler"), volume.toFile().getUsableSpace() - target);

        HttpResponse<String> push = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cache.url()
                        + "/v2/local/big/blobs/uploads/?digest=" + layer.digest()))
                .POST(HttpRequest.BodyPublishers.ofFile(layer.file())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(push.statusCode()).isEqualTo(507);
        assertThat(push.body()).contains("\"code\":\"DENIED\"").contains("free for cached content");

        assertThat(cache.reader.manifest("up/big", "1", TestImages.ACCEPT_ALL_MANIFESTS).status()).isEqualTo(200);
        RegistryReader.BlobRead fill = cache.reader.blob("up/big", layer.digest());
        assertThat(fill.status()).isEqualTo(200);
        assertThat(fill.digest()).isEqualTo(layer.digest());
        assertThat(cache.reader.blob("up/big", layer.digest()).headers().firstValue("X-Cachalot-Source")).hasValue("cache");
    }

    /** Writes real bytes (a tmpfs keeps sparse files sparse, so a set length would take no space). */
    private static void fill(Path file, long bytes) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect((int) MIB);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long left = bytes; left > 0; left -= chunk.limit()) {
                chunk.clear().limit((int) Math.min(MIB, left));
                while (chunk.hasRemaining()) out.write(chunk);
            }
        }
    }
}
