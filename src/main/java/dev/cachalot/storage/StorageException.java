package dev.cachalot.storage;

/** A failure of local storage (database or disk). Messages never contain secrets. */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}
