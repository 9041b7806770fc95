#!/usr/bin/env bash
# Set Hygie up in .venv (finding a Python >= 3.12 by itself), then run it.
#   ./setup.sh scan [hygie scan options]   set up, then scan this machine (reports under reports/)
#   ./setup.sh test [pytest options]       set up everything the tests need (apt packages for the
#                                          lab when root, test extras), then run the whole suite
#   ./setup.sh venv                        only set up .venv
set -euo pipefail
cd "$(dirname "$0")"
VENV=${HYGIE_VENV:-.venv}
MIN_MINOR=12

say() { printf 'setup: %s\n' "$*" >&2; }

python_ok() {  # a working interpreter >= 3.12 (pyenv shims that are not active fail here)
  "$1" -c "import sys; sys.exit(sys.version_info < (3, $MIN_MINOR))" >/dev/null 2>&1
}

find_python() {
  local c
  for c in "${HYGIE_PYTHON:-}" python3.14 python3.13 python3.12 python3; do
    [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && python_ok "$c" && { command -v "$c"; return; }
  done
  local root=${PYENV_ROOT:-$HOME/.pyenv}
  for c in $(ls -d "$root"/versions/3.* 2>/dev/null | sort -rV); do
    python_ok "$c/bin/python3" && { echo "$c/bin/python3"; return; }
  done
  for c in /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
    [ -x "$c" ] && python_ok "$c" && { echo "$c"; return; }
  done
  return 1
}

apt_install() {  # packages listed one per line in the given files, installed only when missing
  local missing=() p
  for p in $(cat "$@" 2>/dev/null | sed 's/#.*//'); do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" -ne 0 ]; then
    say "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})"
    return
  fi
  say "installing Debian packages: ${missing[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

setup_venv() {  # $1: pip extras ("" or "[test]")
  if [ ! -x "$VENV/bin/python" ] || ! python_ok "$VENV/bin/python"; then
    local py
    if ! py=$(find_python); then
      say "Hygie needs Python >= 3.$MIN_MINOR and none was found (PATH, pyenv, /usr/bin)."
      say "Install one, e.g. on Debian 13 / Ubuntu 24.04: apt-get install python3 python3-venv;"
      say "on Debian 12: pyenv install 3.12 (https://github.com/pyenv/pyenv), or set HYGIE_PYTHON."
      exit 3
    fi
    say "using $py ($("$py" --version 2>&1))"
    "$py" -m venv "$VENV" || { say "python venv failed: apt-get install python3-venv"; exit 3; }
  fi
  local stamp="$VENV/.hygie-installed$1"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    local log="$VENV/pip.log"
    say "installing Hygie and its dependencies into $VENV (log: $log)"
    if ! { "$VENV/bin/python" -m pip install -q --upgrade pip &&
           "$VENV/bin/python" -m pip install -q -e ".$1"; } >"$log" 2>&1 ||
       ! "$VENV/bin/python" -c "import scanner.cli" 2>>"$log"; then
      grep -v '^WARNING: Location' "$log" | tail -30 >&2
      say "installing Hygie failed (full log: $log)"
      exit 3
    fi
    touch "$stamp"
  fi
}

case "${1:-}" in
  scan)
    shift; setup_venv ""
    exec "$VENV/bin/hygie" scan "$@" ;;
  test)
    shift
    apt_install scanner/lab/host-packages.txt tests/*/host-packages.txt
    setup_venv "[test]"
    set +e
    "$VENV/bin/python" -m pytest "$@"
    rc=$?
    set -e
    if [ $rc -eq 5 ]; then say "no test ran: that is a failure"; exit 1; fi
    exit $rc ;;
  venv)
    setup_venv "${2:-}" ;;
  *)
    sed -n '2,7p' "$0" >&2; exit 64 ;;
esac
