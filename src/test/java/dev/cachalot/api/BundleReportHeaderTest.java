package dev.cachalot.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.bundle.BundleExportReport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The export report travels in a response header, which the engine's listener bounds (8 KiB for all headers): a
 * report that fits goes whole; a longer one keeps its counts exact and drops what the client can do without.
 */
class BundleReportHeaderTest {

    @Test
    void aReportThatFitsGoesWhole() {
        BundleExportReport report = new BundleExportReport(List.of("library/alpine:3.20", "library/alpine:3.21"), 3, 5, 123_456_789L,
                List.of(new BundleExportReport.Skipped("library/alpine:3.19", "platform linux/arm64: manifest sha256:ab is not cached")));

        String header = BundleReportHeader.encode(report);

        assertThat(header).matches("[A-Za-z0-9_-]+");
        assertThat(BundleReportHeader.decode(header)).isEqualTo(report);
    }

    @Test
    void aLongReportIsShortenedToFitWithExactCountsAndTheLeftOutTagsCounted() {
        List<String> tags = new ArrayList<>();
        List<BundleExportReport.Skipped> skipped = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            tags.add("team/very-long-repository-name/service-" + i + ":1." + i + ".0");
            skipped.add(new BundleExportReport.Skipped("team/other:" + i, "platform linux/arm64: manifest sha256:" + "0".repeat(64)
                    + " is not cached"));
        }
        BundleExportReport report = new BundleExportReport(tags, 4_000, 9_000, 1L << 40, skipped);

        String header = BundleReportHeader.encode(report);

        assertThat(header.length()).isLessThanOrEqualTo(BundleReportHeader.MAX_LENGTH);
        BundleExportReport read = BundleReportHeader.decode(header);
        assertThat(read.tags()).as("read from the bundle's index.json instead").isEmpty();
        assertThat(read.manifests()).isEqualTo(4_000);
        assertThat(read.blobs()).isEqualTo(9_000);
        assertThat(read.bytes()).isEqualTo(1L << 40);
        BundleExportReport.Skipped last = read.skipped().get(read.skipped().size() - 1);
        int listed = read.skipped().size() - 1;
        assertThat(read.skipped().subList(0, listed)).isEqualTo(skipped.subList(0, listed));
        assertThat(last.refName()).isEqualTo("(" + (2_000 - listed) + " more)");
        assertThat(last.reason()).startsWith("not listed: too many for the answer's header");
    }
}
