package dev.cachalot.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The access key of the S3 blob store. Read from the environment or from files a secret manager mounts, never from a
 * command line (where {@code ps} shows it). {@link #toString()} names the key id only: these objects end up in
 * settings that are logged and in exception messages, and the secret must never go along.
 */
public record S3Credentials(String accessKeyId, String secretAccessKey) {

    /** The key id; {@code CACHALOT_S3_ACCESS_KEY_ID_FILE} names a file holding it instead. */
    public static final String ACCESS_KEY_ID = "CACHALOT_S3_ACCESS_KEY_ID";
    /** The secret; {@code CACHALOT_S3_SECRET_ACCESS_KEY_FILE} names a file holding it instead. */
    public static final String SECRET_ACCESS_KEY = "CACHALOT_S3_SECRET_ACCESS_KEY";

    public S3Credentials {
        if (accessKeyId == null || accessKeyId.isBlank()) {
            throw new IllegalArgumentException("the S3 access key id is empty");
        }
        if (secretAccessKey == null || secretAccessKey.isEmpty()) {
            throw new IllegalArgumentException("the S3 secret access key is empty");
        }
    }

    /**
     * From {@code environment}: each value directly ({@value #ACCESS_KEY_ID}, {@value #SECRET_ACCESS_KEY}) or from the
     * file named by the same variable with {@code _FILE} appended (trailing line breaks dropped).
     *
     * @throws IllegalArgumentException naming the variables when one is missing or its file cannot be read
     */
    public static S3Credentials fromEnvironment(Map<String, String> environment) {
        return new S3Credentials(value(environment, ACCESS_KEY_ID), value(environment, SECRET_ACCESS_KEY));
    }

    private static String value(Map<String, String> environment, String name) {
        String direct = environment.get(name);
        String file = environment.get(name + "_FILE");
        if (direct != null && !direct.isEmpty()) {
            return direct;
        }
        if (file == null || file.isBlank()) {
            throw new IllegalArgumentException("S3 storage needs " + name + " or " + name + "_FILE in the environment");
        }
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            // The path is the operator's own setting; the content is never part of a message.
            throw new IllegalArgumentException("cannot read " + name + "_FILE (" + file + "): " + e.getClass().getSimpleName());
        }
    }

    @Override
    public String toString() {
        return "S3Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=(hidden)]";
    }
}
