package dev.cachalot.registry;

import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own errors (a request it rejects before the registry handler runs, a failure after a handler gave up)
 * answered with a spec JSON error body instead of Jetty's HTML page, so clients always get the same shape.
 */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = request.getAttribute(ERROR_STATUS) instanceof Integer s ? s : 500;
        response.getHeaders().put(RegistryHandler.API_VERSION);
        boolean head = HttpMethod.HEAD.is(request.getMethod());
        if (status == 400) {
            // Jetty refuses some paths itself even in UNSAFE mode (dot segments above the root, NUL):
            // give them the same answer the registry handler would have given.
            DistributionException pathProblem = pathProblem(request);
            if (pathProblem != null) {
                ErrorBodies.send(response, callback, pathProblem, head);
                return true;
            }
        }
        ErrorBodies.send(response, callback, status, codeFor(status), messageFor(status), head);
        return true;
    }

    /**
     * A 400 that Jetty raised because it could not parse or resolve the request target (its cause says
     * "Bad URI" or "Illegal character in path"). The original path is gone by then, but such a target is by
     * definition not a valid repository path.
     */
    private static DistributionException pathProblem(Request request) {
        for (Object t = request.getAttribute(ERROR_EXCEPTION); t instanceof Throwable e; t = e.getCause()) {
            if (isIllegalCharacterInRequestLine(request, e)) {
                return new DistributionException(ErrorCode.NAME_INVALID,
                        "invalid repository path: the request line contains a control character");
            }
            if (e instanceof IllegalArgumentException && e.getMessage() != null
                    && (e.getMessage().contains("URI") || e.getMessage().contains("path"))) {
                return new DistributionException(ErrorCode.NAME_INVALID,
                        "invalid repository path: the request target cannot be resolved safely");
            }
            if (e.getCause() == e) break;
        }
        return null;
    }

    /**
     * A raw control character (NUL) that Jetty's parser refused. In a header, the request line was parsed and the
     * request has its real method; in the request line, Jetty substitutes a placeholder that is no HTTP method.
     * The method itself never carries one from a real client, so what was refused is the path: a name.
     */
    private static boolean isIllegalCharacterInRequestLine(Request request, Throwable e) {
        return e instanceof HttpException && e.getMessage() != null && e.getMessage().contains("Illegal character")
                && HttpMethod.fromString(request.getMethod()) == null;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(ErrorBodies.JSON);
        return ByteBuffer.wrap(ErrorBodies.body(codeFor(status), messageFor(status)));
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 401 -> ErrorCode.UNAUTHORIZED.wireCode();
            case 403 -> ErrorCode.DENIED.wireCode();
            case 405 -> ErrorCode.UNSUPPORTED.wireCode();
            case 429 -> ErrorCode.TOOMANYREQUESTS.wireCode();
            default -> "UNKNOWN";
        };
    }

    /** Fixed texts only: Jetty's reason may echo request details. */
    private static String messageFor(int status) {
        return switch (status) {
            case 400 -> "bad request";
            case 404 -> "not found";
            case 405 -> "method not allowed";
            case 413, 414, 431 -> "request too large";
            default -> status >= 500 ? "internal server error" : "request failed";
        };
    }
}
