#!/usr/bin/env bash
# The assistant as a cluster on one machine (make cluster; README, "Cluster"):
#   HAProxy (Debian's) on 127.0.0.1:${RASA_PORT:-5005} in front of RASA_INSTANCES (default 2) Rasa instances,
#   and on 127.0.0.1:${ACTIONS_PORT:-5055} in front of as many action servers, with a health check on each;
#   the Rasa instances share conversations (Redis tracker store) and conversation locks (Redis lock store);
#   the tracking database on PostgreSQL (started here from Debian's binaries, unless TRACKING_DB_URL is set);
#   the web app and, when TELEGRAM_BOT_TOKEN is set, the Telegram relay, both talking to Rasa through HAProxy;
#   without SMTP_HOST, the development mail sink.
# Every process's pid is in $CLUSTER_DIR/run/ (rasa-1.pid, actions-1.pid, haproxy.pid, ...). A Rasa instance or
# an action server that stops is started again; HAProxy sends it traffic once its health check passes.
# Any other process stopping stops everything (exit 1), as with `make run`. Ctrl-C stops them all.
# Settings (environment): RASA_INSTANCES; CLUSTER_DIR (default var: logs in var/log, pids in var/run, the
# generated haproxy.cfg, the database in var/postgres/data); MODELS (a model folder to serve as is, instead of
# training models/); the ports RASA_PORT, ACTIONS_PORT, RASA_INSTANCE_PORTS and ACTIONS_INSTANCE_PORTS
# (space-separated lists, default 5011... and 5061...), WEB_PORT, REDIS_PORT, POSTGRES_PORT, MAIL_SINK_PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
CLUSTER_DIR=${CLUSTER_DIR:-var}
LOGS=$CLUSTER_DIR/log
RUN=$CLUSTER_DIR/run
mkdir -p "$LOGS" "$RUN"
rm -f "$RUN"/*.pid
RASA_INSTANCES=${RASA_INSTANCES:-2}
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
read -r -a rasa_ports <<<"${RASA_INSTANCE_PORTS:-$(seq -s ' ' 5011 $((5010 + RASA_INSTANCES)))}"
read -r -a action_ports <<<"${ACTIONS_INSTANCE_PORTS:-$(seq -s ' ' 5061 $((5060 + RASA_INSTANCES)))}"
WEB_PORT=${WEB_PORT:-8000}
REDIS_PORT=${REDIS_PORT:-6380}
POSTGRES_PORT=${POSTGRES_PORT:-5433}
START_TIMEOUT=${START_TIMEOUT:-300}
for name in setup postgres migrate train haproxy redis mailsink web telegram; do : > "$LOGS/$name.log"; done

source scripts/serving.sh  # begin/end/fail, launch/wait_until, the steps shared with scripts/run.sh
trap 'stop_servers; rm -f "$RUN"/*.pid "$RUN/haproxy.sock"' EXIT

recorded() {  # ID: writes the last launched server's pid to $RUN/ID.pid
  echo "${pids[-1]}" >"$RUN/$1.pid"
}

# --- Steps
environment_step

for port in "$RASA_PORT" "$ACTIONS_PORT" "${rasa_ports[@]}" "${action_ports[@]}" "$WEB_PORT" "$REDIS_PORT"; do
  check_port Cluster "$port" "stop it or choose other ports (see the top of scripts/cluster.sh)"
done

if [ -z "${TRACKING_DB_URL:-}" ]; then
  check_port PostgreSQL "$POSTGRES_PORT" "stop it or choose another: POSTGRES_PORT=5434 make cluster"
  begin PostgreSQL postgres.log "starting ..."
  launch PostgreSQL postgres.log python -m devtools.postgres serve --data "$CLUSTER_DIR/postgres/data" --port "$POSTGRES_PORT"
  recorded postgres
  export TRACKING_DB_URL="postgresql+psycopg2://postgres@127.0.0.1:$POSTGRES_PORT/tracking"
  wait_until "${pids[-1]}" port_in_use "$POSTGRES_PORT"
  logged python -m devtools.postgres create-database "$TRACKING_DB_URL"
  end "ready at 127.0.0.1:$POSTGRES_PORT (data in $CLUSTER_DIR/postgres/data)"
fi
migrate_step

if [ -z "${MODELS:-}" ]; then
  model_step
  MODELS=models
fi

# Both kinds of instance share conversations and locks through Redis, and call the actions through HAProxy.
endpoints=$CLUSTER_DIR/endpoints.cluster.yml
# Holds the Redis password and the action server's token: readable by its owner only.
(umask 077 && python -m rasa_extensions.endpoints --redis-port "$REDIS_PORT" \
  --action-url "http://127.0.0.1:$ACTIONS_PORT/webhook" >"$endpoints") 2>>"$LOGS/endpoints.log" \
  || { echo "endpoints: could not write $endpoints (see $LOGS/endpoints.log)"; exit 1; }
redis_step "$REDIS_PORT" "$CLUSTER_DIR/redis" "the $RASA_INSTANCES Rasa instances"
recorded redis
mail_step "$CLUSTER_DIR/mail"
[ -z "${mail_sink_port:-}" ] || recorded mailsink
erasure_token_default

lb="http://127.0.0.1:$RASA_PORT"
start_instance() {  # rasa-N | actions-N: starts it, its pid in $RUN/<it>.pid
  local id=$1 number=${1#*-}
  case $id in
    actions-*)
      RASA_URL=$lb launch "$id" "$id.log" python -m actions.server --actions actions --port "${action_ports[$((number - 1))]}"
      ;;
    rasa-*)
      # One Sanic process per instance: its pid is the instance's, so killing it kills the instance.
      SANIC_WORKERS=1 launch "$id" "$id.log" python -m rasa_extensions.launcher run --model "$MODELS" \
        --endpoints "$endpoints" --credentials credentials.yml \
        --interface 127.0.0.1 --port "${rasa_ports[$((number - 1))]}" --cors "${CORS_ORIGINS:-*}"
      ;;
  esac
  recorded "$id"
}
is_instance() { [[ $1 == rasa-* || $1 == actions-* ]]; }

# All instances start together (Rasa's model load is the long part); each is reported when it answers.
for number in $(seq "$RASA_INSTANCES"); do
  : > "$LOGS/actions-$number.log"; : > "$LOGS/rasa-$number.log"
  start_instance "actions-$number"
  start_instance "rasa-$number"
done
for number in $(seq "$RASA_INSTANCES"); do
  begin "actions-$number" "actions-$number.log" "starting ..."
  wait_until "$(cat "$RUN/actions-$number.pid")" answers "http://127.0.0.1:${action_ports[$((number - 1))]}/health"
  end "ready at 127.0.0.1:${action_ports[$((number - 1))]}"
done
for number in $(seq "$RASA_INSTANCES"); do
  begin "rasa-$number" "rasa-$number.log" "loading the model ..."
  wait_until "$(cat "$RUN/rasa-$number.pid")" answers "http://127.0.0.1:${rasa_ports[$((number - 1))]}/" "Hello from Rasa"
  end "ready at 127.0.0.1:${rasa_ports[$((number - 1))]}"
done

begin HAProxy haproxy.log "starting ..."
logged bash scripts/apt_install.sh haproxy haproxy
# Debian starts a system-wide instance; the project runs its own.
(service haproxy stop || systemctl stop haproxy) >/dev/null 2>&1 || true
haproxy_cfg=$CLUSTER_DIR/haproxy.cfg
python -m devtools.haproxy config --stats-socket "$RUN/haproxy.sock" --rasa-port "$RASA_PORT" \
  --actions-port "$ACTIONS_PORT" --rasa "${rasa_ports[@]}" --actions "${action_ports[@]}" \
  >"$haproxy_cfg" 2>>"$step_log" || fail "exit status $? (see $step_log)"
launch HAProxy haproxy.log haproxy -db -f "$haproxy_cfg"
recorded haproxy
wait_until "${pids[-1]}" answers "$lb/" "Hello from Rasa"
wait_until "${pids[-1]}" answers "http://127.0.0.1:$ACTIONS_PORT/health"
end "ready at $lb (REST: /webhooks/rest/webhook) and 127.0.0.1:$ACTIONS_PORT (actions); state: python -m devtools.haproxy status $RUN/haproxy.sock"

begin "Web app" web.log "starting ..."
RASA_URL=$lb launch "Web app" web.log python -m apps.web
recorded web
wait_until "${pids[-1]}" answers "http://127.0.0.1:$WEB_PORT/"
end "ready at http://127.0.0.1:$WEB_PORT (demo pages: /demo, staff console: /console)"

telegram_step "$lb"
[ -z "${TELEGRAM_BOT_TOKEN:-}" ] || recorded telegram

echo "Running $RASA_INSTANCES Rasa instances and $RASA_INSTANCES action servers behind $lb. Ctrl-C stops everything;" \
  "logs in $LOGS/, pids in $RUN/."

# Until a server stops by itself: an instance is started again, anything else stops the cluster.
while true; do
  exited="" status=0
  wait -n -p exited "${pids[@]}" || status=$?
  [ -n "$exited" ] || continue
  for i in "${!pids[@]}"; do
    [ "${pids[$i]}" = "$exited" ] || continue
    if is_instance "${names[$i]}"; then
      id=${names[$i]}
      unset "pids[$i]" "names[$i]" "logs[$i]"
      echo "$(date -u +%H:%M:%S) $id stopped (exit status $status): starting it again; HAProxy sends it traffic once it answers its health check"
      sleep 1  # a server that cannot start at all is not restarted in a busy loop
      start_instance "$id"
    else
      step=${names[$i]} step_log=${logs[$i]}
      printf '%-12s' "$step"
      fail "stopped unexpectedly (exit status $status)"
    fi
  done
done
