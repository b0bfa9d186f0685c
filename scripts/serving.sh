# Sourced by scripts/run.sh (one process of each) and scripts/cluster.sh (the load-balanced cluster):
# one line per step on the terminal, servers started in the background and stopped together, and the
# steps both share. The caller sets LOGS (the folder of the steps' and servers' logs) and START_TIMEOUT.

# --- One line per step: the step's name, what it does, then its outcome on the same line.
step=""
step_log=""
begin() {  # NAME LOG WHAT: starts a step whose output goes to $LOGS/LOG
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
  trap - EXIT INT TERM HUP
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
trap 'echo; echo "Stopping the assistant ..."; exit 130' INT TERM HUP

# Each server in a session of its own: Ctrl-C reaches this script only, which stops them all. Otherwise
# Redis, PostgreSQL and HAProxy would take the terminal's SIGINT themselves and exit first, and this
# script would report them as stopped unexpectedly.
launch() {  # NAME LOG COMMAND...: starts a server in the background
  local name=$1 log=$LOGS/$2
  shift 2
  setsid "$@" >>"$log" 2>&1 &
  pids+=($!) names+=("$name") logs+=("$log")
}
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }  # HOST PORT: whether something listens there
port_in_use() { port_open 127.0.0.1 "$1"; }
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
exited_server() {  # after `wait -n`: names the server that stopped, with the end of its log, and exits
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      step=${names[$i]} step_log=${logs[$i]}
      printf '%-12s' "$step"
      fail "stopped unexpectedly"
    fi
  done
}

# --- Steps both scripts take.
environment_step() {  # the pinned virtual environment, installed when missing; then scripts/env.sh
  begin Environment setup.log ""
  if bash scripts/setup.sh --check; then
    end "up to date (.venv, Python 3.10, pinned dependencies)"
  else
    printf ' installing the pinned dependencies (a few minutes the first time) ...'
    logged bash scripts/setup.sh
    end "done in $(elapsed)"
  fi
  source scripts/env.sh
}

migrate_step() {  # the rights-request database (TRACKING_DB_URL, default var/tracking.db): schema up to date
  begin Database migrate.log ""
  logged python -m tracking migrate
  end "schema up to date: $(sed -n 's/^Tracking database \(.*\) is at revision \(.*\)\.$/\1, revision \2/p' "$step_log")"
}

model_step() {  # models/ trained when the data, domain or config changed
  begin Model train.log ""
  if python scripts/train.py --check >>"$step_log" 2>&1; then
    end "up to date ($(sed -n 's/^Model up to date: //p' "$step_log"))"
  else
    printf ' training (a minute or two on 2 cores) ...'
    logged python scripts/train.py
    end "done in $(elapsed): $(ls -t models/*.tar.gz | head -n 1)"
  fi
}

redis_step() {  # PORT DIR WHO: Debian's Redis for several Rasa processes, its config (password) in DIR
  local port=$1 dir=$2 who=$3
  begin Redis redis.log "starting ..."
  logged bash scripts/install_redis.sh
  mkdir -p "$dir"
  # No snapshots: conversations live in memory, as with one process (filed requests are in the database).
  # It requires the password (REDIS_PASSWORD, else var/secrets/redis.key) that the endpoints give Rasa;
  # the config file (mode 600) keeps it out of the process list.
  python -c 'import sys; from pathlib import Path; from tracking import keys; keys.redis_config(Path(sys.argv[1]))' \
    "$dir/redis.conf" 2>>"$step_log" || fail "exit status $?"
  launch Redis redis.log redis-server "$dir/redis.conf" --bind 127.0.0.1 --port "$port" --save "" \
    --appendonly no --dir "$dir" --loglevel warning
  wait_until "${pids[-1]}" port_in_use "$port"
  end "ready at 127.0.0.1:$port (shared by $who)"
}

# Outgoing mail (README, "Mail"): the SMTP server in SMTP_HOST, else a local sink that delivers nothing
# and keeps each mail as a file, so that every verification code, acknowledgement and notification can be read.
mail_step() {  # DIR: where the sink keeps the mail
  if [ -z "${SMTP_HOST:-}" ]; then
    mail_sink_port=${MAIL_SINK_PORT:-8025}
    check_port "Mail sink" "$mail_sink_port" "stop it or choose another: MAIL_SINK_PORT=8026"
    begin "Mail sink" mailsink.log "starting ..."
    launch "Mail sink" mailsink.log python -m apps.mailsink --port "$mail_sink_port" --dir "$1"
    wait_until "${pids[-1]}" port_in_use "$mail_sink_port"
    export SMTP_HOST=127.0.0.1 SMTP_PORT=$mail_sink_port SMTP_SECURITY=none
    unset SMTP_USER SMTP_PASSWORD
    end "ready at 127.0.0.1:$mail_sink_port: every mail sent lands in $1/ (one .eml file each)"
  else
    begin Mail "" ""
    end "through $SMTP_HOST:${SMTP_PORT:-25} (SMTP_HOST is set)"
  fi
}

# "Forget this conversation" (actions/forget.py) erases through Rasa's erasure endpoint, as Telegram's /forget:
# without a token of its own (RASA_ERASURE_TOKEN, or one derived from TELEGRAM_BOT_TOKEN), one for this run,
# shared by every process started after this.
erasure_token_default() {
  if [ -z "${RASA_ERASURE_TOKEN:-}" ] && [ -z "${TELEGRAM_BOT_TOKEN:-}" ]; then
    RASA_ERASURE_TOKEN=$(python -c 'import secrets; print(secrets.token_hex(32))')
    export RASA_ERASURE_TOKEN
  fi
}

telegram_step() {  # RASA_URL: the Telegram relay (apps/telegram) when a bot token is set
  [ -n "${TELEGRAM_BOT_TOKEN:-}" ] || return 0
  begin Telegram telegram.log "starting ..."
  RASA_URL="$1" launch Telegram telegram.log python -m apps.telegram
  # No port to ask in polling mode: python-telegram-bot logs this once it reached Telegram.
  wait_until "${pids[-1]}" grep -q "Application started" "$step_log"
  end "relaying to Rasa at $1 (${TELEGRAM_WEBHOOK_URL:+webhook }${TELEGRAM_WEBHOOK_URL:-polling Telegram})"
}
