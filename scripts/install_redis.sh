#!/usr/bin/env bash
# Debian's Redis, for serving with several Rasa processes (RASA_WORKERS=2 make run), their test and
# the bench's multi-process variant: the processes share conversations and locks through it.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
bash scripts/apt_install.sh redis-server redis-server
# Debian starts a system-wide instance on 6379; the project runs its own, so stop that one.
(service redis-server stop || systemctl stop redis-server) >/dev/null 2>&1 || true
