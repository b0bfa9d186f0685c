"""Names at the request form's name prompt, over the REST channel: is each name taken as typed?

Each name gets a fresh conversation: a rights request (organisation as metadata), the name, an
e-mail address, then "annuler" at the summary, so nothing is filed in the tracking database.
"""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterator, List, Tuple

import yaml

from devtools.scoring import ROOT, reply_text, say

NAMES = ROOT / "data" / "eval" / "names.yaml"
REQUEST = {"fr": "Je veux accéder à mes données", "en": "I want to access my data"}
CANCEL = {"fr": "annuler", "en": "cancel"}


def load_names(path: Path = NAMES) -> List[Tuple[str, str]]:
    """(group, name) for every name of the file (groups: word_like, world)."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [(group, name) for group, names in raw.items() for name in names]


def name_taken(url: str, name: str, organization: str, lang: str) -> bool:
    """Whether the summary of a request shows `name` exactly as typed."""
    sender, metadata = f"eval-name-{uuid.uuid4().hex[:12]}", {"organization": organization, "language": lang}
    say(url, REQUEST[lang], sender, metadata)
    say(url, name, sender, metadata)
    summary = reply_text(say(url, f"eval.{uuid.uuid4().hex[:8]}@example.org", sender, metadata))
    say(url, CANCEL[lang], sender, metadata)
    return name in summary


def run(url: str, organization: str, path: Path = NAMES) -> Iterator[Tuple[str, str, str, bool]]:
    """(group, name, language, taken) for every name, alternating French and English conversations."""
    for index, (group, name) in enumerate(load_names(path)):
        lang = ("fr", "en")[index % 2]
        yield group, name, lang, name_taken(url, name, organization, lang)
