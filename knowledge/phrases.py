"""Phrases people put before their answer to a form's question (data/form_phrases.yml)."""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Pattern

from knowledge import schema
from knowledge.loading import load_yaml
from language import DATA_DIR, LANGUAGES

PHRASES_FILE = "form_phrases.yml"


def name_prefix_pattern(data_dir: Path = DATA_DIR) -> Pattern[str]:
    """Matches a name prefix of either language at the start of a message ("my name is", "je m'appelle")."""
    prefixes = schema.parse(schema.FormPhrasesFile, load_yaml(data_dir / PHRASES_FILE), PHRASES_FILE).name_prefixes
    phrases = sorted({phrase for lang in LANGUAGES for phrase in getattr(prefixes, lang)}, key=len, reverse=True)
    return re.compile(rf"^\s*(?:{'|'.join(_phrase_pattern(phrase) for phrase in phrases)})\s*", re.IGNORECASE)


def _phrase_pattern(phrase: str) -> str:
    # Flexible spaces and apostrophes, a colon may stand alone ("nom : Jo"); a phrase ends where a word does, so
    # "I am" is not taken out of "I Amanda".
    pattern = re.escape(phrase).replace(r"\ ", r"\s+").replace(r"\s+:", r"\s*:").replace("'", "['’]")
    return pattern if phrase.endswith(":") else pattern + r"(?![\w'])"


@functools.lru_cache(maxsize=1)
def name_prefix() -> Pattern[str]:
    return name_prefix_pattern()
