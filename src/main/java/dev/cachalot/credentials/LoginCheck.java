package dev.cachalot.credentials;

/**
 * How a login fared against its upstream when tried before saving: no error code when it was accepted, else the code
 * and the reason in words (as a credential set's health would record them).
 */
public record LoginCheck(String errorCode, String errorMessage) {

    public boolean accepted() {
        return errorCode == null;
    }
}
