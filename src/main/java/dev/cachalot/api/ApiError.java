package dev.cachalot.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The body of every error the management API answers: a stable {@code code} for programs and the {@code message}
 * the engine would show locally for the same failure. {@code problems}: every reason a rule was refused (the message
 * joins them), only for {@link #INVALID_RULE}.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ApiError(String code, String message, List<String> problems) {

    /** The request's body or parameters do not make sense (bad JSON, a missing field, a refused value). */
    public static final String INVALID_REQUEST = "INVALID_REQUEST";
    /** A rule (or an import) was refused by the rule validation; see {@code problems}. */
    public static final String INVALID_RULE = "INVALID_RULE";
    /** The credential set or secret operation was refused. */
    public static final String CREDENTIALS_REFUSED = "CREDENTIALS_REFUSED";
    public static final String NOT_FOUND = "NOT_FOUND";
    public static final String METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED";
    public static final String UNAUTHORIZED = "UNAUTHORIZED";
    public static final String DENIED = "DENIED";
    public static final String TOO_LARGE = "TOO_LARGE";
    /** The engine could not do what was asked (the message says why). */
    public static final String ENGINE_REFUSED = "ENGINE_REFUSED";
    /** A bundle was refused (damaged, hostile, or nothing selected is cached) or could not be loaded; nothing was left behind. */
    public static final String BUNDLE_REFUSED = "BUNDLE_REFUSED";
    /** The engine's vault cannot be read or written. */
    public static final String VAULT_UNAVAILABLE = "VAULT_UNAVAILABLE";
    public static final String INTERNAL = "INTERNAL";
    /** A sync of the rule is running already (in this engine or another sharing its database): 409. */
    public static final String SYNC_RUNNING = "SYNC_RUNNING";

    public ApiError {
        problems = problems == null ? List.of() : List.copyOf(problems);
    }

    public ApiError(String code, String message) {
        this(code, message, List.of());
    }
}
