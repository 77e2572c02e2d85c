package dev.cachalot.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cachalot.api.client.RemoteEngine;
import dev.cachalot.bundle.BundleArchive;
import dev.cachalot.bundle.BundleException;
import dev.cachalot.bundle.BundleExportReport;
import dev.cachalot.bundle.BundleImportReport;
import dev.cachalot.bundle.BundleSelection;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineException;
import dev.cachalot.engine.RepositoryView;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.rules.PlatformFilter;
import dev.cachalot.rules.TagFilter;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.Sha256;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bundles between two engines over their management APIs, through {@link RemoteEngine} as the desktop app and
 * {@code cachalot --engine URL bundle ...} use it: images pulled through engine A from a real upstream
 * (docker-registry) are downloaded as a bundle, which skopeo reads as it is; the file is uploaded into engine B, whose
 * rule points at an upstream that does not answer, and B serves the same digests. Hostile uploads are refused with
 * the importer's message and leave B as it was; callers without the admin permission get nothing; a failure after
 * the download began, or a cancel, leaves no file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BundlesOverApiTest {

    private static final String REPO = "up/team/app";
    private static final TestImages IMAGES = new TestImages(61);
    private static final TestImage V1 = IMAGES.ociImage();
    private static final TestImage V2 = IMAGES.ociIndex();
    /** Never imported anywhere: its blobs are new to B, so a hostile archive of it is staged before it is refused. */
    private static final TestImage OTHER = IMAGES.ociImage();

    @TempDir
    static Path temp;

    private final Skopeo skopeo = new Skopeo();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicReference<ManagementAccess.Decision> accessA = new AtomicReference<>(new ManagementAccess.Allowed());
    private final AtomicReference<ManagementAccess.Decision> accessB = new AtomicReference<>(new ManagementAccess.Allowed());
    private DockerRegistryFixture upstream;
    private Engine engineA;
    private Engine engineB;
    private RemoteEngine remoteA;
    private RemoteEngine remoteB;

    @BeforeAll
    void twoEnginesWithTheirManagementApisAndAnImageCachedInTheFirst() {
        upstream = DockerRegistryFixture.start();
        RegistryPusher pusher = new RegistryPusher(upstream.url());
        pusher.push("team/app", "1.0", V1);
        pusher.push("team/app", "2.0", V2);

        engineA = Engine.open(new DataFolder(temp.resolve("a")));
        engineA.addUpstream(upstream.hostPort(), upstream.url(), null);
        engineA.createRule(new RuleDraft("upstream-all", upstream.hostPort() + "/*", "up/*", null, null));
        engineA.serveManagementApi(new ManagementApi(engineA, request -> accessA.get()));
        engineA.startServer("127.0.0.1:0");
        String hostA = "127.0.0.1:" + engineA.port();
        skopeo.copy(hostA + "/" + REPO + ":1.0", temp.resolve("pull-1.0"));
        skopeo.copy(hostA + "/" + REPO + ":2.0", temp.resolve("pull-2.0"), Skopeo.all());
        remoteA = new RemoteEngine(URI.create("http://" + hostA), null);

        // Port 1: nothing listens there. A free port picked here could be taken by another test's registry in a
        // parallel run, which then answered engine B's revalidation of the imported tag with 404 (seen once in CI).
        String deadUpstream = "127.0.0.1:1";
        engineB = Engine.open(new DataFolder(temp.resolve("b")));
        engineB.addUpstream(deadUpstream, "http://" + deadUpstream, null);
        engineB.createRule(new RuleDraft("offline-rule", deadUpstream + "/*", "up/*", null, null));
        engineB.serveManagementApi(new ManagementApi(engineB, request -> accessB.get()));
        engineB.startServer("127.0.0.1:0");
        try {
            // as after any earlier import: "left as it was" then compares like with like
            Files.createDirectories(engineB.dataFolderRoot().resolve("tmp"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        remoteB = new RemoteEngine(URI.create("http://127.0.0.1:" + engineB.port()), null);
    }

    @AfterAll
    void stop() {
        if (remoteA != null) remoteA.close();
        if (remoteB != null) remoteB.close();
        if (engineA != null) engineA.close();
        if (engineB != null) engineB.close();
        if (upstream != null) upstream.close();
    }

    @AfterEach
    void everyoneIsAdminAgain() {
        Thread.interrupted();
        accessA.set(new ManagementAccess.Allowed());
        accessB.set(new ManagementAccess.Allowed());
    }

    @Test
    void aBundleDownloadedFromOneEngineAndUploadedIntoAnotherServesTheSameDigests() throws Exception {
        Path bundle = temp.resolve("carried.tar");
        List<long[]> downloaded = new ArrayList<>();
        BundleExportReport exported = remoteA.exportBundle(BundleSelection.ofRepository(REPO, TagFilter.ALL, PlatformFilter.ALL), bundle,
                (bytes, total) -> downloaded.add(new long[] {bytes, total}));

        assertThat(exported.tags()).containsExactly(REPO + ":1.0", REPO + ":2.0");
        assertThat(exported.skipped()).isEmpty();
        assertThat(exported.manifests()).isEqualTo(1 + V2.manifests().size());
        assertThat(downloaded.get(downloaded.size() - 1)).containsExactly(exported.bytes(), exported.bytes());
        assertThat(temp.resolve("carried.tar.part")).doesNotExist();
        Skopeo.Result raw = skopeo.run(Duration.ofMinutes(2), List.of("inspect", "--raw", "oci-archive:" + bundle + ":" + REPO + ":1.0"));
        assertThat(raw.exitCode()).as(raw.stderr()).isZero();
        assertThat(raw.stdout().strip()).isEqualTo(new String(V1.manifest(), StandardCharsets.UTF_8).strip());
        Skopeo.Result index = skopeo.run(Duration.ofMinutes(2), List.of("inspect", "--raw", "oci-archive:" + bundle + ":" + REPO + ":2.0"));
        assertThat(index.exitCode()).as(index.stderr()).isZero();
        assertThat(index.stdout().strip()).isEqualTo(new String(V2.manifest(), StandardCharsets.UTF_8).strip());

        List<long[]> uploaded = new java.util.concurrent.CopyOnWriteArrayList<>();
        BundleImportReport imported = remoteB.importBundle(bundle, (bytes, total) -> uploaded.add(new long[] {bytes, total}));

        assertThat(imported.tags()).isEqualTo(2);
        assertThat(imported.repositories()).singleElement().satisfies(d -> {
            assertThat(d.repository()).isEqualTo(REPO);
            assertThat(d.ruleName()).isEqualTo("offline-rule");
        });
        assertThat(uploaded.get(uploaded.size() - 1)).containsExactly(Files.size(bundle), Files.size(bundle));
        String hostB = "127.0.0.1:" + engineB.port();
        Skopeo.CopiedImage one = Skopeo.read(copyFrom(hostB, "1.0", "b-1.0")).verified();
        assertThat(one.manifestDigest()).isEqualTo(V1.digest());
        assertThat(one.blobDigests()).containsExactlyInAnyOrderElementsOf(V1.blobs().stream().map(TestBlob::digest).toList());
        Path arm64 = temp.resolve("b-2.0-arm64");
        skopeo.copy(hostB + "/" + REPO + ":2.0", arm64, Skopeo.platform("linux", "arm64"));
        assertThat(Skopeo.read(arm64).verified().manifestDigest()).isEqualTo(V2.platformImage("arm64").digest());
        HttpResponse<byte[]> served = http.send(HttpRequest.newBuilder(URI.create("http://" + hostB + "/v2/" + REPO + "/manifests/2.0"))
                .header("Accept", TestImages.ACCEPT_ALL_MANIFESTS).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(served.headers().firstValue("Docker-Content-Digest")).hasValue(V2.digest());
        assertThat(served.body()).isEqualTo(V2.manifest());
    }

    @Test
    void aHostileUploadIsRefusedWith400AndTheImportersMessageAndLeavesTheEngineAsItWas() throws Exception {
        Path hostile = temp.resolve("climbing.tar");
        Files.write(hostile, BundleArchive.of(OTHER, "local/app:v1").file("../evil", new byte[] {1}).bytes());
        TestBlob layer = OTHER.layers().get(0);
        byte[] mismatch = new BundleArchive().layout().index("local/app:v1", OTHER).blob(OTHER.digest(), OTHER.manifest())
                .blob(OTHER.config().digest(), OTHER.config().bytes()).blob(layer.digest(), flipped(layer.bytes()))
                .blob(OTHER.layers().get(1).digest(), OTHER.layers().get(1).bytes()).bytes();
        Map<String, String> filesBefore = dataFiles(engineB);
        List<RepositoryView> repositoriesBefore = engineB.repositories();

        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(apiOf(engineB) + "/bundles/import"))
                .header("Content-Type", "application/x-tar").POST(HttpRequest.BodyPublishers.ofFile(hostile)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(400);
        JsonNode error = Json.read(answer.body());
        assertThat(error.get("code").asText()).isEqualTo(ApiError.BUNDLE_REFUSED);
        assertThat(error.get("message").asText()).isEqualTo("bundle refused: entry '../evil' climbs out of the archive with '..'");

        Path wrongDigest = temp.resolve("wrong-digest.tar");
        Files.write(wrongDigest, mismatch);
        assertThatThrownBy(() -> remoteB.importBundle(wrongDigest)).isInstanceOf(BundleException.class)
                .hasMessageStartingWith("bundle refused: digest mismatch: entry 'blobs/sha256/" + layer.hex() + "' hashes to sha256:");

        assertThat(dataFiles(engineB)).isEqualTo(filesBefore);
        assertThat(engineB.repositories()).isEqualTo(repositoriesBefore);
    }

    @Test
    void anArchiveRefusedAtItsFirstEntryIsAnsweredWhileTheClientIsStillSendingTheRest() throws Exception {
        // the engine refuses at the first header, with 48 MiB still to come: it reads and drops them, so the client
        // gets the refusal instead of a connection reset in the middle of its upload
        TestImage big = new TestImages(65).ociImageWithBigLayer(temp.resolve("big-refused"), 48);
        Path hostile = temp.resolve("refused-early.tar");
        Files.write(hostile, new BundleArchive().file("/etc/evil", new byte[] {1}).layout().index("local/big:1", big).blobsOf(big).bytes());
        List<RepositoryView> before = engineB.repositories();

        assertThatThrownBy(() -> remoteB.importBundle(hostile)).isInstanceOf(BundleException.class)
                .hasMessage("bundle refused: entry '/etc/evil' is an absolute path");
        assertThat(engineB.repositories()).isEqualTo(before);
    }

    @Test
    void aCallerWithoutTheAdminPermissionGetsNoBundleAndLoadsNone() throws Exception {
        accessA.set(new ManagementAccess.Forbidden("the token lacks the admin permission"));
        accessB.set(new ManagementAccess.Forbidden("the token lacks the admin permission"));
        Path bundle = temp.resolve("refused.tar");

        assertThatThrownBy(() -> remoteA.exportBundle(BundleSelection.ofRepository(REPO, TagFilter.ALL, PlatformFilter.ALL), bundle))
                .isInstanceOf(EngineException.class).hasMessage("the token lacks the admin permission");
        assertThat(bundle).doesNotExist();
        assertThat(temp.resolve("refused.tar.part")).doesNotExist();

        // large enough that the engine answers long before the upload is sent: the client still hears the refusal,
        // not a reset
        Path good = temp.resolve("good-but-refused.tar");
        TestImage big = new TestImages(67).ociImageWithBigLayer(temp.resolve("big-no-admin"), 32);
        Files.write(good, BundleArchive.of(big, "local/refused:v1").bytes());
        assertThatThrownBy(() -> remoteB.importBundle(good)).isInstanceOf(EngineException.class)
                .hasMessage("the token lacks the admin permission");
        assertThat(engineB.repositories()).noneMatch(r -> r.name().equals("local/refused"));
    }

    @Test
    void aRefusalFoundWhilePlanningIsAnErrorAnswerNotAnArchive() throws Exception {
        HttpResponse<String> nothing = http.send(HttpRequest.newBuilder(URI.create(apiOf(engineA) + "/bundles/export?repository="
                + REPO + "&tags=9.*")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(nothing.statusCode()).isEqualTo(400);
        assertThat(nothing.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(nothing.headers().firstValue(BundleReportHeader.NAME)).isEmpty();
        assertThat(Json.read(nothing.body()).get("message").asText()).isEqualTo("no cached tag matches repository 'up/team/app' with tag filter '9.*'");

        assertThatThrownBy(() -> remoteA.exportBundle(BundleSelection.ofRule("no-such-rule", TagFilter.ALL, PlatformFilter.ALL),
                temp.resolve("none.tar"))).isInstanceOf(IllegalArgumentException.class).hasMessage("no rule named 'no-such-rule'");
        HttpResponse<String> neither = http.send(HttpRequest.newBuilder(URI.create(apiOf(engineA) + "/bundles/export")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(neither.statusCode()).isEqualTo(400);
        assertThat(Json.read(neither.body()).get("message").asText()).contains("'rule' or 'repository'");
        assertThat(temp.resolve("none.tar")).doesNotExist();
    }

    @Test
    void aBlobLostAfterTheDownloadBeganCutsTheTransferAndTheClientKeepsNoFile() throws Exception {
        try (Engine engineC = Engine.open(new DataFolder(temp.resolve("c")))) {
            engineC.serveManagementApi(new ManagementApi(engineC, ManagementAccess.loopbackOnly()));
            engineC.startServer("127.0.0.1:0");
            // 48 MiB first: the engine cannot be further ahead of the client than the sockets' buffers (a few MiB),
            // so while the client holds its first MiB the engine has not opened tag 2's blobs yet
            TestImage big = new TestImages(62).ociImageWithBigLayer(temp.resolve("big"), 48);
            TestImage small = IMAGES.ociImage();
            RegistryPusher pusher = new RegistryPusher("http://127.0.0.1:" + engineC.port());
            pusher.push("team/big", "1", big);
            pusher.push("team/big", "2", small);
            BundleSelection both = BundleSelection.ofRepository("team/big", TagFilter.ALL, PlatformFilter.ALL);

            try (RemoteEngine remoteC = new RemoteEngine(URI.create("http://127.0.0.1:" + engineC.port()), null)) {
                // a cancel first: the portal's Cancel interrupts the working thread
                Path cancelled = temp.resolve("cancelled.tar");
                Thread caller = Thread.currentThread();
                assertThatThrownBy(() -> remoteC.exportBundle(both, cancelled, (bytes, total) -> {
                    if (bytes > 0 && bytes < total) caller.interrupt();
                })).isInstanceOf(BundleException.class).hasMessage("bundle export cancelled; no file was written");
                Thread.interrupted();
                assertThat(cancelled).doesNotExist();
                assertThat(temp.resolve("cancelled.tar.part")).doesNotExist();

                Path cut = temp.resolve("cut.tar");
                Path lost = blobFile(engineC, small.layers().get(0).digest());
                assertThatThrownBy(() -> remoteC.exportBundle(both, cut, (bytes, total) -> {
                    if (bytes > 0) deleteQuietly(lost);
                })).isInstanceOf(BundleException.class).hasMessageContaining("broke off before its end");
                assertThat(lost).doesNotExist();
                assertThat(cut).doesNotExist();
                assertThat(temp.resolve("cut.tar.part")).doesNotExist();
                assertThat(remoteC.status().state()).as("the engine answers on").isNotNull();
            }
        }
    }

    @Test
    void aCancelledUploadLeavesNothingOnTheEngine() throws Exception {
        Path bundle = temp.resolve("big-upload.tar");
        TestImage big = new TestImages(63).ociImageWithBigLayer(temp.resolve("big-upload"), 48);
        Files.write(bundle, BundleArchive.of(big, "local/big:1").bytes());
        List<RepositoryView> before = engineB.repositories();
        Thread caller = Thread.currentThread();

        assertThatThrownBy(() -> remoteB.importBundle(bundle, (bytes, total) -> {
            if (bytes > 0 && bytes < total) caller.interrupt();
        })).isInstanceOf(BundleException.class).hasMessage("bundle import cancelled; nothing was imported");
        Thread.interrupted();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            try (Stream<Path> staging = Files.list(engineB.dataFolderRoot().resolve("tmp"))) {
                assertThat(staging).as("staging files of the cut upload").isEmpty();
            }
        });
        assertThat(engineB.repositories()).isEqualTo(before);
        assertThat(blobFileIfAny(engineB, big.layers().get(0).digest())).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    private Path copyFrom(String host, String tag, String folder) {
        Path out = temp.resolve(folder);
        skopeo.copy(host + "/" + REPO + ":" + tag, out);
        return out;
    }

    private static String apiOf(Engine engine) {
        return "http://127.0.0.1:" + engine.port() + ManagementApi.PREFIX;
    }

    private static Path blobFile(Engine engine, String digest) throws IOException {
        return blobFileIfAny(engine, digest).orElseThrow(() -> new AssertionError("no blob file for " + digest));
    }

    private static java.util.Optional<Path> blobFileIfAny(Engine engine, String digest) throws IOException {
        String hex = digest.substring(digest.indexOf(':') + 1);
        try (Stream<Path> walk = Files.walk(engine.dataFolderRoot().resolve("blobs"))) {
            return walk.filter(p -> p.getFileName().toString().equals(hex)).findFirst();
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] flipped(byte[] content) {
        byte[] copy = content.clone();
        copy[copy.length / 2] ^= 0x01;
        return copy;
    }

    /** Every file of the data folder but the database's and the logs, with its SHA-256. */
    private static Map<String, String> dataFiles(Engine engine) throws IOException {
        Path root = engine.dataFolderRoot();
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String relative = root.relativize(p).toString();
                if (relative.startsWith("db") || relative.startsWith("logs")) continue;
                files.put(relative, Files.isRegularFile(p) ? Sha256.of(p) : "dir");
            }
        }
        return files;
    }

    private static final class Json {
        static JsonNode read(String text) throws IOException {
            return ApiJson.mapper().readTree(text);
        }
    }
}
