package dev.cachalot.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cachalot.storage.S3Credentials;
import dev.cachalot.storage.S3Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The server configuration file of {@code cachalot serve --config FILE} (YAML). This version reads its {@code storage}
 * section: {@code files} (the default: blobs in the data folder) or {@code s3}:
 *
 * <pre>{@code
 * storage:
 *   type: s3
 *   s3:
 *     endpoint: https://minio.internal:9000
 *     region: us-east-1
 *     bucket: cachalot
 *     prefix: cache/               # optional; empty or ending in '/'
 *     pathStyle: true              # optional, default true
 *     partSizeMiB: 16              # optional, at least 5
 *     presignedRedirects: PT5M     # optional ISO-8601 duration; absent or PT0S: off
 *     abandonedUploadsAge: PT24H   # optional
 * }</pre>
 *
 * The access key comes from the environment ({@link S3Credentials#fromEnvironment}), never from this file nor the
 * command line. Sections this version does not know are refused by name rather than ignored: a cluster node must not
 * start quietly on settings it did not apply.
 */
public final class ServerConfig {

    private static final Set<String> TOP_LEVEL = Set.of("storage");
    private static final Set<String> STORAGE = Set.of("type", "s3");
    private static final Set<String> S3 = Set.of("endpoint", "region", "bucket", "prefix", "pathStyle", "partSizeMiB",
            "presignedRedirects", "abandonedUploadsAge");
    private static final Set<String> SECRETS = Set.of("accessKeyId", "secretAccessKey", "accessKey", "secretKey", "password");

    /** Null: blobs in the data folder. */
    private final S3Settings s3Storage;

    private ServerConfig(S3Settings s3Storage) {
        this.s3Storage = s3Storage;
    }

    /**
     * Reads {@code file}, taking the S3 access key from {@code environment}.
     *
     * @throws IllegalArgumentException naming the file and the setting that is wrong
     */
    public static ServerConfig load(Path file, Map<String, String> environment) {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the configuration " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(root, environment);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static ServerConfig parse(JsonNode root, Map<String, String> environment) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new ServerConfig(null);
        }
        requireKnown(root, "", TOP_LEVEL);
        JsonNode storage = root.path("storage");
        if (storage.isMissingNode()) {
            return new ServerConfig(null);
        }
        requireKnown(storage, "storage.", STORAGE);
        String type = storage.path("type").asText("files");
        switch (type) {
            case "files":
                return new ServerConfig(null);
            case "s3":
                return new ServerConfig(s3(storage.path("s3"), environment));
            default:
                throw new IllegalArgumentException("storage.type must be 'files' or 's3', not '" + type + "'");
        }
    }

    private static S3Settings s3(JsonNode s3, Map<String, String> environment) {
        if (!s3.isObject()) {
            throw new IllegalArgumentException("storage.type is s3 but there is no storage.s3 section");
        }
        requireKnown(s3, "storage.s3.", S3);
        URI endpoint;
        try {
            endpoint = URI.create(required(s3, "endpoint"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("storage.s3.endpoint is not an address: " + e.getMessage());
        }
        S3Settings settings = S3Settings.of(endpoint, s3.path("region").asText("us-east-1"), required(s3, "bucket"),
                s3.path("prefix").asText(""), S3Credentials.fromEnvironment(environment));
        if (s3.has("pathStyle")) settings = settings.withPathStyle(s3.get("pathStyle").asBoolean(true));
        if (s3.has("partSizeMiB")) settings = settings.withPartSize(s3.get("partSizeMiB").asLong() * 1024 * 1024);
        if (s3.has("presignedRedirects")) settings = settings.withPresignedRedirects(duration(s3, "presignedRedirects"));
        if (s3.has("abandonedUploadsAge")) settings = settings.withAbandonedUploadsAge(duration(s3, "abandonedUploadsAge"));
        return settings;
    }

    private static void requireKnown(JsonNode node, String path, Set<String> known) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (SECRETS.contains(name)) {
                throw new IllegalArgumentException(path + name + ": secrets do not belong in the configuration file; set "
                        + S3Credentials.ACCESS_KEY_ID + " and " + S3Credentials.SECRET_ACCESS_KEY
                        + " (or their _FILE variants) in the environment");
            }
            if (!known.contains(name)) {
                throw new IllegalArgumentException("'" + path + name + "' is not a setting this version knows (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String required(JsonNode node, String name) {
        String value = node.path(name).asText("");
        if (value.isBlank()) {
            throw new IllegalArgumentException("storage.s3." + name + " is missing");
        }
        return value;
    }

    private static Duration duration(JsonNode node, String name) {
        String text = node.get(name).asText();
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("storage.s3." + name + " must be an ISO-8601 duration such as PT5M, not '" + text + "'");
        }
    }

    /** {@code options} with this configuration's storage. */
    public EngineOptions applyTo(EngineOptions options) {
        return s3Storage == null ? options : options.withS3Storage(s3Storage);
    }

    /** Null when blobs stay in the data folder. */
    S3Settings s3Storage() {
        return s3Storage;
    }
}
