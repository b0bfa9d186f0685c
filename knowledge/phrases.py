"""How a message relates to the question a form asked (data/form_phrases.yml): the phrases before a
name, a cancel phrase, a formula (greeting, thanks, yes) and the words that make it a sentence.

Whole-message phrases are compared after normalisation (case, accents, apostrophes, punctuation),
so "Annuler !" and "annuler" are one phrase; a name is never compared with them word by word.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import FrozenSet, Pattern

from knowledge import schema
from knowledge.loading import load_yaml
from knowledge.matching import normalize
from language import DATA_DIR, LANGUAGES

PHRASES_FILE = "form_phrases.yml"
_PUNCTUATION = re.compile(r"[^\w\s'-]+")


@dataclass(frozen=True)
class FormPhrases:
    name_prefix: Pattern[str]
    cancel: FrozenSet[str]
    formulas: FrozenSet[str]
    sentence_words: FrozenSet[str]

    def is_cancel(self, message: str) -> bool:
        """Whether the whole message asks to stop ("annuler", "never mind"), in either language."""
        return _phrase_of(message) in self.cancel

    def is_formula(self, message: str) -> bool:
        """Whether the whole message is a greeting, thanks, a yes or an ok: no answer to a question."""
        return _phrase_of(message) in self.formulas

    def is_sentence(self, message: str) -> bool:
        """Whether the message has a word that no name has ("je", "want", "combien" ...)."""
        return any(word in self.sentence_words for word in _phrase_of(message).split())


def _phrase_of(message: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", normalize(message)).split())


def load_form_phrases(data_dir: Path = DATA_DIR) -> FormPhrases:
    spec = schema.parse(schema.FormPhrasesFile, load_yaml(data_dir / PHRASES_FILE), PHRASES_FILE)

    def both(field: str) -> FrozenSet[str]:
        return frozenset(_phrase_of(phrase) for lang in LANGUAGES for phrase in getattr(getattr(spec, field), lang))

    prefixes = sorted({p for lang in LANGUAGES for p in getattr(spec.name_prefixes, lang)}, key=len, reverse=True)
    prefix = re.compile(rf"^\s*(?:{'|'.join(_phrase_pattern(p) for p in prefixes)})\s*", re.IGNORECASE)
    return FormPhrases(prefix, both("cancel"), both("formulas"), both("sentence_words"))


def name_prefix_pattern(data_dir: Path = DATA_DIR) -> Pattern[str]:
    """Matches a name prefix of either language at the start of a message ("my name is", "je m'appelle")."""
    return load_form_phrases(data_dir).name_prefix


def _phrase_pattern(phrase: str) -> str:
    # Flexible spaces and apostrophes, a colon may stand alone ("nom : Jo"); a phrase ends where a word does, so
    # "I am" is not taken out of "I Amanda".
    pattern = re.escape(phrase).replace(r"\ ", r"\s+").replace(r"\s+:", r"\s*:").replace("'", "['’]")
    return pattern if phrase.endswith(":") else pattern + r"(?![\w'])"


@functools.lru_cache(maxsize=1)
def form_phrases() -> FormPhrases:
    return load_form_phrases()


def name_prefix() -> Pattern[str]:
    return form_phrases().name_prefix
