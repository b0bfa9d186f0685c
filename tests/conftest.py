"""Shared fixtures: the knowledge base and the domain, loaded once per test session."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.loading import load_knowledge_base
from knowledge.model import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="session")
def domain() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
