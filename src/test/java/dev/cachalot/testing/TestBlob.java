package dev.cachalot.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A blob of a test image: its digest, size and media type, with content either in memory ({@code bytes}) or in a
 * file ({@code file}, for big layers that must never be held in memory).
 */
public record TestBlob(String digest, long size, String mediaType, byte[] bytes, Path file) {

    public static TestBlob inMemory(String mediaType, byte[] bytes) {
        return new TestBlob(Sha256.of(bytes), bytes.length, mediaType, bytes, null);
    }

    public static TestBlob inFile(String mediaType, Path file, String digest, long size) {
        return new TestBlob(digest, size, mediaType, null, file);
    }

    public boolean inFile() {
        return file != null;
    }

    /** Hex part of the digest (skopeo's dir: layout names blob files by it). */
    public String hex() {
        return Sha256.hex(digest);
    }

    public InputStream open() {
        if (bytes != null) {
            return new ByteArrayInputStream(bytes);
        }
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A request body that streams the content (from disk for file blobs). */
    public HttpRequest.BodyPublisher bodyPublisher() {
        if (bytes != null) {
            return HttpRequest.BodyPublishers.ofByteArray(bytes);
        }
        try {
            return HttpRequest.BodyPublishers.ofFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The descriptor JSON fields as a map (mediaType, digest, size), in that order. */
    java.util.Map<String, Object> descriptor() {
        java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", digest);
        d.put("size", size);
        return d;
    }

    @Override
    public String toString() {
        return "TestBlob[" + digest + ", " + size + " bytes, " + mediaType + (file != null ? ", " + file : "") + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TestBlob other && other.digest.equals(digest) && other.mediaType.equals(mediaType);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }
}
