"""One instance beside the cluster, under the same load: messages/s and p50/p95 at each concurrency level,
per Rasa instance and per core.

The cluster is `make cluster` (scripts/cluster.sh, through devtools/cluster.py): HAProxy before N Rasa
instances and N action servers, Redis tracker and lock stores, PostgreSQL. `make bench` measures it after
the single instance of the same run (bench/__main__.py); alone, this module measures both:

    python -m bench.cluster --model-dir .cache/test-models [--smoke]
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench import load
from devtools import servers
from devtools.cluster import running_cluster
from devtools.mailbox import receiving_mail

INSTANCES = 2


def _peak_rss_mb(cluster: Any, names: List[str]) -> float:
    return sum(servers.peak_rss_mb(cluster.pid(name)) for name in names)


def measure_cluster(model_dir: Path, levels: Dict[int, int], instances: int = INSTANCES) -> Dict[str, Any]:
    """The cluster started, warmed up, then each level; its start-up time and the Rasa instances' memory."""
    with tempfile.TemporaryDirectory(prefix="bench-cluster-mail-") as folder, receiving_mail(Path(folder)) as mail:
        started = time.monotonic()
        with running_cluster(model_dir, instances, env=mail.environment) as cluster:
            result: Dict[str, Any] = {"instances": instances, "cold_start_s": time.monotonic() - started}
            result["levels"] = load.measure(cluster.url, levels, mail)
            result["rss_mb"] = {"rasa": _peak_rss_mb(cluster, [f"rasa-{n}" for n in range(1, instances + 1)]),
                                "actions": _peak_rss_mb(cluster, [f"actions-{n}" for n in range(1, instances + 1)])}
    return result


def measure_single(model_dir: Path, levels: Dict[int, int]) -> Dict[str, Any]:
    """One Rasa process and one action server, as `make run` serves (what bench/__main__.py measures as "ours")."""
    with load.served(model_dir, "single") as (assistant, mail):
        return {"instances": 1, "cold_start_s": assistant.cold_start_s, "levels": load.measure(assistant.url, levels, mail),
                "rss_mb": assistant.peak_rss_mb()}


def section(single: Optional[Dict[str, Any]], cluster: Optional[Dict[str, Any]],
            cores: Optional[int] = None) -> List[str]:
    """The report's lines: both side by side per level, with what limits scaling here."""
    if not (single and cluster):
        return ["The cluster: not measured in this run (smoke run or `--no-cluster`); `python -m bench.cluster` "
                "measures it beside one instance."]
    cores = cores or os.cpu_count() or 1
    instances = cluster["instances"]
    lines = [f"The same load (`bench/load.py`) on one instance (`make run`: one Rasa process, one action server) and "
             f"on the cluster (`make cluster`: HAProxy before {instances} Rasa instances and {instances} action "
             f"servers, Redis tracker and lock stores, PostgreSQL for the requests filed), on {cores} cores. "
             "Messages/s per instance divides by the Rasa instances, per core by the cores.", "",
             "| concurrent | one: msg/s | one: p50 ms | one: p95 ms | cluster: msg/s | cluster: p50 ms | "
             "cluster: p95 ms | cluster msg/s per instance | one / cluster msg/s per core | failures (one, cluster) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for level in single["levels"]:
        other = next((lv for lv in cluster["levels"] if lv["concurrency"] == level["concurrency"]), None)
        if other is None:
            continue
        lines.append(f"| {level['concurrency']} | {level['messages_per_s']:.1f} | {level['p50_ms']:.0f} | "
                     f"{level['p95_ms']:.0f} | {other['messages_per_s']:.1f} | {other['p50_ms']:.0f} | "
                     f"{other['p95_ms']:.0f} | {other['messages_per_s'] / instances:.1f} | "
                     f"{level['messages_per_s'] / cores:.1f} / {other['messages_per_s'] / cores:.1f} | "
                     f"{level['failures']:.0f}, {other['failures']:.0f} |")
    lines += ["", f"Start-up: {single['cold_start_s']:.0f} s for one instance, {cluster['cold_start_s']:.0f} s for the "
                  f"cluster (PostgreSQL, Redis, {instances} models loaded side by side, HAProxy, the web app). Peak "
                  f"memory of the Rasa processes: {single['rss_mb']['rasa']:.0f} MB for one, "
                  f"{cluster['rss_mb']['rasa']:.0f} MB for the cluster's {instances}.", "",
              f"What limits scaling here: the {cores} cores. A message costs Rasa's NLU and policies, a few action "
              "calls, and the conversation read and written in full; on one machine the instances, the action "
              "servers, HAProxy, Redis and PostgreSQL share the same cores, so the cluster adds an HTTP hop to "
              "each call (HAProxy, twice: Rasa and the actions) and the tracker's JSON round trip through Redis "
              "(one instance keeps it as a pickle in memory) without adding CPU. The cluster buys failover "
              "(tests/e2e/test_cluster_failover.py); throughput grows with instances only on hosts with cores of "
              "their own."]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, default=Path("models"))
    parser.add_argument("--smoke", action="store_true", help="a few conversations per level")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    levels = load.SMOKE_LEVELS if args.smoke else load.FULL_LEVELS
    single = measure_single(args.model_dir, levels)
    cluster = measure_cluster(args.model_dir, levels)
    if args.out:
        args.out.write_text(json.dumps({"single": single, "cluster": cluster}, indent=1))
    print("\n".join(section(single, cluster)))


if __name__ == "__main__":
    main()
