"""`make bench`: measure the assistant beside Rasa's default configuration and write the report.

    python -m bench                      # the full run (reports/benchmark.md and its plots)
    python -m bench --smoke --out DIR    # a few requests of each measurement, for CI (no timings asserted)
    python -m bench --flood-only         # only the memory under a flood of new conversations, into the report

Every loop is bounded (a number of conversations per concurrency level, of repeats, of folds and
epochs); everything runs on 127.0.0.1 on free ports. Figures are medians over the repeats.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench import (accuracy, anchor, bm25_baseline, cluster, flood, load, nlu_quality, profile, report, training,
                   variants)
from bench.load import FULL_LEVELS, SMOKE_LEVELS
from bench.sampling import PeriodicSampler
from devtools import servers

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".cache" / "bench"


class LoadSampler(PeriodicSampler[float]):
    """Samples /proc/loadavg every few seconds while the bench runs (other work skews timings)."""

    def __init__(self, every_s: float = 5.0) -> None:
        super().__init__(every_s)
        self.sample()

    def measure(self) -> float:
        return float(Path("/proc/loadavg").read_text().split()[0])


def median_run(runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Medians over repeats: cold start, peak memory, and each level's figures."""
    levels = []
    for index, level in enumerate(runs[0]["levels"]):
        merged = {key: statistics.median(run["levels"][index][key] for run in runs)
                  for key, value in level.items() if isinstance(value, (int, float))}
        levels.append({**merged, "concurrency": level["concurrency"]})
    return {"repeats": len(runs), "cold_start_s": statistics.median(r["cold_start_s"] for r in runs),
            "cold_start_all_s": [r["cold_start_s"] for r in runs],
            "rss_mb": {k: statistics.median(r["rss_mb"][k] for r in runs) for k in runs[0]["rss_mb"]},
            "levels": levels, "accuracy": runs[0].get("accuracy")}


def measure_serving(model_dir: Path, name: str, repeats: int, levels: Dict[int, int],
                    rasa_command: Optional[List[str]] = None) -> Dict[str, Any]:
    runs = []
    for repeat in range(repeats):
        with load.served(model_dir, name, rasa_command=rasa_command) as (assistant, mail):
            run: Dict[str, Any] = {"cold_start_s": assistant.cold_start_s}
            run["levels"] = load.measure(assistant.url, levels, mail)
            run["rss_mb"] = assistant.peak_rss_mb()
            if repeat == 0:
                run["accuracy"] = accuracy.evaluate(assistant.url)
            runs.append(run)
        print(f"  {name} repeat {repeat + 1}/{repeats}: cold start {run['cold_start_s']:.1f} s, "
              + ", ".join(f"{lv['concurrency']}: p50 {lv['p50_ms']:.0f} ms {lv['messages_per_s']:.1f} msg/s"
                          for lv in run["levels"]), flush=True)
    return median_run(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="a few requests of everything: checks the bench runs")
    parser.add_argument("--out", type=Path, default=ROOT / "reports", help="where the report and plots go")
    parser.add_argument("--model-dir", type=Path, help="serve this model directory (default: train into models/)")
    parser.add_argument("--repeats", type=int, help="server runs per configuration (default 3, smoke 1)")
    parser.add_argument("--train-repeats", type=int, help="trainings timed (default 2, smoke 0)")
    parser.add_argument("--anchor-epochs", type=int, default=10, help="epoch cap of the anchor (default 10)")
    parser.add_argument("--no-anchor", action="store_true", help="skip the anchor (default in smoke runs)")
    parser.add_argument("--no-variants", action="store_true", help="skip the serving variants (default in smoke runs)")
    parser.add_argument("--no-cluster", action="store_true",
                        help="skip the cluster (make cluster) beside one instance (default in smoke runs)")
    parser.add_argument("--folds", type=int, help="cross-validation folds (default 3, smoke 2)")
    parser.add_argument("--flood-only", action="store_true",
                        help="measure only the memory under a flood of new conversations and replace that section "
                             "of the report in --out (needs --model-dir)")
    args = parser.parse_args()
    if args.flood_only:
        return flood_only(args.model_dir or ROOT / "models", args.out, args.smoke)
    smoke = args.smoke
    repeats = args.repeats or (1 if smoke else 3)
    train_repeats = args.train_repeats if args.train_repeats is not None else (0 if smoke else 2)
    folds = args.folds or (2 if smoke else 3)
    levels = SMOKE_LEVELS if smoke else FULL_LEVELS
    with_anchor = not (args.no_anchor or smoke)

    started = time.time()
    results: Dict[str, Any] = {"smoke": smoke, "started": time.strftime("%Y-%m-%d %H:%M %Z"),
                               "command": " ".join(["python -m bench", *sys.argv[1:]]),
                               "load_at_start": Path("/proc/loadavg").read_text().split()[:3]}
    with LoadSampler() as sampler:
        model_dir = args.model_dir
        if model_dir is None:
            print(f"Training the model if the data changed (log: {servers.LOGS / 'train.log'}) ...", flush=True)
            servers.LOGS.mkdir(parents=True, exist_ok=True)
            with open(servers.LOGS / "train.log", "w") as log:
                subprocess.run([sys.executable, "scripts/train.py"], cwd=ROOT, check=True, stdout=log,
                               stderr=subprocess.STDOUT)
            model_dir = ROOT / "models"
        if train_repeats:
            print(f"Timing {train_repeats} full training(s) of config.yml ...", flush=True)
            results["training_s"] = training.training_times(train_repeats)
        if with_anchor:
            print(f"Anchor: Rasa's default configuration, epochs capped at {args.anchor_epochs} ...", flush=True)
            results["anchor_training"] = anchor.train_anchor(args.anchor_epochs)
        print(f"Serving ours ({repeats} repeat(s), levels {levels}) ...", flush=True)
        results["ours"] = measure_serving(model_dir, "ours", repeats, levels)
        if not (smoke or args.no_cluster):
            print(f"Serving the cluster (make cluster, {cluster.INSTANCES} instances, one repeat) ...", flush=True)
            results["cluster"] = cluster.measure_cluster(model_dir, levels)
        if with_anchor:
            print("Serving the anchor ...", flush=True)
            # Served by `rasa run` as installed, as a project on Rasa's defaults would be.
            results["anchor"] = measure_serving(anchor.ANCHOR_DIR, "anchor", repeats, levels, servers.PLAIN_RASA)
        if not (smoke or args.no_variants):
            print("Serving variants (one repeat each) ...", flush=True)
            results["variants"] = variants.measure_variants(model_dir, levels)
        print("Flooding with new conversations ...", flush=True)
        results["flood"] = flood.measure(model_dir, smoke)
        results["bm25"] = bm25_baseline.evaluate()
        print("Profiling the hot path ...", flush=True)
        results["profile"] = profile.profile(model_dir, 4 if smoke else 30, 6 if smoke else 40)
        print(f"NLU cross-validation ({folds} folds) ...", flush=True)
        results["nlu"] = nlu_quality.cross_validate(folds, every=5 if smoke else 1)
    results["load_samples"] = sampler.samples
    results["duration_s"] = time.time() - started
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / ("results-smoke.json" if smoke else "results.json")).write_text(json.dumps(results, indent=1))
    path = report.write(results, args.out)
    missing = report.missing_sections(path)
    print(f"Report: {path} ({results['duration_s'] / 60:.1f} min)")
    if missing:
        print(f"the report lacks: {', '.join(missing)}", file=sys.stderr)
    checks = len(report.SECTIONS) + len(report.PLOTS)
    print(f"bench: {checks - len(missing)} passed, {len(missing)} failed")  # sections and plots present
    return 1 if missing else 0


def flood_only(model_dir: Path, out: Path, smoke: bool) -> int:
    """The flood alone: its section of the report in `out` replaced, and its figures kept with the last
    full run's results (so that `python -m bench.report` rewrites the report with them)."""
    measured = flood.measure(model_dir, smoke)
    WORK.mkdir(parents=True, exist_ok=True)
    kept = WORK / ("results-smoke.json" if smoke else "results.json")
    if kept.exists():
        results = json.loads(kept.read_text())
        results["flood"] = measured
        kept.write_text(json.dumps(results, indent=1))
    path = out / "benchmark.md"
    if not path.exists():
        print(f"no report at {path} to put the section in", file=sys.stderr)
        return 1
    report.replace_section(path, report.SECTIONS[7], report.flood_section(measured, out))
    print(f"Report: {path} (section {report.SECTIONS[7]!r} replaced)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
