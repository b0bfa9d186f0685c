"""The assistant's languages: their codes, the default, the one parser of a language hint, detection.

The bottom layer: every other package takes its language codes from here (no Rasa, no database),
and the location of the data files (ASSISTANT_DATA_DIR, default ./data), so that every loader agrees.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Optional

DATA_DIR = Path(os.environ.get("ASSISTANT_DATA_DIR") or Path(__file__).resolve().parent.parent / "data")

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"  # a conversation with no hint and no text that decides starts in French
# The key that marks a message's `language` entity as asked for ("in English please"), not detected.
EXPLICIT_LANGUAGE = "explicit"


def supported(code: Any) -> Optional[str]:
    """'fr' or 'en' for a code such as 'en-GB', 'FR' or Telegram's 'en', else None."""
    language = str(code or "")[:2].lower()
    return language if language in LANGUAGES else None


def language_hint(metadata: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The language a channel sends with a message (`metadata.language`), if it is one we speak."""
    return supported((metadata or {}).get("language")) if isinstance(metadata, Mapping) else None
