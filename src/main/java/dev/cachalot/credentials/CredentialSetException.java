package dev.cachalot.credentials;

/** A credential set or secret operation is refused; the message says why (and never contains a secret). */
public class CredentialSetException extends RuntimeException {

    public CredentialSetException(String message) {
        super(message);
    }
}
