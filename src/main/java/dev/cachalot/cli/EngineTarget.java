package dev.cachalot.cli;

import dev.cachalot.api.client.RemoteEngine;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineAdmin;
import java.net.URI;
import java.nio.file.Path;

/**
 * Which engine a management command acts on: the engine at {@code --engine URL} through its management API, or the
 * local data folder ({@code --data}, else the default) as before. The token for a remote engine is
 * {@code CACHALOT_TOKEN} when set, else the one {@code cachalot login URL} stored.
 */
record EngineTarget(URI engine, Path data) {

    static final String TOKEN_VARIABLE = "CACHALOT_TOKEN";

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
            return new RemoteEngine(engine, token());
        }
        return Engine.open(data != null ? data : Engine.defaultDataFolder(), CliVault.options());
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
