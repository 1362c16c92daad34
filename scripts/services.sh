#!/usr/bin/env bash
# Throwaway PostgreSQL 15 and Redis for the test suite (and for a live Celery worker).
#
# Nothing here touches the system clusters/services: each server gets a fresh temporary directory
# under $TMPDIR (default /tmp), a free port on 127.0.0.1, no persistence, and is deleted on stop.
#
# As a library (what scripts/test.sh does):
#     source scripts/services.sh
#     trap services_stop EXIT
#     pg_start      # sets AIA_PG_DIR AIA_PG_PORT AIA_DATABASE_URL
#     redis_start   # sets AIA_REDIS_DIR AIA_REDIS_PORT AIA_REDIS_URL
#     worker_start  # optional: a Celery worker on that Redis, restarted whenever it exits
#                   # (sets AIA_WORKER_PID AIA_WORKER_DIR AIA_WORKER_LOG; the worker's own PID is
#                   # in $AIA_WORKER_DIR/worker.pid)
#     ...
#     services_stop # stops whatever was started, removes the directories
#
# As a command (state kept in $AIA_SERVICES_STATE, default var/services.env):
#     eval "$(scripts/services.sh start)"   # start both; prints `export DATABASE_URL=... TEST_REDIS_URL=...`
#     scripts/services.sh start pg|redis    # start just one
#     scripts/services.sh env               # print the exports again
#     scripts/services.sh status
#     scripts/services.sh stop              # stop everything started by `start`
#
# PostgreSQL runs as the `postgres` OS user when we are root (initdb refuses to run as root),
# otherwise as the current user. Set PG_BINDIR to pick a server other than /usr/lib/postgresql/15.

_svc_log() { printf '[services] %s\n' "$*" >&2; }

# A free TCP port on 127.0.0.1 (the kernel picks it; a tiny race with other programs remains,
# so the start functions retry on a new port).
_svc_free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

_svc_pg_bindir() {
    if [[ -n ${PG_BINDIR:-} ]]; then
        [[ -x $PG_BINDIR/initdb ]] && {
            printf '%s\n' "$PG_BINDIR"
            return 0
        }
        return 1
    fi
    local d
    for d in /usr/lib/postgresql/15/bin $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -Vr); do
        if [[ -x $d/initdb ]]; then
            printf '%s\n' "$d"
            return 0
        fi
    done
    if command -v initdb >/dev/null; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

# Run a PostgreSQL binary as the cluster owner, from a directory that user can read.
_svc_as_pg() {
    local dir=$1
    shift
    if ((EUID == 0)); then
        (cd "$dir" && runuser -u postgres -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

# Whether $1 is a live process. A daemon that exited stays a zombie until PID 1 reaps it (that can
# take a second or more in some containers), so a zombie counts as gone.
_svc_alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

# Only ever delete directories this file created.
_svc_rmdir() {
    case $1 in
    */aia-pg.* | */aia-redis.* | */aia-worker.*) rm -rf -- "$1" ;;
    *) _svc_log "refusing to delete unexpected path: $1" ;;
    esac
}

pg_start() {
    if [[ -n ${AIA_PG_DIR:-} ]]; then
        _svc_log "PostgreSQL already started (port $AIA_PG_PORT)"
        return 0
    fi
    local bindir dir port attempt started=0
    bindir=$(_svc_pg_bindir) || {
        _svc_log "initdb not found: apt-get install postgresql (or set PG_BINDIR)"
        return 1
    }
    if ((EUID == 0)) && ! id postgres >/dev/null 2>&1; then
        _svc_log "running as root but there is no 'postgres' user: apt-get install postgresql"
        return 1
    fi
    dir=$(mktemp -d "${TMPDIR:-/tmp}/aia-pg.XXXXXX") || return 1
    chmod 0755 "$dir" || return 1
    if ((EUID == 0)); then
        chown postgres:postgres "$dir" || return 1
    fi
    # C.UTF-8 gives UTF-8 ctype (UPPER('é') works, as in production) and exists on every Debian.
    if ! _svc_as_pg "$dir" "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
        --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        _svc_log "initdb failed"
        _svc_rmdir "$dir"
        return 1
    fi
    for attempt in 1 2 3; do
        port=$(_svc_free_port) || break
        if _svc_as_pg "$dir" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null; then
            started=1
            break
        fi
        _svc_log "PostgreSQL did not start on port $port (attempt $attempt)"
    done
    if ((!started)); then
        tail -n 20 "$dir/server.log" >&2 2>/dev/null || true
        _svc_rmdir "$dir"
        return 1
    fi
    AIA_PG_DIR=$dir
    AIA_PG_PORT=$port
    AIA_PG_BINDIR=$bindir
    if ! _svc_as_pg "$dir" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres aia; then
        _svc_log "createdb failed"
        pg_stop
        return 1
    fi
    AIA_DATABASE_URL="postgres://postgres@127.0.0.1:$port/aia"
    _svc_log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)"
}

pg_stop() {
    [[ -n ${AIA_PG_DIR:-} ]] || return 0
    local dir=$AIA_PG_DIR bindir=${AIA_PG_BINDIR:-}
    if [[ -f $dir/data/postmaster.pid ]]; then
        if [[ -z $bindir ]] ||
            ! _svc_as_pg "$dir" "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 20 stop >/dev/null 2>&1; then
            local pid
            pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null) || pid=
            if [[ $pid =~ ^[0-9]+$ ]]; then
                _svc_log "pg_ctl stop failed; killing postmaster $pid"
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    fi
    _svc_rmdir "$dir"
    _svc_log "PostgreSQL on port ${AIA_PG_PORT:-?} stopped and removed"
    unset AIA_PG_DIR AIA_PG_PORT AIA_PG_BINDIR AIA_DATABASE_URL
}

redis_start() {
    if [[ -n ${AIA_REDIS_DIR:-} ]]; then
        _svc_log "Redis already started (port $AIA_REDIS_PORT)"
        return 0
    fi
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
        _svc_log "redis-server/redis-cli not found: apt-get install redis-server"
        return 1
    fi
    local dir port attempt i up=0
    dir=$(mktemp -d "${TMPDIR:-/tmp}/aia-redis.XXXXXX") || return 1
    AIA_REDIS_DIR=$dir
    for attempt in 1 2 3; do
        port=$(_svc_free_port) || break
        AIA_REDIS_PORT=$port
        if redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
            --daemonize yes --pidfile "$dir/redis.pid" --dir "$dir" --logfile "$dir/redis.log"; then
            for ((i = 0; i < 100; i++)); do # up to 10 s
                if [[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]]; then
                    up=1
                    break 2
                fi
                sleep 0.1
            done
        fi
        _svc_log "Redis did not start on port $port (attempt $attempt)"
        _svc_redis_kill "$dir"
    done
    if ((!up)); then
        tail -n 20 "$dir/redis.log" >&2 2>/dev/null || true
        _svc_rmdir "$dir"
        unset AIA_REDIS_DIR AIA_REDIS_PORT
        return 1
    fi
    AIA_REDIS_URL="redis://127.0.0.1:$port/0"
    _svc_log "Redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$port (dir $dir)"
}

# Stop the redis-server whose pidfile is in $1, waiting up to 5 s before SIGKILL.
_svc_redis_kill() {
    local pid i
    pid=$(cat "$1/redis.pid" 2>/dev/null) || return 0
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 100; i++)); do
        _svc_alive "$pid" || return 0
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
}

redis_stop() {
    [[ -n ${AIA_REDIS_DIR:-} ]] || return 0
    _svc_redis_kill "$AIA_REDIS_DIR"
    _svc_rmdir "$AIA_REDIS_DIR"
    _svc_log "Redis on port ${AIA_REDIS_PORT:-?} stopped and removed"
    unset AIA_REDIS_DIR AIA_REDIS_PORT AIA_REDIS_URL
}

# A live Celery worker (solo pool, one process) on the throwaway Redis, for tests that need a real
# broker. Like the worker of docker-compose.yml or the systemd unit in docs/deployment.md, it is
# started again whenever it exits, until worker_stop. Uses the caller's DJANGO_SETTINGS_MODULE and
# DATABASE_URL; extra arguments go to `celery worker`.
worker_start() {
    [[ -n ${AIA_REDIS_URL:-} ]] || {
        _svc_log "worker_start needs redis_start first"
        return 1
    }
    local celery=${AIA_CELERY:-.venv/bin/celery} dir i
    dir=$(mktemp -d "${TMPDIR:-/tmp}/aia-worker.XXXXXX") || return 1
    AIA_WORKER_DIR=$dir
    AIA_WORKER_LOG=$dir/worker.log
    _svc_worker_supervise "$celery" "$dir" -A config worker --pool=solo --concurrency=1 -l info \
        -Q celery,reports --without-gossip --without-mingle --without-heartbeat \
        -n "aia-test-$$@%h" "$@" >"$AIA_WORKER_LOG" 2>&1 &
    AIA_WORKER_PID=$!
    for ((i = 0; i < 300; i++)); do # up to 30 s
        if grep -q ' ready\.' "$AIA_WORKER_LOG" 2>/dev/null; then
            _svc_log "Celery worker $(cat "$dir/worker.pid") ready (log $AIA_WORKER_LOG)"
            return 0
        fi
        kill -0 "$AIA_WORKER_PID" 2>/dev/null || break
        sleep 0.1
    done
    tail -n 30 "$AIA_WORKER_LOG" >&2
    _svc_log "Celery worker did not become ready"
    worker_stop
    return 1
}

# Run `$celery ARGS...` and run it again a second after it exits, for as long as this runs; on
# TERM, stop the worker (a warm shutdown) and return. The worker's PID goes in $dir/worker.pid.
_svc_worker_supervise() {
    local celery=$1 dir=$2 child= rc
    shift 2
    trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM
    while :; do
        REDIS_URL=$AIA_REDIS_URL "$celery" "$@" &
        child=$!
        printf '%s\n' "$child" >"$dir/worker.pid"
        rc=0
        wait "$child" || rc=$?
        _svc_log "Celery worker $child exited with status $rc; starting it again in 1 s"
        sleep 1
    done
}

worker_stop() {
    [[ -n ${AIA_WORKER_PID:-} ]] || return 0
    local i child
    child=$(cat "${AIA_WORKER_DIR:-/nonexistent}/worker.pid" 2>/dev/null) || child=
    # The supervisor stops the worker, waits for it and returns.
    kill -TERM "$AIA_WORKER_PID" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$AIA_WORKER_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$AIA_WORKER_PID" 2>/dev/null || true
    if [[ $child =~ ^[0-9]+$ ]] && _svc_alive "$child"; then
        kill -KILL "$child" 2>/dev/null || true
    fi
    wait "$AIA_WORKER_PID" 2>/dev/null || true
    [[ -n ${AIA_WORKER_DIR:-} ]] && _svc_rmdir "$AIA_WORKER_DIR"
    _svc_log "Celery worker stopped"
    unset AIA_WORKER_PID AIA_WORKER_DIR AIA_WORKER_LOG
}

services_stop() {
    worker_stop
    redis_stop
    pg_stop
}

# ------------------------------------------------------------------------------------------------
# Command-line interface
# ------------------------------------------------------------------------------------------------
_svc_state_file() {
    local root
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    printf '%s\n' "${AIA_SERVICES_STATE:-$root/var/services.env}"
}

_svc_load_state() {
    local state
    state=$(_svc_state_file)
    # shellcheck disable=SC1090
    [[ -f $state ]] && source "$state"
    return 0
}

_svc_save_state() {
    local state var
    state=$(_svc_state_file)
    mkdir -p "$(dirname "$state")"
    : >"$state"
    for var in AIA_PG_DIR AIA_PG_PORT AIA_PG_BINDIR AIA_DATABASE_URL \
        AIA_REDIS_DIR AIA_REDIS_PORT AIA_REDIS_URL; do
        [[ -n ${!var:-} ]] && printf '%s=%q\n' "$var" "${!var}" >>"$state"
    done
    [[ -s $state ]] || rm -f "$state"
}

_svc_print_env() {
    [[ -n ${AIA_DATABASE_URL:-} ]] && printf 'export DATABASE_URL=%q\n' "$AIA_DATABASE_URL"
    if [[ -n ${AIA_REDIS_URL:-} ]]; then
        printf 'export TEST_REDIS_URL=%q\n' "$AIA_REDIS_URL"
        printf '# for runserver/a worker with a real broker: export REDIS_URL=%q\n' "$AIA_REDIS_URL"
    fi
    return 0
}

_svc_main() {
    set -euo pipefail
    local cmd=${1:-help} what=${2:-all}
    case $what in all | pg | redis) ;; *)
        _svc_log "unknown service '$what' (all|pg|redis)"
        return 2
        ;;
    esac
    _svc_load_state
    case $cmd in
    start)
        if [[ $what == all || $what == pg ]]; then pg_start || {
            _svc_save_state
            return 1
        }; fi
        _svc_save_state
        if [[ $what == all || $what == redis ]]; then redis_start || {
            _svc_save_state
            return 1
        }; fi
        _svc_save_state
        _svc_print_env
        ;;
    stop)
        if [[ $what == all || $what == redis ]]; then redis_stop; fi
        if [[ $what == all || $what == pg ]]; then pg_stop; fi
        _svc_save_state
        ;;
    env) _svc_print_env ;;
    status)
        if [[ -n ${AIA_PG_DIR:-} ]]; then
            if [[ -f $AIA_PG_DIR/data/postmaster.pid ]] &&
                kill -0 "$(head -n 1 "$AIA_PG_DIR/data/postmaster.pid")" 2>/dev/null; then
                echo "postgres: running on 127.0.0.1:$AIA_PG_PORT ($AIA_PG_DIR)"
            else
                echo "postgres: NOT running (stale state: $AIA_PG_DIR)"
            fi
        else
            echo "postgres: not started"
        fi
        if [[ -n ${AIA_REDIS_DIR:-} ]]; then
            if [[ $(redis-cli -h 127.0.0.1 -p "$AIA_REDIS_PORT" ping 2>/dev/null) == PONG ]]; then
                echo "redis: running on 127.0.0.1:$AIA_REDIS_PORT ($AIA_REDIS_DIR)"
            else
                echo "redis: NOT running (stale state: $AIA_REDIS_DIR)"
            fi
        else
            echo "redis: not started"
        fi
        ;;
    help | -h | --help) sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" ;;
    *)
        _svc_log "usage: $0 {start|stop|env|status} [all|pg|redis]"
        return 2
        ;;
    esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    _svc_main "$@"
fi
