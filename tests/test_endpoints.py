"""The endpoints Rasa is served with, by `make run` (one or several processes), the tests and the bench."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.core.tracker_store import RedisTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import read_endpoint_config

from rasa_extensions import endpoints
from tracking import keys

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = yaml.safe_load(endpoints.ENDPOINTS.read_text(encoding="utf-8"))
# Every served endpoints file adds the action server's token (actions/server.py refuses calls without it).
TOKEN = {"headers": {keys.ACTION_SERVER_HEADER: keys.secret(keys.ACTION_SERVER)}}


def test_tests_and_benchmarks_keep_the_projects_endpoints_with_their_own_action_server():
    served = yaml.safe_load(endpoints.endpoints_yaml("http://127.0.0.1:6123/webhook"))
    assert served == {**SHIPPED, "action_endpoint": {**SHIPPED["action_endpoint"], "url": "http://127.0.0.1:6123/webhook",
                                                     **TOKEN}}


def test_several_rasa_processes_get_redis_for_conversations_and_locks(tmp_path):
    # What scripts/run.sh writes when RASA_WORKERS > 1, loaded as Rasa loads it.
    written = subprocess.run([sys.executable, "-m", "rasa_extensions.endpoints", "--redis-port", "6390"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    path = tmp_path / "endpoints.yml"
    path.write_text(written, encoding="utf-8")
    tracker_store = TrackerStore.create(read_endpoint_config(str(path), "tracker_store"), Domain.empty())
    lock_store = LockStore.create(read_endpoint_config(str(path), "lock_store"))
    assert isinstance(getattr(tracker_store, "_tracker_store", tracker_store), RedisTrackerStore)
    assert isinstance(lock_store, RedisLockStore)
    assert yaml.safe_load(written)["action_endpoint"] == {**SHIPPED["action_endpoint"], **TOKEN}
    assert read_endpoint_config(str(path), "action_endpoint").headers == TOKEN["headers"]  # as Rasa reads it
    # Both stores authenticate with the Redis password (REDIS_PASSWORD, else var/secrets/redis.key).
    assert {yaml.safe_load(written)[store]["password"] for store in ("tracker_store", "lock_store")} == {
        keys.secret(keys.REDIS)}


def test_every_form_validator_receives_the_domain(domain):
    # With enable_selective_domain, an action gets the domain only if it asks for it; the SDK's form
    # validators read their form's required slots from it and would otherwise validate nothing.
    assert SHIPPED["action_endpoint"]["enable_selective_domain"] is True
    sends_domain = {name for entry in domain["actions"] if isinstance(entry, dict)
                    for name, options in entry.items() if options.get("send_domain")}
    assert {f"validate_{form}" for form in domain["forms"]} <= sends_domain
