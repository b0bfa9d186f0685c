"""Train a model when the training data, domain or config changed; otherwise keep the latest one.

    python scripts/train.py                            # the shipped model, into models/
    python scripts/train.py --out .cache/test-models   # the same configuration elsewhere (make test's model)
    python scripts/train.py --check                    # exit 0 if the model is up to date, 1 if not

The topic rules and domain.yml's list of topic intents are written from data/topics.yml first
(rasa_extensions/topic_rules.py). `rasa train` writes a new model on every call, even when its
cache makes the training itself quick, so the inputs' fingerprint is kept beside the model
(`<out>/.fingerprint`) and nothing runs when it has not changed.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Iterator, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.servers import latest_model  # noqa: E402
from language import DATA_DIR  # noqa: E402
from rasa_extensions import topic_rules  # noqa: E402

CONFIG, DOMAIN = ROOT / "config.yml", ROOT / "domain.yml"
TRAINING_DATA = [DATA_DIR / "nlu", DATA_DIR / "rules"]  # ASSISTANT_DATA_DIR chooses the data folder
# Our trainable NLU components and the text normalisation they learn on: a change retrains.
TRAINED_CODE = [ROOT / "rasa_extensions" / "aspect_classifier.py", ROOT / "knowledge" / "matching.py",
                ROOT / "knowledge" / "courtesy.py", DATA_DIR / "courtesy.yml", ROOT / "language" / "meaning.py",
                DATA_DIR / "nlu_vectors.npz"]
FINGERPRINT = ".fingerprint"


def _inputs() -> Iterator[Path]:
    for path in (CONFIG, DOMAIN, *TRAINING_DATA, *TRAINED_CODE):
        yield from sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]


def fingerprint() -> str:
    """A hash of everything the model is trained from, and of the Rasa version training it."""
    digest = hashlib.sha256(metadata.version("rasa").encode())
    for path in _inputs():
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def up_to_date(out: Path) -> Optional[Path]:
    """The model Rasa would serve from `out` if it was trained from the current inputs, else None."""
    if topic_rules.outdated():
        return None
    try:
        recorded = json.loads((out / FINGERPRINT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    try:
        latest = latest_model(out)
    except FileNotFoundError:
        return None
    if latest.name != recorded.get("model") or recorded.get("fingerprint") != fingerprint():
        return None
    return latest


def train(out: Path) -> int:
    topic_rules.write()
    current = fingerprint()
    before = set(out.glob("*.tar.gz"))
    command = [sys.executable, "-m", "rasa_extensions.launcher", "train", "--config", str(CONFIG),
               "--domain", str(DOMAIN), "--data", *map(str, TRAINING_DATA), "--out", str(out), "--num-threads", "2"]
    code = subprocess.call(command, cwd=ROOT)
    new = set(out.glob("*.tar.gz")) - before
    if code == 0 and len(new) == 1:
        (out / FINGERPRINT).write_text(json.dumps({"fingerprint": current, "model": new.pop().name}) + "\n",
                                       encoding="utf-8")
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="models", help="model directory (default: models)")
    parser.add_argument("--check", action="store_true", help="only say whether the model is up to date (exit 0) or not (1)")
    args = parser.parse_args()
    out = (ROOT / args.out).resolve()
    model = up_to_date(out)
    if model is not None:
        print(f"Model up to date: {model.relative_to(ROOT) if model.is_relative_to(ROOT) else model}")
        return 0
    if args.check:
        print("The model needs training.")
        return 1
    return train(out)


if __name__ == "__main__":
    sys.exit(main())
