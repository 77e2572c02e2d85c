package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.engine.Engine;
import dev.cachalot.oci.Digest;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.FileBlobStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cachalot gc} on a data folder: a blob no manifest references, stored before the grace period, is removed
 * (and only counted with {@code --dry-run}); one stored just now is kept and said so. The same command reaches a
 * running engine with {@code --engine URL} (ClusterGcTest runs it against a cluster node).
 */
class GcCommandTest {

    @TempDir
    java.nio.file.Path data;

    @Test
    void removesOldUnreferencedBlobsAndSaysWhatItKept() throws Exception {
        FileBlobStore store = new FileBlobStore(new DataFolder(data).ensureCreated());
        byte[] orphan = "left behind by a deleted repository".getBytes(StandardCharsets.UTF_8);
        Digest old = Digest.of("sha256", orphan);
        store.put(old, orphan);
        Files.setLastModifiedTime(store.find(old).orElseThrow(), FileTime.from(Instant.now().minus(Duration.ofDays(1))));
        byte[] fresh = "stored a moment ago".getBytes(StandardCharsets.UTF_8);
        store.put(Digest.of("sha256", fresh), fresh);
        Cli cli = new Cli(data);

        Cli.Run dry = cli.run("gc", "--dry-run").succeeded();

        assertThat(dry.out()).contains("Would remove 1 unreferenced blob(s), " + orphan.length + " B (" + orphan.length + " bytes), of 2 stored.")
                .contains("Kept 1 blob(s) stored within the grace period (PT1H).");
        assertThat(store.contains(old)).isTrue();

        Cli.Run run = cli.run("gc", "--json").succeeded();

        assertThat(run.json().path("removed").asInt()).isEqualTo(1);
        assertThat(run.json().path("bytesRemoved").asLong()).isEqualTo(orphan.length);
        assertThat(run.json().path("dryRun").asBoolean()).isFalse();
        assertThat(store.contains(old)).isFalse();
        assertThat(store.contains(Digest.of("sha256", fresh))).isTrue();
    }

    @Test
    void refusesToCollectWhileAnEngineServesTheFolderAndSaysWhere() {
        Cli cli = new Cli(data);
        try (Engine serving = Engine.open(data)) {
            serving.startServer("127.0.0.1:0");

            String refusal = cli.run("gc").failedWithOneLine();

            assertThat(refusal).contains("is already serving the data folder", "only that engine knows which blobs its clients are reading now",
                    "cachalot gc --engine URL");
            cli.run("gc", "--dry-run").succeeded();
        }
        cli.run("gc").succeeded();
    }
}
