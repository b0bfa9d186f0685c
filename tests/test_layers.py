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


PACKAGES = ("language", "knowledge", "tracking", "actions", "rasa_extensions", "apps", "devtools", "bench")


def _lint_with(tmp_path, module: str, line: str) -> subprocess.CompletedProcess:
    """The contract run on a copy of the packages where `module` (a path) gets one more import."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    with open(tmp_path / module, "a", encoding="utf-8") as source:
        source.write(f"\n{line}  # noqa\n")
    return _lint(ROOT / ".importlinter", tmp_path)


def test_an_upward_import_breaks_the_contract(tmp_path):
    # The knowledge layer importing an action: the contract must catch it.
    result = _lint_with(tmp_path, "knowledge/rendering.py", "from actions import conversation")
    assert result.returncode != 0
    assert "knowledge.rendering -> actions.conversation" in result.stdout


def test_an_adapter_importing_another_adapter_breaks_the_contract(tmp_path):
    # The adapters are siblings: the web app may not reach into the actions.
    result = _lint_with(tmp_path, "apps/web/app.py", "from actions import conversation")
    assert result.returncode != 0
    assert "apps.web.app -> actions.conversation" in result.stdout


def test_the_contract_has_no_exceptions():
    # An ignored import is an upward or sideways import the contract no longer sees.
    assert "ignore_imports" not in (ROOT / ".importlinter").read_text(encoding="utf-8")


def test_an_import_cycle_inside_a_layer_breaks_the_contract(tmp_path):
    # Selecting facts does not depend on answering, which depends on it.
    result = _lint_with(tmp_path, "knowledge/selection.py", "from knowledge import answering")
    assert result.returncode != 0
    assert "No cycles are allowed in knowledge" in result.stdout
