package dev.cachalot.registry;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.oci.Reference;
import dev.cachalot.oci.RepositoryName;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The push side of the OCI Distribution API: blob upload sessions (start, chunk, status, finish, cancel, mount),
 * manifest pushes and deletes. Request bodies are handed to the {@link RegistryBackend} as they arrive, holding no
 * thread while a client is silent (upload chunks into an {@link UploadSink}, manifests whole); this class
 * owns only the protocol: methods, query parameters, {@code Content-Range}, and the answer's status and headers.
 * Names, references, digests and upload ids pass their anchored patterns before the backend sees them.
 */
final class PushEndpoints {

    static final String UPLOAD_UUID_HEADER = "Docker-Upload-UUID";
    static final String SUBJECT_HEADER = "OCI-Subject";
    private static final String DIGEST_HEADER = "Docker-Content-Digest";

    /**
     * Registries must accept manifests of at least 4 MiB (OCI Distribution Spec); CNCF distribution stops there too.
     * Manifests are held in memory, so a bound is needed.
     */
    static final int MAX_MANIFEST_BYTES = 4 << 20;

    /** {@code <first>-<last>}, optionally written as HTTP ranges are ({@code bytes=0-9}, {@code bytes 0-9/10}). */
    private static final Pattern CONTENT_RANGE = Pattern.compile("(?:bytes[ =])?([0-9]{1,19})-([0-9]{1,19})(?:/(?:[0-9]{1,19}|\\*))?");

    private final RegistryBackend backend;
    private final ServerLimits limits;

    PushEndpoints(RegistryBackend backend, ServerLimits limits) {
        this.backend = backend;
        this.limits = limits;
    }

    /**
     * Carries the request's body into {@code sink} without holding a thread while it arrives, held to the minimum pace
     * so that a stalled client cannot hold the upload session for long, then sends {@code answer}. A refusal while the
     * body arrives is answered as any other (after draining the rest of a small body); a broken body fails the request.
     */
    private <T> void receive(Request request, Response response, Callback callback, UploadSink<T> sink,
                             Consumer<T> answer) {
        UploadBody.read(request, sink, BodyPace.watch(request, limits), result -> {
            try {
                answer.accept(result);
            } catch (Throwable t) {
                RegistryHandler.answerFailure(request, response, callback, false, t);
            }
        }, refusal -> RegistryHandler.answerFailure(request, response, callback, false, refusal), callback::failed);
    }

    // ------------------------------------------------------------------ blob uploads

    /** {@code /v2/<name>/blobs/uploads/} and {@code /v2/<name>/blobs/uploads/<id>}. */
    void upload(Request request, Response response, Callback callback, RegistryPath path) throws IOException {
        String method = request.getMethod();
        RepositoryName name = new RepositoryName(path.name());
        if (path.last() == null) {
            if (!HttpMethod.POST.is(method)) {
                throw notAllowed(method, "an upload is started with POST");
            }
            start(request, response, callback, name);
            return;
        }
        UploadId id = UploadId.parse(path.last());
        Fields query = RegistryHandler.query(request);
        RequestContext context = RegistryHandler.context(request, query, false);
        if (HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method)) {
            UploadStatus status = backend.uploadStatus(name, id, context);
            sendUploadStatus(response, callback, status, 204);
        } else if (HttpMethod.PATCH.is(method)) {
            long[] range = contentRange(request.getHeaders());
            long length = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
            UploadSink<UploadStatus> sink;
            try {
                sink = backend.appendToUpload(name, id, range == null ? -1 : range[0],
                        range == null ? length : range[1] - range[0] + 1, context);
            } catch (DistributionException e) {
                if (e.status() == 416) {
                    rangeNotSatisfiable(request, response, callback, name, id, context, e);
                    return;
                }
                throw e;
            }
            receive(request, response, callback, sink, status -> sendUploadStatus(response, callback, status, 202));
        } else if (HttpMethod.PUT.is(method)) {
            Digest digest = requiredDigest(query);
            UploadSink<Digest> sink = backend.finishUpload(name, id, digest, context);
            receive(request, response, callback, sink, stored -> sendBlobCreated(response, callback, name, stored));
        } else if (HttpMethod.DELETE.is(method)) {
            backend.cancelUpload(name, id, context);
            response.setStatus(204);
            callback.succeeded();
        } else {
            throw notAllowed(method, "an upload session takes GET, PATCH, PUT or DELETE");
        }
    }

    /** {@code POST}: a cross-repository mount, a monolithic upload ({@code ?digest=}), or a new session. */
    private void start(Request request, Response response, Callback callback, RepositoryName name) throws IOException {
        Fields query = RegistryHandler.query(request);
        RequestContext context = RegistryHandler.context(request, query, false);
        String mount = query == null ? null : query.getValue("mount");
        if (mount != null) {
            Digest digest = Digest.parse(mount);
            String from = query.getValue("from");
            if (from != null && backend.mountBlob(name, digest, new RepositoryName(from), context)) {
                sendBlobCreated(response, callback, name, digest);
                return;
            }
            // Not mountable (or no source named): the spec says to answer as for a new upload session.
            sendUploadStatus(response, callback, backend.startUpload(name, context), 202);
            return;
        }
        String digestText = query == null ? null : query.getValue("digest");
        UploadStatus started = backend.startUpload(name, context);
        if (digestText == null) {
            sendUploadStatus(response, callback, started, 202);
            return;
        }
        Digest digest;
        try {
            digest = Digest.parse(digestText);
        } catch (DistributionException e) {
            backend.cancelUpload(name, started.id(), context);
            throw e;
        }
        UploadSink<Digest> sink = backend.finishUpload(name, started.id(), digest, context);
        receive(request, response, callback, sink, stored -> sendBlobCreated(response, callback, name, stored));
    }

    /**
     * A chunk that does not start where the upload ends: the error body, with the upload's headers telling the client
     * where to resume, once the chunk's body was drained (the refusal came before any of it was read).
     */
    private void rangeNotSatisfiable(Request request, Response response, Callback callback, RepositoryName name,
                                     UploadId id, RequestContext context, DistributionException e) {
        response.reset();
        response.getHeaders().put(RegistryHandler.API_VERSION);
        try {
            UploadStatus status = backend.uploadStatus(name, id, context);
            putUploadHeaders(response.getHeaders(), status);
        } catch (DistributionException gone) {
            // the session ended meanwhile: the error body alone says what happened
        }
        RegistryHandler.answerAfterDrain(request, e, () -> ErrorBodies.send(response, callback, e, false));
    }

    private static void sendUploadStatus(Response response, Callback callback, UploadStatus status, int code) {
        response.setStatus(code);
        putUploadHeaders(response.getHeaders(), status);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
        EmptyAnswer.send(response, callback);
    }

    private static void putUploadHeaders(HttpFields.Mutable headers, UploadStatus status) {
        headers.put(HttpHeader.LOCATION, status.location());
        headers.put(HttpHeader.RANGE, status.range());
        headers.put(UPLOAD_UUID_HEADER, status.id().value());
    }

    private static void sendBlobCreated(Response response, Callback callback, RepositoryName name, Digest digest) {
        response.setStatus(201);
        response.getHeaders().put(HttpHeader.LOCATION, "/v2/" + name.value() + "/blobs/" + digest);
        response.getHeaders().put(DIGEST_HEADER, digest.toString());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
        EmptyAnswer.send(response, callback);
    }

    /** The chunk's {@code [first, last]} from {@code Content-Range}, or null when the client sent none. */
    static long[] contentRange(HttpFields headers) {
        String value = headers.get(HttpHeader.CONTENT_RANGE);
        if (value == null) {
            return null;
        }
        Matcher m = CONTENT_RANGE.matcher(value.trim());
        if (!m.matches()) {
            throw new DistributionException(ErrorCode.BLOB_UPLOAD_INVALID, 416,
                    "invalid Content-Range: expected <first>-<last>", null, null);
        }
        long first;
        long last;
        try {
            first = Long.parseLong(m.group(1));
            last = Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
            throw new DistributionException(ErrorCode.BLOB_UPLOAD_INVALID, 416, "Content-Range out of bounds", null, null);
        }
        if (last < first) {
            throw new DistributionException(ErrorCode.BLOB_UPLOAD_INVALID, 416,
                    "invalid Content-Range: the last byte comes before the first", null, null);
        }
        return new long[] {first, last};
    }

    private static Digest requiredDigest(Fields query) {
        String digest = query == null ? null : query.getValue("digest");
        if (digest == null) {
            throw new DistributionException(ErrorCode.DIGEST_INVALID, "completing an upload needs the digest query parameter");
        }
        return Digest.parse(digest);
    }

    // ------------------------------------------------------------------ manifests and deletes

    /** Non-read methods on {@code /manifests/<reference>} and {@code /blobs/<digest>}. */
    void write(Request request, Response response, Callback callback, RegistryPath path, RepositoryName name) throws IOException {
        String method = request.getMethod();
        RequestContext context = RegistryHandler.context(request, RegistryHandler.query(request), false);
        if (path.route() == RegistryPath.Route.MANIFEST && HttpMethod.PUT.is(method)) {
            putManifest(request, response, callback, name, path.reference(), context);
        } else if (path.route() == RegistryPath.Route.MANIFEST && HttpMethod.DELETE.is(method)) {
            backend.deleteManifest(name, path.reference(), context);
            accepted(response, callback);
        } else if (path.route() == RegistryPath.Route.BLOB && HttpMethod.DELETE.is(method)) {
            backend.deleteBlob(name, path.digest(), context);
            accepted(response, callback);
        } else {
            throw notAllowed(method, "this endpoint does not take it");
        }
    }

    /**
     * A manifest push. What can be refused without the body is refused first (too large by its
     * {@code Content-Length}, or a name this registry takes no pushes for), answered at once, and the connection then
     * closed by Jetty since the body was not read. The body itself is read without holding a thread.
     */
    private void putManifest(Request request, Response response, Callback callback, RepositoryName name,
                             Reference reference, RequestContext context) {
        if (request.getLength() > MAX_MANIFEST_BYTES) {
            throw manifestTooLarge();
        }
        backend.checkManifestPush(name, context);
        String contentType = mediaType(request.getHeaders());
        SmallBody.read(request, MAX_MANIFEST_BYTES, BodyPace.watch(request, limits), body -> {
            try {
                manifestPushed(response, callback, name, backend.putManifest(name, reference, contentType, body, context));
            } catch (Throwable t) {
                RegistryHandler.answerFailure(request, response, callback, false, t);
            }
        }, failure -> {
            if (failure instanceof SmallBody.TooLarge) {
                RegistryHandler.answerFailure(request, response, callback, false, manifestTooLarge());
            } else {
                // The body broke off or was too slow: the connection is gone or failed, so no answer can be sent.
                callback.failed(failure);
            }
        });
    }

    private static void manifestPushed(Response response, Callback callback, RepositoryName name, PushedManifest pushed) {
        response.setStatus(201);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.LOCATION, "/v2/" + name.value() + "/manifests/" + pushed.digest());
        headers.put(DIGEST_HEADER, pushed.digest().toString());
        if (pushed.subject() != null) {
            headers.put(SUBJECT_HEADER, pushed.subject().toString());
        }
        headers.put(HttpHeader.CONTENT_LENGTH, 0);
        EmptyAnswer.send(response, callback);
    }

    private static DistributionException manifestTooLarge() {
        return new DistributionException(ErrorCode.MANIFEST_INVALID, 413,
                "manifest is larger than " + (MAX_MANIFEST_BYTES >> 20) + " MiB", null, null);
    }

    /** {@code Content-Type} without parameters, or null when absent or empty. */
    static String mediaType(HttpFields headers) {
        String value = headers.get(HttpHeader.CONTENT_TYPE);
        if (value == null) {
            return null;
        }
        int semicolon = value.indexOf(';');
        String type = (semicolon >= 0 ? value.substring(0, semicolon) : value).trim();
        return type.isEmpty() ? null : type;
    }

    private static void accepted(Response response, Callback callback) {
        response.setStatus(202);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
        EmptyAnswer.send(response, callback);
    }

    private static DistributionException notAllowed(String method, String why) {
        String shown = method.length() > 16 ? method.substring(0, 16) : method;
        return new DistributionException(ErrorCode.UNSUPPORTED, shown + " is not supported here: " + why);
    }
}
