package dev.cachalot.app.settings;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Messages;
import dev.cachalot.app.common.Theme;
import dev.cachalot.engine.EngineApi;
import dev.cachalot.engine.EngineSettings;
import dev.cachalot.rules.FreshnessPolicy;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/** Settings with their checks: each field says what is wrong with it, and Save stays disabled until all are right. */
public final class SettingsViewModel {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?", Pattern.CASE_INSENSITIVE);

    private final EngineApi engine;
    private final Async async;
    private final Consumer<String> restartServer;
    private final StringProperty host = new SimpleStringProperty("127.0.0.1");
    private final StringProperty port = new SimpleStringProperty("5000");
    private final StringProperty freshness = new SimpleStringProperty("revalidate");
    private final StringProperty maxCacheSize = new SimpleStringProperty("0");
    private final ObjectProperty<Theme> theme;
    private final ReadOnlyStringWrapper hostError = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper portError = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper freshnessError = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper sizeError = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper saveMessage = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper saveError = new ReadOnlyStringWrapper("");
    private final String dataFolder;
    private final BooleanBinding valid;
    private EngineSettings loaded = EngineSettings.DEFAULTS;

    /** @param restartServer restarts the engine's server on a new {@code host:port} */
    public SettingsViewModel(AppContext context, Consumer<String> restartServer) {
        this.engine = context.engine();
        this.async = context.async();
        this.restartServer = restartServer;
        this.theme = context.themeProperty();
        this.dataFolder = context.dataFolder();
        hostError.bind(Bindings.createStringBinding(() -> hostProblem(host.get()), host));
        portError.bind(Bindings.createStringBinding(() -> portProblem(port.get()), port));
        freshnessError.bind(Bindings.createStringBinding(() -> freshnessProblem(freshness.get()), freshness));
        sizeError.bind(Bindings.createStringBinding(() -> parseSize(maxCacheSize.get()) < 0
                ? "Write a size such as 20 GiB or 500 MB, or 0 for no limit." : "", maxCacheSize));
        valid = Bindings.createBooleanBinding(() -> hostError.get().isEmpty() && portError.get().isEmpty()
                && freshnessError.get().isEmpty() && sizeError.get().isEmpty(), hostError, portError, freshnessError, sizeError);
    }

    static String hostProblem(String h) {
        String s = h == null ? "" : h.strip();
        if (s.isEmpty()) return "Enter the address to listen on, such as 127.0.0.1.";
        if (!s.matches("[A-Za-z0-9.:\\-\\[\\]]+")) return "'" + s + "' is not a host name or IP address.";
        return "";
    }

    static String portProblem(String p) {
        String s = p == null ? "" : p.strip();
        String range = "The port is a number from 1 to 65535 (0 lets the system pick a free one).";
        if (!s.matches("\\d{1,5}")) return range;
        if (Integer.parseInt(s) > 65535) return range;
        return "";
    }

    static String freshnessProblem(String f) {
        try {
            FreshnessPolicy.parse(f);
            return "";
        } catch (IllegalArgumentException e) {
            return Messages.human(e);
        }
    }

    /** Bytes of a size such as {@code 20 GiB}, {@code 500MB} or {@code 0}; -1 if it cannot be read. */
    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.strip());
        if (!m.matches()) return -1;
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        double factor = switch (unit) {
            case "kb" -> 1e3;
            case "kib" -> 1024;
            case "mb" -> 1e6;
            case "mib" -> 1024.0 * 1024;
            case "gb" -> 1e9;
            case "gib" -> 1024.0 * 1024 * 1024;
            case "tb" -> 1e12;
            case "tib" -> 1024.0 * 1024 * 1024 * 1024;
            default -> 1;
        };
        return (long) (n * factor);
    }

    public void load() {
        async.run(engine::settings, s -> {
            loaded = s;
            int colon = s.listen().lastIndexOf(':');
            host.set(colon < 0 ? s.listen() : s.listen().substring(0, colon));
            port.set(colon < 0 ? "5000" : s.listen().substring(colon + 1));
            freshness.set(s.defaultFreshness());
            maxCacheSize.set(s.maxCacheBytes() == 0 ? "0" : dev.cachalot.app.common.Formats.bytes(s.maxCacheBytes()).replace(".0 ", " "));
        }, e -> saveError.set(Messages.human(e)));
    }

    /** Saves; restarts the server when the listen address changed. */
    public void save() {
        if (!valid.get()) return;
        String listen = host.get().strip() + ":" + port.get().strip();
        EngineSettings updated = new EngineSettings(listen, FreshnessPolicy.parse(freshness.get()).text(), parseSize(maxCacheSize.get()));
        boolean restart = !listen.equals(loaded.listen());
        saveError.set("");
        async.run(() -> {
            engine.updateSettings(updated);
            return updated;
        }, s -> {
            loaded = s;
            saveMessage.set(restart ? "Saved. The registry restarts on " + listen + "." : "Saved.");
            if (restart) restartServer.accept(listen);
        }, e -> saveError.set(Messages.human(e)));
    }

    public StringProperty hostProperty() { return host; }
    public StringProperty portProperty() { return port; }
    public StringProperty freshnessProperty() { return freshness; }
    public StringProperty maxCacheSizeProperty() { return maxCacheSize; }
    public ObjectProperty<Theme> themeProperty() { return theme; }
    public ReadOnlyStringProperty hostErrorProperty() { return hostError.getReadOnlyProperty(); }
    public ReadOnlyStringProperty portErrorProperty() { return portError.getReadOnlyProperty(); }
    public ReadOnlyStringProperty freshnessErrorProperty() { return freshnessError.getReadOnlyProperty(); }
    public ReadOnlyStringProperty sizeErrorProperty() { return sizeError.getReadOnlyProperty(); }
    public ReadOnlyStringProperty saveMessageProperty() { return saveMessage.getReadOnlyProperty(); }
    public ReadOnlyStringProperty saveErrorProperty() { return saveError.getReadOnlyProperty(); }
    public BooleanBinding validProperty() { return valid; }
    public String dataFolder() { return dataFolder; }
}
