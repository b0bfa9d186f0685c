"""The anchor: the same training data and domain trained with Rasa's default configuration.

`rasa init` writes a config.yml whose pipeline and policies are commented out, so Rasa fills in
its default ones (rasa/engine/recipes/config_files/default_config.yml): DIET with two transformer
layers and entity tagging, a ResponseSelector, Memoization, Rule, UnexpecTED and TED policies.
That file is used as it is, except that every `epochs` is capped: on this data one DIET epoch takes
~20 s on two cores, so the default 100 would take over half an hour. Serving cost (latency, memory,
cold start) does not depend on the number of epochs; the training time is reported per epoch too.
The model is cached in .cache/bench/anchor and retrained only when the data or the cap change.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict

import rasa.engine.recipes
import yaml

from bench.training import uncached_environment

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ANCHOR_DIR = ROOT / ".cache" / "bench" / "anchor"
DEFAULT_CONFIG = Path(rasa.engine.recipes.__file__).parent / "config_files" / "default_config.yml"
TRAINING_DATA = ["data/nlu", "data/rules"]
DEFAULT_EPOCHS = 100


def anchor_config(epochs: int) -> Dict[str, Any]:
    config = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    config["assistant_id"] = "bench-anchor"
    for component in config["pipeline"] + config["policies"]:
        if "epochs" in component:
            component["epochs"] = min(epochs, component["epochs"])
    return config


def _models(directory: Path) -> set:
    return {path.name for path in directory.glob("*.tar.gz")}


def train_anchor(epochs: int, directory: Path = ANCHOR_DIR) -> Dict[str, Any]:
    """Trains the anchor into `directory` unless Rasa finds nothing changed; returns its training time."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "config.yml"
    config.write_text(yaml.safe_dump(anchor_config(epochs), sort_keys=False), encoding="utf-8")
    timings = directory / "training.json"
    before = _models(directory)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-anchor-cache-") as cache:
        subprocess.run([str(BIN / "rasa"), "train", "--config", str(config), "--domain", "domain.yml",
                        "--data", *TRAINING_DATA, "--out", str(directory), "--num-threads", "2"],
                       cwd=ROOT, check=True, stdout=open(directory / "train.log", "w"), stderr=subprocess.STDOUT,
                       env=uncached_environment(cache))
    new = _models(directory) - before
    if new:
        seconds = time.monotonic() - started
        record = {"model": new.pop(), "epochs": epochs, "seconds": seconds,
                  "measured_at": time.strftime("%Y-%m-%d %H:%M")}
        timings.write_text(json.dumps(record), encoding="utf-8")
        return {**record, "cached": False}
    return {**json.loads(timings.read_text(encoding="utf-8")), "cached": True}
