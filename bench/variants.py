"""Serving variants measured beside the shipped setup, each run the same way (one repeat each).

- plain `rasa run`: Rasa as installed, which checks the JSON schema of every action server response
  against the metaschema (what the shipped launcher, bot/rasa_server.py, does once per schema);
- two Rasa processes (SANIC_WORKERS=2) behind one Redis lock store and tracker store, as a deployment
  on two cores would run them.

Redis is Debian's `redis-server`, started here on a free port without persistence; the variants
that need it are skipped, and say so, when it is not installed.
"""
from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

from bench import load, servers

@contextlib.contextmanager
def redis_server() -> Iterator[int]:
    port = servers.free_port()
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as workdir:
        process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no", "--dir", workdir],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 20
            while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode != 0:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.2)
            yield port
        finally:
            servers.stop([process])


def redis_endpoints(port: int) -> Dict[str, Any]:
    return {"tracker_store": {"type": "redis", "url": "127.0.0.1", "port": port, "db": 0},
            "lock_store": {"type": "redis", "url": "127.0.0.1", "port": port, "db": 1}}


VARIANTS: List[Dict[str, Any]] = [
    {"name": "plain `rasa run` (schema checked on every call)", "rasa_command": servers.PLAIN_RASA},
    {"name": "2 Rasa workers + Redis", "workers": 2, "redis": True},
]


def _measure(model_dir: Path, variant: Dict[str, Any], levels: Dict[int, int], redis_port: Optional[int]) -> Dict:
    endpoints = redis_endpoints(redis_port) if redis_port else None
    with servers.running_assistant(model_dir, "variant", rasa_workers=variant.get("workers", 1),
                                   endpoints_overrides=endpoints, env_extra=variant.get("env"),
                                   rasa_command=variant.get("rasa_command")) as assistant:
        result = {"name": variant["name"], "cold_start_s": assistant.cold_start_s,
                  "levels": load.measure(assistant.url, levels)}
        result["rss_mb"] = assistant.peak_rss_mb()
        return result


def measure_variants(model_dir: Path, levels: Dict[int, int]) -> List[Dict[str, Any]]:
    results = []
    for variant in VARIANTS:
        if variant.get("redis") and not shutil.which("redis-server"):
            results.append({"name": variant["name"], "skipped": "Debian's redis-server is not installed"})
            continue
        with (redis_server() if variant.get("redis") else contextlib.nullcontext()) as redis_port:
            results.append(_measure(model_dir, variant, levels, redis_port))
        levels_text = ", ".join(f"{lv['concurrency']}: p50 {lv['p50_ms']:.0f} ms {lv['messages_per_s']:.1f} msg/s"
                                for lv in results[-1]["levels"])
        print(f"  variant {variant['name']}: {levels_text}", flush=True)
    return results
