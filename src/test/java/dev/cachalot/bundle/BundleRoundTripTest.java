package dev.cachalot.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.rules.PlatformFilter;
import dev.cachalot.rules.TagFilter;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Ports;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import dev.cachalot.testing.Umoci;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle's whole trip: images pushed to a real upstream (Debian's docker-registry), pulled through engine A with
 * skopeo, exported with a semver tag filter and a platform filter, read by skopeo and umoci straight from the archive,
 * imported into engine B whose rule points at an upstream that does not answer, and pulled from B with skopeo: the
 * same digests all the way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BundleRoundTripTest {

    private static final String REPO = "up/team/app";

    @TempDir
    static Path temp;

    private final TestImages images = new TestImages(19);
    private final Skopeo skopeo = new Skopeo();
    private DockerRegistryFixture upstream;
    private Engine engineA;
    private String hostA;

    private final TestImage v318 = images.ociImage();
    private final TestImage v319 = images.ociIndex();
    private final TestImage v3191 = images.dockerImage();
    private final TestImage v320 = images.ociImage();
    private final TestImage v321 = images.ociIndex();
    private final TestImage v40 = images.ociImage();

    @BeforeAll
    void pullThroughEngineA() {
        Umoci.require();
        upstream = DockerRegistryFixture.start();
        RegistryPusher pusher = new RegistryPusher(upstream.url());
        pusher.push("team/app", "3.18", v318);
        pusher.push("team/app", "3.19", v319);
        pusher.push("team/app", "3.19.1", v3191);
        pusher.push("team/app", "3.20", v320);
        pusher.push("team/app", "3.21", v321);
        pusher.push("team/app", "4.0", v40);
        pusher.push("team/app", "latest", v40);
        engineA = Engine.open(new DataFolder(temp.resolve("a")));
        engineA.addUpstream(upstream.hostPort(), upstream.url(), null);
        engineA.createRule(new RuleDraft("upstream-all", upstream.hostPort() + "/*", "up/*", null, null));
        engineA.startServer("127.0.0.1:0");
        hostA = "127.0.0.1:" + engineA.port();
        for (String tag : List.of("3.18", "3.19.1", "3.20", "4.0", "latest")) {
            skopeo.copy(hostA + "/" + REPO + ":" + tag, temp.resolve("pull-" + tag));
        }
        skopeo.copy(hostA + "/" + REPO + ":3.19", temp.resolve("pull-3.19"), Skopeo.all());
        // 3.21: only the amd64 image is cached, so the tag is whole only for a bundle of linux/amd64
        skopeo.copy(hostA + "/" + REPO + ":3.21", temp.resolve("pull-3.21"), Skopeo.platform("linux", "amd64"));
    }

    @AfterAll
    void stop() {
        if (engineA != null) engineA.close();
        if (upstream != null) upstream.close();
    }

    private Path exportRangeForAmd64(String name) {
        Path bundle = temp.resolve(name);
        BundleExportReport report = engineA.exportBundle(BundleSelection.ofRepository(REPO, TagFilter.parse("semver:>=3.19 <4"),
                PlatformFilter.parse("linux/amd64")), bundle);
        assertThat(report.tags()).containsExactly(REPO + ":3.19", REPO + ":3.19.1", REPO + ":3.20", REPO + ":3.21");
        assertThat(report.skipped()).isEmpty();
        return bundle;
    }

    @Test
    void exportTakesExactlyTheSelectedTagsAndPlatforms() throws IOException {
        Path bundle = exportRangeForAmd64("range.tar");

        Set<String> names = entryNames(bundle);
        assertThat(names).contains("oci-layout", "index.json");
        Set<String> expected = new TreeSet<>();
        for (TestImage image : List.of(v319, v319.platformImage("amd64"), v3191, v320, v321, v321.platformImage("amd64"))) {
            expected.add(image.digest());
            if (!image.isIndex()) image.blobs().forEach(b -> expected.add(b.digest()));
        }
        Set<String> blobs = new TreeSet<>();
        for (String name : names) {
            if (name.matches("blobs/sha256/[0-9a-f]{64}")) blobs.add("sha256:" + name.substring("blobs/sha256/".length()));
        }
        assertThat(blobs).isEqualTo(expected);
        // the arm64 image of 3.19 was cached, but the platform filter leaves it out; the index stays whole
        assertThat(blobs).doesNotContain(v319.platformImage("arm64").digest());
        assertThat(blobs).doesNotContainAnyElementsOf(v319.platformImage("arm64").blobs().stream().map(TestBlob::digest).toList());
    }

    @Test
    void skopeoReadsTheBundleDirectly() {
        Path bundle = exportRangeForAmd64("skopeo.tar");

        Skopeo.Result raw = skopeo.run(Duration.ofMinutes(2), List.of("inspect", "--raw", "oci-archive:" + bundle + ":" + REPO + ":3.19"));
        assertThat(raw.exitCode()).as(raw.stderr()).isZero();
        assertThat(raw.stdout().strip()).isEqualTo(new String(v319.manifest(), StandardCharsets.UTF_8).strip());

        Path out = temp.resolve("skopeo-3.20");
        Skopeo.Result copy = skopeo.run(Duration.ofMinutes(2), List.of("copy", "oci-archive:" + bundle + ":" + REPO + ":3.20",
                "dir:" + out));
        assertThat(copy.exitCode()).as(copy.stderr()).isZero();
        Skopeo.CopiedImage image = Skopeo.read(out).verified();
        assertThat(image.manifestDigest()).isEqualTo(v320.digest());
        assertThat(image.blobDigests()).containsExactlyInAnyOrderElementsOf(v320.blobs().stream().map(TestBlob::digest).toList());
        // 3.19.1 is a Docker schema 2 image, kept byte for byte; skopeo 1.9 looks up ref names among OCI media types
        // only, so it is not found by name there (docs/decisions/0018-bundle-format.md), while Cachalot imports it.

        Path amd64 = temp.resolve("skopeo-3.19-amd64");
        Skopeo.Result platform = skopeo.run(Duration.ofMinutes(2), List.of("--override-os", "linux", "--override-arch", "amd64", "copy",
                "oci-archive:" + bundle + ":" + REPO + ":3.19", "dir:" + amd64));
        assertThat(platform.exitCode()).as(platform.stderr()).isZero();
        assertThat(Skopeo.read(amd64).verified().manifestDigest()).isEqualTo(v319.platformImage("amd64").digest());
    }

    @Test
    void umociListsTheTagsOfTheUnpackedLayout() throws Exception {
        Path bundle = exportRangeForAmd64("umoci.tar");
        Path layout = temp.resolve("umoci-layout");
        untar(bundle, layout);

        String listed = run(List.of(Umoci.BINARY, "ls", "--layout", layout.toString()));
        assertThat(listed.lines().map(String::strip).toList())
                .containsExactlyInAnyOrder(REPO + ":3.19", REPO + ":3.19.1", REPO + ":3.20", REPO + ":3.21");
        String stat = run(List.of(Umoci.BINARY, "stat", "--image", layout + ":" + REPO + ":3.20"));
        assertThat(stat).isNotBlank();
    }

    @Test
    void anArchiveWrittenBySkopeoImportsAsALocalRepository() {
        Path bundle = temp.resolve("by-skopeo.tar");
        Skopeo.Result written = skopeo.run(Duration.ofMinutes(2), List.of("copy", "--src-tls-verify=false", "--src-no-creds",
                "docker://" + hostA + "/" + REPO + ":3.20", "oci-archive:" + bundle + ":" + REPO + ":3.20"));
        assertThat(written.exitCode()).as(written.stderr()).isZero();

        try (Engine engineC = Engine.open(new DataFolder(temp.resolve("c")))) {
            BundleImportReport report = engineC.importBundle(bundle);

            assertThat(report.repositories()).singleElement().satisfies(d -> assertThat(d.ruleName()).isNull());
            assertThat(engineC.tags(REPO)).singleElement().satisfies(t -> assertThat(t.digest()).isEqualTo(v320.digest()));
            assertThat(report.blobs()).isEqualTo(1 + v320.blobs().size());
        }
    }

    @Test
    void tagsNotFullyCachedAreLeftOutAndReported() {
        Path bundle = temp.resolve("partial.tar");
        BundleExportReport report = engineA.exportBundle(BundleSelection.ofRepository(REPO, TagFilter.parse("3.20,3.21"), PlatformFilter.ALL),
                bundle);

        assertThat(report.tags()).containsExactly(REPO + ":3.20");
        assertThat(report.skipped()).singleElement().satisfies(s -> {
            assertThat(s.refName()).isEqualTo(REPO + ":3.21");
            assertThat(s.reason()).contains("linux/arm64").contains("not cached");
        });
        assertThatThrownBy(() -> engineA.exportBundle(BundleSelection.ofRepository(REPO, TagFilter.parse("3.21"), PlatformFilter.ALL),
                temp.resolve("none.tar"))).isInstanceOf(BundleException.class).hasMessageContaining("no tag of repository 'up/team/app'");
        assertThat(temp.resolve("none.tar")).doesNotExist();
        assertThat(temp.resolve("none.tar.part")).doesNotExist();
    }

    @Test
    void aRuleExportTakesEveryRepositoryCachedThroughIt() {
        Path bundle = temp.resolve("rule.tar");
        BundleExportReport report = engineA.exportBundle(BundleSelection.ofRule("upstream-all", TagFilter.parse("semver-latest:2"),
                PlatformFilter.ALL), bundle);

        // 4.0 and 3.21 are the two highest versions; 3.21 is left out whole (its arm64 image was never pulled)
        assertThat(report.tags()).containsExactly(REPO + ":4.0");
        assertThat(report.skipped()).extracting(BundleExportReport.Skipped::refName).containsExactly(REPO + ":3.21");
        assertThatThrownBy(() -> engineA.exportBundle(BundleSelection.ofRule("no-such-rule", TagFilter.ALL, PlatformFilter.ALL), bundle))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no rule named 'no-such-rule'");
    }

    @Test
    void anEngineWithoutItsUpstreamServesTheImportedImagesWithTheSameDigests() {
        Path bundle = exportRangeForAmd64("offline.tar");
        int deadPort = Ports.free();
        String deadUpstream = "127.0.0.1:" + deadPort;
        try (Engine engineB = Engine.open(new DataFolder(temp.resolve("b")))) {
            engineB.addUpstream(deadUpstream, "http://" + deadUpstream, null);
            engineB.createRule(new RuleDraft("offline-rule", deadUpstream + "/*", "up/*", null, null));

            BundleImportReport report = engineB.importBundle(bundle);

            assertThat(report.tags()).isEqualTo(4);
            assertThat(report.images()).isEqualTo(4);
            assertThat(report.alreadyPresent()).isZero();
            assertThat(report.repositories()).singleElement().satisfies(d -> {
                assertThat(d.repository()).isEqualTo(REPO);
                assertThat(d.ruleName()).isEqualTo("offline-rule");
                assertThat(d.upstreamRepository()).isEqualTo("team/app");
            });
            engineB.startServer("127.0.0.1:0");
            String hostB = "127.0.0.1:" + engineB.port();
            for (TestImage image : List.of(v3191, v320)) {
                String tag = image == v3191 ? "3.19.1" : "3.20";
                Path out = temp.resolve("b-" + tag);
                skopeo.copy(hostB + "/" + REPO + ":" + tag, out);
                Skopeo.CopiedImage copy = Skopeo.read(out).verified();
                assertThat(copy.manifestDigest()).isEqualTo(image.digest());
                assertThat(copy.blobDigests()).containsExactlyInAnyOrderElementsOf(image.blobs().stream().map(TestBlob::digest).toList());
            }
            Path amd64 = temp.resolve("b-3.19-amd64");
            skopeo.copy(hostB + "/" + REPO + ":3.19", amd64, Skopeo.platform("linux", "amd64"));
            assertThat(Skopeo.read(amd64).verified().manifestDigest()).isEqualTo(v319.platformImage("amd64").digest());
            assertThat(engineB.tags(REPO)).extracting(t -> t.tag()).containsExactly("3.19", "3.19.1", "3.20", "3.21");

            BundleImportReport again = engineB.importBundle(bundle);
            assertThat(again.blobs()).isZero();
            assertThat(again.alreadyPresent()).isEqualTo(report.blobs());
        }
    }

    private static Set<String> entryNames(Path tar) throws IOException {
        Set<String> names = new TreeSet<>();
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = t.getNextEntry()) != null) names.add(e.getName());
        }
        return names;
    }

    private static void untar(Path tar, Path into) throws IOException {
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = t.getNextEntry()) != null) {
                Path target = into.resolve(e.getName()).normalize();
                assertThat(target.startsWith(into)).isTrue();
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(t, target);
                }
            }
        }
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
        return output;
    }
}
