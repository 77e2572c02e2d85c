package dev.cachalot.bundle;

/**
 * A bundle refused or an export that could not be written, with one message that says why in terms of the archive
 * (the entry, the digest, the limit). Nothing of an import is left behind when this is thrown.
 */
public final class BundleException extends RuntimeException {

    public BundleException(String message) {
        super(message);
    }

    public BundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
