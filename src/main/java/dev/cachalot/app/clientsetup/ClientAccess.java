package dev.cachalot.app.clientsetup;

/**
 * How clients reach the engine, as far as their setup changes with it.
 *
 * @param tls           the engine serves HTTPS: each client must trust its CA ({@code ca.crt}, as {@code cachalot tls init}
 *                      writes it) and no client is told to skip verification
 * @param loginRequired the engine asks clients to log in: the snippets add each client's login step
 */
public record ClientAccess(boolean tls, boolean loginRequired) {
    /** The desktop default: plain HTTP on loopback, anonymous. */
    public static final ClientAccess PLAIN = new ClientAccess(false, false);

    String scheme() {
        return tls ? "https" : "http";
    }
}
