package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pull into cache reports bytes and, once the manifests are in, the total they add up to (for a percent). */
class PrefetchProgressTest {
    @TempDir
    Path temp;

    @Test
    void reportsTheTotalOfManifestsAndBlobsAndEndsAtIt() {
        TestImage image = new TestImages(5).ociImageWithBigLayer(temp.resolve("blobs"), 4);
        long expected = image.manifestSize() + image.config().size() + image.layers().stream().mapToLong(TestBlob::size).sum();
        List<long[]> reports = new ArrayList<>();
        try (DockerRegistryFixture upstream = DockerRegistryFixture.start();
             Engine engine = Engine.open(new DataFolder(temp.resolve("data")))) {
            new RegistryPusher(upstream.url()).push("team/big", "1.0", image);
            engine.addUpstream(upstream.hostPort(), upstream.url(), null);
            engine.createRule(new RuleDraft("team-all", upstream.hostPort() + "/team/*", "team/*", null, null));

            engine.prefetch("team/big", "1.0", (Long bytes, Long total) -> reports.add(new long[]{bytes, total}));
        }

        assertThat(reports.get(0)[1]).as("total unknown before the manifest is in").isEqualTo(-1);
        assertThat(reports).last().satisfies(r -> assertThat(r).containsExactly(expected, expected));
        assertThat(reports.stream().filter(r -> r[1] > 0)).allSatisfy(r -> assertThat(r[1]).isEqualTo(expected));
        for (int i = 1; i < reports.size(); i++) assertThat(reports.get(i)[0]).isGreaterThanOrEqualTo(reports.get(i - 1)[0]);
    }
}
