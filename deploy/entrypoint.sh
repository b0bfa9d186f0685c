#!/bin/sh
# The container's one entry point (deploy/Dockerfile): the role it plays, then that process in the
# foreground (exec: it gets the signals). Every setting comes from the environment (deploy/compose.yaml).
#
#   rasa      Rasa on $RASA_PORT with the project's endpoints.yml, its actions at $ACTION_URL, its
#             conversations and locks in the Redis at $REDIS_HOST:$REDIS_PORT
#   actions   the action server on $ACTION_PORT
#   web       the web app on $WEB_PORT (widget, demo pages, staff console)
#   telegram  the Telegram relay (metrics and health on $METRICS_PORT)
#   migrate   the tracking database's schema brought up to date, then exit
set -eu
role="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$role" in
  rasa)
    # The endpoints hold the action server's token and the Redis password: written readable by us only,
    # outside the image, never on a command line.
    umask 077
    endpoints="$(mktemp -d)/endpoints.yml"
    python -m rasa_extensions.endpoints --action-url "${ACTION_URL:-http://loadbalancer:5055/webhook}" \
      --redis-host "${REDIS_HOST:-redis}" --redis-port "${REDIS_PORT:-6379}" > "$endpoints"
    exec python -m rasa_extensions.launcher run --model "${MODEL_PATH:-models}" --endpoints "$endpoints" \
      --credentials credentials.yml --interface 0.0.0.0 --port "${RASA_PORT:-5005}" "$@"
    ;;
  actions)
    exec python -m actions.server --actions actions --port "${ACTION_PORT:-5055}" "$@"
    ;;
  web)
    exec python -m apps.web "$@"
    ;;
  telegram)
    exec python -m apps.telegram "$@"
    ;;
  migrate)
    exec python -m tracking migrate "$@"
    ;;
  *)
    echo "unknown role: $role (rasa, actions, web, telegram or migrate)" >&2
    exit 64
    ;;
esac
