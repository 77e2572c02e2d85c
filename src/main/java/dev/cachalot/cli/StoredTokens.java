package dev.cachalot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cachalot.oci.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The tokens {@code cachalot login} stored, one per engine address, in {@code tokens.json} under the user's config
 * folder ({@code $CACHALOT_CONFIG} or the {@code cachalot.config} system property when set, else
 * {@code $XDG_CONFIG_HOME/cachalot}, else {@code ~/.config/cachalot}). The file is readable by its owner only
 * (0600, its folder 0700) and written whole through a temporary file, so a crash leaves the old one; a token is never
 * printed.
 */
final class StoredTokens {
    static final String FILE_NAME = "tokens.json";

    private final Path file;

    StoredTokens(Path file) {
        this.file = file;
    }

    static StoredTokens defaultLocation() {
        String override = System.getProperty("cachalot.config", System.getenv("CACHALOT_CONFIG"));
        if (override != null && !override.isBlank()) return new StoredTokens(Path.of(override).resolve(FILE_NAME));
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return new StoredTokens(config.resolve("cachalot").resolve(FILE_NAME));
    }

    Path file() {
        return file;
    }

    Optional<String> token(URI engine) {
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            JsonNode node = Json.mapper().readTree(file.toFile()).get(engine.toString());
            return node == null || !node.isTextual() ? Optional.empty() : Optional.of(node.asText());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stored tokens in " + file + ": " + e.getMessage(), e);
        }
    }

    void store(URI engine, String token) {
        try {
            ObjectNode all = Files.isRegularFile(file) && Json.mapper().readTree(file.toFile()) instanceof ObjectNode existing
                    ? existing : Json.mapper().createObjectNode();
            all.put(engine.toString(), token);
            Path folder = file.getParent();
            boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
            if (!Files.isDirectory(folder)) {
                if (posix) {
                    Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(folder);
                }
            }
            // Created 0600 before anything is written into it: the token is never readable by others, not even briefly.
            Path temp = posix
                    ? Files.createTempFile(folder, FILE_NAME, ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(folder, FILE_NAME, ".tmp");
            try {
                Files.write(temp, Json.prettyWriter().writeValueAsBytes(all));
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the token in " + file + ": " + e.getMessage(), e);
        }
    }
}
