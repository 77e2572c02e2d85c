package dev.cachalot.app.upstreams;

import dev.cachalot.engine.UpstreamCheck;
import dev.cachalot.rules.Upstream;

/** One line of the Upstreams table: the upstream and its last check, if any. */
public record UpstreamRow(Upstream upstream, UpstreamCheck lastCheck) {

    public String kind() {
        return upstream.builtIn() ? "Catalog" : "Custom";
    }

    /** The catalog's name ("Docker Hub"), or "Custom": a custom upstream is known by its login server, shown beside it. */
    public String name() {
        return upstream.builtIn() ? upstream.displayName() : "Custom";
    }

    public String endpoint() {
        return upstream.endpoint().toString().replaceAll("/+$", "");
    }

    public String auth() {
        return switch (upstream.authMode()) {
            case ANONYMOUS_ONLY -> "Anonymous only";
            case AUTHENTICATED_ONLY -> "Login required";
            case BOTH -> "Anonymous or login";
        };
    }

    /** "Healthy (anonymous)", "Healthy (login needed)", "Unreachable: reason", or "Not checked"; short enough for a cell. */
    public String health() {
        if (lastCheck == null) return "Not checked";
        return switch (lastCheck.result()) {
            case REACHABLE_ANONYMOUSLY -> "Healthy (anonymous)";
            case NEEDS_LOGIN -> "Healthy (login needed)";
            case UNREACHABLE -> "Unreachable: " + lastCheck.detail();
        };
    }
}
