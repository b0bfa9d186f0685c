"""Training time of the shipped configuration: scripts/train.py into a fresh temporary directory."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent


def uncached_environment(cache_dir: str) -> Dict[str, str]:
    """Rasa reuses trained components from its cache (.rasa/cache): an empty one times a whole training."""
    return {**os.environ, "RASA_CACHE_DIRECTORY": cache_dir}


def time_training() -> float:
    """Seconds for one full training: a new output directory and an empty component cache."""
    with tempfile.TemporaryDirectory(prefix="bench-train-") as out:
        command = [sys.executable, "scripts/train.py", "--out", out]
        started = time.monotonic()
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                       env=uncached_environment(str(Path(out) / "cache")))
        return time.monotonic() - started


def training_times(repeats: int) -> List[float]:
    return [time_training() for _ in range(repeats)]
