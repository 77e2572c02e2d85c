package dev.cachalot.registry;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.cachalot.security.Authority;
import dev.cachalot.security.Authority.Caller;
import dev.cachalot.security.Scope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The engine's token endpoint, {@value #PATH}, in the two forms of the Docker token specification that clients use:
 * <ul>
 *   <li>{@code GET ?service=…&scope=…} with Basic credentials (or none, for anonymous pull), as docker, skopeo and
 *       podman ask: answers {@code {"token","access_token","expires_in","issued_at"}} (plus {@code refresh_token} when
 *       {@code offline_token=true});</li>
 *   <li>{@code POST} {@code application/x-www-form-urlencoded} with {@code grant_type=password} ({@code username},
 *       {@code password}) or {@code grant_type=refresh_token} ({@code refresh_token}), and {@code scope} as
 *       space-separated scopes, as containerd asks: answers {@code {"access_token","scope","expires_in","issued_at"}}
 *       (plus {@code refresh_token} when {@code access_type=offline}).</li>
 * </ul>
 * Scopes the caller may not have are left out of the token, not refused: the registry then answers the request 403.
 */
final class TokenEndpoint {
    static final String PATH = "/cachalot/token";
    private static final int MAX_FORM_FIELDS = 16;
    private static final int MAX_FORM_BYTES = 16 * 1024;

    private final Authority authority;

    TokenEndpoint(Authority authority) {
        this.authority = authority;
    }

    boolean handle(Request request, Response response, Callback callback) {
        boolean head = HttpMethod.HEAD.is(request.getMethod());
        try {
            if (HttpMethod.GET.is(request.getMethod()) || head) {
                get(request, response, callback, head);
            } else if (HttpMethod.POST.is(request.getMethod())) {
                post(request, response, callback);
            } else {
                response.getHeaders().put(HttpHeader.ALLOW, "GET, POST");
                oauthError(response, callback, 405, "invalid_request", "use GET or POST");
            }
        } catch (Authority.LoginRefused e) {
            if (e.retryAfterSeconds() > 0) response.getHeaders().put(HttpHeader.RETRY_AFTER, e.retryAfterSeconds());
            oauthError(response, callback, e.retryAfterSeconds() > 0 ? 429 : 401, "invalid_grant", e.getMessage());
        }
        return true;
    }

    private void get(Request request, Response response, Callback callback, boolean head) {
        Fields query = RegistryHandler.query(request);
        List<Scope> scopes = Scope.parseAll(query == null ? List.of() : query.getValues("scope"));
        boolean offline = query != null && "true".equalsIgnoreCase(query.getValue("offline_token"));
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        AccessHandler.Credentials basic = authorization == null ? null : AccessHandler.Credentials.basic(authorization);
        Caller caller;
        if (basic == null) {
            if (!authority.settings().anonymousPull()) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"" + AccessHandler.SERVICE + "\"");
                oauthError(response, callback, 401, "invalid_client", "sign in with a user name and password or access token");
                return;
            }
            caller = Caller.ANONYMOUS;
        } else {
            try {
                caller = authority.basic(basic.user(), basic.secret(), Request.getRemoteAddr(request));
            } finally {
                basic.clear();
            }
            request.setAttribute(AccessHandler.USER, caller.principal().user());
        }
        Authority.IssuedToken issued = authority.issue(caller, scopes, offline);
        StringBuilder json = new StringBuilder(1024).append("{\"token\":");
        string(json, issued.token());
        json.append(",\"access_token\":");
        string(json, issued.token());
        common(json, issued);
        send(response, callback, 200, json.append('}').toString(), head);
    }

    private void post(Request request, Response response, Callback callback) {
        Fields form;
        try {
            form = FormFields.getFields(request, MAX_FORM_FIELDS, MAX_FORM_BYTES);
        } catch (RuntimeException e) {
            oauthError(response, callback, 400, "invalid_request", "expected a form (application/x-www-form-urlencoded)");
            return;
        }
        String grant = form.getValue("grant_type");
        Caller caller;
        if ("password".equals(grant)) {
            String user = form.getValue("username");
            String password = form.getValue("password");
            if (user == null || password == null) {
                oauthError(response, callback, 400, "invalid_request", "grant_type=password needs username and password");
                return;
            }
            char[] secret = password.toCharArray();
            try {
                caller = authority.basic(user, secret, Request.getRemoteAddr(request));
            } finally {
                java.util.Arrays.fill(secret, '\0');
            }
        } else if ("refresh_token".equals(grant)) {
            String refresh = form.getValue("refresh_token");
            caller = refresh == null ? null : authority.refresh(refresh);
            if (caller == null) {
                oauthError(response, callback, 401, "invalid_grant", "the refresh token is not valid (expired, revoked or not from this engine)");
                return;
            }
        } else {
            oauthError(response, callback, 400, "unsupported_grant_type", "use grant_type=password or grant_type=refresh_token");
            return;
        }
        request.setAttribute(AccessHandler.USER, caller.principal().user());
        List<String> scopeValues = form.getValues("scope");
        Authority.IssuedToken issued = authority.issue(caller, Scope.parseAll(scopeValues == null ? List.of() : scopeValues),
                "offline".equals(form.getValue("access_type")));
        StringBuilder json = new StringBuilder(1024).append("{\"access_token\":");
        string(json, issued.token());
        List<String> granted = new ArrayList<>();
        for (Scope s : issued.granted()) granted.add(s.toString());
        json.append(",\"scope\":");
        string(json, String.join(" ", granted));
        common(json, issued);
        send(response, callback, 200, json.append('}').toString(), false);
    }

    private static void common(StringBuilder json, Authority.IssuedToken issued) {
        json.append(",\"expires_in\":").append(issued.expiresIn().toSeconds()).append(",\"issued_at\":");
        string(json, DateTimeFormatter.ISO_INSTANT.format(issued.issuedAt()));
        if (issued.refreshToken() != null) {
            json.append(",\"refresh_token\":");
            string(json, issued.refreshToken());
        }
    }

    private static void oauthError(Response response, Callback callback, int status, String error, String description) {
        StringBuilder json = new StringBuilder("{\"error\":");
        string(json, error);
        json.append(",\"error_description\":");
        string(json, description);
        send(response, callback, status, json.append('}').toString(), false);
    }

    private static void string(StringBuilder json, String value) {
        json.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, json);
        json.append('"');
    }

    private static void send(Response response, Callback callback, int status, String json, boolean head) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON.asString());
        // Tokens must not be kept by caches along the way.
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
    }
}
