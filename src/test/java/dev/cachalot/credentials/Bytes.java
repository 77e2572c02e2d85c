package dev.cachalot.credentials;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Byte searches for "the password is nowhere on disk" checks. */
final class Bytes {
    private Bytes() {
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return true;
        }
        return false;
    }

    /** The files under {@code root} whose bytes contain {@code needle}. */
    static List<Path> filesContaining(Path root, byte[] needle) {
        List<Path> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                try {
                    if (contains(Files.readAllBytes(p), needle)) hits.add(p);
                } catch (IOException e) {
                    // a lock file or a file being replaced: skip
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return hits;
    }
}
