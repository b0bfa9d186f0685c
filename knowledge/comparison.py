"""Compare organisations on what their policies state: the periods ("which one keeps prospect data
the longest?") or the dates ("which policy is the oldest?") of the facts answering the question.

Each organisation's answer is selected as for a single question; the figures of the facts of the
aspect (and data category) asked are compared. When no policy states a figure for that aspect, the
topic's aspect that does carry figures and that the question leans to most is compared instead
("whose cookies last longer?" read as the kinds of cookies). A policy that states no figure there is
named as such, never guessed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from knowledge.model import Fact, KnowledgeBase, Organization
from knowledge.phrases import Ordering
from knowledge.question import Question
from knowledge.selection import selection_for


@dataclass(frozen=True)
class Comparison:
    ranked: Tuple[Tuple[Organization, Fact], ...]   # in the ordering's order
    without_figure: Tuple[Organization, ...]        # silent, or no figure stated

    def leaders(self, measure: str) -> List[str]:
        """The slugs ranked first, with those tied with it."""
        top = self.ranked[0][1].figure(measure) if self.ranked else None
        return [org.slug for org, fact in self.ranked if fact.figure(measure) == top]


def _with_figure(org: Organization, topic: str, aspect: Optional[str], category: Optional[str],
                 measure: str) -> List[Fact]:
    facts = [fact for fact in org.facts_for(topic, aspect) if fact.figure(measure) is not None]
    return [fact for fact in facts if fact.category == category] if category else facts


def _candidates(kb: KnowledgeBase, organizations: Sequence[Organization], question: Question,
                measure: str, categories: Mapping[str, Optional[str]]) -> Dict[str, List[Fact]]:
    """Each organisation's facts with a figure, among those answering the aspect (and category) asked."""
    candidates: Dict[str, List[Fact]] = {}
    topic = question.topic(kb.topics)
    for org in organizations:
        selection = selection_for(kb, org, question.with_category(categories[org.slug])
                                  if org.slug in categories else question)
        if selection is None or selection.topic is None or selection.silent:
            continue
        topic = selection.topic
        facts = _with_figure(org, topic, selection.aspect, selection.category, measure)
        candidates[org.slug] = facts or [fact for fact in selection.facts if fact.figure(measure) is not None]
    if any(candidates.values()) or topic is None:
        return candidates
    # No figure in the aspect read: the topic's aspect that has figures and that the question leans to most.
    leaning = question.aspect_confidences(topic)
    with_figures = {aspect for org in organizations for fact in org.facts_for(topic)
                    if fact.figure(measure) is not None for aspect in fact.aspects}
    if not with_figures:
        return candidates
    aspect = max(sorted(with_figures), key=lambda name: leaning.get(name, 0.0))
    category = question.data_category(kb.data_categories) if kb.topics[topic].per_category else None
    return {org.slug: _with_figure(org, topic, aspect, category, measure) for org in organizations}


def compare(kb: KnowledgeBase, organizations: Sequence[Organization], question: Question,
            ordering: Ordering, categories: Optional[Mapping[str, Optional[str]]] = None) -> Comparison:
    """The organisations ranked on `question`'s figures; `categories` gives the data category to read
    for some of them (each as asked earlier in the conversation), instead of the question's."""
    candidates = _candidates(kb, organizations, question, ordering.measure, categories or {})
    ranked, without = [], []
    for org in organizations:
        facts = candidates.get(org.slug) or []
        if not facts:
            without.append(org)
            continue
        pick = (max if ordering.descending else min)(facts, key=lambda fact: fact.figure(ordering.measure))
        ranked.append((org, pick))
    ranked.sort(key=lambda item: item[1].figure(ordering.measure), reverse=ordering.descending)
    return Comparison(tuple(ranked), tuple(without))
