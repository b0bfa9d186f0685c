"""Phrases people put before their answer to a form's question (data/form_phrases.yml)."""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Pattern

from knowledge.loading import load_yaml
from knowledge.model import KnowledgeError
from language import DATA_DIR, LANGUAGES

PHRASES_FILE = "form_phrases.yml"


def name_prefix_pattern(data_dir: Path = DATA_DIR) -> Pattern[str]:
    """Matches a name prefix of either language at the start of a message ("my name is", "je m'appelle")."""
    raw = load_yaml(data_dir / PHRASES_FILE) or {}
    prefixes = (raw.get("name_prefixes") if isinstance(raw, dict) else None) or {}
    if set(prefixes) != set(LANGUAGES) or not all(isinstance(prefixes[lang], list) and prefixes[lang]
                                                    for lang in LANGUAGES):
        raise KnowledgeError(f"{PHRASES_FILE}: name_prefixes needs a list of phrases for each of "
                             f"{', '.join(LANGUAGES)}")
    phrases = sorted({str(p).strip().lower() for lang in LANGUAGES for p in prefixes[lang]}, key=len, reverse=True)
    return re.compile(rf"^\s*(?:{'|'.join(_phrase_pattern(phrase) for phrase in phrases)})\s*", re.IGNORECASE)


def _phrase_pattern(phrase: str) -> str:
    # Flexible spaces and apostrophes, a colon may stand alone ("nom : Jo"); a phrase ends where a word does, so
    # "I am" is not taken out of "I Amanda".
    pattern = re.escape(phrase).replace(r"\ ", r"\s+").replace(r"\s+:", r"\s*:").replace("'", "['’]")
    return pattern if phrase.endswith(":") else pattern + r"(?![\w'])"


@functools.lru_cache(maxsize=1)
def name_prefix() -> Pattern[str]:
    return name_prefix_pattern()
