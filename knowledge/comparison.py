"""Compare organisations on the periods their policies state ("which one keeps prospect data the longest?").

Each organisation's answer is selected as for a single question; the periods of the facts of the
aspect (and data category) asked are compared. A policy that states no period there is named as
such, never guessed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from knowledge.answering import selection_for
from knowledge.model import Fact, KnowledgeBase, Organization
from knowledge.phrases import LONGEST
from knowledge.question import Question
from knowledge.selection import Selection


@dataclass(frozen=True)
class Comparison:
    ranked: Tuple[Tuple[Organization, Fact], ...]   # longest (or shortest) first
    without_figure: Tuple[Organization, ...]        # silent, or no definite period stated


def _candidates(org: Organization, selection: Optional[Selection]) -> List[Fact]:
    """The facts with a period among those answering the aspect (and category) selected."""
    if selection is None or selection.topic is None:
        return []
    if selection.silent:
        return []
    facts = [fact for fact in org.facts_for(selection.topic, selection.aspect) if fact.duration]
    if selection.category:
        facts = [fact for fact in facts if fact.category == selection.category]
    chosen = [fact for fact in selection.facts if fact.duration]
    return facts or chosen


def compare(kb: KnowledgeBase, organizations: Sequence[Organization], question: Question,
            direction: str) -> Comparison:
    longest = direction == LONGEST
    ranked, without = [], []
    for org in organizations:
        facts = _candidates(org, selection_for(kb, org, question))
        if not facts:
            without.append(org)
            continue
        pick = (max if longest else min)(facts, key=lambda fact: fact.duration.in_days)
        ranked.append((org, pick))
    ranked.sort(key=lambda item: item[1].duration.in_days, reverse=longest)
    return Comparison(tuple(ranked), tuple(without))
