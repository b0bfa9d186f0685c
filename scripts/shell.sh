#!/usr/bin/env bash
# Talk to the assistant in the terminal: same setup as `make run`, with `rasa shell` as the channel.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
python scripts/train.py
mkdir -p .cache
rasa run actions --actions actions --port 5055 > .cache/shell-actions.log 2>&1 &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null || true' EXIT INT TERM
python -m rasa_extensions.launcher shell --model models --endpoints endpoints.yml
