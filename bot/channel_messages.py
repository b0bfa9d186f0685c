"""What a channel itself says (not the dialogue): apologies and prompts, from data/channel_messages.yml.

Kept free of Rasa imports: the web app and the Telegram relay use it too.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

import yaml

from bot.language import detect_language

MESSAGES_FILE = Path(__file__).resolve().parent.parent / "data" / "channel_messages.yml"
LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "fr"


@functools.lru_cache(maxsize=1)
def _messages() -> Dict[str, Dict[str, str]]:
    return yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))


def language_hint(metadata: Optional[Mapping[str, Any]]) -> Optional[str]:
    hint = str((metadata or {}).get("language") or "")[:2].lower()
    return hint if hint in LANGUAGES else None


def channel_text(key: str, text: str, metadata: Optional[Mapping[str, Any]] = None) -> str:
    """A channel message, in the language of `text`, else the channel's hint, else French."""
    language = detect_language(text or "") or language_hint(metadata) or DEFAULT_LANGUAGE
    return _messages()[key][language]
