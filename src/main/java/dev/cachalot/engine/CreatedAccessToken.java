package dev.cachalot.engine;

/**
 * A token just made: its secret, to be shown once and never again (only its hash is kept).
 */
public record CreatedAccessToken(AccessTokenView token, String secret) {
    @Override
    public String toString() {
        return "CreatedAccessToken[" + token + "]";
    }
}
