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

# --- One line per step: the step's name, what it does, then its outcome on the same line.
step=""
step_log=""
begin() {  # NAME LOG WHAT: starts a step whose output goes to var/log/LOG
  step=$1 step_log=$LOGS/$2 step_started=$SECONDS
  printf '%-12s' "$step"
  [ -z "$3" ] || printf ' %s' "$3"
}
end() { printf ' %s\n' "$*"; }
elapsed() { echo "$((SECONDS - step_started)) s"; }
fail() {  # REASON: ends the step's line, shows the end of its log, exits (the EXIT trap stops the servers)
  printf ' FAILED: %s\n' "$1"
  if [ -s "$step_log" ]; then
    { echo "The step \"$step\" failed. Its log is $step_log; its last lines:"
      tail -n 20 "$step_log" | sed 's/^/    /'; } >&2
  fi
  exit 1
}
logged() { "$@" >>"$step_log" 2>&1 || fail "exit status $? (see $step_log)"; }

# --- Servers: started in the background, each with its log; stopped together on exit.
pids=() names=() logs=()
stop_servers() {
  trap - EXIT INT TERM
  [ ${#pids[@]} -gt 0 ] || return 0
  kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 20); do  # up to 10 s to stop cleanly
    kill -0 "${pids[@]}" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop_servers EXIT
trap 'echo; echo "Stopping the assistant ..."; exit 130' INT TERM

launch() {  # NAME LOG COMMAND...: starts a server in the background
  local name=$1 log=$LOGS/$2
  shift 2
  "$@" >>"$log" 2>&1 &
  pids+=($!) names+=("$name") logs+=("$log")
}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
check_port() {  # NAME PORT HINT: a port already taken would make the server fail after loading
  if port_in_use "$2"; then
    printf '%-12s FAILED: 127.0.0.1:%s is already in use by another program; %s\n' "$1" "$2" "$3"
    exit 1
  fi
}
answers() {  # URL [TEXT]: whether the URL answers with a success status (and TEXT in its body)
  python -c '
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as reply:
        sys.exit(0 if sys.argv[2] in reply.read().decode("utf-8", "replace") else 1)
except Exception:
    sys.exit(1)' "$1" "${2:-}"
}
wait_until() {  # PID COMMAND...: until COMMAND succeeds; fails the step if the server exits or is too slow
  local pid=$1
  shift
  until "$@"; do
    kill -0 "$pid" 2>/dev/null || fail "the server exited while starting"
    [ $((SECONDS - step_started)) -lt "$START_TIMEOUT" ] || fail "no answer within $START_TIMEOUT s (START_TIMEOUT)"
    sleep 0.5
  done
}

# --- Steps
begin Environment setup.log ""
if bash scripts/setup.sh --check; then
  end "up to date (.venv, Python 3.10, pinned dependencies)"
else
  printf ' installing the pinned dependencies (a few minutes the first time) ...'
  logged bash scripts/setup.sh
  end "done in $(elapsed)"
fi
source scripts/env.sh

# The rights-request database (TRACKING_DB_URL, default var/tracking.db): schema up to date before serving.
begin Database migrate.log ""
logged python -m tracking migrate
end "schema up to date: $(sed -n 's/^Tracking database \(.*\) is at revision \(.*\)\.$/\1, revision \2/p' "$step_log")"

begin Model train.log ""
if python scripts/train.py --check >>"$step_log" 2>&1; then
  end "up to date ($(sed -n 's/^Model up to date: //p' "$step_log"))"
else
  printf ' training (a minute or two on 2 cores) ...'
  logged python scripts/train.py
  end "done in $(elapsed): $(ls -t models/*.tar.gz | head -n 1)"
fi

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
  begin Redis redis.log "starting ..."
  logged bash scripts/install_redis.sh
  mkdir -p var/redis
  endpoints=var/endpoints.workers.yml
  # Holds the Redis password: readable by its owner only.
  (umask 077 && python -m rasa_extensions.endpoints --redis-port "$redis_port" >"$endpoints") 2>>"$step_log" \
    || fail "exit status $?"
  # No snapshots: conversations live in memory, as with one process (filed requests are in the database).
  # It requires the password (REDIS_PASSWORD, else var/secrets/redis.key) that the endpoints above give
  # Rasa; the config file (mode 600) keeps it out of the process list.
  python -c 'import sys; from pathlib import Path; from tracking import keys; keys.redis_config(Path(sys.argv[1]))' \
    var/redis/redis.conf 2>>"$step_log" || fail "exit status $?"
  launch Redis redis.log redis-server var/redis/redis.conf --bind 127.0.0.1 --port "$redis_port" --save "" \
    --appendonly no --dir var/redis --loglevel warning
  wait_until "${pids[-1]}" port_in_use "$redis_port"
  end "ready at 127.0.0.1:$redis_port (shared by the $RASA_WORKERS Rasa processes)"
fi

# Outgoing mail (README, "Mail"): the SMTP server in SMTP_HOST, else a local sink that delivers nothing
# and keeps each mail as a file, so that every verification code, acknowledgement and notification can be read.
if [ -z "${SMTP_HOST:-}" ]; then
  mail_sink_port=${MAIL_SINK_PORT:-8025}
  check_port "Mail sink" "$mail_sink_port" "stop it or choose another: MAIL_SINK_PORT=8026 make run"
  begin "Mail sink" mailsink.log "starting ..."
  launch "Mail sink" mailsink.log python -m apps.mailsink --port "$mail_sink_port" --dir var/mail
  wait_until "${pids[-1]}" port_in_use "$mail_sink_port"
  export SMTP_HOST=127.0.0.1 SMTP_PORT=$mail_sink_port SMTP_SECURITY=none
  unset SMTP_USER SMTP_PASSWORD
  end "ready at 127.0.0.1:$mail_sink_port: every mail sent lands in var/mail/ (one .eml file each)"
else
  begin Mail "" ""
  end "through $SMTP_HOST:${SMTP_PORT:-25} (SMTP_HOST is set)"
fi

# All three start together (Rasa's model load is the long part); each is reported when it answers.
# actions.server is `rasa run actions` without conversation data in its logs or error answers (see that file).
# "Forget this conversation" (actions/forget.py) erases through Rasa's erasure endpoint, as Telegram's /forget:
# without a token of its own (RASA_ERASURE_TOKEN, or one derived from TELEGRAM_BOT_TOKEN), one for this run.
if [ -z "${RASA_ERASURE_TOKEN:-}" ] && [ -z "${TELEGRAM_BOT_TOKEN:-}" ]; then
  RASA_ERASURE_TOKEN=$(python -c 'import secrets; print(secrets.token_hex(32))')
  export RASA_ERASURE_TOKEN
fi
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

# Telegram relay (apps/telegram) when a bot token is set: polling, or a webhook if TELEGRAM_WEBHOOK_URL is set.
if [ -n "${TELEGRAM_BOT_TOKEN:-}" ]; then
  begin Telegram telegram.log "starting ..."
  RASA_URL="http://127.0.0.1:$RASA_PORT" launch Telegram telegram.log python -m apps.telegram
  telegram_pid=${pids[-1]}
  # No port to ask in polling mode: python-telegram-bot logs this once it reached Telegram.
  wait_until "$telegram_pid" grep -q "Application started" "$step_log"
  end "relaying to Rasa (${TELEGRAM_WEBHOOK_URL:+webhook }${TELEGRAM_WEBHOOK_URL:-polling Telegram})"
fi

echo "Running. Ctrl-C stops everything; logs in $LOGS/. Staff account: make staff-user NAME=alice ORG=SLUG (ADMIN=1 for all)"
[ -z "${mail_sink_port:-}" ] || echo "Mail sent by the assistant (codes, acknowledgements, staff notifications): var/mail/*.eml"
# Until a server stops by itself: say which, with the end of its log.
set +e
wait -n "${pids[@]}"
set -e
for i in "${!pids[@]}"; do
  if ! kill -0 "${pids[$i]}" 2>/dev/null; then
    step=${names[$i]} step_log=${logs[$i]}
    printf '%-12s' "$step"
    fail "stopped unexpectedly"
  fi
done
