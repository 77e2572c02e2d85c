package dev.cachalot.credentials;

/** The vault cannot be opened, read or written. Messages say what to do; they never contain a secret. */
public class VaultException extends RuntimeException {

    public VaultException(String message) {
        super(message);
    }

    public VaultException(String message, Throwable cause) {
        super(message, cause);
    }
}
