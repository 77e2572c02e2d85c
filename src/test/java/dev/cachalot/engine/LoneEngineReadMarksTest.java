package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cachalot.credentials.Keyring;
import dev.cachalot.credentials.PassphrasePrompt;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.oci.Digest;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.FileBlobStore;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.Sha256;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engine alone on its data folder (embedded H2) keeps the reads of its clients in memory: a blob GET writes nothing
 * to {@code blob_reads}, and still its garbage collection keeps an unreferenced blob that a client is streaming, and
 * deletes it once the read is over. A collection by another engine opened on the folder (a CLI process) is refused
 * while this one serves, since it could not see those reads.
 */
class LoneEngineReadMarksTest {

    private static final VaultOptions NO_PASSPHRASE =
            new VaultOptions(name -> null, Keyring.NONE, PassphrasePrompt.NONE, VaultOptions.MIN_ITERATIONS);

    @TempDir
    Path temp;
    private Engine engine;
    private Path data;

    @BeforeEach
    void serve() {
        data = temp.resolve("data");
        engine = Engine.open(data, EngineOptions.withVault(NO_PASSPHRASE).withGarbageGrace(Duration.ZERO));
        engine.startServer("127.0.0.1:0");
    }

    @AfterEach
    void stop() {
        if (engine != null) engine.close();
    }

    @Test
    void aBlobGetWritesNoReadMarkAndCollectionStillKeepsTheBlobUntilTheReadEnds() throws Exception {
        // Larger than what the loopback socket buffers take in: the server is still writing while the client waits.
        TestImage image = new TestImages(68).ociImageWithBigLayer(temp.resolve("layers"), 48);
        String url = "http://127.0.0.1:" + engine.port();
        new RegistryPusher(url).push("team/big", "1", image);
        String layer = image.blobs().stream().filter(b -> b.size() == 48L << 20).findFirst().orElseThrow().digest();
        FileBlobStore stored = new FileBlobStore(new DataFolder(data));

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<InputStream> read = http.send(HttpRequest.newBuilder(URI.create(url + "/v2/team/big/blobs/" + layer)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(read.statusCode()).isEqualTo(200);
        MessageDigest sha = Sha256.newDigest();
        byte[] first = read.body().readNBytes(1 << 20);
        sha.update(first);

        assertThat(blobReadRows()).as("rows in blob_reads while a client reads").isZero();
        engine.deleteRepository("team/big");

        GarbageCollectionReport during = engine.collectGarbage(false);

        assertThat(during.keptBeingRead()).as("the layer being read").isEqualTo(1);
        assertThat(during.removed()).as("the unreferenced blobs nobody reads (config)").isPositive();
        Digest streaming = Digest.parse(layer);
        assertThat(stored.contains(streaming)).isTrue();
        try (InputStream rest = read.body()) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = rest.read(buffer)) > 0; ) sha.update(buffer, 0, n);
        }
        assertThat(Sha256.format(sha.digest())).as("the whole layer reached the client").isEqualTo(layer);

        // The read ends when the server has sent the last byte, a moment after the client has it.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            engine.collectGarbage(false);
            assertThat(stored.contains(streaming)).isFalse();
        });
        assertThat(blobReadRows()).isZero();
    }

    @Test
    void anotherEngineOnTheFolderMayNotCollectWhileThisOneServes() {
        try (Engine cli = Engine.open(data, EngineOptions.withVault(NO_PASSPHRASE).withGarbageGrace(Duration.ZERO))) {
            assertThatThrownBy(() -> cli.collectGarbage(false)).isInstanceOf(EngineException.class)
                    .hasMessageContaining("is already serving the data folder")
                    .hasMessageContaining("only that engine knows which blobs its clients are reading now");
            assertThat(cli.collectGarbage(true).dryRun()).as("a dry run deletes nothing: allowed").isTrue();

            engine.close();
            engine = null;

            assertThat(cli.collectGarbage(false).dryRun()).isFalse();
        }
    }

    private long blobReadRows() throws Exception {
        String h2 = "jdbc:h2:file:" + new DataFolder(data).database().resolve("cachalot").toString().replace('\\', '/') + ";AUTO_SERVER=TRUE";
        try (Connection c = DriverManager.getConnection(h2, "cachalot", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM blob_reads")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
