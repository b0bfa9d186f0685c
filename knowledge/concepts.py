"""Whether a question names something its organisation's policy never mentions (data/concepts.yml):
"is the call recorded?" to a policy that says nothing of recording calls is told so, not answered with
whatever it says about phone numbers."""
from __future__ import annotations

from typing import Iterable, List, Mapping, Optional

from knowledge.matching import normalize, phrase_anchor, phrase_pattern
from knowledge.model import Concept, Organization

MAX_GAP = 2   # words allowed between two words of a phrase ("call* record*": "calls with advisors recorded")


def _first_place(normalized_text: str, phrases: Iterable[str]) -> Optional[int]:
    # The substring test rules most phrases out before their regex (every message meets ~400 of them).
    starts = [match.start() for phrase in phrases if phrase_anchor(phrase) in normalized_text
              for match in [phrase_pattern(phrase, MAX_GAP, whole_words=True).search(normalized_text)] if match]
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
