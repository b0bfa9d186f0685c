"""The endpoints Rasa is served with: the project's endpoints.yml, adjusted for where it runs.

    python -m rasa_extensions.endpoints > var/endpoints.yml                     # one Rasa process (scripts/run.sh)
    python -m rasa_extensions.endpoints --redis-port 6379 > var/endpoints.yml   # several Rasa processes
    python -m rasa_extensions.endpoints --action-url http://loadbalancer:5055/webhook --redis-host redis \
        --redis-port 6379 > endpoints.yml                                       # a container (deploy/entrypoint.sh)

Tests and benchmarks run their own action server on a free port; several Rasa processes must share
their conversations and conversation locks, which the in-memory store cannot do, so they use Redis.
Everything else (selective domain, ...) comes from endpoints.yml, the one place it is configured.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Dict, Optional

import yaml

from tracking import keys
from tracking.config import conversation_ttl

ENDPOINTS = Path(__file__).resolve().parent.parent / "endpoints.yml"


def redis_stores(port: int, host: str = "127.0.0.1", password: Optional[str] = None) -> Dict[str, Any]:
    """Tracker store and lock store in one Redis, in two databases, with its password (tracking.keys); a
    conversation expires when left idle for CONVERSATION_TTL seconds (Redis key expiry, renewed at each message)."""
    password = password or keys.secret(keys.REDIS)
    return {"tracker_store": {"type": "redis", "url": host, "port": port, "db": 0, "password": password,
                              "record_exp": conversation_ttl()},
            "lock_store": {"type": "redis", "url": host, "port": port, "db": 1, "password": password}}


def endpoints_yaml(action_url: Optional[str] = None, overrides: Optional[Dict[str, Any]] = None) -> str:
    """endpoints.yml with another action server URL and top-level sections replaced by `overrides`, and
    the action server's token in a header of every call (the action server refuses a call without it:
    actions/server.py). The result holds secrets: write it readable by its owner only."""
    endpoints = yaml.safe_load(ENDPOINTS.read_text(encoding="utf-8"))
    if action_url:
        endpoints["action_endpoint"]["url"] = action_url
    endpoints["action_endpoint"]["headers"] = {keys.ACTION_SERVER_HEADER: keys.secret(keys.ACTION_SERVER)}
    endpoints.update(overrides or {})
    return yaml.safe_dump(endpoints, sort_keys=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--action-url", help="the action server's webhook (default: endpoints.yml's)")
    parser.add_argument("--redis-port", type=int, help="keep conversations and locks in the Redis on this port")
    parser.add_argument("--redis-host", default="127.0.0.1", help="that Redis's host (default 127.0.0.1; deploy/compose.yaml: redis)")
    args = parser.parse_args()
    stores = redis_stores(args.redis_port, args.redis_host) if args.redis_port else None
    print(endpoints_yaml(args.action_url, stores), end="")


if __name__ == "__main__":
    main()
