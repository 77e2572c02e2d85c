package dev.cachalot.app.shell;

import dev.cachalot.app.common.AppPreferences;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The engines the app connected to lately, newest first, in the app's preferences: an address and the CA file it was
 * trusted with, never a token (a token stays in the dialog's password field for the one connection).
 */
public final class RecentEngines {
    static final String KEY = "recentEngines";
    static final int KEPT = 8;

    private final AppPreferences prefs;

    /** An engine connected to before; {@code caFile} is empty when the system's CAs were enough. */
    public record RecentEngine(String address, String caFile) {
    }

    public RecentEngines(AppPreferences prefs) {
        this.prefs = prefs;
    }

    public List<RecentEngine> list() {
        List<RecentEngine> engines = new ArrayList<>();
        for (String line : prefs.get(KEY, "").split("\n")) {
            if (line.isBlank()) continue;
            int tab = line.indexOf('\t');
            engines.add(tab < 0 ? new RecentEngine(line, "") : new RecentEngine(line.substring(0, tab), line.substring(tab + 1)));
        }
        return engines;
    }

    /** Puts {@code address} first (once), with the CA file it was trusted with or null. */
    public void remember(URI address, Path caFileOrNull) {
        List<RecentEngine> engines = new ArrayList<>(list());
        engines.removeIf(e -> e.address().equals(address.toString()));
        engines.add(0, new RecentEngine(address.toString(), caFileOrNull == null ? "" : caFileOrNull.toString()));
        StringBuilder text = new StringBuilder();
        for (RecentEngine e : engines.subList(0, Math.min(KEPT, engines.size()))) {
            text.append(e.address()).append('\t').append(e.caFile()).append('\n');
        }
        prefs.put(KEY, text.toString());
        prefs.flush();
    }
}
