#!/usr/bin/env bash
# Install what is missing, train if the data changed, then serve the assistant:
#   Rasa (REST + socket.io channels) on 127.0.0.1:${RASA_PORT:-5005}, actions on 127.0.0.1:5055,
#   the web app (widget, demo pages, staff console) on 127.0.0.1:${WEB_PORT:-8000}.
# RASA_WORKERS=2 serves with two Rasa processes (both cores; about twice the memory), sharing
# conversations and locks through a Redis on 127.0.0.1:${REDIS_PORT:-6380} started here.
# Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
python scripts/train.py
# The rights-request database (TRACKING_DB_URL, default var/tracking.db): schema up to date before serving.
python -m tracking migrate

pids=()
stop() {
  trap - INT TERM EXIT
  echo "Stopping the assistant ..."
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

endpoints=endpoints.yml
if [ "${RASA_WORKERS:-1}" -gt 1 ]; then
  bash scripts/install_redis.sh
  mkdir -p var/redis
  # No snapshots: conversations live in memory, as with one process (filed requests are in the database).
  redis-server --bind 127.0.0.1 --port "${REDIS_PORT:-6380}" --save "" --appendonly no --dir var/redis \
    --loglevel warning &
  pids+=($!)
  endpoints=var/endpoints.workers.yml
  python -m rasa_extensions.endpoints --redis-port "${REDIS_PORT:-6380}" > "$endpoints"
fi

rasa run actions --actions actions --port 5055 &
pids+=($!)
# rasa_extensions.launcher is `rasa` started so that it loads and answers faster (see that file).
SANIC_WORKERS="${RASA_WORKERS:-1}" python -m rasa_extensions.launcher run --model models --endpoints "$endpoints" \
  --credentials credentials.yml \
  --interface 127.0.0.1 --port "${RASA_PORT:-5005}" --cors "${CORS_ORIGINS:-*}" &
pids+=($!)
RASA_URL="http://127.0.0.1:${RASA_PORT:-5005}" python -m apps.web &
pids+=($!)
echo "Starting: demo pages at http://127.0.0.1:${WEB_PORT:-8000}/demo, staff console at http://127.0.0.1:${WEB_PORT:-8000}/console"
echo "          (create a staff account first: make staff-user NAME=alice)."
echo "          The assistant answers at http://127.0.0.1:${RASA_PORT:-5005}/webhooks/rest/webhook once the model is loaded."
# Telegram relay (apps/telegram) when a bot token is set: polling, or a webhook if TELEGRAM_WEBHOOK_URL is set.
if [ -n "${TELEGRAM_BOT_TOKEN:-}" ]; then
  RASA_URL="http://127.0.0.1:${RASA_PORT:-5005}" python -m apps.telegram &
  pids+=($!)
  echo "Starting: the Telegram relay (README, \"Telegram\")."
fi
wait -n "${pids[@]}"
