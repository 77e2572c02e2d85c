#!/usr/bin/env bash
# Installs what the test suite needs and is missing: Debian's docker-registry (CNCF distribution, the real
# upstream of the integration tests), skopeo, containerd's ctr and podman (real clients; the Client setup snippets are
# checked with each, and server mode's sign-in with all three), dockerd as a private daemon for the Docker snippet, prometheus (the real scraper of /metrics), umoci (a second reader of bundles), plus a JDK 17
# and Maven if absent, and postgresql (the shared metadata database of several engines; tests run their own in a temp folder), and haproxy
# (the load balancer in front of scripts/cluster.sh's engines), and procps (kill sends a child `serve` SIGINT as Ctrl-C does).
# Idempotent, and silent when everything is already there.
set -euo pipefail

packages=()
[ -x /usr/bin/docker-registry ] || packages+=(docker-registry)
[ -x /usr/bin/skopeo ] || packages+=(skopeo)
[ -x /usr/bin/prometheus ] || packages+=(prometheus)
[ -x /usr/bin/ctr ] || packages+=(containerd)
[ -x /usr/bin/podman ] || packages+=(podman)
[ -x /usr/lib/postgresql/15/bin/initdb ] || packages+=(postgresql)
[ -x /usr/bin/umoci ] || packages+=(umoci)
[ -x /usr/sbin/dockerd ] || packages+=(docker.io)
[ -x /usr/sbin/haproxy ] || packages+=(haproxy)
[ -x /usr/bin/kill ] || packages+=(procps)
command -v java >/dev/null 2>&1 || packages+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || packages+=(maven)

if [ ${#packages[@]} -eq 0 ]; then
    exit 0
fi

fail() {
    echo "" >&2
    echo "************************************************************************" >&2
    echo "* install-test-deps: $1" >&2
    echo "* The tests need these Debian packages: ${packages[*]}" >&2
    echo "* Install them:  apt-get update && apt-get install -y --no-install-recommends ${packages[*]}" >&2
    echo "************************************************************************" >&2
    exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "apt-get not found (not Debian/Ubuntu?)"

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    fail "not root and no password-less sudo"
fi

echo "install-test-deps: installing ${packages[*]}" >&2

# The docker-registry package starts a system service on :5000 (Cachalot's default port), prometheus one on :9090
# containerd a system daemon and postgresql a cluster on :5432 where an init system runs; tests start their own, so keep the services from
# starting during this install.
policy=/usr/sbin/policy-rc.d
added_policy=false
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
    "${as_root[@]}" chmod 755 "$policy"
    added_policy=true
fi
cleanup() {
    if [ "$added_policy" = true ]; then
        "${as_root[@]}" rm -f "$policy"
    fi
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq || fail "apt-get update failed"
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null \
    || fail "apt-get install failed"

[ -x /usr/bin/docker-registry ] || fail "/usr/bin/docker-registry still missing after install"
[ -x /usr/bin/skopeo ] || fail "/usr/bin/skopeo still missing after install"
[ -x /usr/bin/prometheus ] || fail "/usr/bin/prometheus still missing after install"
[ -x /usr/bin/ctr ] || fail "/usr/bin/ctr still missing after install"
[ -x /usr/bin/podman ] || fail "/usr/bin/podman still missing after install"
[ -x /usr/lib/postgresql/15/bin/initdb ] || fail "/usr/lib/postgresql/15/bin/initdb still missing after install (package postgresql)"
[ -x /usr/bin/umoci ] || fail "/usr/bin/umoci still missing after install"
[ -x /usr/sbin/dockerd ] || fail "/usr/sbin/dockerd still missing after install (package docker.io)"
[ -x /usr/sbin/haproxy ] || fail "/usr/sbin/haproxy still missing after install"
echo "install-test-deps: done" >&2
