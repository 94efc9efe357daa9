#!/usr/bin/env bash
# Idempotent setup: Debian packages, .venv (hub/kiosk/hardware), .venv-rasa (Rasa 3.6), trained model.
# Re-running only does what changed (stamp files hold a hash of each environment's requirements).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

APT_PACKAGES=(espeak-ng sox alsa-utils fonts-noto-cjk fonts-dejavu-core chromium xvfb x11-utils libegl1 libgl1 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libfontconfig1 libdbus-1-3
  systemd  # systemd-analyze checks deploy/systemd/ in the tests; nothing here runs under it
  postgresql-client  # pg_dump / pg_restore: `lobby backup` and `lobby restore` of a PostgreSQL hub
  wrk)  # `lobby bench hub` (and its test) load the hub with it
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null; then
    say "installing Debian packages with sudo: ${missing[*]}"
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    say "missing Debian packages (install them as root): ${missing[*]}" >&2
    exit 1
  fi
fi

find_python() {  # find_python MAJOR.MINOR [exact]
  local want=$1 exact=${2:-} candidates=()
  if [ -n "$exact" ]; then
    candidates=("python$want")
    command -v pyenv >/dev/null && candidates+=("$(pyenv root)"/versions/"$want".*/bin/python)
    candidates+=("$HOME"/.pyenv/versions/"$want".*/bin/python /usr/bin/python"$want")
  else
    candidates=(python3 python3.13 python3.12 python3.11)
  fi
  for candidate in "${candidates[@]}"; do
    command -v "$candidate" >/dev/null 2>&1 || [ -x "$candidate" ] || continue
    if [ -n "$exact" ]; then
      "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" 2>/dev/null \
        && { echo "$candidate"; return 0; }
    else
      "$candidate" -c "import sys; sys.exit(sys.version_info < (3, 11))" 2>/dev/null && { echo "$candidate"; return 0; }
    fi
  done
  return 1
}

quiet_pip() {  # pip, minus the noise of unreachable local index mirrors
  "$@" 2>&1 | { grep -v "^WARNING: Location .* is ignored" || true; }
}

stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

# -- .venv: Python >= 3.11, the hub, kiosk and hardware ------------------------------------------
PY=$(find_python 3.11) || { echo "setup: need Python >= 3.11 (python3)" >&2; exit 1; }
HUB_HASH=$(cat pyproject.toml | sha256sum | cut -c1-16)
if ! stamp_ok .venv/.lobby-stamp "$HUB_HASH"; then
  say "creating .venv with $($PY --version)"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  quiet_pip .venv/bin/python -m pip install -q --upgrade pip
  quiet_pip .venv/bin/python -m pip install -q -e ".[dev]"
  echo "$HUB_HASH" > .venv/.lobby-stamp
else
  say ".venv up to date"
fi

# -- .venv-rasa: Python 3.10, Rasa 3.6 and the action server -------------------------------------
PY310=$(find_python 3.10 exact) || {
  echo "setup: Rasa 3.6 needs Python 3.10 and none was found (tried python3.10, pyenv, ~/.pyenv/versions/3.10.*)." >&2
  echo "       Install it, e.g. 'pyenv install 3.10.13', then run 'make setup' again." >&2
  exit 1
}
RASA_HASH=$(cat requirements-rasa.txt | sha256sum | cut -c1-16)
if ! stamp_ok .venv-rasa/.lobby-stamp "$RASA_HASH"; then
  say "creating .venv-rasa with $($PY310 --version) (Rasa is large: ~2.5 min, 2.7 GB)"
  [ -x .venv-rasa/bin/python ] || "$PY310" -m venv .venv-rasa
  quiet_pip .venv-rasa/bin/python -m pip install -q --upgrade "pip<25" "setuptools<70" wheel
  quiet_pip .venv-rasa/bin/python -m pip install -q -r requirements-rasa.txt
  echo "$RASA_HASH" > .venv-rasa/.lobby-stamp
else
  say ".venv-rasa up to date"
fi
# Rasa loads the project's NLU components (rasa_addons/) and both venvs share the stdlib-only wire package
# (lobby_wire/): put the project root on .venv-rasa's path, whatever directory Rasa is started from.
SITE=$(.venv-rasa/bin/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
echo "$ROOT" > "$SITE/lobby-project.pth"

# -- the dialogue model: trained only when config.yml, domain.yml or nlu_data/ changed ------------
.venv/bin/lobby train --config branch.yml
say "ready: 'make run' starts the branch, 'make test' runs the tests"
