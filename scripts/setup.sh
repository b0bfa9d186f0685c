#!/usr/bin/env bash
# Create .venv on Python 3.10 (Rasa 3.6 needs it) and install the pinned set, once per change
# of requirements.txt / constraints.txt. Safe to run repeatedly: it only does what is missing.
#   bash scripts/setup.sh           install what is missing (pip's output included)
#   bash scripts/setup.sh --check   exit 0 when nothing is missing, 1 otherwise; installs nothing
set -euo pipefail
cd "$(dirname "$0")/.."
wanted=$(cat requirements.txt constraints.txt | sha256sum | cut -d' ' -f1)
up_to_date() { [ -x .venv/bin/python ] && [ "$(cat .venv/.installed 2>/dev/null)" = "$wanted" ]; }
if [ "${1:-}" = --check ]; then
  up_to_date
  exit
fi

find_python310() {
  for candidate in python3.10 "$HOME/.pyenv/versions/3.10.13/bin/python" /usr/bin/python3.10; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1 && PYENV_VERSION=3.10.13 pyenv exec python -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    echo "pyenv"; return 0
  fi
  return 1
}

if [ ! -x .venv/bin/python ]; then
  python310=$(find_python310) || { echo "Python 3.10 is required (e.g. 'pyenv install 3.10.13')." >&2; exit 1; }
  echo "Creating .venv with Python 3.10 ..."
  if [ "$python310" = pyenv ]; then PYENV_VERSION=3.10.13 pyenv exec python -m venv .venv; else "$python310" -m venv .venv; fi
fi

if ! up_to_date; then
  echo "Installing the pinned dependencies (a few minutes the first time) ..."
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "pip<25"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
  .venv/bin/python -m pip check
  echo "$wanted" > .venv/.installed
fi
