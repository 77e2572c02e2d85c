package dev.cachalot.registry;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.oci.MediaTypes;
import dev.cachalot.oci.Reference;
import dev.cachalot.oci.RepositoryName;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OCI Distribution API on Jetty's core handler API: routing, request validation, headers and bodies; the
 * push endpoints live in {@link PushEndpoints}. What to serve is the {@link RegistryBackend}'s business; this class never knows whether content
 * came from the cache or an upstream. Nothing reaches the backend before the raw path passed
 * {@link RegistryPath} and the name, reference and digest passed their anchored patterns.
 *
 * <p>Handlers run on pool threads ({@link org.eclipse.jetty.util.thread.Invocable.InvocationType#BLOCKING}):
 * backend calls and blob writes block.
 */
public final class RegistryHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryHandler.class);

    static final HttpField API_VERSION = new PreEncodedHttpField("Docker-Distribution-API-Version", "registry/2.0");
    private static final HttpField OCTET_STREAM = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/octet-stream");
    private static final HttpField ACCEPT_RANGES = new PreEncodedHttpField(HttpHeader.ACCEPT_RANGES, "bytes");
    private static final HttpField OCI_INDEX = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, MediaTypes.OCI_INDEX);
    private static final HttpField FILTERS_APPLIED = new PreEncodedHttpField("OCI-Filters-Applied", "artifactType");
    private static final HttpField CHUNKED = new PreEncodedHttpField(HttpHeader.TRANSFER_ENCODING, "chunked");
    private static final HttpField[] ORIGINS = originFields();
    private static final String DIGEST_HEADER = "Docker-Content-Digest";
    private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.US_ASCII);

    /** A registry host, optionally with a port, as containerd sends it in {@code ns}. */
    private static final Pattern NAMESPACE =
            Pattern.compile("(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]{2,45}\\])(?::[0-9]{1,5})?");
    /** An RFC 6838 media type, as {@code artifactType} must be. */
    private static final Pattern MEDIA_TYPE =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");

    private final RegistryBackend backend;
    private final PushEndpoints push;

    public RegistryHandler(RegistryBackend backend) {
        this(backend, ServerLimits.DEFAULT);
    }

    public RegistryHandler(RegistryBackend backend, ServerLimits limits) {
        this.backend = backend;
        this.push = new PushEndpoints(backend, limits);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        boolean head = HttpMethod.HEAD.is(request.getMethod());
        response.getHeaders().put(API_VERSION);
        try {
            route(request, response, callback, head);
        } catch (Throwable t) {
            answerFailure(request, response, callback, head, t);
        }
        return true;
    }

    /**
     * Ends a request that failed: a spec error body while nothing was sent yet, else a cut connection. Also used by
     * answers that finish on another thread (a manifest push, once its body arrived).
     */
    static void answerFailure(Request request, Response response, Callback callback, boolean head, Throwable t) {
        if (t instanceof DistributionException e) {
            fail(request, response, callback, head, e);
        } else if (t instanceof BadQuery e) {
            if (!response.isCommitted()) {
                clearForError(response);
                ErrorBodies.send(response, callback, 400, e.wireCode, e.getMessage(), head);
            } else {
                callback.failed(e);
            }
        } else {
            LOG.warn("{} {} failed", request.getMethod(), request.getHttpURI().getPath(), t);
            if (!response.isCommitted()) {
                clearForError(response);
                ErrorBodies.send(response, callback, 500, "UNKNOWN", "internal server error", head);
            } else {
                callback.failed(t);
            }
        }
    }

    private static void fail(Request request, Response response, Callback callback, boolean head, DistributionException e) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} -> {} {}", request.getMethod(), request.getHttpURI().getPath(), e.status(), e.code());
        }
        if (response.isCommitted()) {
            callback.failed(e);
            return;
        }
        clearForError(response);
        answerAfterDrain(request, e, () -> ErrorBodies.send(response, callback, e, head));
    }

    /**
     * Runs {@code answer} to refusal {@code e}: at once, or, when {@link #drainsBeforeAnswering}, once the rest of the
     * body was read (and dropped) without a thread, so that the client reads the answer.
     */
    static void answerAfterDrain(Request request, DistributionException e, Runnable answer) {
        if (drainsBeforeAnswering(request, e)) {
            Content.Source.consumeAll(request, Callback.from(answer, failure -> answer.run()));
            return;
        }
        answer.run();
    }

    /** Bodies up to this size are read to their end before an error answer (see {@link #drainsBeforeAnswering}). */
    static final long DRAIN_LIMIT = 16L * 1024 * 1024;

    /**
     * Whether to read the rest of a refused request's body before answering. A client still sending when the server
     * answers and closes gets a reset and often never reads the answer (an out-of-order chunk's 416, a full disk's
     * 507 become "connection reset"). So a body of a known, bounded size is drained, asynchronously, holding no
     * thread. Not for refusals of bodies the client may not send at all (401, 403, 413: answered at once and the
     * connection closed, so a hostile sender costs nothing), nor for bodies of unknown or large size.
     */
    static boolean drainsBeforeAnswering(Request request, DistributionException e) {
        int status = e.status();
        if (status == 401 || status == 403 || status == 413) return false;
        long length = request.getLength();
        return length > 0 && length <= DRAIN_LIMIT;
    }

    /** Drops headers set for a success answer (digest, length, range) before an error body replaces it. */
    private static void clearForError(Response response) {
        response.reset();
        response.getHeaders().put(API_VERSION);
    }

    private void route(Request request, Response response, Callback callback, boolean head) throws IOException {
        RegistryPath path = RegistryPath.parse(request.getHttpURI().getPath());
        if (path.route() == RegistryPath.Route.UNKNOWN) {
            ErrorBodies.send(response, callback, 404, "NOT_FOUND", "no such endpoint", head);
            return;
        }
        if (path.route() == RegistryPath.Route.UPLOADS) {
            push.upload(request, response, callback, path);
            return;
        }
        boolean read = head || HttpMethod.GET.is(request.getMethod());
        if (path.route() == RegistryPath.Route.BASE) {
            if (!read) {
                throw new DistributionException(ErrorCode.UNSUPPORTED, request.getMethod() + " is not supported on /v2/");
            }
            response.setStatus(200);
            response.getHeaders().put(ErrorBodies.JSON);
            writeBody(response, callback, EMPTY_OBJECT, head);
            return;
        }
        RepositoryName name = new RepositoryName(path.name());
        if (!read) {
            push.write(request, response, callback, path, name);
            return;
        }
        switch (path.route()) {
            case MANIFEST -> manifest(request, response, callback, head, name, path.reference());
            case BLOB -> blob(request, response, callback, head, name, path.digest());
            case TAGS -> tags(request, response, callback, head, name);
            case REFERRERS -> referrers(request, response, callback, head, name, path.digest());
            default -> throw new IllegalStateException("unrouted " + path.route());
        }
    }

    private void manifest(Request request, Response response, Callback callback, boolean head,
                          RepositoryName name, Reference reference) {
        Fields query = query(request);
        ManifestResult manifest = backend.manifest(name, reference, context(request, query, head));
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, manifest.mediaType());
        String digest = manifest.digest().toString();
        headers.put(DIGEST_HEADER, digest);
        headers.put(HttpHeader.ETAG, '"' + digest + '"');
        headers.put(ORIGINS[manifest.origin().ordinal()]);
        response.setStatus(200);
        writeBody(response, callback, manifest.body(), head);
    }

    private void blob(Request request, Response response, Callback callback, boolean head,
                      RepositoryName name, Digest digest) {
        Fields query = query(request);
        BlobResult blob = backend.blob(name, digest, context(request, query, head));
        new BlobResponse(request, response, callback, head, blob).send();
    }

    private void tags(Request request, Response response, Callback callback, boolean head, RepositoryName name) {
        Fields query = query(request);
        int n = pageSize(query == null ? null : query.getValue("n"));
        String last = query == null ? null : query.getValue("last");
        if (last != null) {
            new Reference.Tag(last); // validates
        }
        TagPage page = backend.tags(name, n, last, context(request, query, head));

        StringBuilder json = new StringBuilder(64 + page.tags().size() * 16);
        json.append("{\"name\":\"");
        JsonStringEncoder.getInstance().quoteAsString(page.name() == null ? name.value() : page.name(), json);
        json.append("\",\"tags\":[");
        for (int i = 0; i < page.tags().size(); i++) {
            if (i > 0) json.append(',');
            json.append('"');
            JsonStringEncoder.getInstance().quoteAsString(page.tags().get(i), json);
            json.append('"');
        }
        json.append("]}");

        if (page.last() != null) {
            StringBuilder link = new StringBuilder("</v2/").append(name.value()).append("/tags/list?");
            if (n >= 0) link.append("n=").append(n).append('&');
            link.append("last=").append(URLEncoder.encode(page.last(), StandardCharsets.UTF_8));
            String ns = query == null ? null : query.getValue("ns");
            if (ns != null) link.append("&ns=").append(URLEncoder.encode(ns, StandardCharsets.UTF_8));
            link.append(">; rel=\"next\"");
            response.getHeaders().put(HttpHeader.LINK, link.toString());
        }
        response.setStatus(200);
        response.getHeaders().put(ErrorBodies.JSON);
        writeBody(response, callback, json.toString().getBytes(StandardCharsets.UTF_8), head);
    }

    private void referrers(Request request, Response response, Callback callback, boolean head,
                           RepositoryName name, Digest subject) {
        Fields query = query(request);
        String artifactType = query == null ? null : query.getValue("artifactType");
        if (artifactType != null && !MEDIA_TYPE.matcher(artifactType).matches()) {
            throw new BadQuery("UNKNOWN", "invalid artifactType: expected a media type such as application/vnd.example+json");
        }
        Referrers referrers = backend.referrers(name, subject, artifactType, context(request, query, head));
        response.setStatus(200);
        response.getHeaders().put(OCI_INDEX);
        if (referrers.filtered()) {
            response.getHeaders().put(FILTERS_APPLIED);
        }
        writeBody(response, callback, referrers.index(), head);
    }

    /** Sends a complete small body with an exact {@code Content-Length}; HEAD gets the headers only. */
    private static void writeBody(Response response, Callback callback, byte[] body, boolean head) {
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if (head) {
            callback.succeeded();
        } else {
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }

    /** Query parameters, or null when there is no query string (the common case: no parsing at all). */
    static Fields query(Request request) {
        if (request.getHttpURI().getQuery() == null) {
            return null;
        }
        try {
            return Request.extractQueryParameters(request);
        } catch (RuntimeException e) {
            throw new BadQuery("UNKNOWN", "malformed query string");
        }
    }

    private static int pageSize(String n) {
        if (n == null) {
            return -1;
        }
        if (n.isEmpty() || n.length() > 9 || !n.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new BadQuery("PAGINATION_NUMBER_INVALID", "invalid page size n: expected a non-negative integer");
        }
        return Integer.parseInt(n);
    }

    static RequestContext context(Request request, Fields query, boolean head) {
        String ns = query == null ? null : query.getValue("ns");
        if (ns != null && (ns.length() > 255 || !NAMESPACE.matcher(ns).matches())) {
            throw new DistributionException(ErrorCode.NAME_INVALID, "invalid ns parameter: expected a registry host name");
        }
        return new RequestContext(ns, Request.getRemoteAddr(request), head, acceptedTypes(request.getHeaders()));
    }

    /** Every {@code Accept} value, split on commas, parameters ({@code ;q=…}) dropped, trimmed, in order. */
    static List<String> acceptedTypes(HttpFields headers) {
        List<String> values = headers.getValuesList(HttpHeader.ACCEPT);
        if (values.isEmpty()) {
            return List.of();
        }
        List<String> types = new ArrayList<>(8);
        for (String value : values) {
            int start = 0;
            while (start <= value.length()) {
                int comma = value.indexOf(',', start);
                if (comma < 0) comma = value.length();
                String item = value.substring(start, comma);
                int semicolon = item.indexOf(';');
                if (semicolon >= 0) item = item.substring(0, semicolon);
                item = item.trim();
                if (!item.isEmpty()) types.add(item);
                start = comma + 1;
            }
        }
        return types;
    }

    private static HttpField[] originFields() {
        ContentOrigin[] origins = ContentOrigin.values();
        HttpField[] fields = new HttpField[origins.length];
        for (ContentOrigin origin : origins) {
            fields[origin.ordinal()] = new PreEncodedHttpField(ContentOrigin.HEADER, origin.wire());
        }
        return fields;
    }

    /** A 400 for a query parameter, which has no spec error code of its own. */
    private static final class BadQuery extends RuntimeException {
        final String wireCode;

        BadQuery(String wireCode, String message) {
            super(message, null, false, false);
            this.wireCode = wireCode;
        }
    }

    /**
     * One blob answer: headers, range, warm file or cold stream, and the single {@code served} report.
     */
    private static final class BlobResponse {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final boolean head;
        private final BlobResult blob;
        private long sent;
        private boolean reported;

        BlobResponse(Request request, Response response, Callback callback, boolean head, BlobResult blob) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.head = head;
            this.blob = blob;
        }

        void send() {
            try {
                sendUnreported();
            } catch (Throwable t) {
                report(t);
                throw t instanceof RuntimeException r ? r : new BlobFailure(t);
            } finally {
                report(null);
            }
        }

        private void sendUnreported() {
            HttpFields.Mutable headers = response.getHeaders();
            headers.put(DIGEST_HEADER, blob.digest().toString());
            headers.put(HttpHeader.ETAG, '"' + blob.digest().toString() + '"');
            headers.put(OCTET_STREAM);
            headers.put(ACCEPT_RANGES);
            headers.put(ORIGINS[blob.origin().ordinal()]);

            if (!head && blob.redirect() != null) {
                headers.remove(HttpHeader.CONTENT_TYPE);
                headers.put(HttpHeader.LOCATION, blob.redirect().toString());
                headers.put(HttpHeader.CONTENT_LENGTH, 0);
                response.setStatus(307);
                callback.succeeded();
                return;
            }
            String range = head ? null : request.getHeaders().get(HttpHeader.RANGE);
            Path file = blob.file();
            if (file == null && RangeRequest.isSingleRange(range)) {
                file = awaitFile();
            }
            if (file != null) {
                sendWarm(file, range);
            } else {
                sendCold();
            }
        }

        private Path awaitFile() {
            try {
                return blob.awaitFile();
            } catch (IOException e) {
                throw new DistributionException(ErrorCode.UPSTREAM_UNAVAILABLE, 502,
                        "the blob could not be fetched from the upstream", null, e);
            }
        }

        private void sendWarm(Path file, String rangeHeader) {
            long size = blob.size();
            try {
                if (size < 0) size = Files.size(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            RangeRequest range = RangeRequest.parse(rangeHeader, size);
            if (range instanceof RangeRequest.Unsatisfiable) {
                clearForError(response);
                response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes */" + size);
                ErrorBodies.send(response, callback, 416, ErrorCode.RANGE_INVALID.wireCode(),
                        "requested range not satisfiable", false);
                return;
            }
            long offset = 0;
            long length = size;
            if (range instanceof RangeRequest.Single single) {
                offset = single.first();
                length = single.length();
                response.setStatus(206);
                response.getHeaders().put(HttpHeader.CONTENT_RANGE, single.contentRange(size));
            } else {
                response.setStatus(200);
            }
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
            if (head || length == 0) {
                callback.succeeded();
                return;
            }
            try {
                sent = BlobBodies.sendFile(file, offset, length, request, response, bytes -> sent = bytes);
            } catch (IOException e) {
                abort(e);
                return;
            }
            callback.succeeded();
        }

        private void sendCold() {
            response.setStatus(200);
            if (blob.size() >= 0) {
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, blob.size());
            } else if (request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_1_1) {
                // Chunked even when the client asked to close the connection: with a close-delimited body an
                // aborted stream would be indistinguishable from a complete one; a missing last chunk is not.
                response.getHeaders().put(CHUNKED);
            }
            if (head) {
                callback.succeeded();
                return;
            }
            try (BlobResult.BlobStream stream = blob.openStream()) {
                sent = BlobBodies.sendStream(stream, blob.size() >= 0, request, response, bytes -> sent = bytes);
            } catch (IOException e) {
                abort(e);
                return;
            }
            callback.succeeded();
        }

        /**
         * Ends a response whose body cannot be completed. Once bytes are out, failing the callback makes Jetty
         * reset the connection, so the client sees a truncated body, never one that looks complete.
         */
        private void abort(IOException e) {
            report(e);
            if (!response.isCommitted()) {
                throw new DistributionException(ErrorCode.UPSTREAM_UNAVAILABLE, 502,
                        "the blob could not be fetched from the upstream", null, e);
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("blob {} aborted after {} bytes: {}", blob.digest(), sent, e.toString());
            }
            callback.failed(e);
        }

        private void report(Throwable failure) {
            if (reported) return;
            reported = true;
            request.setAttribute(RequestLogger.BODY_BYTES, sent);
            try {
                blob.served(sent, failure);
            } catch (RuntimeException e) {
                LOG.warn("pull statistics for blob {} failed", blob.digest(), e);
            }
        }
    }

    private static final class BlobFailure extends RuntimeException {
        BlobFailure(Throwable cause) {
            super(cause);
        }
    }

    private static final class UncheckedIOException extends RuntimeException {
        UncheckedIOException(IOException cause) {
            super(cause);
        }
    }
}
