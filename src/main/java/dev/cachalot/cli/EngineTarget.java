package dev.cachalot.cli;

import dev.cachalot.api.client.EngineTrust;
import dev.cachalot.api.client.RemoteEngine;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineAdmin;
import java.net.URI;
import java.nio.file.Path;

/**
 * Which engine a management command acts on: the engine at {@code --engine URL} through its management API, or the
 * local data folder ({@code --data}, else the default) as before. The token for a remote engine is
 * {@code CACHALOT_TOKEN} when set, else the one {@code cachalot login URL} stored; an {@code https} engine's
 * certificate is checked against the system's CAs plus {@code CACHALOT_ENGINE_CA} when set.
 */
record EngineTarget(URI engine, Path data) {

    static final String TOKEN_VARIABLE = "CACHALOT_TOKEN";
    /** A PEM file of CA certificates to trust beside the system's for an {@code https} engine (e.g. tls init's ca.crt). */
    static final String CA_VARIABLE = "CACHALOT_ENGINE_CA";

    /** The target the root command's options name. */
    static EngineTarget of(CachalotCommand root) {
        if (root.engine != null && root.data != null) {
            throw new IllegalArgumentException("give --engine (a remote engine) or --data (a local data folder), not both");
        }
        return new EngineTarget(root.engine == null ? null : RemoteEngine.address(root.engine), root.data);
    }

    boolean remote() {
        return engine != null;
    }

    EngineAdmin open() {
        if (remote()) {
            return new RemoteEngine(engine, token(), EngineTrust.context(extraCa()));
        }
        return Engine.open(data != null ? data : Engine.defaultDataFolder(), CliVault.options());
    }

    /** {@value #CA_VARIABLE} (environment), or the {@code cachalot.engine.ca} system property; null: the system's CAs. */
    static Path extraCa() {
        String file = System.getProperty("cachalot.engine.ca", System.getenv(CA_VARIABLE));
        return file == null || file.isBlank() ? null : Path.of(file);
    }

    private String token() {
        String fromEnvironment = System.getenv(TOKEN_VARIABLE);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) return fromEnvironment.strip();
        return StoredTokens.defaultLocation().token(engine).orElse(null);
    }

    /**
     * A failure's line for this target: as the local CLI words it, with the remote engine named unless the message
     * names it already.
     */
    String describe(String message) {
        if (!remote() || message.contains(engine.toString())) return message;
        return message + " (engine " + engine + ")";
    }
}
