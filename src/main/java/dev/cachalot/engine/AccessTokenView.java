package dev.cachalot.engine;

import java.time.Instant;

/** An access token as lists show it: never the secret or its hash. @param expires null: never @param lastUsed null: never */
public record AccessTokenView(String name, String user, Instant created, Instant expires, Instant lastUsed) {
}
