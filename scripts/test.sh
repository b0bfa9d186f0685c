#!/usr/bin/env bash
# The project's one test command (make test, .ci/run): installs what is missing, then runs
#   1. unit tests (knowledge files, language detection, response parity, actions),
#   2. rasa data validate,
#   3. a test model (the shipped config.yml, trained apart from models/) and the Rasa test stories
#      with --fail-on-prediction-errors,
#   4. end-to-end conversations over the REST channel against the real Rasa and action servers,
#   5. a smoke run of the benchmarks (make bench) on the test model: the report is produced, no timing asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
export SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONWARNINGS="ignore::DeprecationWarning"
TEST_MODELS=.cache/test-models

step() { printf '\n=== %s\n' "$*"; }

step "Unit tests (Debian's Redis for the tracker-store tests, Debian's HAProxy to check the deployment's config)"
bash scripts/install_redis.sh
bash scripts/apt_install.sh haproxy haproxy
python -m pytest -q -n 2 tests --ignore=tests/e2e

step "rasa data validate"
rasa data validate --domain domain.yml --data data/nlu data/rules --config config.yml --fail-on-warnings

step "Test model (config.yml, as shipped, into $TEST_MODELS)"
python scripts/train.py --out "$TEST_MODELS"

step "Rasa test stories"
rasa test core --model "$TEST_MODELS" --stories tests/stories --fail-on-prediction-errors --out .cache/results

step "End-to-end tests (real servers; Debian's Chromium for the browser tests, Redis for two Rasa processes, HAProxy and PostgreSQL for the cluster)"
bash scripts/install_browser.sh
# Whole files per worker (--dist loadfile): a file's servers are started once, by the worker running it.
ASSISTANT_TEST_MODELS="$TEST_MODELS" python -m pytest -q -n 2 --dist loadfile --durations=15 tests/e2e

step "Benchmark smoke run (few requests, no anchor; checks the report has every section, asserts no timing)"
python -m bench --smoke --model-dir "$TEST_MODELS" --out .cache/bench/smoke
