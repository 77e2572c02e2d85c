package dev.cachalot.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cachalot.security.TrustedProxies;
import dev.cachalot.storage.PostgresSettings;
import dev.cachalot.storage.S3Credentials;
import dev.cachalot.storage.S3Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The server configuration file of {@code cachalot serve --config FILE} (YAML). Every section is optional; the
 * command line's flags win over the file:
 *
 * <pre>{@code
 * listen: 0.0.0.0:5000             # or, behind balancers that send the PROXY protocol (HAProxy send-proxy-v2):
 * # listen:
 * #   address: 0.0.0.0:5000
 * #   trustedProxies: [10.0.0.5/32]  # their connections may announce the client's address; others may not
 * tls:                            # relative paths are taken from the file's folder
 *   cert: /etc/cachalot/tls/cert.pem
 *   key: /etc/cachalot/tls/key.pem
 * auth:
 *   mode: required                # none | required
 *   allowAnonymous: true          # anonymous pulls (never pushes)
 *   tokenKeyFile: /etc/cachalot/token.key   # the same on every node sharing a database (or CACHALOT_TOKEN_KEY_FILE)
 * storage:
 *   type: s3                      # files (default: the data folder) | s3
 *   garbageGrace: PT1H            # optional ISO-8601 duration: blobs stored this recently are never collected
 *   s3:
 *     endpoint: https://minio.internal:9000
 *     region: us-east-1
 *     bucket: cachalot
 *     prefix: cache/               # optional; empty or ending in '/'
 *     pathStyle: true              # optional, default true
 *     partSizeMiB: 16              # optional, at least 5
 *     presignedRedirects: PT5M     # optional ISO-8601 duration; absent or PT0S: off
 *     abandonedUploadsAge: PT24H   # optional
 *     localCopiesMiB: 20480        # optional: bound on this node's copies of bucket blobs (least recently used go)
 * database:
 *   type: postgresql              # h2 (the data folder's own) | postgresql
 *   postgresql:
 *     url: jdbc:postgresql://db.internal:5432/cachalot
 *     user: cachalot
 *     passwordFile: /etc/cachalot/db-password   # optional; or CACHALOT_DATABASE_PASSWORD(_FILE) in the environment
 * }</pre>
 *
 * Secrets never live in this file nor on the command line: the S3 access key comes from the environment ({@link
 * S3Credentials#fromEnvironment}), the database password and the token key from the environment or a file. Without a
 * {@code database} section the environment decides ({@code CACHALOT_DATABASE_URL}). The built-in bounds (connections per address,
 * upload limits, disk reserve) have no settings in this version, so a {@code limits} section is refused as any other
 * unknown one: a cluster node must not start quietly on settings it did not apply.
 */
public final class ServerConfig {

    private static final Set<String> TOP_LEVEL = Set.of("listen", "tls", "auth", "storage", "database");
    private static final Set<String> LISTEN = Set.of("address", "trustedProxies");
    private static final Set<String> TLS = Set.of("cert", "key");
    private static final Set<String> AUTH = Set.of("mode", "allowAnonymous", "tokenKeyFile");
    private static final Set<String> STORAGE = Set.of("type", "s3", "garbageGrace");
    private static final Set<String> S3 = Set.of("endpoint", "region", "bucket", "prefix", "pathStyle", "partSizeMiB",
            "presignedRedirects", "abandonedUploadsAge", "localCopiesMiB");
    private static final Set<String> DATABASE = Set.of("type", "postgresql");
    private static final Set<String> POSTGRESQL = Set.of("url", "user", "passwordFile");
    private static final Set<String> SECRETS = Set.of("accessKeyId", "secretAccessKey", "accessKey", "secretKey", "password",
            "tokenKey");

    private final String listen;
    private final TrustedProxies trustedProxies;
    private final Path tlsCert;
    private final Path tlsKey;
    private final ServingOptions.Auth auth;
    private final Boolean allowAnonymous;
    /** Null: the file does not name one. */
    private final Path tokenKeyFile;
    /** Null: blobs in the data folder. */
    private final S3Settings s3Storage;
    /** Null: the environment decides; else the file's choice. */
    private final DatabaseChoice database;
    /** Null: the default grace period of garbage collection. */
    private final Duration garbageGrace;

    /** The file's database: {@code shared} null means the data folder's H2 database. */
    record DatabaseChoice(PostgresSettings shared) {
    }

    private ServerConfig(Builder b) {
        this.listen = b.listen;
        this.trustedProxies = b.trustedProxies;
        this.tlsCert = b.tlsCert;
        this.tlsKey = b.tlsKey;
        this.auth = b.auth;
        this.allowAnonymous = b.allowAnonymous;
        this.tokenKeyFile = b.tokenKeyFile;
        this.s3Storage = b.s3Storage;
        this.database = b.database;
        this.garbageGrace = b.garbageGrace;
    }

    private static final class Builder {
        String listen;
        TrustedProxies trustedProxies = TrustedProxies.NONE;
        Path tlsCert;
        Path tlsKey;
        ServingOptions.Auth auth;
        Boolean allowAnonymous;
        Path tokenKeyFile;
        S3Settings s3Storage;
        DatabaseChoice database;
        Duration garbageGrace;
    }

    /**
     * Reads {@code file}, taking the S3 access key and the database password from {@code environment}.
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
            Path folder = file.toAbsolutePath().getParent();
            return parse(root, environment, folder);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static ServerConfig parse(JsonNode root, Map<String, String> environment, Path folder) {
        Builder b = new Builder();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new ServerConfig(b);
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("the configuration must be a YAML mapping (listen:, storage:, ...)");
        }
        requireKnown(root, "", TOP_LEVEL);
        JsonNode listen = root.path("listen");
        if (listen.isObject()) {
            requireKnown(listen, "listen.", LISTEN);
            if (listen.has("address")) b.listen = text(listen, "address", "listen.address");
            if (listen.has("trustedProxies")) b.trustedProxies = trustedProxies(listen.get("trustedProxies"));
        } else if (!listen.isMissingNode()) {
            b.listen = text(root, "listen", "listen");
        }
        JsonNode tls = root.path("tls");
        if (!tls.isMissingNode()) {
            requireKnown(tls, "tls.", TLS);
            b.tlsCert = folder.resolve(text(tls, "cert", "tls.cert"));
            b.tlsKey = folder.resolve(text(tls, "key", "tls.key"));
        }
        JsonNode auth = root.path("auth");
        if (!auth.isMissingNode()) {
            requireKnown(auth, "auth.", AUTH);
            if (auth.has("mode")) {
                String mode = auth.get("mode").asText();
                switch (mode) {
                    case "none" -> b.auth = ServingOptions.Auth.NONE;
                    case "required" -> b.auth = ServingOptions.Auth.REQUIRED;
                    default -> throw new IllegalArgumentException("auth.mode must be 'none' or 'required', not '" + mode + "'");
                }
            }
            if (auth.has("allowAnonymous")) {
                JsonNode value = auth.get("allowAnonymous");
                if (!value.isBoolean()) {
                    throw new IllegalArgumentException("auth.allowAnonymous must be true or false");
                }
                b.allowAnonymous = value.asBoolean();
            }
            if (auth.has("tokenKeyFile")) {
                b.tokenKeyFile = folder.resolve(text(auth, "tokenKeyFile", "auth.tokenKeyFile"));
            }
        }
        JsonNode storage = root.path("storage");
        if (!storage.isMissingNode()) {
            requireKnown(storage, "storage.", STORAGE);
            String type = storage.path("type").asText("files");
            switch (type) {
                case "files" -> b.s3Storage = null;
                case "s3" -> b.s3Storage = s3(storage.path("s3"), environment);
                default -> throw new IllegalArgumentException("storage.type must be 'files' or 's3', not '" + type + "'");
            }
            if (storage.has("garbageGrace")) {
                b.garbageGrace = duration(storage, "garbageGrace", "storage.");
                if (b.garbageGrace.isNegative()) throw new IllegalArgumentException("storage.garbageGrace must not be negative");
            }
        }
        JsonNode database = root.path("database");
        if (!database.isMissingNode()) {
            requireKnown(database, "database.", DATABASE);
            String type = database.path("type").asText("h2");
            switch (type) {
                case "h2" -> b.database = new DatabaseChoice(null);
                case "postgresql" -> b.database = new DatabaseChoice(postgresql(database.path("postgresql"), environment, folder));
                default -> throw new IllegalArgumentException("database.type must be 'h2' or 'postgresql', not '" + type + "'");
            }
        }
        return new ServerConfig(b);
    }

    private static PostgresSettings postgresql(JsonNode pg, Map<String, String> environment, Path folder) {
        if (!pg.isObject()) {
            throw new IllegalArgumentException("database.type is postgresql but there is no database.postgresql section");
        }
        requireKnown(pg, "database.postgresql.", POSTGRESQL);
        Map<String, String> env = new java.util.HashMap<>(environment);
        env.put(PostgresSettings.URL_ENV, text(pg, "url", "database.postgresql.url"));
        env.put(PostgresSettings.USER_ENV, text(pg, "user", "database.postgresql.user"));
        boolean passwordInEnvironment = !environment.getOrDefault(PostgresSettings.PASSWORD_ENV, "").isEmpty()
                || !environment.getOrDefault(PostgresSettings.PASSWORD_FILE_ENV, "").isBlank();
        if (pg.has("passwordFile") && !passwordInEnvironment) {
            env.put(PostgresSettings.PASSWORD_FILE_ENV, folder.resolve(text(pg, "passwordFile", "database.postgresql.passwordFile")).toString());
        }
        try {
            return PostgresSettings.fromEnvironment(env::get).orElseThrow();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("database.postgresql: " + e.getMessage());
        }
    }

    private static TrustedProxies trustedProxies(JsonNode list) {
        String hint = "listen.trustedProxies must be a list of the balancers' addresses or ranges, such as [10.0.0.5/32]";
        if (!list.isArray()) throw new IllegalArgumentException(hint);
        List<String> entries = new ArrayList<>();
        for (JsonNode entry : list) {
            if (!entry.isTextual()) throw new IllegalArgumentException(hint + ", not " + entry);
            entries.add(entry.asText());
        }
        try {
            return TrustedProxies.parse(entries);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("listen.trustedProxies: " + e.getMessage());
        }
    }

    private static String text(JsonNode node, String name, String path) {
        JsonNode value = node.path(name);
        if (!value.isValueNode() || value.asText("").isBlank()) {
            throw new IllegalArgumentException(path + " is missing");
        }
        return value.asText();
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
        if (s3.has("presignedRedirects")) settings = settings.withPresignedRedirects(duration(s3, "presignedRedirects", "storage.s3."));
        if (s3.has("abandonedUploadsAge")) settings = settings.withAbandonedUploadsAge(duration(s3, "abandonedUploadsAge", "storage.s3."));
        if (s3.has("localCopiesMiB")) {
            JsonNode mib = s3.get("localCopiesMiB");
            if (!mib.canConvertToLong() || mib.asLong() < 0) {
                throw new IllegalArgumentException("storage.s3.localCopiesMiB must be a whole number of MiB, 0 or more");
            }
            settings = settings.withLocalCopiesBytes(mib.asLong() * 1024 * 1024);
        }
        return settings;
    }

    private static void requireKnown(JsonNode node, String path, Set<String> known) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (SECRETS.contains(name)) {
                String where = path.startsWith("database.")
                        ? PostgresSettings.PASSWORD_ENV + " or " + PostgresSettings.PASSWORD_FILE_ENV
                                + " in the environment, or passwordFile: naming a file that holds it"
                        : path.startsWith("auth.")
                        ? "auth.tokenKeyFile: naming a file that holds it (or " + EngineOptions.TOKEN_KEY_FILE_ENV
                                + " in the environment)"
                        : S3Credentials.ACCESS_KEY_ID + " and " + S3Credentials.SECRET_ACCESS_KEY
                                + " (or their _FILE variants) in the environment";
                throw new IllegalArgumentException(path + name + ": secrets do not belong in the configuration file; set " + where);
            }
            if (name.equals("limits") && path.isEmpty()) {
                throw new IllegalArgumentException("'limits' has no settings in this version: the built-in bounds apply"
                        + " (connections per address, upload limits, disk reserve); remove the section");
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

    private static Duration duration(JsonNode node, String name, String path) {
        String text = node.get(name).asText();
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(path + name + " must be an ISO-8601 duration such as PT5M, not '" + text + "'");
        }
    }

    /**
     * {@code options} with this configuration's storage, database and token key file; a key file named in the
     * environment ({@value EngineOptions#TOKEN_KEY_FILE_ENV}) wins over the file's, as the database password's does.
     */
    public EngineOptions applyTo(EngineOptions options) {
        EngineOptions result = s3Storage == null ? options : options.withS3Storage(s3Storage);
        if (tokenKeyFile != null && result.tokenKeyFile() == null) result = result.withTokenKeyFile(tokenKeyFile);
        if (garbageGrace != null) result = result.withGarbageGrace(garbageGrace);
        return database == null ? result : result.withSharedDatabase(database.shared());
    }

    /** Null when the file names no token key file. */
    Path tokenKeyFile() {
        return tokenKeyFile;
    }

    /** Null when blobs stay in the data folder. */
    S3Settings s3Storage() {
        return s3Storage;
    }

    /** Null when the file has no database section (the environment decides). */
    DatabaseChoice database() {
        return database;
    }

    /** The balancers that may announce their clients' addresses; {@link TrustedProxies#NONE} when the file names none. */
    public TrustedProxies trustedProxies() {
        return trustedProxies;
    }

    /** The address to listen on, or null when the file does not say. */
    public String listen() {
        return listen;
    }

    /** The PEM certificate chain, or null for plain HTTP. */
    public Path tlsCert() {
        return tlsCert;
    }

    /** The PEM private key of {@link #tlsCert()}, or null. */
    public Path tlsKey() {
        return tlsKey;
    }

    /** Null when the file does not say. */
    public ServingOptions.Auth auth() {
        return auth;
    }

    /** Null when the file does not say. */
    public Boolean allowAnonymous() {
        return allowAnonymous;
    }
}
