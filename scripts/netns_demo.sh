#!/usr/bin/env bash
# The cluster on four test hosts, each a network namespace of its own (make cluster-netns; needs root and
# Debian's iproute2), so that nothing relies on loopback or on files the processes share:
#   pa-lb    10.15.0.1   HAProxy: :5005 before the two Rasa instances, :5055 before the two action servers
#   pa-app1  10.15.0.11  a Rasa instance (:5005) and an action server (:5055)
#   pa-app2  10.15.0.12  the same
#   pa-db    10.15.0.20  PostgreSQL (:5432, the tracking database) and Redis (:6379, tracker and lock stores)
# joined by a bridge whose address 10.15.0.254 is this machine (the operator's, with the mail sink on :8025).
# Every process gets the project's keys in environment variables and a secrets folder of its own (empty):
# a key read from a shared file instead would be a random one of that process, and the check would fail.
# Once all answer, the failover check runs from this machine: a request form through 10.15.0.1:5005, the
# Rasa instance of pa-app1 killed in the middle, the form finished, the request filed once in pa-db.
# Ctrl-C (or the end of the check, with NETNS_DEMO_KEEP=0) stops everything and removes the namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "network namespaces need root" >&2; exit 1; }
DEMO_DIR=$(mktemp -d /tmp/netns-demo-XXXXXX)
chmod 755 "$DEMO_DIR"
LOGS=$DEMO_DIR/log
RUN=$DEMO_DIR/run
mkdir -p "$LOGS" "$RUN"
START_TIMEOUT=${START_TIMEOUT:-300}
NET=10.15.0
declare -A ADDRESS=([lb]=$NET.1 [app1]=$NET.11 [app2]=$NET.12 [db]=$NET.20)

source scripts/serving.sh  # begin/end/fail, launch/wait_until, the steps shared with scripts/run.sh
remove_network() {
  for host in "${!ADDRESS[@]}"; do ip netns del "pa-$host" 2>/dev/null || true; done
  ip link del pa-br0 2>/dev/null || true
}
trap 'stop_servers; remove_network; rm -rf "$DEMO_DIR/db"; echo "Logs kept in $LOGS"' EXIT

environment_step
if [ -z "${MODELS:-}" ]; then
  model_step
  MODELS=models
fi

begin Network "" "creating ..."
remove_network  # what a previous run may have left
ip link add pa-br0 type bridge
ip addr add "$NET.254/24" dev pa-br0
ip link set pa-br0 up
for host in "${!ADDRESS[@]}"; do
  ip netns add "pa-$host"
  ip link add "pa-$host" type veth peer name eth0 netns "pa-$host"
  ip link set "pa-$host" master pa-br0 up
  ip -n "pa-$host" addr add "${ADDRESS[$host]}/24" dev eth0
  ip -n "pa-$host" link set eth0 up
  ip -n "pa-$host" link set lo up
done
end "pa-lb ${ADDRESS[lb]}, pa-app1 ${ADDRESS[app1]}, pa-app2 ${ADDRESS[app2]}, pa-db ${ADDRESS[db]}; this machine $NET.254"

# The keys, as a deployment passes them to each host: environment variables (tracking/keys.py).
eval "$(python -m devtools.cluster key-exports)"
# Rasa's REST channel wants a bearer token from any host but its own (rasa_extensions/rest_channel.py);
# the failover check sends it (devtools/scoring.py).
RASA_REST_TOKEN=${RASA_REST_TOKEN:-$(python -c 'import secrets; print(secrets.token_hex(32))')}
export RASA_REST_TOKEN
at() {  # HOST: AT=(the prefix that runs a command on the test host, with a secrets folder of its own)
  mkdir -p "$DEMO_DIR/$1/secrets"
  AT=(ip netns exec "pa-$1" env SECRETS_DIR="$DEMO_DIR/$1/secrets")
}

begin "pa-db" postgres.log "PostgreSQL and Redis ..."
at db
launch postgres postgres.log "${AT[@]}" python -m devtools.postgres serve --data "$DEMO_DIR/db/postgres/data" --port 5432 \
  --listen "${ADDRESS[db]}" --allow "$NET.0/24"
echo "${pids[-1]}" >"$RUN/postgres.pid"
wait_until "${pids[-1]}" port_open "${ADDRESS[db]}" 5432
export TRACKING_DB_URL="postgresql+psycopg2://postgres@${ADDRESS[db]}:5432/tracking"
logged python -m devtools.postgres create-database "$TRACKING_DB_URL"
logged python -m tracking migrate
python -c 'import sys; from pathlib import Path; from tracking import keys; keys.redis_config(Path(sys.argv[1]))' \
  "$DEMO_DIR/db/redis.conf"
launch redis redis.log "${AT[@]}" redis-server "$DEMO_DIR/db/redis.conf" --bind "${ADDRESS[db]}" --port 6379 --save "" \
  --appendonly no --dir "$DEMO_DIR/db"
echo "${pids[-1]}" >"$RUN/redis.pid"
wait_until "${pids[-1]}" port_open "${ADDRESS[db]}" 6379
end "ready: PostgreSQL ${ADDRESS[db]}:5432 (migrated), Redis ${ADDRESS[db]}:6379"

begin Mail mailsink.log "starting ..."
launch mailsink mailsink.log python -m apps.mailsink --host "$NET.254" --port 8025 --dir "$DEMO_DIR/mail"
wait_until "${pids[-1]}" port_open "$NET.254" 8025
end "sink at $NET.254:8025, mail in $DEMO_DIR/mail"

lb=http://${ADDRESS[lb]}:5005
for host in app1 app2; do
  endpoints=$DEMO_DIR/$host/endpoints.yml
  mkdir -p "$DEMO_DIR/$host"
  (umask 077 && python -m rasa_extensions.endpoints --redis-host "${ADDRESS[db]}" --redis-port 6379 \
    --action-url "http://${ADDRESS[lb]}:5055/webhook" >"$endpoints")
  at "$host"
  launch "$host-actions" "actions-$host.log" "${AT[@]}" SANIC_HOST="${ADDRESS[$host]}" RASA_URL="$lb" \
    SMTP_HOST="$NET.254" SMTP_PORT=8025 SMTP_SECURITY=none python -m actions.server --actions actions --port 5055
  echo "${pids[-1]}" >"$RUN/actions-$host.pid"
  launch "$host-rasa" "rasa-$host.log" "${AT[@]}" SANIC_WORKERS=1 python -m rasa_extensions.launcher run \
    --model "$MODELS" --endpoints "$endpoints" --credentials credentials.yml --interface "${ADDRESS[$host]}" --port 5005
  echo "${pids[-1]}" >"$RUN/rasa-$host.pid"
done
for host in app1 app2; do
  begin "pa-$host" "rasa-$host.log" "loading the model ..."
  wait_until "$(cat "$RUN/actions-$host.pid")" answers "http://${ADDRESS[$host]}:5055/health"
  wait_until "$(cat "$RUN/rasa-$host.pid")" answers "http://${ADDRESS[$host]}:5005/" "Hello from Rasa"
  end "ready: Rasa ${ADDRESS[$host]}:5005, actions ${ADDRESS[$host]}:5055"
done

begin "pa-lb" haproxy.log "starting ..."
python -m devtools.haproxy config --stats-socket "$RUN/haproxy.sock" --bind "${ADDRESS[lb]}" --rasa-port 5005 \
  --actions-port 5055 --rasa "${ADDRESS[app1]}:5005" "${ADDRESS[app2]}:5005" \
  --actions "${ADDRESS[app1]}:5055" "${ADDRESS[app2]}:5055" >"$DEMO_DIR/haproxy.cfg"
at lb
launch haproxy haproxy.log "${AT[@]}" haproxy -db -f "$DEMO_DIR/haproxy.cfg"
wait_until "${pids[-1]}" answers "$lb/" "Hello from Rasa"
end "ready at $lb"

echo "Failover check: a request form through $lb, pa-app1's Rasa killed in the middle ..."
python -m devtools.cluster failover-check --url "$lb" --mail "$DEMO_DIR/mail" --kill "$RUN/rasa-app1.pid" \
  --stats-socket "$RUN/haproxy.sock" --server rasa/rasa-1
key_files=$(find "$DEMO_DIR" -path '*/secrets/*')
if [ -n "$key_files" ]; then
  echo "  a process wrote a key file instead of taking its key from the environment: $key_files"
  exit 1
fi
echo "  no key file on any host: every process took its keys from the environment"
if [ "${NETNS_DEMO_KEEP:-1}" = 1 ]; then
  echo "Running on the test hosts; Ctrl-C stops everything. Try: curl $lb/webhooks/rest/webhook -d '{\"sender\": \"me\", \"message\": \"hello\"}'"
  set +e
  wait -n "${pids[@]}"
  set -e
  exited_server
fi
