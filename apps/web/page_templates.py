"""Jinja2 templates, HTML-escaped everywhere: names and texts typed by people are shown, never run.

Templates hold no words: they get `t(id, **values)`, the catalogue's texts of one surface
(data/texts/<surface>.yml) in the page's language, and `page_language` for `<html lang>`.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from knowledge.texts import text

TEMPLATES = Path(__file__).resolve().parent / "templates"

Translate = Callable[..., str]


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def translator(surface: str, lang: str) -> Translate:
    """t("heading") is the text "<surface>.heading" in `lang`; an unknown id raises, so a typo fails loudly."""
    def t(key: str, **values: Any) -> str:
        return text(f"{surface}.{key}", lang, **values)

    return t


def render(template: str, *, surface: str, lang: str, **context: Any) -> str:
    return _environment().get_template(template).render(t=translator(surface, lang), page_language=lang, **context)
