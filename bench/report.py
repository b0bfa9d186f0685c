"""reports/benchmark.md and its PNG plots, from the results `python -m bench` collected."""
from __future__ import annotations

import os
import statistics
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from devtools import scoring  # noqa: E402
from bench import cluster  # noqa: E402
from bench.variants import TWO_PROCESSES  # noqa: E402

NOTES = Path(__file__).resolve().parent / "optimisations.md"
SECTIONS = ["## Summary", "## Machine and run", "## Latency and throughput", "## Answer accuracy",
            "## NLU quality", "## Training", "## Where the time goes", "## Memory under a flood of new conversations",
            "## What was changed for speed", "## One instance and the cluster"]
LATENCY_PLOT, ACCURACY_PLOT = "latency_vs_concurrency.png", "accuracy_by_topic.png"
FLOOD_PLOT = "memory_under_flood.png"  # not in PLOTS: a report rewritten from older results has none
PLOTS = (LATENCY_PLOT, ACCURACY_PLOT)


def machine() -> Dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")]
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))
    return {"cpu": models[0] if models else "unknown", "cores": str(os.cpu_count()),
            "memory": f"{memory_kb / 1024 / 1024:.1f} GiB", "kernel": os.uname().release}


def _fmt(value: Optional[float], digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _ratio(ours: Optional[float], anchor: Optional[float]) -> str:
    return "–" if not ours or not anchor else f"{ours / anchor:.2f}×"


def _level(system: Optional[Dict[str, Any]], concurrency: int) -> Optional[Dict[str, Any]]:
    return next((lv for lv in (system or {}).get("levels", []) if lv["concurrency"] == concurrency), None)


def _get(system: Optional[Dict[str, Any]], concurrency: int, key: str) -> Optional[float]:
    level = _level(system, concurrency)
    return level[key] if level else None


def _saturation(system: Optional[Dict[str, Any]]) -> Optional[float]:
    levels = (system or {}).get("levels") or []
    return max(lv["messages_per_s"] for lv in levels) if levels else None


def _accuracy(result: Optional[Dict[str, Any]], key: str = "strict") -> Tuple[int, int]:
    if not result:
        return 0, 0
    scores = result[key]
    return scores["passed"], scores["total"]


def _two_processes(results: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    return next((v for v in results.get("variants") or [] if v["name"] == TWO_PROCESSES and "levels" in v), None)


def _summary(results: Dict[str, Any]) -> List[str]:
    ours, anchor, two = results["ours"], results.get("anchor"), _two_processes(results)
    training = statistics.median(results["training_s"]) if results.get("training_s") else None
    anchor_training = (results.get("anchor_training") or {}).get("seconds")
    rows = [
        ("p50 latency, 1 conversation (ms)", _get(ours, 1, "p50_ms"), _get(anchor, 1, "p50_ms"), "≤ 50", True),
        ("p95 latency, 10 concurrent (ms)", _get(ours, 10, "p95_ms"), _get(anchor, 10, "p95_ms"), "≤ 400", True),
        ("messages/s at saturation", _saturation(ours), _saturation(anchor), "≥ 40 and ≥ 2× anchor", False),
        ("cold start, command to first answer (s)", ours["cold_start_s"], (anchor or {}).get("cold_start_s"),
         "≤ 20", True),
        ("training time (s)", training, anchor_training, "≤ 90", True),
        ("Rasa server peak RSS (MB)", ours["rss_mb"]["rasa"], ((anchor or {}).get("rss_mb") or {}).get("rasa"),
         "≤ 900", True),
        ("action server peak RSS (MB)", ours["rss_mb"]["actions"],
         ((anchor or {}).get("rss_mb") or {}).get("actions"), "–", True),
    ]
    if two:  # `RASA_WORKERS=2 make run`, one repeat (last section); the anchor runs one process
        rows.insert(2, ("p95 latency, 10 concurrent, 2 Rasa processes (ms)", _get(two, 10, "p95_ms"),
                        _get(anchor, 10, "p95_ms"), "≤ 400", True))
        rows.insert(4, ("messages/s at saturation, 2 Rasa processes", _saturation(two), _saturation(anchor),
                        "≥ 40 and ≥ 2× anchor", False))
        rows.insert(-1, ("Rasa server peak RSS, 2 processes together (MB)", two["rss_mb"]["rasa"],
                         ((anchor or {}).get("rss_mb") or {}).get("rasa"), "≤ 900", True))
    limits = {"≤ 50": 50, "≤ 400": 400, "≤ 20": 20, "≤ 90": 90, "≤ 900": 900}
    lines = ["| figure | ours | anchor | ours / anchor | goal | met |", "|---|---:|---:|---:|---|---|"]
    for label, mine, theirs, goal, lower_is_better in rows:
        if goal in limits and mine is not None:
            met = "yes" if mine <= limits[goal] else "no"
        elif goal.startswith("≥ 40") and mine is not None:
            met = "yes" if mine >= 40 and (not theirs or mine >= 2 * theirs) else "no"
        else:
            met = "–"
        lines.append(f"| {label} | {_fmt(mine, 1)} | {_fmt(theirs, 1)} | {_ratio(mine, theirs)} | {goal} | {met} |")
    passed, total = _accuracy(ours.get("accuracy"))
    a_passed, a_total = _accuracy((anchor or {}).get("accuracy"))
    b_passed, b_total = _accuracy(results.get("bm25"))
    lines.append(f"| acceptance examples answered correctly | {passed}/{total} | "
                 f"{f'{a_passed}/{a_total}' if a_total else '–'} | – | BM25 top-1 passage: {b_passed}/{b_total} | – |")
    if results.get("anchor_training"):
        record = results["anchor_training"]
        lines += ["", f"The anchor's training time is for {record['epochs']} epochs (Rasa's default is 100; "
                      f"{'cached from ' + record['measured_at'] if record.get('cached') else 'trained in this run'})."]
    return lines


def _machine_section(results: Dict[str, Any]) -> List[str]:
    info = machine()
    samples = results.get("load_samples") or [0.0]
    return [f"- Date: {results['started']}; command: `{results['command']}`; "
            f"duration {results['duration_s'] / 60:.1f} min{' (smoke run: few requests, not figures)' if results['smoke'] else ''}.",
            f"- Machine: {info['cpu']}, {info['cores']} cores, {info['memory']} RAM, Linux {info['kernel']}.",
            f"- Load average (1 min) at the start {results['load_at_start'][0]}; during the run, sampled every 5 s: "
            f"median {statistics.median(samples):.2f}, max {max(samples):.2f}. The bench itself keeps up to two "
            "cores busy while it loads the servers, so the figures are for a machine otherwise idle only when the "
            "load at the start is low.",
            f"- Repeats: {results['ours']['repeats']} server runs per configuration (cold start, load levels, memory "
            "each time); the figures are their medians. Accuracy is measured in the first run (it is deterministic)."]


def _latency_section(results: Dict[str, Any], out: Path) -> List[str]:
    lines = ["| system | concurrent | conversations | messages | p50 ms | p95 ms | p99 ms | messages/s | failed "
             "| requests filed |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name in ("ours", "anchor"):
        for lv in (results.get(name) or {}).get("levels", []):
            lines.append(f"| {name} | {lv['concurrency']} | {lv['conversations']:.0f} | {lv['messages']:.0f} | "
                         f"{lv['p50_ms']:.0f} | {lv['p95_ms']:.0f} | {lv['p99_ms']:.0f} | "
                         f"{lv['messages_per_s']:.1f} | {lv['failures']:.0f} | {lv.get('requests_filed', 0):.0f} |")
    _plot_latency(results, out / LATENCY_PLOT)
    return ["Scripted conversations over the REST channel with the widget's metadata: three in four ask a greeting, "
            "three acceptance-example questions and the source; one in four is a full rights request (request, "
            "name, e-mail, confirmation, then the code mailed to the address, read from the bench's own mail "
            "sink), filed in a temporary SQLite tracking database. A level runs a fixed number "
            "of conversations, that many at a time; messages/s is messages over the level's wall time.", "",
            *lines, "", f"![latency percentiles vs concurrency]({LATENCY_PLOT})"]


def _plot_latency(results: Dict[str, Any], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for name, style in (("ours", "-"), ("anchor", "--")):
        levels = (results.get(name) or {}).get("levels") or []
        if not levels:
            continue
        x = [lv["concurrency"] for lv in levels]
        for key, color in (("p50_ms", "tab:blue"), ("p95_ms", "tab:orange"), ("p99_ms", "tab:red")):
            ax.plot(x, [lv[key] for lv in levels], style, marker="o", color=color, label=f"{name} {key[:3]}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("concurrent conversations")
    ax.set_ylabel("latency per message (ms)")
    ax.set_title("REST latency percentiles (solid: ours, dashed: Rasa defaults)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _accuracy_section(results: Dict[str, Any], out: Path) -> List[str]:
    systems = [("ours", (results["ours"] or {}).get("accuracy")), ("BM25 top-1", results.get("bm25")),
               ("anchor", (results.get("anchor") or {}).get("accuracy"))]
    systems = [(name, result) for name, result in systems if result]
    lines = ["| | " + " | ".join(name for name, _ in systems) + " |", "|---|" + "---:|" * len(systems)]
    for label, key in (("all (same rules as `make eval`)", "strict"), ("content only (language not checked)",
                                                                       "content_only")):
        lines.append(f"| {label} | " + " | ".join(f"{r[key]['passed']}/{r[key]['total']}" for _, r in systems) + " |")
    for lang in ("fr", "en"):
        lines.append(f"| {lang} | " + " | ".join("{}/{}".format(*r["strict"]["by_lang"].get(lang, [0, 0]))
                                                for _, r in systems) + " |")
    topics = sorted(systems[0][1]["strict"]["by_topic"])
    topic_lines = ["| topic | " + " | ".join(name for name, _ in systems) + " |", "|---|" + "---:|" * len(systems)]
    for topic in topics:
        topic_lines.append(f"| {topic} | " + " | ".join("{}/{}".format(*r["strict"]["by_topic"].get(topic, [0, 0]))
                                                       for _, r in systems) + " |")
    _plot_accuracy(systems, topics, out / ACCURACY_PLOT)
    failures = (results["ours"].get("accuracy") or {}).get("failures") or []
    examples = ("../shared/examples/acceptance_examples.yaml" if scoring.DEFAULT_EXAMPLES == scoring.ACCEPTANCE_EXAMPLES
                else str(scoring.DEFAULT_EXAMPLES.relative_to(scoring.ROOT)))
    return [f"`{examples}`, each question a new conversation with its organisation "
            "as metadata, scored by `devtools/scoring.py` (the rules `make eval` uses). The baseline is the plain "
            "search a person would otherwise have: BM25 over the five policy texts split into "
            f"{results['bm25']['passages']} passages, the top passage of the organisation's policy as the answer. "
            "Its passages are in the policy's language, so cross-language questions fail the language rule; the "
            "content-only line leaves that rule out.", "", *lines, "", "Per topic:", "", *topic_lines, "",
            f"![accuracy per topic]({ACCURACY_PLOT})", "",
            f"Our failures: {', '.join(f['id'] for f in failures) if failures else 'none'}."]


def _plot_accuracy(systems: List[Tuple[str, Dict[str, Any]]], topics: List[str], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / len(systems)
    for index, (name, result) in enumerate(systems):
        values = []
        for topic in topics:
            passed, total = result["strict"]["by_topic"].get(topic, [0, 0])
            values.append(passed / total if total else 0)
        ax.bar([i + index * width for i in range(len(topics))], values, width, label=name)
    ax.set_xticks([i + width * (len(systems) - 1) / 2 for i in range(len(topics))])
    ax.set_xticklabels(topics, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("share of examples answered correctly")
    ax.set_ylim(0, 1.25)
    ax.set_title("Acceptance examples per topic")
    ax.legend(fontsize=8, loc="upper center", ncol=len(systems))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _nlu_section(results: Dict[str, Any]) -> List[str]:
    nlu = results["nlu"]
    data = "`data/nlu`" if nlu.get("every", 1) == 1 else f"one in {nlu['every']} examples of `data/nlu`"
    lines = [f"`rasa test nlu --cross-validation --folds {nlu['folds']}` on {data} with `config.yml` as shipped "
             f"({nlu['seconds']:.0f} s). Each test example is labelled with the language "
             "detected in it (`language/detection.py`); \"undetermined\" are the short ones that say neither. Intent F1 is "
             "weighted over intents, as Rasa reports it; entity F1 is over exact spans (type, start, end) of the "
             "CRF entity extractor.", "",
             "| language | examples | intent F1 | entities | entity precision | entity recall | entity F1 |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for lang, intent in nlu["intent"].items():
        entity = nlu["entity"].get(lang, {})
        lines.append(f"| {lang} | {intent['examples']} | {intent['f1']:.3f} | {entity.get('entities', 0)} | "
                     f"{entity.get('precision', 0):.3f} | {entity.get('recall', 0):.3f} | {entity.get('f1', 0):.3f} |")
    overall = nlu.get("rasa_overall") or {}
    lines += ["", f"Rasa's own overall figures: intent F1 {_fmt(overall.get('intent_f1'), 3)}, entity F1 (token "
                  f"level) {_fmt(overall.get('entity_f1'), 3)}."]
    return lines


def _training_section(results: Dict[str, Any]) -> List[str]:
    lines = []
    if results.get("training_s"):
        times = ", ".join(f"{t:.0f} s" for t in results["training_s"])
        lines.append(f"- Ours: `python scripts/train.py --out <new temporary directory>` (nothing cached): {times}; "
                     f"median {statistics.median(results['training_s']):.0f} s.")
    else:
        lines.append("- Ours: not timed in this run (smoke run).")
    record = results.get("anchor_training")
    if record:
        lines.append(f"- Anchor: Rasa's default pipeline and policies with epochs capped at {record['epochs']}: "
                     f"{record['seconds']:.0f} s ({'cached from ' + record['measured_at'] if record.get('cached') else 'this run'}); "
                     "the default 100 epochs would take about ten times as long (one DIET epoch with two transformer "
                     "layers and entity tagging takes about 15 s here).")
    else:
        lines.append("- Anchor: not run (smoke run or `--no-anchor`).")
    return lines


def _profile_section(results: Dict[str, Any]) -> List[str]:
    profile = results["profile"]
    steps = profile["ms_per_message"]
    total = steps.get("total", 0.0) or 1.0
    when = f" (measured {profile['measured_at']})" if profile.get("measured_at") else ""
    lines = [f"Rasa loaded in the bench's own process{when}, {profile['messages']} messages of the scripted conversations "
             "one at a time after a warm-up, wall-clock time around each step (`bench/profile.py`). Milliseconds "
             "per message (steps overlap: the tracker serialisation is inside the round trip):", "",
             "| step | ms per message | share |", "|---|---:|---:|"]
    for step, ms in sorted(steps.items(), key=lambda item: -item[1]):
        lines.append(f"| {step} | {ms:.1f} | {ms / total:.0%} |")
    lines += ["", "NLU components (a second pass under cProfile, shares scaled to the NLU time above):", "",
              "| component | ms per message |", "|---|---:|"]
    lines += [f"| {name} | {ms:.1f} |" for name, ms in profile["nlu_components_ms"].items() if ms >= 0.05]
    lines += ["", f"Action server side: the {profile['action_calls_per_message']:.2f} action calls per message "
                  "recorded above, replayed warm through the SDK's executor (cProfile shares scaled to the "
                  "unprofiled time); the rest of the round trip is HTTP and Sanic:", "",
              "| part | ms per message |", "|---|---:|"]
    lines += [f"| {name} | {ms:.1f} |" for name, ms in profile["action_server_ms"].items()]
    rows = profile["long_conversation"]
    if rows:
        head, tail = rows[: max(1, len(rows) // 8)], rows[-max(1, len(rows) // 8):]
        lines += ["", f"Tracker size: one conversation of {len(rows)} questions. The action server receives the "
                      f"whole tracker with every call (the form validators the domain too): median payload "
                      f"{profile['payload_kb_median']:.0f} KB over the scripted conversations; in the long one "
                      f"{statistics.median(r['payload_kb'] for r in head):.0f} KB at the start, "
                      f"{statistics.median(r['payload_kb'] for r in tail):.0f} KB at the end, and the latency "
                      f"{statistics.median(r['ms'] for r in head):.0f} ms → "
                      f"{statistics.median(r['ms'] for r in tail):.0f} ms per message. Per step (medians of the "
                      "first and of the last turns):", "", "| step | ms at the start | ms at the end |", "|---|---:|---:|"]
        for step in sorted(tail[0].get("steps_ms", {}), key=lambda name: -tail[0]["steps_ms"][name]):
            lines.append(f"| {step} | {statistics.median(r['steps_ms'].get(step, 0.0) for r in head):.1f} | "
                         f"{statistics.median(r['steps_ms'].get(step, 0.0) for r in tail):.1f} |")
    return lines


def _variants_section(results: Dict[str, Any]) -> List[str]:
    measured = results.get("variants")
    if not measured:
        return ["Serving variants: not measured in this run (smoke run or `--no-variants`)."]
    ours = results["ours"]
    lines = ["Serving variants measured in this run, one repeat each, same load (`bench/variants.py`); the shipped "
             "setup is the median of the runs above:", "",
             "| variant | cold start s | Rasa RSS MB | p50 @1 ms | p95 @10 ms | p95 @50 ms | msg/s @10 | msg/s @50 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]

    def row(name: str, system: Dict[str, Any]) -> str:
        return (f"| {name} | {system['cold_start_s']:.1f} | {system['rss_mb']['rasa']:.0f} | "
                f"{_fmt(_get(system, 1, 'p50_ms'))} | {_fmt(_get(system, 10, 'p95_ms'))} | "
                f"{_fmt(_get(system, 50, 'p95_ms'))} | {_fmt(_get(system, 10, 'messages_per_s'), 1)} | "
                f"{_fmt(_get(system, 50, 'messages_per_s'), 1)} |")
    lines.append(row("shipped (median of the runs above)", ours))
    for variant in measured:
        if variant.get("skipped"):
            lines.append(f"| {variant['name']} | skipped: {variant['skipped']} | | | | | | |")
        else:
            lines.append(row(variant["name"], variant))
    return lines


def flood_section(flood: Optional[Dict[str, Any]], out: Path) -> List[str]:
    """Rasa's memory while new conversations of one message each pour in (bench/flood.py)."""
    if not flood:
        return ["Not measured in this run (`python -m bench --flood-only` measures it alone)."]
    runs = flood["runs"]
    lines = [f"`bench/flood.py`: {runs[0]['conversations']:,} new conversations of one message each (the acceptance "
             f"questions in turn), {runs[0]['concurrency']} at a time over the REST channel, after a warm-up; the "
             "resident memory (VmRSS) of the Rasa process tree sampled every 0.5 s; then a wait past the conversation "
             "expiry (`CONVERSATION_TTL`) and one more message, which sweeps the idle conversations out. Meanwhile one "
             "legitimate conversation asks the acceptance examples of one organisation in one language in turn, one every "
             "2.5 s (under the limit of 30 messages a minute in one conversation), each "
             "answer timed and scored by the rules of `make eval`. MB per 1,000 conversations is the growth over the "
             "first and over the second half of the flood; \"plateau\" when the second half grows by less than a "
             "quarter of the first half's rate (or under 1 MB per 1,000).", "",
             "| expiry (TTL) | before MB | end of flood MB | after the TTL MB | MB / 1,000, first half | "
             "MB / 1,000, second half | plateau | conversations/s | unanswered | legitimate: correct | "
             "legitimate p50 / p95 / max ms |",
             "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"]
    for run in runs:
        legit = run["legitimate"]
        ttl = f"{run['ttl_s']:,} s" + (" (shipped default)" if run["ttl_s"] >= 86400 else "")
        lines.append(f"| {ttl} | {run['before_mb']:.0f} | {run['end_of_flood_mb']:.0f} | {run['after_mb']:.0f} | "
                     f"{_fmt(run.get('mb_per_1000_first_half'), 1)} | {_fmt(run.get('mb_per_1000_second_half'), 1)} | "
                     f"{'yes' if run.get('plateau') else 'no'} | {run['per_s']:.1f} | {run['unanswered']} | "
                     f"{legit['correct']}/{legit['asked']} | {legit['p50_ms']:.0f} / {legit['p95_ms']:.0f} / "
                     f"{legit['max_ms']:.0f} |")
    _plot_flood(runs, out / FLOOD_PLOT)
    return [*lines, "", f"![Rasa's memory during the flood]({FLOOD_PLOT})"]


def _plot_flood(runs: List[Dict[str, Any]], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for run in runs:
        samples = run["samples"]
        ax.plot([s["s"] for s in samples], [s["rss_mb"] for s in samples], label=f"TTL {run['ttl_s']:,} s")
        done = next((s["s"] for s in samples if s["conversations"] >= run["conversations"]), None)
        if done is not None:
            ax.axvline(done, linestyle=":", color=ax.lines[-1].get_color(), alpha=0.6)
    ax.set_xlabel("seconds since the flood started (dotted: last conversation sent)")
    ax.set_ylabel("Rasa resident memory (MB)")
    ax.set_title(f"{runs[0]['conversations']:,} new conversations of one message")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def replace_section(path: Path, heading: str, lines: List[str]) -> None:
    """Puts `heading` and `lines` in the report at `path` in place of that section, or before the last
    section when it has none (a run of one measurement: `python -m bench --flood-only`)."""
    text = path.read_text(encoding="utf-8")
    block = "\n".join([heading, "", *lines, "", ""])
    if heading in text:
        start = text.index(heading)
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + block + (text[end + 1:] if end >= 0 else "")
    else:
        last = text.index(SECTIONS[-1])
        text = text[:last] + block + text[last:]
    path.write_text(text, encoding="utf-8")


def write(results: Dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    notes = NOTES.read_text(encoding="utf-8").strip().splitlines() if NOTES.exists() else ["(no notes)"]
    text = ["# Benchmarks", "",
            "Generated by `make bench` (`python -m bench`); do not edit by hand: the analysis in the last section "
            "comes from `bench/optimisations.md`.", "",
            SECTIONS[0], "", *_summary(results), "",
            SECTIONS[1], "", *_machine_section(results), "",
            SECTIONS[2], "", *_latency_section(results, out), "",
            SECTIONS[3], "", *_accuracy_section(results, out), "",
            SECTIONS[4], "", *_nlu_section(results), "",
            SECTIONS[5], "", *_training_section(results), "",
            SECTIONS[6], "", *_profile_section(results), "",
            SECTIONS[7], "", *flood_section(results.get("flood"), out), "",
            SECTIONS[8], "", *_variants_section(results), "", *notes, "",
            SECTIONS[9], "", *cluster.section(results.get("ours"), results.get("cluster")), ""]
    path = out / "benchmark.md"
    path.write_text("\n".join(text), encoding="utf-8")
    return path


def missing_sections(path: Path) -> List[str]:
    """Sections or plots the report lacks (the CI smoke run's only check: no timing is asserted)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    missing = [section for section in SECTIONS if section not in text]
    return missing + [plot for plot in PLOTS if not (path.parent / plot).exists()]


if __name__ == "__main__":
    # Rewrites the report from the last run's results (e.g. after editing bench/optimisations.md):
    #   python -m bench.report .cache/bench/results.json reports
    import json
    import sys

    written = write(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")), Path(sys.argv[2]))
    print(written, "lacks:", missing_sections(written) or "nothing")
