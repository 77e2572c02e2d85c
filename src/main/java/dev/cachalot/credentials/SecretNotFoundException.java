package dev.cachalot.credentials;

/** A credential set names a vault secret that does not exist. */
public class SecretNotFoundException extends RuntimeException {

    private final String secretId;

    public SecretNotFoundException(String secretId) {
        super("secret '" + secretId + "' does not exist in the vault: create it with `cachalot secrets set "
                + SecretId.nameOrSelf(secretId) + "`");
        this.secretId = secretId;
    }

    public String secretId() {
        return secretId;
    }
}
