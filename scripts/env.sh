# Sourced by the project's scripts: one place for the environment Rasa runs in.
export PYTHONPATH="${PWD}${PYTHONPATH:+:$PYTHONPATH}"   # custom NLU component and actions
export RASA_TELEMETRY_ENABLED=false                     # no network calls home
export TF_CPP_MIN_LOG_LEVEL=2
export SANIC_HOST=127.0.0.1                             # the action server listens on loopback only
export PATH="${PWD}/.venv/bin:${PATH}"
