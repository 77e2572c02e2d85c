#!/usr/bin/env bash
# A Cachalot cluster on this machine, for trying scale-out and for the cluster tests: S3Proxy (the blob bucket),
# PostgreSQL 15 (the shared metadata), N engines (`cachalot serve --config`, each with its own data folder) and
# HAProxy (round robin over the engines, health-checked on /readyz), all on free loopback ports. Every engine signs its
# tokens with one key file (token.key in the state folder), so a client signed in through one node is welcome on all.
# HAProxy names each client to the engines in a PROXY protocol v2 header (send-proxy-v2), and the engines trust its
# address (listen.trustedProxies), so their sign-in throttle, connection limits and access logs see the real clients.
#
#   scripts/cluster.sh up [--nodes N] [--auth none|required]
#                                       # default 3 nodes, no sign-in; prints the balancer's HOST:PORT as its last line
#   scripts/cluster.sh down             # stops everything `up` started, by PID, and removes the state folder
#
# With --auth required, `up` adds the user 'admin' (role admin) before the engines start: its password is in
# admin-password and an access token for it in admin-token (CACHALOT_TOKEN=$(cat admin-token) cachalot --engine ...),
# both owner-only in the state folder.
#
# State (configurations, logs, data, PIDs) lives in ${CACHALOT_CLUSTER_DIR:-/tmp/cachalot-cluster}. Needs Debian's
# postgresql and haproxy (scripts/install-test-deps.sh installs them), a JDK 17 and the built jar (built if missing;
# CACHALOT_CLUSTER_CLASSPATH=CP runs the engines as `java -cp CP dev.cachalot.Main` instead).
# CACHALOT_CLUSTER_GC_GRACE=PT2S sets the engines' storage.garbageGrace (tests collect blobs they just stored).
set -Eeuo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${CACHALOT_CLUSTER_DIR:-/tmp/cachalot-cluster}"
pg_bin=/usr/lib/postgresql/15/bin
host=127.0.0.1

die() {
    echo "cluster.sh: $*" >&2
    exit 1
}

require() { # program, Debian package
    [ -x "$1" ] || command -v "$1" >/dev/null 2>&1 || die "$1 not found: install the Debian package '$2' (apt-get install -y $2, or scripts/install-test-deps.sh)"
}

free_port() {
    # A port nobody answers on, below the kernel's ephemeral range: outgoing connections (an engine's own, to
    # PostgreSQL or S3, or any other program's) take their local ports from that range, and once held one of the
    # ports chosen here before its server could bind it (CI: "Address already in use"). Ports handed out by this run
    # are not handed out twice. The remaining race with another program is covered by each server failing loudly.
    local port low=32768 range
    if read -r range _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null && [ "$range" -gt 11024 ]; then
        low=$range
    fi
    for _ in $(seq 1 200); do
        port=$((10000 + RANDOM % (low - 10000)))
        grep -qx "$port" "$state/ports" 2>/dev/null && continue
        if ! (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
            echo "$port" >>"$state/ports"
            echo "$port"
            return
        fi
    done
    die "no free loopback port found"
}

record_pid() { # name pid
    echo "$1 $2" >>"$state/pids"
}

wait_http() { # url, seconds, what, log[, pid: stop waiting once it has exited]
    local deadline=$((SECONDS + $2))
    until curl ${CURL_FAIL--f} -sS -o /dev/null "$1" 2>/dev/null; do
        if [ -n "${5:-}" ] && ! kill -0 "$5" 2>/dev/null; then
            echo "cluster.sh: $3 exited before answering $1; its log ($4):" >&2
            tail -n 40 "$4" >&2 || true
            return 1
        fi
        if [ $SECONDS -ge $deadline ]; then
            echo "cluster.sh: $3 did not answer $1 within $2 s; its log ($4):" >&2
            tail -n 40 "$4" >&2 || true
            return 1
        fi
        sleep 0.5
    done
}

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

up() {
    local nodes=3 auth=none
    while [ $# -gt 0 ]; do
        case "$1" in
            --nodes) nodes="${2:?--nodes needs a number}"; shift 2 ;;
            --nodes=*) nodes="${1#--nodes=}"; shift ;;
            --auth) auth="${2:?--auth needs none or required}"; shift 2 ;;
            --auth=*) auth="${1#--auth=}"; shift ;;
            *) die "unknown option $1 (usage: cluster.sh up [--nodes N] [--auth none|required])" ;;
        esac
    done
    [[ "$nodes" =~ ^[1-9][0-9]*$ ]] || die "--nodes must be a positive number, not '$nodes'"
    [[ "$auth" =~ ^(none|required)$ ]] || die "--auth must be none or required, not '$auth'"
    require "$pg_bin/initdb" postgresql
    require haproxy haproxy
    require curl curl
    require java openjdk-17-jdk-headless
    if [ -e "$state/pids" ]; then
        die "a cluster is already up in $state (run 'cluster.sh down' first)"
    fi
    rm -rf "$state"
    mkdir -p "$state"
    chmod 755 "$state"
    trap 'echo "cluster.sh: up failed; stopping what it started" >&2; down >/dev/null 2>&1 || true' ERR

    local jar="$repo/target/cachalot.jar" s3jar="$repo/target/test-servers/s3proxy.jar"
    # CACHALOT_CLUSTER_CLASSPATH: run the engines from these classes instead of the jar (the tests run the code they
    # were compiled with, and need no packaging step before the test phase).
    local engine=(-jar "$jar")
    if [ -n "${CACHALOT_CLUSTER_CLASSPATH:-}" ]; then
        engine=(-cp "$CACHALOT_CLUSTER_CLASSPATH" dev.cachalot.Main)
    elif [ ! -f "$jar" ]; then
        echo "building $jar" >&2
        (cd "$repo" && mvn -q -B -o package -DskipTests -Dspotless.check.skip=true) >&2
    fi
    if [ ! -f "$s3jar" ]; then
        (cd "$repo" && mvn -q -B -o generate-test-resources) >&2
    fi

    # S3Proxy with its filesystem backend: the bucket is a folder.
    local s3_port s3_key s3_secret
    s3_port=$(free_port)
    s3_key="cluster-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
    s3_secret="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    mkdir -p "$state/s3/data/cachalot"
    cat >"$state/s3/s3proxy.properties" <<EOF
s3proxy.endpoint=http://$host:$s3_port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$s3_key
s3proxy.credential=$s3_secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$state/s3/data
EOF
    chmod 600 "$state/s3/s3proxy.properties"
    java -Xmx256m -XX:TieredStopAtLevel=1 -jar "$s3jar" --properties "$state/s3/s3proxy.properties" \
        >"$state/s3/s3proxy.log" 2>&1 </dev/null &
    record_pid s3proxy $!

    # PostgreSQL as an unprivileged user (initdb refuses root), its socket in the state folder.
    local pg_port db_password
    pg_port=$(free_port)
    db_password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    # As root, the postgres user runs the server; it may not be able to reach $state (a private temp folder), so its
    # folder is then a fresh one of its own under /tmp, named in $state/pg-root for `down`.
    local pg="$state/pg"
    if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$state"; then
        pg="$(mktemp -d /tmp/cachalot-cluster-pg.XXXXXX)"
    fi
    echo "$pg" >"$state/pg-root"
    mkdir -p "$pg/sock"
    printf '%s\n' "$db_password" >"$pg/pw"
    printf '%s\n' "$db_password" >"$state/db-password"
    chmod 600 "$pg/pw" "$state/db-password"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$pg"; fi
    as_postgres "$pg_bin/initdb" -D "$pg/data" -U cachalot --pwfile="$pg/pw" --auth-local=trust \
        --auth-host=scram-sha-256 -E UTF8 --locale=C --no-instructions >"$pg/initdb.log" 2>&1 \
        || { cat "$pg/initdb.log" >&2; false; }
    as_postgres "$pg_bin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w -t 60 \
        -o "-p $pg_port -k $pg/sock -c listen_addresses=$host" start >/dev/null \
        || { tail -n 40 "$pg/server.log" >&2; false; }
    record_pid postgres "$(head -n 1 "$pg/data/postmaster.pid")"
    as_postgres "$pg_bin/createdb" -h "$pg/sock" -p "$pg_port" -U cachalot cachalot

    # S3Proxy answers an unsigned request with 403 once it is up: any answer will do.
    CURL_FAIL= wait_http "http://$host:$s3_port/" 60 S3Proxy "$state/s3/s3proxy.log"

    # One token key for every engine (docs/deploy/README.md): a token from one node is then good on all of them.
    (umask 077 && head -c 32 /dev/urandom | base64 >"$state/token.key")

    if [ "$auth" = required ]; then
        # The first admin, straight into the shared database (nobody could sign in to add one through a node), and an
        # access token for it that `cachalot --engine` takes from CACHALOT_TOKEN. This run also migrates the schema.
        local admin_password
        admin_password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
        (umask 077 && printf '%s\n' "$admin_password" >"$state/admin-password")
        local admin_env=(CACHALOT_DATABASE_URL="jdbc:postgresql://$host:$pg_port/cachalot" CACHALOT_DATABASE_USER=cachalot
            CACHALOT_DATABASE_PASSWORD_FILE="$state/db-password")
        env "${admin_env[@]}" java -Xmx256m "${engine[@]}" --data "$state/admin" users add admin --role admin \
            <"$state/admin-password" >"$state/admin.log" 2>&1 || { cat "$state/admin.log" >&2; false; }
        (umask 077 && env "${admin_env[@]}" java -Xmx256m "${engine[@]}" --data "$state/admin" tokens create \
            --name cluster-admin --user admin --expires never >"$state/admin-token" 2>>"$state/admin.log") \
            || { cat "$state/admin.log" >&2; false; }
    fi

    # The engines: the first migrates the schema alone (Flyway's lock would serialize them anyway, but a node that
    # waits on it counts against its start-up), then the others start together.
    local ports=() node_pids=() i
    for i in $(seq 1 "$nodes"); do
        local port dir
        port=$(free_port)
        ports+=("$port")
        dir="$state/node-$i"
        mkdir -p "$dir/data"
        cat >"$dir/cachalot.yaml" <<EOF
listen:
  address: $host:$port
  # HAProxy connects from $host and announces each client (send-proxy-v2); a header from anywhere else is refused.
  trustedProxies: [$host/32]
auth:
  mode: $auth
  tokenKeyFile: $state/token.key
storage:
  type: s3${CACHALOT_CLUSTER_GC_GRACE:+
  garbageGrace: $CACHALOT_CLUSTER_GC_GRACE}
  s3:
    endpoint: http://$host:$s3_port
    region: us-east-1
    bucket: cachalot
database:
  type: postgresql
  postgresql:
    url: jdbc:postgresql://$host:$pg_port/cachalot
    user: cachalot
    passwordFile: $state/db-password
EOF
    done
    start_node() { # index
        local dir="$state/node-$1"
        CACHALOT_S3_ACCESS_KEY_ID="$s3_key" CACHALOT_S3_SECRET_ACCESS_KEY="$s3_secret" \
            java -Xmx512m "${engine[@]}" --data "$dir/data" serve --config "$dir/cachalot.yaml" \
            >"$dir/engine.log" 2>&1 </dev/null &
        record_pid "node-$1" $!
        node_pids[$1]=$!
    }
    start_node 1
    wait_http "http://$host:${ports[0]}/readyz" 120 "engine node-1" "$state/node-1/engine.log" "${node_pids[1]}"
    for i in $(seq 2 "$nodes"); do start_node "$i"; done
    for i in $(seq 2 "$nodes"); do
        wait_http "http://$host:${ports[$((i - 1))]}/readyz" 120 "engine node-$i" "$state/node-$i/engine.log" "${node_pids[$i]}"
    done

    # HAProxy: round robin per request; a node that stops answering /readyz leaves the rotation within a few seconds.
    local lb_port lb_pid attempt
    for attempt in 1 2 3 4 5; do
    lb_port=$(free_port)
    {
        cat <<EOF
global
    maxconn 4096
    pidfile $state/haproxy/haproxy.pid

defaults
    mode http
    option httplog
    timeout connect 5s
    timeout client 10m
    timeout server 10m

frontend cachalot
    bind $host:$lb_port
    default_backend engines

backend engines
    balance roundrobin
    # A push's blob upload session (POST, PATCH..., PUT) lives on the node that started it: its later requests, to
    # the Location that node answered, go back there. Everything else is spread request by request.
    stick-table type string len 512 size 100k expire 1h
    stick match path if { path_sub /blobs/uploads/ }
    stick store-response res.hdr(location) if { res.hdr(location) -m sub /blobs/uploads/ }
    option httpchk GET /readyz
    http-check expect status 200
    # Each connection to an engine starts with a PROXY v2 header naming the client (the checks' too: HAProxy's default
    # with send-proxy-v2); the engines trust $host for it (listen.trustedProxies).
EOF
        for i in $(seq 1 "$nodes"); do
            echo "    server node-$i $host:${ports[$((i - 1))]} send-proxy-v2 check inter 1s fall 2 rise 1"
        done
    } >"$state/haproxy.cfg.tmp"
    mkdir -p "$state/haproxy"
    mv "$state/haproxy.cfg.tmp" "$state/haproxy/haproxy.cfg"
    haproxy -f "$state/haproxy/haproxy.cfg" -db >"$state/haproxy/haproxy.log" 2>&1 </dev/null &
    lb_pid=$!
    # Should another program have taken the chosen port meanwhile, HAProxy exits at once saying so, and another port
    # is tried.
    local waited
    for waited in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 "$lb_pid" 2>/dev/null || break
        sleep 0.2
    done
    if ! kill -0 "$lb_pid" 2>/dev/null && grep -q "Address already in use" "$state/haproxy/haproxy.log" && [ "$attempt" -lt 5 ]; then
        continue
    fi
    record_pid haproxy "$lb_pid"
    break
    done
    wait_http "http://$host:$lb_port/readyz" 30 HAProxy "$state/haproxy/haproxy.log"

    for i in $(seq 1 "$nodes"); do
        echo "node-$i $host:${ports[$((i - 1))]}" >>"$state/nodes"
    done
    trap - ERR
    echo "cluster up in $state: $nodes engines (addresses in $state/nodes), S3Proxy $host:$s3_port, PostgreSQL $host:$pg_port" >&2
    if [ "$auth" = required ]; then
        echo "sign-in required: user 'admin', password in $state/admin-password, access token in $state/admin-token" >&2
    fi
    echo "$host:$lb_port"
}

down() {
    [ -d "$state" ] || { echo "cluster.sh: nothing to stop ($state does not exist)" >&2; return 0; }
    if [ -f "$state/pids" ]; then
        # Reverse order: the balancer first, then the engines, the database and the bucket last.
        local name pid
        tac "$state/pids" | while read -r name pid; do
            # PostgreSQL's TERM waits for its clients to leave; INT is its fast shutdown.
            if [ "$name" = postgres ]; then kill -INT "$pid" 2>/dev/null || true; else kill -TERM "$pid" 2>/dev/null || true; fi
        done
        local deadline=$((SECONDS + 30))
        while read -r name pid; do
            while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
            if kill -0 "$pid" 2>/dev/null; then
                echo "cluster.sh: $name ($pid) did not stop in time; killing it" >&2
                kill -KILL "$pid" 2>/dev/null || true
                local gone=$((SECONDS + 5))
                while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $gone ]; do sleep 0.1; done
            fi
        done <"$state/pids"
    fi
    if [ -f "$state/pg-root" ]; then rm -rf "$(cat "$state/pg-root")"; fi
    rm -rf "$state"
    echo "cluster stopped" >&2
}

case "${1:-}" in
    up) shift; up "$@" ;;
    down) shift; down ;;
    *) die "usage: cluster.sh up [--nodes N] [--auth none|required] | cluster.sh down" ;;
esac
