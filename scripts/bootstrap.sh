#!/usr/bin/env bash
# Install what the Makefile needs, idempotently.
#
#   scripts/bootstrap.sh apt PACKAGE...          install the Debian packages that are missing
#   scripts/bootstrap.sh venv PYTHON VENV_DIR    create a virtualenv (Python >= 3.11) if missing
#
# `apt` does nothing (and needs no network or root) when every package is already installed;
# otherwise it runs `apt-get update` once, then one `apt-get install`.
set -euo pipefail

die() {
    printf 'bootstrap: %s\n' "$*" >&2
    exit 1
}

# Print the packages (of "$@") that dpkg does not report as installed.
missing_packages() {
    local pkg
    for pkg in "$@"; do
        if ! dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed$'; then
            printf '%s\n' "$pkg"
        fi
    done
}

apt_install() {
    (($# > 0)) || die "apt: no packages given"
    command -v dpkg >/dev/null || die "dpkg not found: this Makefile expects Debian/Ubuntu"
    local -a missing
    mapfile -t missing < <(missing_packages "$@")
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    local -a sudo=()
    if ((EUID != 0)); then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            die "missing Debian packages: ${missing[*]}
  install them as root:  apt-get update && apt-get install -y ${missing[*]}"
        fi
    fi
    printf 'bootstrap: installing Debian packages: %s\n' "${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${missing[@]}"
}

make_venv() {
    (($# == 2)) || die "usage: venv PYTHON VENV_DIR"
    local python=$1 venv=$2
    if [[ -x $venv/bin/python ]]; then
        return 0
    fi
    command -v "$python" >/dev/null || die "$python not found (Python 3.11+ is required)"
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
        die "$("$python" --version 2>&1) is too old: Django 5.2 here needs Python >= 3.11"
    # Debian's own python3 ships venv/ensurepip separately.
    if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
        local ver
        ver=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
        apt_install "python${ver}-venv"
    fi
    printf 'bootstrap: creating %s with %s (%s)\n' "$venv" "$python" "$("$python" --version 2>&1)"
    if ! "$python" -m venv "$venv"; then
        rm -rf -- "$venv"
        die "could not create $venv"
    fi
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
}

cmd=${1:-}
shift || true
case $cmd in
apt) apt_install "$@" ;;
venv) make_venv "$@" ;;
*) die "usage: $0 {apt PACKAGE...|venv PYTHON VENV_DIR}" ;;
esac
