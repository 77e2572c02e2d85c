package dev.cachalot.rules.io;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The sample files under src/test/resources/import-samples, written from each tool's public documentation. */
final class Samples {
    private Samples() {
    }

    static Path sample(String name) {
        try {
            return Path.of(Samples.class.getResource("/import-samples/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing sample " + name, e);
        }
    }
}
