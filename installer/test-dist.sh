#!/usr/bin/env bash
# Acceptance test for the Linux installers (issues 7 and 20). Run by scripts/test.sh; as root on Debian (CI is),
# since it installs the package for real:
#   1. builds with `mvn -B -Pdist package -DskipTests` (shaded jar, jlink runtime, app image, .deb);
#   2. inspects the .deb (metadata, files, desktop entry) and lints it with lintian (errors fail, warnings print);
#   3. installs it with `apt-get install ./cachalot_*.deb` as a headless host would (no /usr/share/applications:
#      the folder is moved aside for the install when this host has one), checks `/usr/bin/cachalot --version`,
#      the system user, data and settings folders, and the class-data archive the postinst trained;
#   4. runs the installed `cachalot serve` as the service would (user cachalot, CACHALOT_DATA=/var/lib/cachalot) on a
#      free loopback port, with Debian's docker-registry as its upstream, and pulls an image through it with skopeo;
#      prints start to ready (until GET /v2/ answers);
#   5. enables the systemd unit and, where systemd runs as PID 1, starts and stops it;
#   6. upgrades to the same package repacked with a higher version (the menu folder back in place) and checks the
#      service's data (the image, pulled again with the upstream gone), the edited settings file and the enabled
#      state survived;
#   7. removes it (data and settings stay), purges it and checks nothing of it is left.
# A cachalot package left installed by an earlier run is purged first; the package is purged again on exit.
# CACHALOT_DIST_REUSE=1 skips the build and tests the packages already in target/dist.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test-dist: needs root on a Debian-like host (it installs the .deb with apt-get);" \
    "CACHALOT_SKIP_DIST=1 ./scripts/test.sh leaves it out" >&2
  exit 2
fi

install_missing() {
  local missing=() tool package
  for pair in fakeroot:fakeroot dpkg-deb:dpkg-dev curl:curl lintian:lintian skopeo:skopeo \
      docker-registry:docker-registry strace:strace; do
    tool=${pair%%:*}
    package=${pair#*:}
    command -v "$tool" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
}

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "test-dist: no free port found" >&2
  exit 2
}

# Waits until GET $1/v2/ answers 200 while process $2 lives; prints the milliseconds it took from $3 (ns).
await_ready() {
  local url=$1 pid=$2 started=$3 status
  for _ in $(seq 1 400); do
    kill -0 "$pid" 2>/dev/null || return 1
    status=$(curl -s -o /dev/null -w '%{http_code}' "$url/v2/" || true)
    if [ "$status" = 200 ]; then
      echo $((($(date +%s%N) - started) / 1000000))
      return 0
    fi
    sleep 0.02
  done
  return 1
}

# SIGTERM to process $1 (runuser passes it on to the launcher), SIGKILL after 15 s; sets stop_code to its exit status.
stop_process() {
  local pid=$1
  stop_code=0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" || stop_code=$?
}

apps=/usr/share/applications
apps_aside=/usr/share/applications.cachalot-test-aside
work=$(mktemp -d)
serve_pid=""
registry_pid=""

restore_menu_folder() {
  if [ -d "$apps_aside" ] && [ ! -e "$apps" ]; then mv "$apps_aside" "$apps"; fi
}

purge_package() {
  if dpkg-query -W -f='${Status}' cachalot 2>/dev/null | grep -qv 'not-installed'; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y cachalot >"$work/purge.log" 2>&1 || dpkg --purge cachalot >>"$work/purge.log" 2>&1
  fi
}

cleanup() {
  for pid in $serve_pid $registry_pid; do kill -KILL "$pid" 2>/dev/null || true; done
  restore_menu_folder
  if [ -d /run/systemd/system ]; then systemctl stop cachalot >/dev/null 2>&1 || true; fi
  purge_package || true
  rm -rf "$work"
}
trap cleanup EXIT

install_missing
restore_menu_folder   # a run killed between moving the folder aside and putting it back
purge_package

if [ "${CACHALOT_DIST_REUSE:-0}" = 1 ] && ls target/dist/packages/cachalot_*.deb >/dev/null 2>&1; then
  echo "== reusing target/dist (CACHALOT_DIST_REUSE=1)"
else
  echo "== building: mvn -B -Pdist package -DskipTests"
  mvn -B -q -Pdist package -DskipTests
fi

image=target/dist/app-image/cachalot
deb=$(ls target/dist/packages/cachalot_*.deb 2>/dev/null | head -n 1 || true)
build_version=$(unzip -p target/cachalot.jar META-INF/MANIFEST.MF | sed -n 's/^Implementation-Version: *//p' | tr -d '\r')
pom_version=$(sed -n '0,/<version>/s/.*<version>\([^<]*\)<\/version>.*/\1/p' pom.xml)

echo "== app image"
check "app image launcher $image/bin/cachalot" test -x "$image/bin/cachalot"
check "app image icon" test -f "$image/lib/cachalot.png"
check "jar manifest Implementation-Version $build_version = POM version" test "$build_version" = "$pom_version"
check "the jar registers no JCA provider (BouncyCastle is a library here; docs/decisions/0044-the-linux-launcher.md)" \
  bash -c '! unzip -p target/cachalot.jar META-INF/services/java.security.Provider 2>/dev/null | grep -q .'

echo "== .deb"
if [ -z "$deb" ]; then
  fail "no .deb in target/dist/packages"
  exit 1
fi
echo "   $deb: $(du -h "$deb" | cut -f1)"
check "Package: cachalot" test "$(dpkg-deb -f "$deb" Package)" = cachalot
check "Version: ${pom_version//-/\~}-1" test "$(dpkg-deb -f "$deb" Version)" = "${pom_version//-/\~}-1"
check "Depends on libgtk-3-0" grep -q 'libgtk-3-0' <<<"$(dpkg-deb -f "$deb" Depends)"
check "conffile /etc/cachalot/cachalot.env" grep -qx '/etc/cachalot/cachalot.env' <<<"$(dpkg-deb -I "$deb" conffiles)"
contents=$(dpkg-deb -c "$deb")
check "launcher /opt/cachalot/bin/cachalot" grep -Eq '^-rwx.* \./opt/cachalot/bin/cachalot$' <<<"$contents"
check "link /usr/bin/cachalot -> /opt/cachalot/bin/cachalot" grep -q ' \./usr/bin/cachalot -> /opt/cachalot/bin/cachalot$' <<<"$contents"
check "system unit /lib/systemd/system/cachalot.service" grep -q ' \./lib/systemd/system/cachalot\.service$' <<<"$contents"
check "no class-data archive in the package (the postinst trains it for /opt/cachalot)" \
  bash -c '! grep -q "cachalot\.jsa$" <<<"$1"' _ "$contents"
desktop_path=$(grep -o '\./opt/cachalot/lib/[^ ]*\.desktop$' <<<"$contents" | head -n 1 || true)
if [ -z "$desktop_path" ]; then
  fail "no desktop entry in the package"
else
  desktop=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO "$desktop_path")
  check "desktop Categories=Development;System;" grep -qx 'Categories=Development;System;' <<<"$desktop"
  check "desktop Exec" grep -qx 'Exec=/opt/cachalot/bin/cachalot' <<<"$desktop"
  check "desktop Icon" grep -qx 'Icon=/opt/cachalot/lib/cachalot.png' <<<"$desktop"
fi

echo "== lintian"
lintian --tag-display-limit 0 "$deb" >"$work/lintian.log" 2>&1 || true
if grep -q '^E: ' "$work/lintian.log"; then
  fail "lintian reports errors:"
  grep '^E: ' "$work/lintian.log" | sed 's/^/   | /'
else
  pass "lintian: no errors ($(grep -c '^W: ' "$work/lintian.log" || true) warnings)"
fi
grep '^W: ' "$work/lintian.log" | sed 's/^/   | /' || true

echo "== install on a headless host"
if [ -d "$apps" ]; then mv "$apps" "$apps_aside"; fi
if DEBIAN_FRONTEND=noninteractive apt-get install -y "$repo/$deb" >"$work/install.log" 2>&1; then
  pass "apt-get install ./$(basename "$deb") (no $apps)"
else
  fail "apt-get install failed (log follows)"
  sed 's/^/   | /' "$work/install.log" | tail -n 30
  exit 1
fi
restore_menu_folder
grep 'cachalot:' "$work/install.log" | sed 's/^/   postinst: /' || true
check "dpkg: install ok installed" test "$(dpkg-query -W -f='${Status}' cachalot)" = "install ok installed"
version_out=$(/usr/bin/cachalot --version 2>&1 || true)
check "/usr/bin/cachalot --version: $version_out" test "$version_out" = "cachalot $pom_version"
# The launcher starts the bundled JVM and nothing else (readlink finds its folder): jpackage's own Linux launcher ran
# rpm and dpkg on every start (docs/decisions/0044-the-linux-launcher.md).
strace -f -qq -e trace=execve -e signal=none -o "$work/launch.trace" /usr/bin/cachalot --version >/dev/null 2>&1 || true
launched=$(grep -o 'execve("[^"]*"' "$work/launch.trace" | sed 's/^execve("//; s/"$//' | grep -v -e '^/usr/bin/cachalot$' -e '/readlink$' | sort -u | tr '\n' ' ')
check "the launcher runs only the bundled runtime (ran: $launched)" test "$launched" = "/opt/cachalot/lib/runtime/bin/java "
check "system user cachalot" bash -c 'getent passwd cachalot >/dev/null'
check "/var/lib/cachalot owned by cachalot" test "$(stat -c %U /var/lib/cachalot 2>/dev/null)" = cachalot
check "settings /etc/cachalot/cachalot.env" test -f /etc/cachalot/cachalot.env
check "class-data archive trained for /opt/cachalot" test -s /opt/cachalot/lib/app/cachalot.jsa
check "no menu entry without $apps" test ! -e "$apps/cachalot.desktop"

echo "== pull through the installed cachalot serve"
# The upstream: Debian's docker-registry on loopback, holding a one-layer image pushed from a hand-made OCI layout.
up_port=$(free_port)
mkdir -p "$work/registry" "$work/layout/blobs/sha256" "$work/rootfs"
cat >"$work/registry.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$up_port
EOF
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
blob() { # stores stdin as a blob of the layout, prints "digest size"
  local tmp="$work/layout/blob.tmp" digest
  cat >"$tmp"
  digest=$(sha256sum "$tmp" | cut -d' ' -f1)
  mv "$tmp" "$work/layout/blobs/sha256/$digest"
  echo "$digest $(stat -c %s "$work/layout/blobs/sha256/$digest")"
}
echo "hello from test-dist $(date +%s%N)" >"$work/rootfs/hello.txt"
read -r layer_digest layer_size < <(tar -C "$work/rootfs" -cf - hello.txt | gzip -n | blob)
read -r diff_id _ < <(tar -C "$work/rootfs" -cf - hello.txt | sha256sum)
read -r config_digest config_size < <(printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"config":{}}' "$diff_id" | blob)
read -r manifest_digest manifest_size < <(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
  "$config_digest" "$config_size" "$layer_digest" "$layer_size" | blob)
echo '{"imageLayoutVersion":"1.0.0"}' >"$work/layout/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"1"}}]}' \
  "$manifest_digest" "$manifest_size" >"$work/layout/index.json"
pushed=no
for _ in $(seq 1 100); do
  if skopeo copy -q --dest-tls-verify=false "oci:$work/layout:1" "docker://127.0.0.1:$up_port/test/tiny:1" >"$work/push.log" 2>&1; then
    pushed=yes
    break
  fi
  sleep 0.1
done
check "image pushed to docker-registry on 127.0.0.1:$up_port" test $pushed = yes

as_service() { runuser -u cachalot -- env CACHALOT_DATA=/var/lib/cachalot "$@"; }
as_service cachalot upstream add --login-server "127.0.0.1:$up_port" --endpoint "http://127.0.0.1:$up_port" >"$work/cli.log" 2>&1 \
  && as_service cachalot rules create --name test-dist --source "127.0.0.1:$up_port/test/*" --target 'test/*' >>"$work/cli.log" 2>&1 \
  && pass "cachalot upstream add, rules create (as the cachalot user, data /var/lib/cachalot)" \
  || { fail "cachalot upstream add / rules create (output follows)"; sed 's/^/   | /' "$work/cli.log"; }

serve() { # starts the installed cachalot serve as the service would; sets serve_pid and ready_ms
  port=$(free_port)
  local started
  started=$(date +%s%N)
  runuser -u cachalot -- env CACHALOT_DATA=/var/lib/cachalot /usr/bin/cachalot serve --listen "127.0.0.1:$port" \
    >"$work/serve.log" 2>&1 &
  serve_pid=$!
  ready_ms=$(await_ready "http://127.0.0.1:$port" "$serve_pid" "$started") || ready_ms=""
}

pull() { # pulls test/tiny:1 through the cache into $1; checks the manifest digest
  rm -rf "$1"
  skopeo copy -q --src-tls-verify=false "docker://127.0.0.1:$port/test/tiny:1" "oci:$1:1" >"$work/pull.log" 2>&1 \
    && grep -q "sha256:$manifest_digest" "$1/index.json"
}

serve
if [ -n "$ready_ms" ]; then
  pass "installed cachalot serve ready (GET /v2/ -> 200) on 127.0.0.1:$port in $ready_ms ms"
else
  fail "installed cachalot serve never answered GET /v2/ (log follows)"
  sed 's/^/   | /' "$work/serve.log" | tail -n 20
fi
if pull "$work/pulled"; then
  pass "skopeo copy docker://127.0.0.1:$port/test/tiny:1 through the cache, manifest sha256:${manifest_digest:0:12}…"
else
  fail "pull through the cache (skopeo output follows)"
  sed 's/^/   | /' "$work/pull.log" | tail -n 10
fi
stop_process "$serve_pid"
serve_pid=""
# 143 = 128 + SIGTERM: the JVM's normal exit status after its shutdown hooks ran.
check "serve stopped on SIGTERM (exit $stop_code)" test "$stop_code" = 0 -o "$stop_code" = 143

echo "== systemd unit"
# Settings the upgrade must keep: the listen address, moved off 5000 so the unit can start on a busy host.
unit_port=$(free_port)
sed -i "s/^CACHALOT_LISTEN=.*/CACHALOT_LISTEN=127.0.0.1:$unit_port/" /etc/cachalot/cachalot.env
check "unit disabled after install" bash -c '! systemctl is-enabled --quiet cachalot 2>/dev/null'
check "systemctl enable cachalot" systemctl enable cachalot --quiet
if [ "$(ps -p 1 -o comm= | tr -d ' ')" = systemd ]; then
  systemctl start cachalot
  for _ in $(seq 1 200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$unit_port/v2/" || true)" = 200 ] && break
    sleep 0.05
  done
  check "systemctl start cachalot: GET /v2/ -> 200 on 127.0.0.1:$unit_port" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$unit_port/v2/" || true)" = 200
  systemctl stop cachalot
  check "systemctl stop cachalot" bash -c '! systemctl is-active --quiet cachalot'
else
  echo "skip starting the unit: PID 1 is $(ps -p 1 -o comm=), not systemd (enable/disable still checked)"
fi
kill -TERM "$registry_pid" 2>/dev/null || true
wait "$registry_pid" 2>/dev/null || true
registry_pid=""

echo "== upgrade (menu folder present)"
next_version="$(dpkg-deb -f "$deb" Version | sed 's/-1$//')+test-1"
mkdir -p "$work/next"
dpkg-deb -R "$deb" "$work/next/root"
sed -i "s/^Version: .*/Version: $next_version/" "$work/next/root/DEBIAN/control"
dpkg-deb --root-owner-group -Znone -b "$work/next/root" "$work/next/cachalot_${next_version}_amd64.deb" >/dev/null
rm -rf "$work/next/root"
if DEBIAN_FRONTEND=noninteractive apt-get install -y "$work/next/cachalot_${next_version}_amd64.deb" >"$work/upgrade.log" 2>&1; then
  pass "upgrade to $next_version"
else
  fail "upgrade to $next_version (log follows)"
  sed 's/^/   | /' "$work/upgrade.log" | tail -n 30
fi
check "dpkg: version $next_version installed" test "$(dpkg-query -W -f='${Version}' cachalot)" = "$next_version"
check "settings kept (CACHALOT_LISTEN=127.0.0.1:$unit_port)" grep -qx "CACHALOT_LISTEN=127.0.0.1:$unit_port" /etc/cachalot/cachalot.env
check "unit still enabled" systemctl is-enabled --quiet cachalot
if [ -d "$apps" ]; then
  check "menu entry $apps/cachalot.desktop" test -f "$apps/cachalot.desktop"
fi
check "class-data archive trained again" test -s /opt/cachalot/lib/app/cachalot.jsa
serve
if [ -n "$ready_ms" ] && pull "$work/pulled-again"; then
  pass "data kept: test/tiny:1 pulled from the cache with its upstream stopped (ready in $ready_ms ms)"
else
  fail "data kept: pull from the cache after the upgrade (logs follow)"
  sed 's/^/   | /' "$work/serve.log" "$work/pull.log" | tail -n 20
fi
stop_process "$serve_pid"
serve_pid=""

echo "== remove, then purge"
if DEBIAN_FRONTEND=noninteractive apt-get remove -y cachalot >"$work/remove.log" 2>&1; then
  pass "apt-get remove cachalot"
else
  fail "apt-get remove cachalot (log follows)"
  sed 's/^/   | /' "$work/remove.log" | tail -n 30
fi
check "removed: /opt/cachalot gone" test ! -e /opt/cachalot
check "removed: the service's data kept" test -n "$(ls -A /var/lib/cachalot 2>/dev/null)"
check "removed: settings kept" grep -qx "CACHALOT_LISTEN=127.0.0.1:$unit_port" /etc/cachalot/cachalot.env
if DEBIAN_FRONTEND=noninteractive apt-get purge -y cachalot >"$work/purge.log" 2>&1; then
  pass "apt-get purge cachalot"
else
  fail "apt-get purge cachalot (log follows)"
  sed 's/^/   | /' "$work/purge.log" | tail -n 30
fi
check "dpkg knows no file of cachalot" bash -c '[ -z "$(dpkg -L cachalot 2>/dev/null)" ]'
for path in /opt/cachalot /usr/bin/cachalot /var/lib/cachalot /etc/cachalot /lib/systemd/system/cachalot.service \
    /etc/systemd/system/cachalot.service /etc/systemd/system/multi-user.target.wants/cachalot.service \
    "$apps/cachalot.desktop"; do
  check "gone: $path" test ! -e "$path" -a ! -L "$path"
done
check "gone: user cachalot" bash -c '! getent passwd cachalot >/dev/null'
check "gone: group cachalot" bash -c '! getent group cachalot >/dev/null'

if [ "$failures" -gt 0 ]; then
  echo "test-dist: $failures check(s) failed"
  exit 1
fi
echo "test-dist: all checks passed"
