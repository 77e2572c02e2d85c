#!/usr/bin/env bash
# Acceptance test for the installers (issue 7), Linux only. Slow (about a minute), so it is not part
# of the quick test suite; .ci/run calls it.
#   1. mvn -B -Pdist package -DskipTests  (shaded jar, jlink runtime, app image, .deb)
#   2. inspects the .deb with dpkg-deb -I / -c: package metadata, GTK dependency, launcher, icon and
#      desktop entry (Categories, Exec, Icon)
#   3. starts the app image's `bin/cachalot serve --listen 127.0.0.1:<free port> --data <tmp>`, waits
#      for GET /v2/ -> 200, sends SIGTERM and checks that it exits;
#   4. runs the app image's `bin/cachalot selftest` (push and pull through two temporary engines on loopback).
# Installs what it needs (fakeroot, dpkg-dev, curl) via apt when running as root on Debian.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

install_missing() {
  local missing=()
  command -v fakeroot >/dev/null 2>&1 || missing+=(fakeroot)
  command -v dpkg-deb >/dev/null 2>&1 || missing+=(dpkg-dev)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
  else
    echo "test-dist: missing ${missing[*]}; install them (apt-get install ${missing[*]})" >&2
    exit 2
  fi
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

install_missing

echo "== building: mvn -B -Pdist package -DskipTests"
mvn -B -q -Pdist package -DskipTests

image=target/dist/app-image/cachalot
deb=$(ls target/dist/packages/cachalot_*_amd64.deb 2>/dev/null | head -n 1 || true)

echo "== app image"
[ -x "$image/bin/cachalot" ] && pass "app image launcher $image/bin/cachalot" || fail "no launcher in $image/bin"
[ -f "$image/lib/cachalot.png" ] && pass "app image icon" || fail "no icon in $image/lib"
echo "   size: $(du -sh "$image" | cut -f1)"

echo "== .deb"
if [ -z "$deb" ]; then
  fail "no .deb in target/dist/packages"
else
  echo "   $deb: $(du -h "$deb" | cut -f1)"
  [ "$(dpkg-deb -f "$deb" Package)" = cachalot ] && pass "Package: cachalot" || fail "package name"
  dpkg-deb -f "$deb" Depends | grep -q 'libgtk-3-0' && pass "Depends on libgtk-3-0" || fail "Depends lacks libgtk-3-0"
  dpkg-deb -I "$deb" postinst | grep -q '/usr/bin/cachalot' && pass "postinst links /usr/bin/cachalot" \
    || fail "postinst does not link /usr/bin/cachalot"
  contents=$(dpkg-deb -c "$deb")
  grep -Eq '^-rwx.* \./opt/cachalot/bin/cachalot$' <<<"$contents" && pass "launcher /opt/cachalot/bin/cachalot" \
    || fail "launcher /opt/cachalot/bin/cachalot missing or not executable"
  grep -q ' \./opt/cachalot/lib/cachalot\.png$' <<<"$contents" && pass "icon /opt/cachalot/lib/cachalot.png" \
    || fail "icon missing"
  desktop_path=$(grep -o '\./opt/cachalot/lib/[^ ]*\.desktop$' <<<"$contents" | head -n 1 || true)
  if [ -z "$desktop_path" ]; then
    fail "no desktop entry in the package"
  else
    desktop=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO "$desktop_path")
    grep -qx 'Categories=Development;System;' <<<"$desktop" && pass "desktop Categories=Development;System;" \
      || fail "desktop Categories: $(grep Categories <<<"$desktop")"
    grep -qx 'Exec=/opt/cachalot/bin/cachalot' <<<"$desktop" && pass "desktop Exec" || fail "desktop Exec: $(grep Exec <<<"$desktop")"
    grep -qx 'Icon=/opt/cachalot/lib/cachalot.png' <<<"$desktop" && pass "desktop Icon" || fail "desktop Icon: $(grep Icon <<<"$desktop")"
    grep -qx 'Name=Cachalot' <<<"$desktop" && pass "desktop Name" || fail "desktop Name"
  fi
fi

echo "== serve from the app image"
data=$(mktemp -d)
log="$data.log"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$data" "$log"
}
trap cleanup EXIT

port=$(free_port)
"$image/bin/cachalot" serve --listen "127.0.0.1:$port" --data "$data" >"$log" 2>&1 &
pid=$!
status=000
for _ in $(seq 1 120); do
  kill -0 "$pid" 2>/dev/null || break
  status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" || true)
  [ "$status" = 200 ] && break
  sleep 0.25
done
if [ "$status" = 200 ]; then
  pass "GET /v2/ -> 200 on 127.0.0.1:$port"
else
  fail "GET /v2/ -> $status (serve log follows)"
  sed 's/^/   | /' "$log" | tail -n 20
fi

if kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then
    fail "serve still running 15 s after SIGTERM"
  else
    code=0
    wait "$pid" || code=$?
    # 143 = 128 + SIGTERM: the JVM's normal exit status after its shutdown hooks ran.
    if [ "$code" = 0 ] || [ "$code" = 143 ]; then pass "serve stopped on SIGTERM (exit $code)"; else fail "serve exit status $code after SIGTERM"; fi
  fi
  pid=""
fi

echo "== selftest from the app image"
if out=$("$image/bin/cachalot" selftest 2>&1); then
  pass "$(grep -m1 'Self-test passed' <<<"$out" | cut -c1-100)"
else
  fail "selftest failed (output follows)"
  sed 's/^/   | /' <<<"$out" | tail -n 20
fi

if [ "$failures" -gt 0 ]; then
  echo "test-dist: $failures check(s) failed"
  exit 1
fi
echo "test-dist: all checks passed"
