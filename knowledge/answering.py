"""Answer a question for one organisation: select the facts, then render them (the one path for it).

Used by the answer action, the rights-request start (the policy's word before the form) and
scripts/explain.py, so what is explained is what is answered.
"""
from __future__ import annotations

from typing import Optional

from knowledge.model import KnowledgeBase, Organization
from knowledge.question import Question
from knowledge.rendering import Rendered, render_selection
from knowledge.selection import Selection, select_facts


def selection_for(kb: KnowledgeBase, org: Organization, question: Question) -> Optional[Selection]:
    """The facts of `org` answering `question`, or None when nothing fits.

    A message the NLU did not place in a topic (low confidence, out of scope, a rights request) is
    answered only when it clearly matches a fact: a policy question in unusual words still gets its
    answer, and "can I leave instructions for after my death?" gets the policy's word on it.
    """
    primary_topic = question.topic(kb.topics)
    return select_facts(org, question.text, question.topic_confidences(kb.topics), primary_topic,
                        question.data_category(kb.data_categories), strict=primary_topic is None)


def answer_question(kb: KnowledgeBase, org: Organization, question: Question, lang: str) -> Optional[Rendered]:
    """The replies answering `question` for one organisation, or None when nothing fits."""
    selection = selection_for(kb, org, question)
    return render_selection(kb, org, selection, lang) if selection else None


def matches_some_policy(kb: KnowledgeBase, question: Question) -> bool:
    """Whether an unclassified message clearly matches a fact of any policy (then ask which one)."""
    return any(select_facts(org, question.text, {}, None, strict=True) for org in kb.organizations.values())


def follow_up(question: Question, last: Optional[Question], kb: KnowledgeBase) -> Question:
    """"what about prospects?", "et les stagiaires ?" after an answer: a message the NLU placed in no
    topic but that names a data category asks the last question again about that category."""
    if last is None or last.topic(kb.topics) is None or question.topic(kb.topics) is not None:
        return question
    if question.data_category(kb.data_categories) is None:
        return question
    return Question(text=question.text, intent=last.intent, intent_ranking=list(last.intent_ranking),
                    entities=list(question.entities))
