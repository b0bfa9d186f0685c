#!/usr/bin/env bash
# Debian's Chromium for the browser tests (Playwright drives it; no browser is downloaded).
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium is missing: install it with 'sudo apt-get install chromium' (or set CHROMIUM=/path/to/chromium)." >&2
  exit 1
fi
echo "Installing Debian's Chromium for the browser tests ..."
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q chromium fonts-dejavu-core >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium fonts-dejavu-core >/dev/null; }
