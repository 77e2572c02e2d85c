package dev.cachalot.api.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cachalot.api.ApiJson;
import dev.cachalot.engine.EngineException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A user's password exchanged for a token the way registry clients log in: {@code GET /v2/} answers 401 with
 * {@code WWW-Authenticate: Bearer realm=...,service=...}, and the realm answers a GET with Basic credentials with
 * {@code {"token": ...}}. The password goes to the engine's own host only, never to a realm elsewhere.
 */
public final class EngineLogin {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern PARAMETER = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private EngineLogin() {
    }

    /** A token for {@code user} at {@code engine}; {@code password} is cleared. */
    public static String token(URI engine, String user, char[] password, SSLContext tls) {
        URI base = RemoteEngine.address(engine);
        HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(tls).build();
        try {
            HttpResponse<String> ping = get(http, HttpRequest.newBuilder(URI.create(base + "/v2/")), base);
            if (ping.statusCode() == 200) {
                throw new IllegalArgumentException("the engine at " + base + " has authentication off: give a token, or no login at all");
            }
            String challenge = ping.headers().firstValue("WWW-Authenticate").orElse("");
            if (ping.statusCode() != 401 || !challenge.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new EngineException("the engine at " + base + " answered HTTP " + ping.statusCode() + " without a Bearer login");
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            Matcher m = PARAMETER.matcher(challenge);
            while (m.find()) parameters.put(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2));
            URI realm = URI.create(parameters.getOrDefault("realm", ""));
            if (realm.getHost() == null || !realm.getHost().equalsIgnoreCase(base.getHost())) {
                throw new EngineException("the engine at " + base + " names a token service on another host (" + realm.getHost()
                        + "): the password is not sent there");
            }
            String service = parameters.get("service");
            URI tokenUri = service == null ? realm
                    : URI.create(realm + (realm.getRawQuery() == null ? "?" : "&") + "service=" + URLEncoder.encode(service, StandardCharsets.UTF_8));
            byte[] basic = (user + ":" + new String(password)).getBytes(StandardCharsets.UTF_8);
            String authorization = "Basic " + Base64.getEncoder().encodeToString(basic);
            Arrays.fill(basic, (byte) 0);
            HttpResponse<String> answer = get(http, HttpRequest.newBuilder(tokenUri).header("Authorization", authorization), base);
            if (answer.statusCode() == 401 || answer.statusCode() == 403) {
                throw new IllegalArgumentException("the engine at " + base + " refused the user name or password");
            }
            if (answer.statusCode() != 200) {
                throw new EngineException("the engine's token service answered HTTP " + answer.statusCode());
            }
            JsonNode body = ApiJson.mapper().readTree(answer.body());
            JsonNode token = body.hasNonNull("token") ? body.get("token") : body.get("access_token");
            if (token == null || token.asText().isBlank()) throw new EngineException("the engine's token service sent no token");
            return token.asText();
        } catch (IOException e) {
            throw new EngineException("the engine's token service sent an answer that is not JSON", e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static HttpResponse<String> get(HttpClient http, HttpRequest.Builder request, URI base) {
        try {
            return http.send(request.timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new EngineUnreachableException("cannot reach the engine at " + base + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while logging in to " + base, e);
        }
    }
}
