package dev.cachalot.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.engine.Engine;
import dev.cachalot.rules.PlatformFilter;
import dev.cachalot.rules.TagFilter;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Referrers travel with their subject: an SBOM pushed beside an image in a local repository is exported with the
 * image's tag, listed untagged in index.json, and answers the referrers API of the engine that imported the bundle.
 */
class BundleReferrersTest {

    @TempDir
    Path temp;

    @Test
    void anSbomOfAnExportedImageIsImportedAndListedAsItsReferrer() {
        TestImages images = new TestImages(47);
        TestImage image = images.ociImage();
        TestImage sbom = images.artifactFor(image);
        Path bundle = temp.resolve("with-sbom.tar");
        try (Engine a = Engine.open(new DataFolder(temp.resolve("a")))) {
            a.startServer("127.0.0.1:0");
            RegistryPusher pusher = new RegistryPusher("http://127.0.0.1:" + a.port());
            pusher.push("team/signed", "1.0", image);
            pusher.push("team/signed", null, sbom);

            BundleExportReport report = a.exportBundle(BundleSelection.ofRepository("team/signed", TagFilter.ALL, PlatformFilter.ALL), bundle);

            assertThat(report.tags()).containsExactly("team/signed:1.0");
            assertThat(report.manifests()).isEqualTo(2);
        }
        try (Engine b = Engine.open(new DataFolder(temp.resolve("b")))) {
            BundleImportReport imported = b.importBundle(bundle);
            assertThat(imported.tags()).isEqualTo(1);
            assertThat(imported.manifests()).isEqualTo(2);
            b.startServer("127.0.0.1:0");

            RegistryReader.Fetched referrers = new RegistryReader("http://127.0.0.1:" + b.port())
                    .get("/v2/team/signed/referrers/" + image.digest());

            assertThat(referrers.status()).isEqualTo(200);
            assertThat(referrers.text()).contains(sbom.digest()).contains(TestImages.TEST_ARTIFACT_TYPE);
        }
    }
}
