#!/usr/bin/env bash
# Talk to the assistant in the terminal: same setup as `make run`, with `rasa shell` as the channel.
# Training and the action server write to var/log/ (train.log, shell-actions.log).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
mkdir -p var/log
if ! python scripts/train.py --check >/dev/null; then
  echo "Training the model (a minute or two; log: var/log/train.log) ..."
  python scripts/train.py > var/log/train.log 2>&1 || {
    echo "Training failed; the end of var/log/train.log:" >&2; tail -n 20 var/log/train.log >&2; exit 1; }
fi
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT INT TERM
if [ -z "${SMTP_HOST:-}" ]; then  # the development mail sink, as `make run` starts it
  python -m apps.mailsink --port "${MAIL_SINK_PORT:-8025}" --dir var/mail > var/log/shell-mailsink.log 2>&1 &
  pids+=($!)
  export SMTP_HOST=127.0.0.1 SMTP_PORT=${MAIL_SINK_PORT:-8025} SMTP_SECURITY=none
  unset SMTP_USER SMTP_PASSWORD
  echo "Mail the assistant sends (e.g. the verification code of a request) lands in var/mail/*.eml"
fi
python -m actions.server --actions actions --port 5055 > var/log/shell-actions.log 2>&1 &
pids+=($!)
# The action server's token travels in a header that endpoints.yml does not hold (scripts/run.sh).
(umask 077 && python -m rasa_extensions.endpoints > var/endpoints.yml)
python -m rasa_extensions.launcher shell --model models --endpoints var/endpoints.yml
