"""Answer a question for one organisation: select the facts, then render them (the one path for it).

Used by the answer action, the rights-request start (the policy's word before the form) and
scripts/explain.py, so what is explained is what is answered.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Collection, List, Optional, Sequence

from knowledge.model import KnowledgeBase, Organization
from knowledge.phrases import question_phrases
from knowledge.question import TOPIC_INTENT_PREFIX, Question
from knowledge.rendering import Rendered, render_selection, source_ref
from knowledge.selection import Selection, select_facts, selection_for

FALLBACK_INTENT = "nlu_fallback"


def answer_question(kb: KnowledgeBase, org: Organization, question: Question, lang: str) -> Optional[Rendered]:
    """The replies answering `question` for one organisation, or None when nothing fits."""
    selection = selection_for(kb, org, question)
    return render_selection(kb, org, selection, lang) if selection else None


def answer_for_each(kb: KnowledgeBase, organizations: Sequence[Organization], question: Question,
                    lang: str, said: Collection[str] = ()) -> List[Rendered]:
    """One answer per organisation, all on one topic. A message the NLU placed in no topic is
    answered from a clear keyword match; when that finds the topic for some organisations only
    ("what are the response delays of all five?"), the others are answered on that topic too, so a
    policy silent on it says so instead of being left out. Facts already `said` (their source
    references) are left out, and an answer left with none of its own is not given: the second
    question of a message adds to the first answer, it does not repeat it."""
    selections = [(org, selection_for(kb, org, question)) for org in organizations]
    on_topic = _placed_in_topic(kb, question, [selection for _, selection in selections])
    if on_topic is not question and any(selection is None for _, selection in selections):
        topic = on_topic.topic(kb.topics)
        selections = [(org, selection if selection and selection.topic == topic else selection_for(kb, org, on_topic))
                      for org, selection in selections]
    answers = []
    for org, selection in selections:
        if selection and said and not selection.silent:
            facts = tuple(fact for fact in selection.facts if source_ref(org, fact.id) not in said)
            selection = replace(selection, facts=facts) if facts else None
        if selection:
            answers.append(render_selection(kb, org, selection, lang))
    return answers


def placed_by_keywords(kb: KnowledgeBase, question: Question, organizations: Sequence[Organization]) -> Question:
    """A message the NLU placed in no topic, read in the topic its words clearly match at most of the
    organisations; the message itself when it has a topic or matches none."""
    if question.topic(kb.topics) is not None:
        return question
    return _placed_in_topic(kb, question, [selection_for(kb, org, question) for org in organizations])


def _placed_in_topic(kb: KnowledgeBase, question: Question, selections: Sequence[Optional[Selection]]) -> Question:
    topics = [selection.topic for selection in selections if selection and selection.topic]
    if question.topic(kb.topics) is not None or not topics:
        return question
    return question.with_intent(TOPIC_INTENT_PREFIX + Counter(topics).most_common(1)[0][0], 1.0)


def matches_some_policy(kb: KnowledgeBase, question: Question) -> bool:
    """Whether an unclassified message clearly matches a fact of any policy (then ask which one)."""
    return any(select_facts(org, question.text, {}, None, strict=True) for org in kb.organizations.values())


POLICY_WORD = 0.2          # a request this likely a question on a topic also gets the policy's word on it
ASKED_TOPIC = 0.15         # an unplaced question is on a topic this likely (FallbackClassifier: 0.2)
CATEGORY_TOPIC = 0.1       # an unplaced message naming a data category is in a per-category topic this likely


def placed_in_its_likeliest_topic(question: Question, kb: KnowledgeBase) -> Question:
    """A message the classifier could not place is the question on its likeliest topic when two signals
    agree: it names a data category and that topic is answered per category ("J'avais indiqué que je suis
    malentendant … Ils gardent cette info après ?": fallback, retention first at 0.16); or it asks (a "?",
    a question word) and the classifier gives that topic ASKED_TOPIC ("si ma boîte ne paie pas sa
    facture, ils peuvent se servir de nos coordonnées ?": purposes at 0.17)."""
    if question.intent != FALLBACK_INTENT:
        return question
    if not question.data_category(kb.data_categories):
        asks = "?" in question.text or question_phrases().asks_something(question.text)
        placed = as_policy_question(question, kb, at_least=ASKED_TOPIC) if asks else None
        return placed or question
    placed = as_policy_question(question, kb, at_least=CATEGORY_TOPIC)
    topic = kb.topics.get(placed.topic(kb.topics) or "") if placed else None
    return placed if placed and topic and topic.per_category else question


def as_policy_question(question: Question, kb: KnowledgeBase, at_least: float = POLICY_WORD) -> Optional[Question]:
    """A message read as a request ("can I leave instructions for after my death?") as the policy
    question it also asks: its likeliest topic, when the classifier gives it `at_least` that."""
    totals = question.topic_confidences(kb.topics)
    topic = max(totals, key=totals.get) if totals else None
    if topic is None or totals[topic] < at_least:
        return None
    return question.with_intent(TOPIC_INTENT_PREFIX + topic, totals[topic])
