#!/usr/bin/env bash
# The whole check, as run by `make test` and CI. Arguments are passed to both pytest runs:
#     scripts/test.sh -k report -x
#
# Steps (the first failure stops the run; its exit status is the script's):
#   1. ruff check .
#   2. ruff format --check .
#   3. makemigrations --check --dry-run (test settings)
#   4. start a throwaway PostgreSQL and Redis (scripts/services.sh)
#   5. pytest on PostgreSQL   (DATABASE_URL + TEST_REDIS_URL set; REDIS_URL unset, so Celery is eager)
#   6. stop the services
#   7. pytest -m smoke on SQLite, with no services at all
# The services are stopped and deleted on any exit, including failures and Ctrl-C.
#
# Expects the virtualenv to exist (`make test` creates it); VENV overrides its location.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
VENV=${VENV:-.venv}
[[ $VENV == /* ]] || VENV=$ROOT/$VENV
if [[ ! -x $VENV/bin/python || ! -x $VENV/bin/pytest || ! -x $VENV/bin/ruff ]]; then
    echo "test.sh: $VENV lacks python/pytest/ruff; run 'make test' (it installs requirements-dev.txt)" >&2
    exit 1
fi
export PATH="$VENV/bin:$PATH"
export PYTHONDONTWRITEBYTECODE=1
# Whatever the caller's shell has, the suite decides these itself (a stray DJANGO_MEDIA_ROOT would
# make the tests write into real media, a stray REDIS_URL would turn Celery's eager mode off).
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(DJANGO_|CELERY_)' || true)
unset DATABASE_URL REDIS_URL TEST_REDIS_URL CONN_MAX_AGE
export DJANGO_SETTINGS_MODULE=config.settings.test

# shellcheck source=scripts/services.sh
source scripts/services.sh

PYTEST_EXTRA=("$@")
TOTAL=7
STEP=0
T0=$SECONDS

on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    services_stop
    if ((rc == 0)); then
        printf '\n==== all %d steps passed in %ds ====\n' "$TOTAL" $((SECONDS - T0))
    else
        printf '\n==== FAILED at step %d/%d (exit %d) after %ds ====\n' "$STEP" "$TOTAL" "$rc" \
            $((SECONDS - T0)) >&2
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_step TITLE COMMAND...: print a header, run, stop the whole script if it fails.
run_step() {
    local title=$1 start=$SECONDS rc=0
    shift
    STEP=$((STEP + 1))
    printf '\n==== [%d/%d] %s ====\n' "$STEP" "$TOTAL" "$title"
    printf '$ %s\n' "$*"
    "$@" || rc=$?
    if ((rc != 0)); then
        printf -- '---- step %d (%s) failed with exit %d\n' "$STEP" "$title" "$rc" >&2
        exit "$rc"
    fi
    printf -- '---- ok (%ds)\n' $((SECONDS - start))
}

start_services() {
    pg_start || return 1
    redis_start || return 1
}

pytest_postgres() {
    # --durations: the slowest tests, so that a run near CI's 30 minutes says where they go.
    # -n: pytest-xdist workers, one per core by default (AIA_TEST_WORKERS overrides, 0 = none);
    # each has its own test database, and tests/conftest.py keeps the tests that share Redis,
    # the browser or the compose stack on one of them (--dist loadgroup).
    DATABASE_URL=$AIA_DATABASE_URL TEST_REDIS_URL=$AIA_REDIS_URL \
        python -m pytest --durations=25 -n "${AIA_TEST_WORKERS:-$(nproc)}" --dist loadgroup \
        "${PYTEST_EXTRA[@]}"
}

pytest_smoke_sqlite() {
    local rc=0
    python -m pytest -m smoke "${PYTEST_EXTRA[@]}" || rc=$?
    # Exit 5 = nothing collected. With no filter that means there are no smoke tests (a failure);
    # with a caller's -k/path filter it just means none of the selected tests is a smoke test.
    if ((rc == 5 && ${#PYTEST_EXTRA[@]} > 0)); then
        echo "(no smoke tests match the extra pytest arguments: ${PYTEST_EXTRA[*]})"
        return 0
    fi
    return "$rc"
}

echo "AIA checks: $(python --version), $(ruff --version), pytest args: ${PYTEST_EXTRA[*]:-(none)}"

run_step "ruff check" ruff check .
run_step "ruff format --check" ruff format --check .
# An in-memory database: the consistency check needs no server and leaves no file behind.
run_step "makemigrations --check" env DATABASE_URL=sqlite://:memory: \
    python manage.py makemigrations --check --dry-run
run_step "start throwaway PostgreSQL and Redis" start_services
run_step "pytest on PostgreSQL" pytest_postgres
run_step "stop services" services_stop
run_step "pytest -m smoke on SQLite" pytest_smoke_sqlite
