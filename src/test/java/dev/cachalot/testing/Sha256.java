package dev.cachalot.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** {@code sha256:<hex>} digests of bytes, files and streams. */
public final class Sha256 {
    private Sha256() {
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String of(byte[] bytes) {
        return format(newDigest().digest(bytes));
    }

    public static String of(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return of(in).digest();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Digest and byte count of a stream read to its end (not closed). */
    public static Counted of(InputStream in) throws IOException {
        MessageDigest md = newDigest();
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            md.update(buffer, 0, n);
            total += n;
        }
        return new Counted(format(md.digest()), total);
    }

    public static String format(byte[] digest) {
        return "sha256:" + HexFormat.of().formatHex(digest);
    }

    /** The hex part of {@code sha256:<hex>}. */
    public static String hex(String digest) {
        return digest.substring(digest.indexOf(':') + 1);
    }

    /** A digest with the number of bytes it covers. */
    public record Counted(String digest, long size) {
    }
}
