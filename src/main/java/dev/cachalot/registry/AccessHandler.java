package dev.cachalot.registry;

import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.security.Authority;
import dev.cachalot.security.Authority.Caller;
import dev.cachalot.security.Authority.Decision;
import dev.cachalot.security.Permission;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * Authentication and authorization in front of everything a server-mode listener answers, as registries do it:
 * a request without (valid) credentials gets 401 with {@code WWW-Authenticate: Bearer realm=…,service=…,scope=…} naming
 * this engine's {@link TokenEndpoint} and the scope the request needs; a signed-in user who lacks the permission gets
 * 403 {@code DENIED}. Basic credentials on the request itself are accepted too, for clients that skip the token dance.
 *
 * <p>{@code /healthz} and {@code /readyz} stay anonymous (probes carry no credentials); {@code /metrics} follows the
 * listener's setting. The signed-in user is left on the request for the access log ({@link #USER}).
 */
final class AccessHandler extends Handler.Wrapper {
    /** Request attribute: the name of the user a request was answered for ({@link String}), absent when anonymous. */
    static final String USER = AccessHandler.class.getName() + ".user";
    static final String SERVICE = "cachalot";

    /** Host (name, IPv4 or bracketed IPv6) and optional port, as it may appear in the realm. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]");

    private final Authority authority;
    private final TokenEndpoint tokens;

    AccessHandler(Handler next, Authority authority) {
        super(next);
        this.authority = authority;
        this.tokens = new TokenEndpoint(authority);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        if ("/healthz".equals(path) || "/readyz".equals(path)) {
            return super.handle(request, response, callback);
        }
        if (TokenEndpoint.PATH.equals(path)) {
            return tokens.handle(request, response, callback);
        }
        boolean head = HttpMethod.HEAD.is(request.getMethod());
        Caller caller;
        try {
            caller = caller(request);
        } catch (Authority.LoginRefused e) {
            refuseLogin(request, response, callback, head, e);
            return true;
        }
        if (!caller.principal().anonymous()) request.setAttribute(USER, caller.principal().user());
        if ("/metrics".equals(path)) {
            if (authority.decideSignedIn(caller, authority.settings().anonymousMetrics()) != Decision.ALLOWED) {
                challenge(request, response, callback, head, List.of(), caller);
                return true;
            }
            return super.handle(request, response, callback);
        }
        if (path.startsWith(ManagementMount.PREFIX)) {
            switch (authority.decideAdmin(caller)) {
                case ALLOWED -> {
                    request.setAttribute(Authority.ADMIN_REQUEST_ATTRIBUTE, Boolean.TRUE);
                    return super.handle(request, response, callback);
                }
                case DENIED -> {
                    refuse(response, callback, head, new DistributionException(ErrorCode.DENIED,
                            "the management API needs the admin role"));
                    return true;
                }
                default -> {
                    challenge(request, response, callback, head, List.of(), caller);
                    return true;
                }
            }
        }
        if (!path.startsWith("/v2")) {
            return super.handle(request, response, callback);
        }
        RegistryPath parsed;
        try {
            parsed = RegistryPath.parse(path);
        } catch (DistributionException e) {
            return super.handle(request, response, callback); // a malformed path: the registry answers it, naming nothing
        }
        if (parsed.route() == RegistryPath.Route.UNKNOWN) {
            return super.handle(request, response, callback);
        }
        if (parsed.route() == RegistryPath.Route.BASE) {
            if (authority.decideSignedIn(caller, authority.settings().anonymousPull()) != Decision.ALLOWED) {
                challenge(request, response, callback, head, List.of(), caller);
                return true;
            }
            return super.handle(request, response, callback);
        }
        Map<String, List<Permission>> needed = needed(request, parsed);
        Decision worst = Decision.ALLOWED;
        for (Map.Entry<String, List<Permission>> e : needed.entrySet()) {
            for (Permission p : e.getValue()) {
                Decision d = authority.decide(caller, p, e.getKey());
                if (d == Decision.DENIED || (d == Decision.UNAUTHENTICATED && worst == Decision.ALLOWED)) worst = d;
            }
        }
        switch (worst) {
            case ALLOWED -> {
                return super.handle(request, response, callback);
            }
            case DENIED -> {
                refuse(response, callback, head, new DistributionException(ErrorCode.DENIED,
                        "requested access to the resource is denied"));
                return true;
            }
            default -> {
                challenge(request, response, callback, head, scopes(needed), caller);
                return true;
            }
        }
    }

    /** Who sent the request: Basic credentials, a token of this engine, or nobody. */
    private Caller caller(Request request) {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization == null) return Caller.ANONYMOUS;
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            Caller caller = authority.bearer(authorization.substring(7).strip());
            // An expired or foreign token: treated as none, so the answer is a challenge and the client fetches a new one.
            return caller == null ? Caller.ANONYMOUS : caller;
        }
        Credentials basic = Credentials.basic(authorization);
        if (basic == null) return Caller.ANONYMOUS;
        try {
            return authority.basic(basic.user(), basic.secret(), Request.getRemoteAddr(request));
        } finally {
            basic.clear();
        }
    }

    /** Per repository, the permissions a request needs. */
    private static Map<String, List<Permission>> needed(Request request, RegistryPath path) {
        String method = request.getMethod();
        Map<String, List<Permission>> needed = new LinkedHashMap<>();
        boolean read = HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method);
        Permission own;
        if (path.route() == RegistryPath.Route.UPLOADS) {
            own = Permission.PUSH;
        } else if (read) {
            own = Permission.PULL;
        } else if (HttpMethod.DELETE.is(method)) {
            own = Permission.DELETE;
        } else {
            own = Permission.PUSH;
        }
        needed.put(path.name(), own == Permission.PUSH ? List.of(Permission.PULL, Permission.PUSH) : List.of(own));
        if (path.route() == RegistryPath.Route.UPLOADS && HttpMethod.POST.is(method)) {
            // A cross-repository mount reads the source repository: the caller must be able to pull it.
            Fields query = RegistryHandler.query(request);
            String from = query == null || query.getValue("mount") == null ? null : query.getValue("from");
            if (from != null && !from.equals(path.name())) needed.put(from, List.of(Permission.PULL));
        }
        return needed;
    }

    private static List<String> scopes(Map<String, List<Permission>> needed) {
        List<String> scopes = new ArrayList<>();
        for (Map.Entry<String, List<Permission>> e : needed.entrySet()) {
            scopes.add("repository:" + e.getKey() + ":" + String.join(",", e.getValue().stream().map(Permission::action).toList()));
        }
        return scopes;
    }

    /** 401 with the Bearer challenge that sends the client to the token endpoint for {@code scopes}. */
    private static void challenge(Request request, Response response, Callback callback, boolean head, List<String> scopes,
                                  Caller caller) {
        StringBuilder value = new StringBuilder("Bearer realm=\"").append(realm(request)).append("\",service=\"").append(SERVICE).append('"');
        if (!scopes.isEmpty()) value.append(",scope=\"").append(String.join(" ", scopes)).append('"');
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, value.toString());
        refuse(response, callback, head, new DistributionException(ErrorCode.UNAUTHORIZED,
                caller.principal().anonymous() ? "authentication required" : "the token does not grant this access"));
    }

    /** 401 for wrong credentials (with the challenge, so the client can try again), 429 for an address that must wait. */
    static void refuseLogin(Request request, Response response, Callback callback, boolean head, Authority.LoginRefused e) {
        if (e.retryAfterSeconds() > 0) {
            refuse(response, callback, head, new DistributionException(ErrorCode.TOOMANYREQUESTS,
                    429, e.getMessage(), e.retryAfterSeconds(), null));
            return;
        }
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"" + realm(request) + "\",service=\"" + SERVICE + '"');
        refuse(response, callback, head, new DistributionException(ErrorCode.UNAUTHORIZED, e.getMessage()));
    }

    /**
     * An error body for a refused request, keeping the challenge header. The request's body, if any, is not read:
     * whoever may not send it should not cost the server its transfer (Jetty closes the connection after the answer).
     */
    private static void refuse(Response response, Callback callback, boolean head, DistributionException e) {
        response.getHeaders().put(RegistryHandler.API_VERSION);
        ErrorBodies.send(response, callback, e, head);
    }

    /** The token endpoint's URL as the client reached this listener (its Host header), so it works behind any name. */
    static String realm(Request request) {
        String scheme = request.isSecure() ? "https" : "http";
        String host = Request.getServerName(request);
        int port = Request.getServerPort(request);
        if (host == null || !HOST.matcher(host).matches()) {
            host = Request.getLocalAddr(request);
            port = Request.getLocalPort(request);
            if (host.contains(":") && !host.startsWith("[")) host = "[" + host + "]";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        boolean defaultPort = port <= 0 || (port == 443 && request.isSecure()) || (port == 80 && !request.isSecure());
        return scheme + "://" + host + (defaultPort ? "" : ":" + port) + TokenEndpoint.PATH;
    }

    /** A Basic {@code Authorization} header's user and secret; {@link #clear()} wipes the secret. */
    record Credentials(String user, char[] secret) {
        static Credentials basic(String header) {
            if (!header.regionMatches(true, 0, "Basic ", 0, 6)) return null;
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(header.substring(6).strip());
            } catch (IllegalArgumentException e) {
                return null;
            }
            String text = new String(decoded, StandardCharsets.UTF_8);
            java.util.Arrays.fill(decoded, (byte) 0);
            int colon = text.indexOf(':');
            if (colon < 0) return null;
            return new Credentials(text.substring(0, colon), text.substring(colon + 1).toCharArray());
        }

        void clear() {
            java.util.Arrays.fill(secret, '\0');
        }

        @Override
        public String toString() {
            return "Credentials[" + user + "]";
        }
    }
}
