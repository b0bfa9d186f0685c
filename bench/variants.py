"""Serving variants measured beside the shipped setup, each run the same way (one repeat each).

- plain `rasa run`: Rasa as installed, which checks the JSON schema of every action server response
  against the metaschema (what the shipped launcher, rasa_extensions/launcher.py, does once per schema);
- two Rasa processes (SANIC_WORKERS=2) behind one Redis lock store and tracker store, as a deployment
  on two cores would run them.

Redis is Debian's `redis-server`, started here on a free port without persistence; the variants
that need it are skipped, and say so, when it is not installed.
"""
from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench import load
from devtools import servers
from rasa_extensions.endpoints import redis_stores

TWO_PROCESSES = "2 Rasa workers + Redis"   # what `RASA_WORKERS=2 make run` serves
VARIANTS: List[Dict[str, Any]] = [
    {"name": "plain `rasa run` (schema checked on every call)", "rasa_command": servers.PLAIN_RASA},
    {"name": TWO_PROCESSES, "workers": 2, "redis": True},
]


def _measure(model_dir: Path, variant: Dict[str, Any], levels: Dict[int, int], redis_port: Optional[int]) -> Dict:
    endpoints = redis_stores(redis_port) if redis_port else None
    with load.served(model_dir, "variant", rasa_workers=variant.get("workers", 1), endpoints_overrides=endpoints,
                     env_extra=variant.get("env"), rasa_command=variant.get("rasa_command")) as (assistant, mail):
        result = {"name": variant["name"], "cold_start_s": assistant.cold_start_s,
                  "levels": load.measure(assistant.url, levels, mail)}
        result["rss_mb"] = assistant.peak_rss_mb()
        return result


def measure_variants(model_dir: Path, levels: Dict[int, int]) -> List[Dict[str, Any]]:
    results = []
    for variant in VARIANTS:
        if variant.get("redis") and not shutil.which("redis-server"):
            results.append({"name": variant["name"], "skipped": "Debian's redis-server is not installed"})
            continue
        with (servers.redis_server() if variant.get("redis") else contextlib.nullcontext()) as redis_port:
            results.append(_measure(model_dir, variant, levels, redis_port))
        levels_text = ", ".join(f"{lv['concurrency']}: p50 {lv['p50_ms']:.0f} ms {lv['messages_per_s']:.1f} msg/s"
                                for lv in results[-1]["levels"])
        print(f"  variant {variant['name']}: {levels_text}", flush=True)
    return results
