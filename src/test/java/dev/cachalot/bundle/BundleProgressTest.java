package dev.cachalot.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.engine.Engine;
import dev.cachalot.rules.PlatformFilter;
import dev.cachalot.rules.TagFilter;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the portal needs from a bundle export or import that takes a while: bytes so far against a known total, and
 * a cancel (an interrupt of the working thread) that leaves no file behind on export and nothing at all on import.
 */
class BundleProgressTest {

    private static final BundleSelection ALL = BundleSelection.ofRepository("team/big", TagFilter.ALL, PlatformFilter.ALL);

    @TempDir
    Path temp;

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    private TestImage pushBigImage(Engine engine) {
        TestImage image = new TestImages(53).ociImageWithBigLayer(temp, 8);
        engine.startServer("127.0.0.1:0");
        new RegistryPusher("http://127.0.0.1:" + engine.port()).push("team/big", "1.0", image);
        engine.stopServer();
        return image;
    }

    @Test
    void exportReportsBytesUpToTheTotalAndACancelLeavesNoFile() {
        try (Engine engine = Engine.open(new DataFolder(temp.resolve("a")))) {
            TestImage image = pushBigImage(engine);
            Path cancelled = temp.resolve("cancelled.tar");

            assertThatThrownBy(() -> engine.exportBundle(ALL, cancelled, (bytes, total) -> {
                if (bytes > 0 && bytes < total) Thread.currentThread().interrupt();
            })).isInstanceOf(BundleException.class).hasMessage("bundle export cancelled; no file was written");
            Thread.interrupted();
            assertThat(cancelled).doesNotExist();
            assertThat(temp.resolve("cancelled.tar.part")).doesNotExist();

            List<long[]> reports = new ArrayList<>();
            engine.exportBundle(ALL, temp.resolve("whole.tar"), (bytes, total) -> reports.add(new long[] {bytes, total}));
            long total = image.manifestSize() + image.blobs().stream().mapToLong(b -> b.size()).sum();
            assertThat(reports).allSatisfy(r -> assertThat(r[1]).isEqualTo(total));
            assertThat(reports.get(reports.size() - 1)[0]).isEqualTo(total);
            assertThat(reports).extracting(r -> r[0]).isSorted();
            assertThat(reports.size()).isGreaterThan(8);
        }
    }

    @Test
    void importReportsTheArchiveReadAndACancelLeavesNothing() throws IOException {
        Path bundle = temp.resolve("big.tar");
        try (Engine a = Engine.open(new DataFolder(temp.resolve("a")))) {
            pushBigImage(a);
            a.exportBundle(ALL, bundle);
        }
        try (Engine b = Engine.open(new DataFolder(temp.resolve("b")))) {
            assertThatThrownBy(() -> b.importBundle(bundle, (bytes, total) -> {
                if (bytes > 0 && bytes < total) Thread.currentThread().interrupt();
            })).isInstanceOf(BundleException.class).hasMessage("bundle import cancelled; nothing was imported");
            Thread.interrupted();
            assertThat(b.repositories()).isEmpty();
            try (Stream<Path> tmp = Files.list(b.dataFolderRoot().resolve("tmp"))) {
                assertThat(tmp).isEmpty();
            }
            try (Stream<Path> blobs = Files.walk(b.dataFolderRoot().resolve("blobs"))) {
                assertThat(blobs.filter(Files::isRegularFile)).isEmpty();
            }

            List<long[]> reports = new ArrayList<>();
            BundleImportReport report = b.importBundle(bundle, (bytes, total) -> reports.add(new long[] {bytes, total}));
            assertThat(report.tags()).isEqualTo(1);
            assertThat(reports.get(reports.size() - 1)).containsExactly(Files.size(bundle), Files.size(bundle));
        }
    }
}
