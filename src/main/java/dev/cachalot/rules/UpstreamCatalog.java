package dev.cachalot.rules;

import java.util.List;
import java.util.Optional;

/** The known upstreams: the built-in catalog (Docker Hub, MCR, ECR Public, GHCR, Quay, registry.k8s.io, GCR) plus custom ones. */
public final class UpstreamCatalog {

    public UpstreamCatalog(List<Upstream> custom) {
        throw new UnsupportedOperationException("written by the rules work");
    }

    public static List<Upstream> builtIn() {
        throw new UnsupportedOperationException("written by the rules work");
    }

    /** Built-in entries first, then custom ones. */
    public List<Upstream> all() {
        throw new UnsupportedOperationException("written by the rules work");
    }

    /** The upstream of a login server ({@code docker.io}, {@code gcr.io}, {@code eu.gcr.io}, a custom {@code host:port}). */
    public Optional<Upstream> find(String loginServer) {
        throw new UnsupportedOperationException("written by the rules work");
    }
}
