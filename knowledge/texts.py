"""The one text catalogue: every user-facing string outside Rasa's responses, FR and EN side by side.

Files under data/texts/ (one per surface: channel, telegram, status, web, console ...), each entry a
stable id with one text per language. A text is addressed as "<file>.<id>" ("channel.empty_message")
and picked by `text()`, the one function that chooses the language. `{organizations}` in any text is
filled with the names of the organisations in the knowledge files, so adding one needs no text edit.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from knowledge import schema
from knowledge.loading import DATA_DIR, knowledge_base, load_yaml
from knowledge.model import KnowledgeError
from language import DEFAULT_LANGUAGE, language_hint, supported
from language.detection import detect_language

TEXTS_DIR = "texts"


def load_catalogue(data_dir: Path = DATA_DIR) -> Dict[str, Dict[str, str]]:
    """Every text of every file under data/texts/, by "<file>.<id>"; a KnowledgeError lists every problem."""
    catalogue: Dict[str, Dict[str, str]] = {}
    problems: List[str] = []
    for path in sorted((data_dir / TEXTS_DIR).glob("*.yml")):
        try:
            entries = schema.parse(schema.TextsFile, load_yaml(path), path.name).__root__
        except KnowledgeError as error:
            problems.append(str(error))
            continue
        catalogue.update((f"{path.stem}.{key}", entry.by_language()) for key, entry in entries.items())
    if problems:
        raise KnowledgeError("\n".join(problems))
    return catalogue


@functools.lru_cache(maxsize=1)
def catalogue() -> Dict[str, Dict[str, str]]:
    return load_catalogue()


def organization_names() -> str:
    """The organisations' names, as every text and response lists them: "A, B, C" (the same in both
    languages, so a conversation that changes language needs no other list)."""
    return ", ".join(organization.name for organization in knowledge_base().organizations_by_name())


def text(key: str, lang: Optional[str], **values: Any) -> str:
    """The text `key` in `lang` (the default language when `lang` is not one we speak), filled."""
    language = supported(lang) or DEFAULT_LANGUAGE
    template = catalogue()[key][language]
    if "{" not in template:
        return template
    if "{organizations}" in template and "organizations" not in values:
        values["organizations"] = organization_names()
    return template.format_map(_KeepMissing(values))


_DURATION_UNITS = ((86400, "day"), (3600, "hour"), (60, "minute"))


def duration(seconds: int, lang: Optional[str]) -> str:
    """A period as people say it ("a day", "36 hours", "90 minutes"): in the largest unit that divides it
    (minutes, rounded, at the least), from the texts "channel.duration_<unit>" (one) and "…_<unit>s"."""
    unit_seconds, unit = next((pair for pair in _DURATION_UNITS if seconds % pair[0] == 0), _DURATION_UNITS[-1])
    count = max(1, round(seconds / unit_seconds))
    return text(f"channel.duration_{unit}" + ("s" if count > 1 else ""), lang, count=count)


class _KeepMissing(dict):
    """A placeholder without a value stays as written: the widget fills "{length}" itself."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def texts_for(prefix: str, lang: Optional[str]) -> Dict[str, str]:
    """Every text of one file ("web"), by id, in one language: what a page or the widget needs."""
    return {key[len(prefix) + 1:]: text(key, lang) for key in catalogue() if key.startswith(prefix + ".")}


def reply_language(message: str, metadata: Optional[Mapping[str, Any]] = None,
                   conversation_language: Optional[str] = None) -> str:
    """The language to answer a message in: the message's own, else the channel's hint, else the one the
    conversation has spoken so far ("yes" in an English conversation), else the default."""
    return (detect_language(message or "") or language_hint(metadata) or supported(conversation_language)
            or DEFAULT_LANGUAGE)


def channel_text(key: str, message: str, metadata: Optional[Mapping[str, Any]] = None) -> str:
    """A channel's own text ("channel.<key>") in the language of the message it answers."""
    return text(f"channel.{key}", reply_language(message, metadata))
