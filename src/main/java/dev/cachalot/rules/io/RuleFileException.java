package dev.cachalot.rules.io;

/** A whole file cannot be read as rules (too large, binary, bad encoding, malformed, unknown shape). */
public class RuleFileException extends Exception {
    public RuleFileException(String message) {
        super(message);
    }

    public RuleFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
