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
}
