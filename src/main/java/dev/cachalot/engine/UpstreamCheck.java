package dev.cachalot.engine;

import java.time.Instant;

/**
 * What an upstream's {@code GET /v2/} answered, asked without credentials: it serves anyone, it wants a login, or it
 * could not be reached (with the reason, e.g. connection refused or a certificate it does not trust).
 *
 * @param loginServer the upstream checked ({@code host[:port]})
 * @param detail      the reason for {@link Result#UNREACHABLE}, or a short note; never a secret
 */
public record UpstreamCheck(String loginServer, Result result, String detail, Instant checkedAt) {

    public enum Result {
        REACHABLE_ANONYMOUSLY("reachable anonymously"),
        NEEDS_LOGIN("reachable, needs a login"),
        UNREACHABLE("unreachable");

        private final String text;

        Result(String text) {
            this.text = text;
        }

        /** How the portal words it. */
        public String text() {
            return text;
        }
    }

    /** True when the upstream answered at all (anonymously or with a login challenge). */
    public boolean healthy() {
        return result != Result.UNREACHABLE;
    }

    /** One line for a user: the result, and the reason when there is one. */
    public String summary() {
        return detail == null || detail.isBlank() ? result.text() : result.text() + ": " + detail;
    }
}
