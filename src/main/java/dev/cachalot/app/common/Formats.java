package dev.cachalot.app.common;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Display formats shared by the pages. */
public final class Formats {
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private Formats() {
    }

    public static String bytes(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    public static String time(Instant at) {
        return at == null ? "—" : DATE_TIME.format(at);
    }

    /** "14:03" for a time of today, "2026-12-01" for another day (where a column has no room for both). */
    public static String shortTime(Instant at) {
        if (at == null) return "—";
        java.time.ZonedDateTime t = at.atZone(java.time.ZoneId.systemDefault());
        return t.toLocalDate().equals(java.time.LocalDate.now(t.getZone()))
                ? String.format(java.util.Locale.ROOT, "%02d:%02d", t.getHour(), t.getMinute())
                : t.toLocalDate().toString();
    }

    public static String percent(double ratio) {
        return String.format(Locale.ROOT, "%.0f %%", ratio * 100);
    }

    public static String duration(long micros) {
        if (micros < 1000) return micros + " µs";
        if (micros < 1_000_000) return String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
        return String.format(Locale.ROOT, "%.2f s", Duration.ofNanos(micros * 1000).toMillis() / 1000.0);
    }

    public static String shortDigest(String digest) {
        if (digest == null) return "—";
        int colon = digest.indexOf(':');
        return digest.length() > colon + 13 ? digest.substring(0, colon + 13) : digest;
    }

    /** A short name for the media types users meet in the cache browser; others are shown as they are. */
    public static String mediaType(String mediaType) {
        if (mediaType == null) return "—";
        return switch (mediaType) {
            case "application/vnd.oci.image.index.v1+json" -> "OCI index";
            case "application/vnd.oci.image.manifest.v1+json" -> "OCI manifest";
            case "application/vnd.docker.distribution.manifest.list.v2+json" -> "Docker manifest list";
            case "application/vnd.docker.distribution.manifest.v2+json" -> "Docker manifest v2";
            case "application/vnd.docker.container.image.v1+json", "application/vnd.oci.image.config.v1+json" -> "image config";
            case "application/vnd.docker.image.rootfs.diff.tar.gzip", "application/vnd.oci.image.layer.v1.tar+gzip" -> "layer (tar.gz)";
            case "application/vnd.oci.image.layer.v1.tar+zstd" -> "layer (tar.zst)";
            case "application/vnd.oci.image.layer.v1.tar" -> "layer (tar)";
            case "application/vnd.oci.empty.v1+json" -> "empty";
            default -> mediaType;
        };
    }

    /** "Docker Hub (docker.io)"; a custom upstream named after its login server shows its endpoint instead. */
    public static String upstream(dev.cachalot.rules.Upstream u) {
        if (u.displayName() == null || u.displayName().isBlank() || u.displayName().equals(u.loginServer())) {
            return u.loginServer() + "  (custom, " + u.endpoint() + ")";
        }
        return u.displayName() + "  (" + u.loginServer() + ")";
    }
}
