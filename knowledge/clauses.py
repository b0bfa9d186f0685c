"""The several questions one message asks ("how long do you keep my CV, and who can see it?"): each
clause the aspect classifier read on its own (`aspect_parts`), as a question of its own when it asks
something the message's reading leaves out."""
from __future__ import annotations

from dataclasses import replace
from typing import Iterator, List, Optional, Tuple

from knowledge.answering import FALLBACK_INTENT
from knowledge.follow_up import names_only_a_category
from knowledge.model import KnowledgeBase
from knowledge.question import ASPECT_RANKING, ASPECT_SEPARATOR, DATA_CATEGORY, TOPIC_INTENT_PREFIX, Question, aspect_name
from knowledge.selection import aspects_asked

TOPIC_FROM_ASPECTS = 0.5   # a clause this likely in another topic is another question


def other_questions(question: Question, kb: KnowledgeBase) -> List[Question]:
    """The other questions of a message that asks several, each clause read on its own (the message's
    entities kept: the organisation, the data category), when the aspect classifier places it, sure
    enough, elsewhere than the message: in another topic ("how long do you keep my CV and who can see
    it?"), or in another aspect of the message's topic ("do you encrypt my data? and who can see it?").
    A clause naming another data category asks the message's question about it ("how long do you keep
    my records, and what about the invoices?")."""
    topic = question.topic(kb.topics)
    asked = aspects_asked(question.aspect_confidences(topic)) if topic else []
    category = question.data_category(kb.data_categories)
    others: List[Question] = []
    for clause, best, total in _clauses(question, kb):
        own_category = _named_category(clause, kb)
        if own_category and own_category != category and _per_category(kb, topic) and (
                best == topic or names_only_a_category(clause, kb)):
            other = replace(question, text=clause.text, parts=[]).with_category(own_category)
        elif total < TOPIC_FROM_ASPECTS:
            continue
        elif best != topic and _first_aspect_topic(clause) != topic:
            other = clause.with_intent(TOPIC_INTENT_PREFIX + best, total)
        elif asked and _sure_aspect(clause, topic) not in [*asked, None]:
            other = clause.with_intent(TOPIC_INTENT_PREFIX + best, total)
        else:
            continue
        if not any(_asks_the_same(other, earlier, kb) for earlier in others):
            others.append(other)
    return others


def _first_aspect_topic(clause: Question) -> Optional[str]:
    """The topic of the clause's likeliest aspect: "why do you collect my data?" is first about purposes
    (0.42), though the aspects of what is collected add up to more (0.31 + 0.23)."""
    ranking = sorted(clause.aspect_ranking, key=lambda item: -float(item.get("confidence") or 0.0))
    return str(ranking[0].get("name") or "").partition(ASPECT_SEPARATOR)[0] if ranking else None


def _named_category(clause: Question, kb: KnowledgeBase) -> Optional[str]:
    """The data category a clause names in its own words (not one tagged elsewhere in the message)."""
    own = replace(clause, entities=[entity for entity in clause.entities if entity.get("entity") != DATA_CATEGORY])
    return own.data_category(kb.data_categories)


def _per_category(kb: KnowledgeBase, topic: Optional[str]) -> bool:
    spec = kb.topics.get(topic or "")
    return bool(spec and spec.per_category)


def _sure_aspect(clause: Question, topic: str) -> Optional[str]:
    """The clause's aspect of `topic` when the classifier gives it at least TOPIC_FROM_ASPECTS outright."""
    name = clause.aspect(topic)
    confidence = next((float(item.get("confidence") or 0.0) for item in clause.aspect_ranking
                       if item.get("name") == aspect_name(topic, name or "")), 0.0)
    return name if confidence >= TOPIC_FROM_ASPECTS else None


def _asks_the_same(one: Question, other: Question, kb: KnowledgeBase) -> bool:
    topic = one.topic(kb.topics)
    return (topic == other.topic(kb.topics) and one.aspect(topic) == other.aspect(topic)
            and one.data_category(kb.data_categories) == other.data_category(kb.data_categories))


def unplaced_clauses(question: Question, kb: KnowledgeBase) -> List[Question]:
    """The clauses of a message the classifier places in no topic, as messages it could not classify:
    answered only by a clear match of their words ("who is <the platform's provider> and why do they
    have my data?")."""
    return [clause.with_intent(FALLBACK_INTENT, 0.0) for clause, _, total in _clauses(question, kb)
            if total < TOPIC_FROM_ASPECTS]


def _clauses(question: Question, kb: KnowledgeBase) -> Iterator[Tuple[Question, Optional[str], float]]:
    """Each clause of the message read on its own, with its likeliest topic and that topic's total."""
    for part in question.parts:
        clause = Question(text=str(part.get("text") or ""), intent=None, entities=list(question.entities),
                          aspect_ranking=list(part.get(ASPECT_RANKING) or []))
        totals = clause.aspect_topic_totals(kb.topics)
        # The clause's own topic ranking: the support a match of its words needs.
        clause.intent_ranking = [{"name": TOPIC_INTENT_PREFIX + name, "confidence": total}
                                 for name, total in sorted(totals.items(), key=lambda item: -item[1])]
        best = max(totals, key=totals.get) if totals else None
        yield clause, best, totals[best] if best else 0.0
