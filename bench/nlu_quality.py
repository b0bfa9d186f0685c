"""Intent and entity F1 per language, by cross-validation with `rasa test nlu`.

The NLU files mix French and English examples; each test example is labelled with the language
detected in its text (language/detection.py), "undetermined" for the short ones that say neither
("cookies", "DPO ?"). Intent F1 is the weighted average over intents, as Rasa reports it; entity F1
is micro-averaged over exact spans (type, start, end) of the trained entity extractor.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Set, Tuple

from sklearn.metrics import f1_score

from language.detection import detect_language

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ENTITY_EXTRACTOR = "CRFEntityExtractor"
Span = Tuple[str, int, int]


def language_of(text: str) -> str:
    return detect_language(text) or "undetermined"


def _read(path: Path) -> List[Dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def intent_f1(out: Path) -> Dict[str, Dict[str, Any]]:
    by_lang: Dict[str, Tuple[List[str], List[str]]] = defaultdict(lambda: ([], []))
    for row in _read(out / "intent_successes.json") + _read(out / "intent_errors.json"):
        truth, predicted = by_lang[language_of(row["text"])]
        truth.append(row["intent"])
        predicted.append((row.get("intent_prediction") or {}).get("name") or "")
    return {lang: {"examples": len(truth), "f1": f1_score(truth, predicted, average="weighted", zero_division=0)}
            for lang, (truth, predicted) in sorted(by_lang.items())}


def _spans(entities: List[Dict[str, Any]], extractor: str = "") -> Set[Span]:
    return {(e["entity"], e["start"], e["end"]) for e in entities or []
            if not extractor or e.get("extractor") == extractor}


def entity_f1(out: Path) -> Dict[str, Dict[str, Any]]:
    rows = {row["text"]: row for row in _read(out / f"{ENTITY_EXTRACTOR}_successes.json")
            + _read(out / f"{ENTITY_EXTRACTOR}_errors.json")}
    counts: Dict[str, List[int]] = defaultdict(lambda: [0, 0, 0])  # true positives, predicted, gold
    for text, row in rows.items():
        gold, predicted = _spans(row["entities"]), _spans(row["predicted_entities"], ENTITY_EXTRACTOR)
        count = counts[language_of(text)]
        count[0] += len(gold & predicted)
        count[1] += len(predicted)
        count[2] += len(gold)
    result = {}
    for lang, (tp, n_predicted, n_gold) in sorted(counts.items()):
        precision = tp / n_predicted if n_predicted else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[lang] = {"entities": n_gold, "precision": precision, "recall": recall, "f1": f1}
    return result


def _rasa_overall(out: Path) -> Dict[str, float]:
    overall = {}
    intent = out / "intent_report.json"
    if intent.exists():
        overall["intent_f1"] = json.loads(intent.read_text())["weighted avg"]["f1-score"]
    entity = out / f"{ENTITY_EXTRACTOR}_report.json"
    if entity.exists():
        report = json.loads(entity.read_text())
        overall["entity_f1"] = (report.get("micro avg") or report["weighted avg"])["f1-score"]
    return overall


def _sample(every: int, out: Path) -> Path:
    """Every `every`-th example of each intent (lookup tables, synonyms and regexes kept), for smoke runs."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = load_data(str(ROOT / "data" / "nlu"))
    by_intent: Dict[str, List[Any]] = defaultdict(list)
    for example in data.intent_examples:
        by_intent[example.get("intent")].append(example)
    kept = [example for examples in by_intent.values() for example in examples[::every]]
    sample = TrainingData(kept, entity_synonyms=data.entity_synonyms, regex_features=data.regex_features,
                          lookup_tables=data.lookup_tables)
    path = out / "nlu-sample.yml"
    RasaYAMLWriter().dump(path, sample)
    return path


def cross_validate(folds: int, every: int = 1) -> Dict[str, Any]:
    """`rasa test nlu --cross-validation` on data/nlu (or every `every`-th example of each intent) with
    config.yml as shipped."""
    with tempfile.TemporaryDirectory(prefix="bench-nlu-") as tmp:
        config = ROOT / "config.yml"
        nlu = str(_sample(every, Path(tmp))) if every > 1 else "data/nlu"
        out = Path(tmp) / "results"
        started = time.monotonic()
        subprocess.run([str(BIN / "rasa"), "test", "nlu", "--nlu", nlu, "--config", str(config),
                        "--cross-validation", "--folds", str(folds), "--successes", "--no-plot", "--out", str(out)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        return {"folds": folds, "every": every, "seconds": time.monotonic() - started,
                "rasa_overall": _rasa_overall(out), "intent": intent_f1(out), "entity": entity_f1(out)}
