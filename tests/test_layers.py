"""The layer contract (.importlinter): language → knowledge → tracking → adapters, and no upward import."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def _lint(config: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([LINT_IMPORTS, "--config", str(config), "--no-cache"], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_the_project_keeps_its_layer_contract():
    result = _lint(ROOT / ".importlinter", ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_an_upward_import_breaks_the_contract(tmp_path):
    # A copy of the packages where the knowledge layer imports an action: the contract must catch it.
    for package in ("language", "knowledge", "tracking", "actions", "rasa_extensions", "apps", "devtools", "bench"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    with open(tmp_path / "knowledge" / "rendering.py", "a", encoding="utf-8") as module:
        module.write("\nfrom actions import conversation  # noqa\n")
    result = _lint(ROOT / ".importlinter", tmp_path)
    assert result.returncode != 0
    assert "knowledge.rendering -> actions.conversation" in result.stdout
