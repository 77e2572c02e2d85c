package dev.cachalot.app.clientsetup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.engine.Engine;
import dev.cachalot.engine.ServingOptions;
import dev.cachalot.storage.DataFolder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Client setup page asks clients to sign in exactly when the real engine would refuse them without: a listener
 * that checks credentials with anonymous pulls off; not a loopback engine without auth, nor one with
 * {@code --allow-anonymous}.
 */
class SnippetsFollowTheEnginesAccessTest {

    @TempDir
    Path temp;

    @Test
    void aLoginStepAppearsOnlyWhenTheEngineRequiresOneToPull() {
        try (Engine engine = Engine.open(new DataFolder(temp.resolve("data")))) {
            engine.startServer("127.0.0.1:0", null, null, options(ServingOptions.Auth.REQUIRED, false));
            assertThat(engine.status().loginRequired()).isTrue();
            assertThat(ClientSnippets.forEngine(engine).trustAndLogin()).contains("docker login");
            engine.stopServer();

            engine.startServer("127.0.0.1:0", null, null, options(ServingOptions.Auth.REQUIRED, true));
            assertThat(engine.status().loginRequired()).as("anonymous pulls allowed").isFalse();
            assertThat(ClientSnippets.forEngine(engine).access().loginRequired()).isFalse();
            engine.stopServer();

            engine.startServer("127.0.0.1:0", null, null, options(ServingOptions.Auth.NONE, false));
            assertThat(engine.status().loginRequired()).as("loopback, auth none").isFalse();
        }
    }

    private static ServingOptions options(ServingOptions.Auth auth, boolean allowAnonymous) {
        return new ServingOptions(auth, allowAnonymous, null, ServingOptions.AccessLog.OFF);
    }
}
