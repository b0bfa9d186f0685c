"""The question inside a polite letter: "Bonjour, pourriez-vous m'indiquer combien de temps vous gardez
mon CV ? Merci d'avance." is read as "combien de temps vous gardez mon cv ?".

The aspect classifier reads every text (its training examples and each message) through `core`, so
greetings, request formulas and thanks (data/courtesy.yml) weigh nothing in which topic a question
is placed: a long polite wording is classified like the plain one.
"""
from __future__ import annotations

import functools
import re
from typing import Pattern, Tuple

from knowledge import schema
from knowledge.loading import load_yaml
from knowledge.matching import normalize, words_pattern
from language import DATA_DIR, LANGUAGES

COURTESY_FILE = "courtesy.yml"
MIN_WORDS = 3         # what is left must still be a message; "hello" and "thank you" stay what they are
_PUNCTUATION = " ,.;:!-"


@functools.lru_cache(maxsize=1)
def _patterns() -> Tuple[Pattern[str], Pattern[str]]:
    spec = schema.parse(schema.CourtesyFile, load_yaml(DATA_DIR / COURTESY_FILE), COURTESY_FILE)
    openers, closers = (tuple(phrase for lang in LANGUAGES for phrase in getattr(phrases, lang))
                        for phrases in (spec.openers, spec.closers))
    return words_pattern(openers), re.compile(rf"(?:{words_pattern(closers).pattern})[\s{re.escape(_PUNCTUATION)}]*$")


# The classifier's two vectorisers (words, characters) each read every text: the second gets it from here.
@functools.lru_cache(maxsize=16384)
def core(text: str) -> str:
    """The normalised text without its courtesy (data/courtesy.yml); the whole normalised text when
    fewer than MIN_WORDS words would be left."""
    whole = normalize(text)
    openers, closers = _patterns()
    rest, previous = whole, None
    while rest != previous:
        previous = rest
        rest = rest.strip(_PUNCTUATION)
        if opener := openers.match(rest):
            rest = rest[opener.end():]
        without, closed = closers.subn("", rest)
        rest = without.rstrip(_PUNCTUATION) if closed else rest
    return rest if len(rest.split()) >= MIN_WORDS else whole
