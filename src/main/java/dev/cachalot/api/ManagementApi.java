package dev.cachalot.api;

import dev.cachalot.bundle.BundleException;
import dev.cachalot.credentials.CredentialSetException;
import dev.cachalot.credentials.SecretNotFoundException;
import dev.cachalot.credentials.VaultException;
import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.engine.EngineException;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.rules.RuleValidationException;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.Graceful;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management API: {@code /cachalot/api/v1/...}, JSON over HTTP on the engine's own listener, for everything the
 * app and the CLI do to an engine (docs/api/openapi.yaml documents every operation; docs/decisions/0012-management-api.md says why it
 * looks as it does). It talks to the engine only through {@link EngineAdmin}, so a change made here is seen by the
 * very next request exactly as one made in the app is.
 *
 * <p>Order per request: {@link ManagementAccess} first (nothing else is read from a caller it refuses), then the
 * route, then the operation. Failures answer {@link ApiError} bodies whose messages are the engine's own.
 */
public final class ManagementApi extends Handler.Abstract implements Graceful {
    /** Everything under it belongs to version 1; a later incompatible version gets its own prefix beside it. */
    public static final String PREFIX = "/cachalot/api/v1";

    private static final Logger log = LoggerFactory.getLogger(ManagementApi.class);

    private final EngineAdmin engine;
    private final ManagementAccess access;
    private final EventStreams streams = new EventStreams();
    private final List<ApiOperation> operations;

    public ManagementApi(EngineAdmin engine, ManagementAccess access) {
        this.engine = engine;
        this.access = access;
        // Literal paths first: GET /rules/export is the export, not a rule named "export".
        this.operations = new ManagementOperations(engine, streams).all().stream()
                .sorted(java.util.Comparator.comparing((ApiOperation op) -> op.template().contains("{"))).toList();
    }

    /** {@code METHOD /template} of every operation, as the OpenAPI file names them (for the documentation test). */
    public static List<String> operationNames() {
        // The operations only capture the engine: listing them calls nothing on it.
        return new ManagementOperations(null, new EventStreams()).all().stream().map(ApiOperation::toString).toList();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getDecodedPath();
        ApiResult result;
        try {
            result = answer(request, path);
        } catch (Refusal r) {
            if (r.challenge != null) response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, r.challenge);
            result = error(401, r.error);
        } catch (ApiException e) {
            if (e.status() == 405) response.getHeaders().put(HttpHeader.ALLOW, allowed(path));
            result = error(e.status(), e.error());
        } catch (Exception e) {
            result = errorFor(e, request.getMethod() + " " + path);
        }
        if (result.stream() != null) {
            stream(response, callback, result.stream());
            return true;
        }
        if (result.download() != null) {
            download(response, callback, result, request.getMethod() + " " + path);
            return true;
        }
        // 202 starts work (a sync run): no setting changed, so other clients need not reload
        if (result.status() < 300 && result.status() != 202 && !"GET".equals(request.getMethod())) streams.configChanged();
        write(response, callback, result);
        return true;
    }

    /** Holds this request's thread until the stream ends: event callers are a few portals, not every client. */
    private void stream(Response response, Callback callback, EventStream stream) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        try {
            stream.run(engine, chunk -> {
                Callback.Completable written = new Callback.Completable();
                response.write(false, ByteBuffer.wrap(EventStream.bytes(chunk)), written);
                try {
                    written.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted");
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new java.io.IOException("the caller left", e.getCause());
                }
            });
            response.write(true, ByteBuffer.allocate(0), callback);
        } catch (Exception e) {
            // the caller left (or the engine stops): nothing more to say to it
            callback.failed(e);
        } finally {
            streams.finished(stream);
        }
    }

    /**
     * Writes a body as it is made, holding this request's thread until it is out (bundle exports: admin operations,
     * a few at a time). No {@code Content-Length}, so HTTP/1.1 sends it in chunks and a cut is seen as one. A failure
     * before the first byte left answers an error body as usual; after it, the callback fails, on which Jetty aborts
     * the response (no last chunk; the connection, or the HTTP/2 stream, is reset): the caller gets a broken
     * transfer, never a complete-looking file.
     */
    private void download(Response response, Callback callback, ApiResult result, String operation) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, result.contentType());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        OutputStream body = new BufferedOutputStream(Content.Sink.asOutputStream(response), 1 << 16);
        try {
            result.download().write((name, value) -> response.getHeaders().put(name, value), body);
            body.close(); // the last chunk: only now is the transfer complete
            callback.succeeded();
        } catch (Exception e) {
            if (!response.isCommitted()) {
                response.reset();
                write(response, callback, errorFor(e, operation));
                return;
            }
            log.info("Management API: {} stopped after its answer began, which was cut: {}", operation, e.getMessage());
            callback.failed(e);
        }
    }

    /** The engine stops: event streams end now instead of holding the stop for its whole grace period. */
    @Override
    public java.util.concurrent.CompletableFuture<Void> shutdown() {
        streams.closeAll();
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isShutdown() {
        return streams.closed();
    }

    private ApiResult answer(Request request, String path) throws Exception {
        ManagementAccess.Decision decision = access.check(request);
        if (decision instanceof ManagementAccess.Unauthenticated u) {
            throw new Refusal(new ApiError(ApiError.UNAUTHORIZED, u.message()), u.challenge());
        }
        if (decision instanceof ManagementAccess.Forbidden f) {
            throw new ApiException(403, ApiError.DENIED, f.message());
        }
        if (path == null || !path.startsWith(PREFIX + "/")) {
            throw ApiException.notFound("no management API at " + path + ": this engine answers " + PREFIX + "/...");
        }
        String relative = path.substring(PREFIX.length());
        boolean pathKnown = false;
        for (ApiOperation op : operations) {
            Map<String, String> parameters = op.match(relative);
            if (parameters == null) continue;
            pathKnown = true;
            if (op.method().equals(request.getMethod())) {
                return op.action().apply(new ApiCall(request, parameters));
            }
        }
        if (pathKnown) throw new ApiException(405, ApiError.METHOD_NOT_ALLOWED, request.getMethod() + " is not allowed on " + path);
        throw ApiException.notFound("no management API operation at " + path);
    }

    private String allowed(String path) {
        Set<String> methods = new LinkedHashSet<>();
        String relative = path.substring(PREFIX.length());
        for (ApiOperation op : operations) {
            if (op.match(relative) != null) methods.add(op.method());
        }
        return String.join(", ", methods);
    }

    /**
     * The engine's exceptions as statuses. Messages pass through unchanged: they were written for users, never hold a
     * secret, and the CLI on another machine prints them as the local CLI would.
     */
    private static ApiResult errorFor(Exception e, String operation) {
        if (e instanceof RuleValidationException rv) {
            return error(400, new ApiError(ApiError.INVALID_RULE, rv.getMessage(), rv.problems()));
        }
        if (e instanceof CredentialSetException || e instanceof SecretNotFoundException) {
            return error(400, new ApiError(ApiError.CREDENTIALS_REFUSED, e.getMessage()));
        }
        if (e instanceof IllegalArgumentException) {
            return error(400, new ApiError(ApiError.INVALID_REQUEST, e.getMessage()));
        }
        if (e instanceof DistributionException de) {
            return error(de.status(), new ApiError(de.code().name(), de.getMessage()));
        }
        if (e instanceof VaultException) {
            return error(503, new ApiError(ApiError.VAULT_UNAVAILABLE, e.getMessage()));
        }
        if (e instanceof BundleException) {
            return error(400, new ApiError(ApiError.BUNDLE_REFUSED, e.getMessage()));
        }
        if (e instanceof EngineException) {
            return error(409, new ApiError(ApiError.ENGINE_REFUSED, e.getMessage()));
        }
        log.warn("Management API: {} failed", operation, e);
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        return error(500, new ApiError(ApiError.INTERNAL, "the engine failed: " + message));
    }

    private static ApiResult error(int status, ApiError error) {
        return ApiResult.error(status, error);
    }

    private static void write(Response response, Callback callback, ApiResult result) {
        response.setStatus(result.status());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        byte[] body;
        if (result.raw() != null) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, result.contentType());
            body = result.raw();
        } else if (result.json() != null) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            try {
                body = ApiJson.mapper().writeValueAsBytes(result.json());
            } catch (Exception e) {
                log.warn("Management API: cannot write an answer", e);
                response.setStatus(500);
                body = "{\"code\":\"INTERNAL\",\"message\":\"the engine could not write its answer\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
        } else {
            body = new byte[0];
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** A 401 with its challenge header. */
    private static final class Refusal extends Exception {
        private final ApiError error;
        private final String challenge;

        Refusal(ApiError error, String challenge) {
            super(error.message(), null, false, false);
            this.error = error;
            this.challenge = challenge;
        }
    }
}
