package dev.cachalot.engine;

/** How a login fared when tried before saving: accepted, or the error code and the reason in words. */
public record LoginCheckView(boolean accepted, String errorCode, String errorMessage) {

    static LoginCheckView of(dev.cachalot.credentials.LoginCheck check) {
        return new LoginCheckView(check.accepted(), check.errorCode(), check.errorMessage());
    }
}
