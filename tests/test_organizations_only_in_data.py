"""Organisations exist only in data: no code, template, script, domain, rule or text names one.

Adding or renaming one is then a change of data/knowledge, data/policies and data/nlu only
(tests/e2e/test_sixth_organization.py serves one added that way).
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = ("language", "knowledge", "tracking", "actions", "rasa_extensions", "apps", "devtools", "bench", "scripts")
SUFFIXES = {".py", ".js", ".html", ".css", ".sh"}


def _files():
    for package in CODE:
        yield from (path for path in (ROOT / package).rglob("*") if path.suffix in SUFFIXES)
    yield ROOT / "domain.yml"
    yield from (ROOT / "data" / "rules").glob("*.yml")
    yield from (ROOT / "data" / "texts").glob("*.yml")


def test_no_organisation_is_named_outside_its_data(kb):
    names = {term for org in kb.organizations.values() for term in (org.name, org.slug)}
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
                         + r")(?![\w-])", re.IGNORECASE)
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}"
             for path in _files() for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if pattern.search(line)]
    assert found == []
