package dev.cachalot.engine;

import java.time.Instant;

/** A server-mode user as the CLI and the app show it: never the password or its hash. */
public record UserView(String name, String role, String repositories, Instant created) {
}
