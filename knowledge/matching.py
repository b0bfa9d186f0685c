"""Accent- and case-insensitive matching of keywords and names in a user's message."""
from __future__ import annotations

import functools
import re
import unicodedata
from typing import Iterable, List, Mapping, Match, Optional, Pattern, Tuple


# The endings a French or English noun takes in the plural or the feminine ('s', 'es', 'e', 'x', 'es'
# after an 'e'): a category's word then matches all its forms without listing them.
INFLECTION = r"(?:e?s|e|x)?"


def normalize(text: str) -> str:
    """Lower-case, accents stripped, typographic apostrophes unified, whitespace collapsed."""
    text = unicodedata.normalize("NFD", text or "")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    text = text.lower().replace("’", "'").replace("‘", "'")
    return re.sub(r"\s+", " ", text).strip()


@functools.lru_cache(maxsize=8192)
def normalized_keyword(keyword: str) -> str:
    return normalize(keyword)


@functools.lru_cache(maxsize=8192)
def prefix_pattern(keyword: str) -> Pattern[str]:
    """Matches `keyword` where a word starts, so a stem ('conserv') matches 'conservez'."""
    return re.compile(r"(?<![a-z0-9])" + re.escape(normalized_keyword(keyword)))


@functools.lru_cache(maxsize=4096)
def phrase_pattern(phrase: str, max_gap: int = 1, whole_words: bool = False) -> Pattern[str]:
    """Matches `phrase` with up to `max_gap` words between two of its words: "recuperer mes donnees" in
    "récupérer toutes mes données". Each word is the start of a word, like prefix_pattern; with
    `whole_words`, only a word marked as a stem ("enregistr*") is, the others match whole with their
    plural or feminine ending ("call* record*" in "calls with advisors recorded", "app" not in "applies")."""
    words = []
    for word in normalized_keyword(phrase).split():
        if not whole_words:
            words.append(re.escape(word))
        elif word.endswith("*"):
            words.append(rf"{re.escape(word[:-1])}[a-z0-9'-]*")
        else:
            words.append(rf"{re.escape(word)}{INFLECTION}(?![a-z0-9])")
    return re.compile(r"(?<![a-z0-9])" + rf"(?:\s+\S+){{0,{max_gap}}}?\s+".join(words))


@functools.lru_cache(maxsize=4096)
def phrase_anchor(phrase: str) -> str:
    """The phrase's longest word (a stem without its "*"): a text without it cannot match the phrase."""
    return max((word.rstrip("*") for word in normalized_keyword(phrase).split()), key=len)


def phrase_starts(normalized_text: str, keyword: str) -> List[int]:
    """Where in the text the keyword is found, as phrase_pattern finds it."""
    return [match.start() for match in phrase_pattern(keyword).finditer(normalized_text)]


def _keyword_match(normalized_text: str, keyword: str) -> Optional[Match[str]]:
    # Most of an organisation's keywords are absent from a question: a substring test rules them
    # out before the regex (this loop was half of the action server's time).
    if normalized_keyword(keyword) not in normalized_text:
        return None
    return prefix_pattern(keyword).search(normalized_text)


@functools.lru_cache(maxsize=4096)
def word_pattern(name: str, inflected: bool = False) -> Pattern[str]:
    """Matches `name` as whole words only (an alias 'ab' does not match inside 'abstract'); when
    `inflected`, also with a plural or feminine ending ('candidat' in 'candidates', 'CV' in 'CVs')."""
    if not inflected:
        return words_pattern((name,))
    return re.compile(rf"(?<![a-z0-9]){re.escape(normalize(name))}{INFLECTION}(?![a-z0-9])")


@functools.lru_cache(maxsize=256)
def words_pattern(names: Tuple[str, ...]) -> Pattern[str]:
    """Matches any of `names` as whole words, the longest first: one pattern for a list read on every message.
    A name ending in an elision ("quand j'", "comment j'") runs into the next word ("quand j'ai")."""
    alternatives = "|".join(re.escape(name) + ("" if name.endswith("'") else "(?![a-z0-9])")
                            for name in sorted(map(normalize, names), key=len, reverse=True) if name)
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})")


def named_in_order(normalized_text: str, names: Mapping[str, Iterable[str]], inflected: bool = False) -> List[str]:
    """The keys whose names occur in the text as whole words (with an ending, when `inflected`:
    common nouns, not proper names), in the order they first appear."""
    positions = []
    for key, words in names.items():
        hits = [m.start() for word in words if word for m in [word_pattern(word, inflected).search(normalized_text)] if m]
        if hits:
            positions.append((min(hits), key))
    return [key for _, key in sorted(positions)]


def matched_keywords(normalized_text: str, keywords: Iterable[str]) -> List[str]:
    return [keyword for keyword in keywords if _keyword_match(normalized_text, keyword)]


def keyword_spans(normalized_text: str, keywords: Iterable[str]) -> List[Tuple[int, int, str]]:
    """(start, end, keyword) of each keyword found, overlapping finds merged to the longest.

    'copie' and 'copies' found at the same place are one piece of evidence, not two.
    """
    found = sorted(((m.start(), m.end(), k) for k in keywords for m in [_keyword_match(normalized_text, k)] if m),
                   key=lambda span: (span[0], -(span[1] - span[0])))
    merged: List[Tuple[int, int, str]] = []
    for start, end, keyword in found:
        if merged and start < merged[-1][1]:
            continue
        merged.append((start, end, keyword))
    return merged
