package dev.cachalot.app;

import dev.cachalot.testing.DockerRegistryFixture;

/**
 * Debian's docker-registry on loopback, started at most once per test JVM for all the app's tests (each start costs
 * about a second of a shared machine): one open, one that wants {@link #USER}/{@link #PASSWORD}. Tests push under
 * repository names of their own and never delete, so they do not see each other. Stopped when the JVM exits.
 */
public final class SharedRegistries {
    public static final String USER = "ci-robot";
    public static final String PASSWORD = "Real-Vault-S3cret-42";

    private static DockerRegistryFixture open;
    private static DockerRegistryFixture withLogin;

    private SharedRegistries() {
    }

    /** A registry anyone may pull from and push to. */
    public static synchronized DockerRegistryFixture open() {
        if (open == null) open = stoppedOnExit(DockerRegistryFixture.start());
        return open;
    }

    /** A registry that takes the login {@link #USER}/{@link #PASSWORD} (htpasswd). */
    public static synchronized DockerRegistryFixture withLogin() {
        if (withLogin == null) withLogin = stoppedOnExit(DockerRegistryFixture.builder().htpasswd(USER, PASSWORD).start());
        return withLogin;
    }

    private static DockerRegistryFixture stoppedOnExit(DockerRegistryFixture registry) {
        Runtime.getRuntime().addShutdownHook(new Thread(registry::close, "stop-shared-docker-registry"));
        return registry;
    }
}
