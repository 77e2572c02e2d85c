package dev.cachalot.registry;

import java.nio.file.Path;
import java.util.Objects;

/** The PEM files of an HTTPS listener: the certificate chain and its PKCS#8 key, re-read when they change. */
public record TlsFiles(Path certificateChain, Path privateKey) {
    public TlsFiles {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
    }
}
