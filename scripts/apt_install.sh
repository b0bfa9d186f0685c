#!/usr/bin/env bash
# Installs Debian packages unless the command they provide is already there (needs root):
#   bash scripts/apt_install.sh COMMAND PACKAGE...
set -euo pipefail
command="$1"; shift
if command -v "$command" >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "$command is missing: install it with 'sudo apt-get install $*'." >&2
  exit 1
fi
echo "Installing Debian's $* ..."
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q "$@" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "$@" >/dev/null; }
