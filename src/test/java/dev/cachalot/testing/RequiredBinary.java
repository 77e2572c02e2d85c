package dev.cachalot.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An external program the tests need. Missing programs fail the test loudly (never a skip), naming the Debian
 * package and the command that installs it.
 */
final class RequiredBinary {
    private RequiredBinary() {
    }

    static Path require(String path, String debianPackage) {
        Path binary = Path.of(path);
        if (!Files.isExecutable(binary)) {
            throw new AssertionError("""

                    ************************************************************************
                    * MISSING TEST DEPENDENCY: %s not found or not executable.
                    * Install the Debian package '%s':
                    *     ./scripts/install-test-deps.sh
                    * or  apt-get update && apt-get install -y --no-install-recommends %s
                    * (./scripts/test.sh does this for you.) Tests never skip without it.
                    ************************************************************************
                    """.formatted(path, debianPackage, debianPackage));
        }
        return binary;
    }
}
