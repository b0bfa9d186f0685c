"""The relay's own texts (data/telegram_messages.yml), in French or English."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Dict, Optional

import yaml

MESSAGES_FILE = Path(__file__).resolve().parents[2] / "data" / "telegram_messages.yml"
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"  # the assistant's own default for a conversation with no language hint


@functools.lru_cache(maxsize=1)
def all_messages() -> Dict[str, Dict[str, str]]:
    return yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))


def relay_text(key: str, language: str, **values: Any) -> str:
    """The text `key` in `language` (French when the language is not one of the two)."""
    texts = all_messages()[key]
    text = texts.get(language) or texts[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def supported_language(code: Optional[str]) -> Optional[str]:
    """'fr' or 'en' for a language code such as Telegram's 'en-GB', else None."""
    language = (code or "")[:2].lower()
    return language if language in LANGUAGES else None
