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
            result["load_average"] = list(os.getloadavg())
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
        other = _level(cluster, level["concurrency"])
        if other is None:
            continue
        lines.append(f"| {level['concurrency']} | {level['messages_per_s']:.1f} | {level['p50_ms']:.0f} | "
                     f"{level['p95_ms']:.0f} | {other['messages_per_s']:.1f} | {other['p50_ms']:.0f} | "
                     f"{other['p95_ms']:.0f} | {other['messages_per_s'] / instances:.1f} | "
                     f"{level['messages_per_s'] / cores:.1f} / {other['messages_per_s'] / cores:.1f} | "
                     f"{level['failures']:.0f}, {other['failures']:.0f} |")
    top_single, top_cluster = single["levels"][-1], _level(cluster, single["levels"][-1]["concurrency"])
    first_single, first_cluster = single["levels"][0], _level(cluster, single["levels"][0]["concurrency"])
    lines += ["", f"Start-up: {single['cold_start_s']:.0f} s for one instance, {cluster['cold_start_s']:.0f} s for the "
                  f"cluster (PostgreSQL, Redis, {instances} models loaded side by side, HAProxy, the web app). Peak "
                  f"memory of the Rasa processes: {single['rss_mb']['rasa']:.0f} MB for one, "
                  f"{cluster['rss_mb']['rasa']:.0f} MB for the cluster's {instances}.", ""]
    if top_cluster and first_cluster:
        lines.append(
            f"What limits scaling here: the {cores} cores, shared by every process. At "
            f"{top_single['concurrency']} concurrent conversations the cluster handled "
            f"{top_cluster['messages_per_s'] / (top_single['messages_per_s'] or 1):.1f} times the messages/s of one "
            f"instance, and one conversation at a time its p50 was {first_cluster['p50_ms']:.0f} ms against "
            f"{first_single['p50_ms']:.0f} ms. Its gains and costs nearly cancel on {cores} cores: a Rasa instance "
            "runs its dialogue mostly in one Python thread (the GIL), so a second instance can use a core the "
            "first leaves idle, but the action servers, HAProxy, Redis and PostgreSQL need the same cores, each "
            "message crosses HAProxy (and so does each action call), and the conversation is read from and "
            "written to Redis as JSON where one instance keeps it in memory as a pickle. The comparison also "
            "moves with the machine's other work (load average "
            f"{' / '.join(f'{x:.1f}' for x in cluster.get('load_average', [])) or 'not recorded'} at the end of "
            "the cluster's run): on a shared machine, two runs can rank them differently. More instances than "
            "cores only add memory; throughput grows with hosts that bring their own cores. What the cluster "
            "buys on one machine is failover (tests/e2e/test_cluster_failover.py).")
    return lines


def _level(system: Dict[str, Any], concurrency: int) -> Optional[Dict[str, Any]]:
    return next((level for level in system["levels"] if level["concurrency"] == concurrency), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, default=Path("models"))
    parser.add_argument("--smoke", action="store_true", help="a few conversations per level")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    parser.add_argument("--report", type=Path, help="also write the table and its analysis (Markdown) here")
    parser.add_argument("--from-results", type=Path, help="no measurement: the results an earlier --out wrote")
    args = parser.parse_args()
    if args.from_results:
        results = json.loads(args.from_results.read_text())
    else:
        levels = load.SMOKE_LEVELS if args.smoke else load.FULL_LEVELS
        results = {"single": measure_single(args.model_dir, levels), "cluster": measure_cluster(args.model_dir, levels),
                   "measured": time.strftime("%Y-%m-%d %H:%M %Z")}
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))
    lines = section(results["single"], results["cluster"])
    print("\n".join(lines))
    if args.report:
        args.report.write_text("\n".join(["# One instance and the cluster", "",
                                          f"Generated by `python -m bench.cluster` ({results.get('measured', 'date not recorded')}); "
                                          "`make bench` writes the same section into reports/benchmark.md.", "",
                                          *lines, ""]), encoding="utf-8")


if __name__ == "__main__":
    main()
