"""The web app (apps/web) holds no words of its own: its templates, script and Python take every text
from the catalogue (data/texts/web.yml, console.yml) and name no organisation. The texts being in
both languages is tests/test_texts.py's job; the pages actually speaking them is tests/e2e's."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from knowledge.texts import catalogue
from tracking.accounts import REFUSAL_REASONS
from tracking.models import AuditAction, Status

WEB = Path(__file__).resolve().parent.parent / "apps" / "web"
SOURCES = sorted(path for path in WEB.rglob("*") if path.suffix in (".py", ".html", ".js", ".css"))
TEMPLATES = sorted((WEB / "templates").glob("*.html"))
# Attributes people read or hear (screen readers) must come from the catalogue too.
SPOKEN_ATTRIBUTES = re.compile(r'\b(aria-label|title|placeholder|alt)="([^"]*)"')


def _words_outside_jinja(template: str) -> str:
    for pattern in (r"\{#.*?#\}", r"\{\{.*?\}\}", r"\{%.*?%\}", r"<pre>.*?</pre>", r"<!--.*?-->", r"<[^>]+>"):
        template = re.sub(pattern, " ", template, flags=re.S)
    return template


def test_the_sources_are_found():
    assert {path.name for path in SOURCES} >= {"widget.js", "console.py", "app.py", "base.html", "demo.html"}


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: path.name)
def test_a_template_has_no_words_of_its_own(path):
    template = path.read_text(encoding="utf-8")
    assert re.findall(r"[^\W\d_]{2,}", _words_outside_jinja(template)) == []
    assert [value for _name, value in SPOKEN_ATTRIBUTES.findall(template) if not value.startswith("{{")] == []
    assert "page_language ==" not in template  # the language is chosen once, by t(), not per sentence


def test_the_template_check_finds_a_word():
    assert _words_outside_jinja('<p>{{ t("x") }} Sign in</p>{% if a %}<b>{{ b }}</b>{% endif %}').split() == \
        ["Sign", "in"]


def test_every_text_the_widget_uses_is_in_the_catalogue():
    script = (WEB / "static" / "widget.js").read_text(encoding="utf-8")
    used = set(re.findall(r"\bUI\.(\w+)", script))
    widget_ids = {key[len("web.widget_"):] for key in catalogue() if key.startswith("web.widget_")}
    assert used and used <= widget_ids, used - widget_ids


def _longest_literal(template: str) -> str:
    return max((literal for literal, *_ in string.Formatter().parse(template)), key=len).strip()


def test_no_catalogue_text_is_copied_into_the_web_app():
    sources = {path.name: path.read_text(encoding="utf-8") for path in SOURCES}
    copies = []
    for key, by_language in catalogue().items():
        for lang, template in by_language.items():
            literal = _longest_literal(template)
            if len(literal) >= 15:
                copies += [f"{key} ({lang}) in {name}" for name, source in sources.items() if literal in source]
    assert copies == []


def test_no_organisation_is_named_in_the_web_app(kb):
    names = [organization.name for organization in kb.organizations_by_name()]
    found = [f"{name} in {path.name}" for path in SOURCES for name in names
             if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", path.read_text(encoding="utf-8"), re.I)]
    assert names and found == []


def test_staff_read_every_status_from_the_console_texts():
    assert {f"console.status_{status.value}" for status in Status} <= set(catalogue())


def test_administrators_read_every_audit_action_and_account_refusal_from_the_console_texts():
    assert {f"console.audit_action_{action.value}" for action in AuditAction} <= set(catalogue())
    assert {f"console.account_error_{reason}" for reason in REFUSAL_REASONS} <= set(catalogue())
