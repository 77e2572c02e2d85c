package dev.cachalot.api;

import dev.cachalot.bundle.BundleExportReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The report of a bundle export over the API, in a response header ({@value #NAME}) sent before the tar: base64url
 * (no padding) of the report's JSON. A header, because the body is the archive itself, readable by any OCI tool.
 *
 * <p>Headers are small (the engine's listener allows 8 KiB for all of them), so a report longer than
 * {@value #MAX_LENGTH} characters is shortened: its {@code tags} list is emptied (they are exactly the ref names in
 * the bundle's {@code index.json}, where the client reads them) and the skipped tags beyond what fits are counted in
 * one last entry instead of listed. The counts stay exact.
 */
public final class BundleReportHeader {
    public static final String NAME = "Cachalot-Bundle-Report";
    static final int MAX_LENGTH = 6 * 1024;

    private BundleReportHeader() {
    }

    public static String encode(BundleExportReport report) {
        String whole = base64(report);
        if (whole.length() <= MAX_LENGTH) return whole;
        List<BundleExportReport.Skipped> kept = new ArrayList<>(report.skipped());
        while (true) {
            int left = report.skipped().size() - kept.size();
            List<BundleExportReport.Skipped> listed = new ArrayList<>(kept);
            if (left > 0) {
                listed.add(new BundleExportReport.Skipped("(" + left + " more)",
                        "not listed: too many for the answer's header; narrow the selection to see why they were left out"));
            }
            String shortened = base64(new BundleExportReport(List.of(), report.manifests(), report.blobs(), report.bytes(), listed));
            if (shortened.length() <= MAX_LENGTH || kept.isEmpty()) return shortened;
            kept.subList(Math.max(0, kept.size() - Math.max(1, kept.size() / 4)), kept.size()).clear();
        }
    }

    /** The report; {@code tags} empty when it was shortened (read them from the bundle). */
    public static BundleExportReport decode(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("the answer has no " + NAME + " header");
        }
        try {
            return ApiJson.mapper().readValue(Base64.getUrlDecoder().decode(value.strip()), BundleExportReport.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("the " + NAME + " header cannot be read: " + e.getMessage(), e);
        }
    }

    private static String base64(BundleExportReport report) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(ApiJson.mapper().writeValueAsBytes(report));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
