"""Train a model when the training data, domain or config changed (Rasa skips it otherwise).

    python scripts/train.py                      # the shipped model, into models/
    python scripts/train.py --epochs 20 --out .cache/test-models   # a quick one for the tests
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TRAINING_DATA = ["data/nlu", "data/rules.yml"]


def config_with_epochs(epochs: int, out: Path) -> Path:
    """config.yml with fewer DIET epochs, for test models; the pipeline itself stays the same."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if "epochs" in component:
            component["epochs"] = epochs
    out.mkdir(parents=True, exist_ok=True)
    path = out / "config.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, help="override the classifier's epochs (test models)")
    parser.add_argument("--out", default="models", help="model directory (default: models)")
    args = parser.parse_args()
    out = ROOT / args.out
    config = config_with_epochs(args.epochs, out) if args.epochs else ROOT / "config.yml"
    command = [sys.executable, "-m", "rasa_extensions.launcher", "train", "--config", str(config), "--domain", "domain.yml",
               "--data", *TRAINING_DATA, "--out", str(out), "--num-threads", "2"]
    return subprocess.call(command, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
