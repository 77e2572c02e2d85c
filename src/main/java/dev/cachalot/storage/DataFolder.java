package dev.cachalot.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The folder that holds everything Cachalot keeps: blobs, the metadata database, the vault, logs.
 * Defaults to the platform's user data folder; {@code CACHALOT_DATA} or {@code --data} override it.
 */
public record DataFolder(Path root) {

    public static final String ENV = "CACHALOT_DATA";

    public DataFolder {
        root = root.toAbsolutePath().normalize();
    }

    /** {@code CACHALOT_DATA} if set, else the platform's user data folder. */
    public static DataFolder defaultLocation() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return new DataFolder(Path.of(env));
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        Path home = Path.of(System.getProperty("user.home"));
        if (os.contains("win")) {
            String local = System.getenv("LOCALAPPDATA");
            return new DataFolder(local != null ? Path.of(local, "Cachalot") : home.resolve("AppData/Local/Cachalot"));
        }
        if (os.contains("mac")) {
            return new DataFolder(home.resolve("Library/Application Support/Cachalot"));
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        return new DataFolder(xdg != null && !xdg.isBlank() ? Path.of(xdg, "cachalot") : home.resolve(".local/share/cachalot"));
    }

    public Path blobs() {
        return root.resolve("blobs");
    }

    /** Temp files of blobs being fetched; on the same file system as {@link #blobs()} so a move is atomic. */
    public Path tmp() {
        return root.resolve("tmp");
    }

    public Path database() {
        return root.resolve("db");
    }

    public Path vault() {
        return root.resolve("vault");
    }

    public Path logs() {
        return root.resolve("logs");
    }

    /** Creates the folder and its parts if missing. */
    public DataFolder ensureCreated() {
        try {
            for (Path p : new Path[]{root, blobs(), tmp(), database(), vault(), logs()}) {
                Files.createDirectories(p);
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data folder " + root + ": " + e.getMessage(), e);
        }
    }
}
