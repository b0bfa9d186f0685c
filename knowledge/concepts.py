"""Whether a question names something its organisation's policy never mentions (data/concepts.yml):
"is the call recorded?" to a policy that says nothing of recording calls is told so, not answered with
whatever it says about phone numbers."""
from __future__ import annotations

import functools
import re
from typing import Iterable, List, Mapping, Optional, Pattern

from knowledge.matching import INFLECTION, normalize
from knowledge.model import Concept, Organization

MAX_GAP = 2   # words allowed between two words of a phrase ("call* record*": "calls with advisors recorded")


@functools.lru_cache(maxsize=4096)
def concept_pattern(phrase: str) -> Pattern[str]:
    """A concept's phrase as a pattern: whole words with their plural or feminine ending, or stems
    ("enregistr*"), with up to MAX_GAP words between them."""
    words = []
    for word in normalize(phrase).split():
        words.append(rf"{re.escape(word[:-1])}[a-z0-9'-]*" if word.endswith("*")
                     else rf"{re.escape(word)}{INFLECTION}(?![a-z0-9])")
    return re.compile(r"(?<![a-z0-9])" + rf"(?:\s+\S+){{0,{MAX_GAP}}}?\s+".join(words))


@functools.lru_cache(maxsize=4096)
def _anchor(phrase: str) -> str:
    """The phrase's longest word (a stem without its "*"): a text without it cannot match the phrase."""
    return max((word.rstrip("*") for word in normalize(phrase).split()), key=len)


def _first_place(normalized_text: str, phrases: Iterable[str]) -> Optional[int]:
    # The substring test rules most phrases out before their regex (every message meets ~400 of them).
    starts = [match.start() for phrase in phrases if _anchor(phrase) in normalized_text
              for match in [concept_pattern(phrase).search(normalized_text)] if match]
    return min(starts) if starts else None


def concepts_named(text: str, concepts: Mapping[str, Concept]) -> List[Concept]:
    """The concepts a question names, in the order it names them."""
    normalized = normalize(text)
    places = [(place, concept.name) for concept in concepts.values()
              for place in [_first_place(normalized, concept.asked)] if place is not None]
    return [concepts[name] for _, name in sorted(places)]


def concepts_mentioned(texts: Iterable[str], concepts: Mapping[str, Concept]) -> frozenset:
    """The concepts any of `texts` (a policy, the answers saying what it states) mentions, in either language."""
    normalized = [normalize(text) for text in texts]
    return frozenset(concept.name for concept in concepts.values()
                     if any(_first_place(text, concept.asked + concept.mentioned) is not None for text in normalized))


def unmentioned_concept(org: Organization, text: str, concepts: Mapping[str, Concept]) -> Optional[Concept]:
    """The first concept the question names that the organisation's policy never mentions, if any."""
    return next((concept for concept in concepts_named(text, concepts) if concept.name not in org.mentions), None)
