package dev.cachalot.testing;

import java.nio.file.Path;

/** Debian's {@code umoci} (OCI image layout tool): a reader of bundles that is not ours and not skopeo. */
public final class Umoci {
    public static final String BINARY = "/usr/bin/umoci";
    public static final String DEBIAN_PACKAGE = "umoci";

    private Umoci() {
    }

    /** The binary; fails the test loudly, naming the package, when it is missing. */
    public static Path require() {
        return RequiredBinary.require(BINARY, DEBIAN_PACKAGE);
    }
}
