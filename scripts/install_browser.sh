#!/usr/bin/env bash
# Debian's Chromium for the browser tests (Playwright drives it; no browser is downloaded).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  exit 0
fi
bash scripts/apt_install.sh chromium chromium fonts-dejavu-core
