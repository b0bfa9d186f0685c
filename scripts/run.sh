#!/usr/bin/env bash
# Install what is missing, train if the data changed, then serve the assistant:
#   Rasa (REST channel) on 127.0.0.1:${RASA_PORT:-5005}, actions on 127.0.0.1:5055,
#   the web app (widget, demo pages, staff console) on 127.0.0.1:${WEB_PORT:-8000}, and the Telegram
#   relay when TELEGRAM_BOT_TOKEN is set. Without SMTP_HOST, a development mail sink on
#   127.0.0.1:${MAIL_SINK_PORT:-8025} receives every mail the assistant sends, as .eml files in var/mail/.
# RASA_WORKERS=2 serves with two Rasa processes (both cores; about twice the memory), sharing
# conversations and locks through a Redis on 127.0.0.1:${REDIS_PORT:-6380} started here.
# One line per step on the terminal; what pip, TensorFlow, Rasa and the servers print goes to
# var/log/<step>.log. A failed step shows the end of its log and stops everything (exit 1); a server
# that does not answer within START_TIMEOUT seconds (default 300) counts as failed. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
LOGS=var/log
mkdir -p "$LOGS"
for name in setup migrate train redis mailsink actions rasa web telegram; do : > "$LOGS/$name.log"; done  # this run's only
RASA_PORT=${RASA_PORT:-5005}
WEB_PORT=${WEB_PORT:-8000}
ACTIONS_PORT=5055  # endpoints.yml's action_endpoint
START_TIMEOUT=${START_TIMEOUT:-300}

source scripts/serving.sh  # begin/end/fail, launch/wait_until, the steps shared with scripts/cluster.sh

# --- Steps
environment_step
migrate_step
model_step

check_port Actions "$ACTIONS_PORT" "stop it (the port is set in endpoints.yml)."
check_port Rasa "$RASA_PORT" "stop it or choose another: RASA_PORT=5006 make run"
check_port "Web app" "$WEB_PORT" "stop it or choose another: WEB_PORT=8001 make run"

# endpoints.yml with the action server's token (var/secrets/action-server.key or ACTION_SERVER_TOKEN)
# in a header of every action call: readable by its owner only.
endpoints=var/endpoints.yml
(umask 077 && python -m rasa_extensions.endpoints >"$endpoints") 2>>"$LOGS/endpoints.log" \
  || { echo "endpoints: could not write $endpoints (see $LOGS/endpoints.log)"; exit 1; }
if [ "${RASA_WORKERS:-1}" -gt 1 ]; then
  redis_port=${REDIS_PORT:-6380}
  check_port Redis "$redis_port" "stop it or choose another: REDIS_PORT=6381 make run"
  endpoints=var/endpoints.workers.yml
  # Holds the Redis password: readable by its owner only.
  (umask 077 && python -m rasa_extensions.endpoints --redis-port "$redis_port" >"$endpoints") 2>>"$LOGS/endpoints.log" \
    || { echo "endpoints: could not write $endpoints (see $LOGS/endpoints.log)"; exit 1; }
  redis_step "$redis_port" var/redis "the $RASA_WORKERS Rasa processes"
fi

mail_step var/mail

# All three start together (Rasa's model load is the long part); each is reported when it answers.
# actions.server is `rasa run actions` without conversation data in its logs or error answers (see that file).
erasure_token_default
RASA_URL="http://127.0.0.1:$RASA_PORT" launch Actions actions.log python -m actions.server --actions actions --port "$ACTIONS_PORT"
actions_pid=${pids[-1]}
# rasa_extensions.launcher is `rasa` started so that it loads and answers faster (see that file).
SANIC_WORKERS="${RASA_WORKERS:-1}" launch Rasa rasa.log python -m rasa_extensions.launcher run --model models \
  --endpoints "$endpoints" --credentials credentials.yml \
  --interface 127.0.0.1 --port "$RASA_PORT" --cors "${CORS_ORIGINS:-*}"
rasa_pid=${pids[-1]}
RASA_URL="http://127.0.0.1:$RASA_PORT" launch "Web app" web.log python -m apps.web
web_pid=${pids[-1]}

begin Actions actions.log "starting ..."
wait_until "$actions_pid" answers "http://127.0.0.1:$ACTIONS_PORT/health"
end "ready at http://127.0.0.1:$ACTIONS_PORT"
begin Rasa rasa.log "loading the model ..."
# Rasa (without --enable-api: no /status) answers on / once its model is loaded.
wait_until "$rasa_pid" answers "http://127.0.0.1:$RASA_PORT/" "Hello from Rasa"
end "ready at http://127.0.0.1:$RASA_PORT (REST: /webhooks/rest/webhook)"
begin "Web app" web.log "starting ..."
wait_until "$web_pid" answers "http://127.0.0.1:$WEB_PORT/"
end "ready at http://127.0.0.1:$WEB_PORT (demo pages: /demo, staff console: /console)"

telegram_step "http://127.0.0.1:$RASA_PORT"

echo "Running. Ctrl-C stops everything; logs in $LOGS/. Staff account: make staff-user NAME=alice ORG=SLUG (ADMIN=1 for all)"
[ -z "${mail_sink_port:-}" ] || echo "Mail sent by the assistant (codes, acknowledgements, staff notifications): var/mail/*.eml"
# Until a server stops by itself: say which, with the end of its log.
set +e
wait -n "${pids[@]}"
set -e
exited_server
