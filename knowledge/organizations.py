"""Work out which organisation(s) a message is about.

Order, as users expect it: an organisation named in the message (by any alias in the knowledge
files, or by the NLU's `organization` entity); else the one the conversation is about (chosen by
the person, or the website's, which a session starts on); else the one the website widget sends in
the message metadata; else none, and the bot asks.
A question may also be about several: "all five", "which organisation …?", "each of them" after a
question on two (organizations_asked).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from knowledge.matching import named_in_order, normalize
from knowledge.model import KnowledgeBase
from knowledge.phrases import question_phrases
from knowledge.question import Question
from knowledge.selection import selection_for


def named_in_text(kb: KnowledgeBase, text: str) -> List[str]:
    """Slugs of the organisations the text names, in the order they appear."""
    return named_in_order(normalize(text), {org.slug: (org.slug, *org.aliases) for org in kb.organizations.values()})


def slug_for(kb: KnowledgeBase, value: Any) -> Optional[str]:
    """The slug an entity value or metadata value stands for, if any."""
    if not value:
        return None
    text = normalize(str(value))
    for org in kb.organizations.values():
        if text == org.slug or text in org.aliases:
            return org.slug
    named = named_in_text(kb, text)
    return named[0] if len(named) == 1 else None


def resolve_organizations(kb: KnowledgeBase, text: str, entity_values: Iterable[Any],
                          metadata: Optional[Mapping[str, Any]], current: Optional[str]) -> List[str]:
    """The organisations to answer for; empty when the bot must ask. The conversation's organisation
    (`current`) wins over the website's (`metadata`): after "and at <other>?" on one organisation's
    website, "can I refuse them?" is still about <other>."""
    named = named_in_text(kb, text)
    for value in entity_values:
        slug = slug_for(kb, value)
        if slug and slug not in named:
            named.append(slug)
    if named:
        return named
    for candidate in (current, (metadata or {}).get("organization")):
        slug = slug_for(kb, candidate)
        if slug:
            return [slug]
    return []


def organizations_asked(kb: KnowledgeBase, question: Question, last: Optional[Question],
                         metadata: Optional[Mapping[str, Any]], current: Optional[str]) -> List[str]:
    """The organisations a question is about: those it names; "each of them" after a question on
    several, those; "all five", "which organisation …?" or a superlative naming none, every one;
    "compare with <other>", the conversation's (the website's) organisation and those named; else
    the conversation's organisation (the one last chosen or answered for), else the website's."""
    phrases = question_phrases()
    named = named_in_text(kb, question.text)
    if not named and phrases.asks_the_others(question.text):
        # "and the other four?" after answers on one: every organisation the conversation has not been
        # about; after a "which ones …?" answer, every one it did not pick out.
        talked_about = set(last.picked if last else []) or set(last.organizations if last else []) | {
            item.get("organization") for item in (last.answered if last else [])} or set(
            resolve_organizations(kb, "", [], metadata, current))
        others = [org.slug for org in kb.organizations_by_name() if org.slug not in talked_about]
        if talked_about and others:
            return others
    if not named and last is not None:
        # After a question on several organisations, the conversation is about those ("and do
        # they need my ID?", "how long do they each take?"), as it would be about one; "all
        # five" still asks every one, and "each of them" means those.
        before = last.organizations or resolve_organizations(kb, last.text, last.entity_values("organization"),
                                                             None, None)
        odd = _the_one_apart(kb, last, before) if len(before) > 1 and phrases.refers_to_one(question.text) else None
        if odd:
            return [odd]
        if last.picked and (phrases.refers_back(question.text) or phrases.refers_to_one(question.text)) \
                and not phrases.asks_all_organizations(question.text) \
                and not phrases.ordering(question.text, several_named=False):
            # "and where do I send it to them?" after "which one takes the longest to answer?": that one.
            return list(last.picked)
        if len(before) > 1 and (phrases.refers_to_those(question.text)
                                or not phrases.asks_all_organizations(question.text)):
            return before
        # "lequel des deux garde le plus longtemps ?" after one answer on each: the organisations
        # answered on the topic, one question after the other.
        earlier = list(answered_categories(last))
        if len(earlier) > 1 and phrases.refers_to_those(question.text):
            return earlier
    topic = kb.topics.get(question.topic(kb.topics) or "")
    # "which company is behind this site?" asks who the organisation is, not which of them.
    which = phrases.asks_which_organization(question.text) and not (topic and topic.identifies_the_organization)
    if (phrases.asks_all_organizations(question.text) or which) and len(named) < 2 or (
            not named and phrases.ordering(question.text, several_named=False)):
        return [org.slug for org in kb.organizations_by_name()]
    asked = resolve_organizations(kb, question.text, question.entity_values("organization"), metadata, current)
    return with_own_when_compared(kb, question.text, asked, metadata, current)


def _the_one_apart(kb: KnowledgeBase, last: Question, slugs: Sequence[str]) -> Optional[str]:
    """Among the organisations just answered, the only one whose policy is silent on the last question
    (a silent entry, or only facts saying what it leaves out), or the only one that is not."""
    silent = [_says_nothing_on(kb, slug, last) for slug in slugs]
    for apart in (True, False):
        if silent.count(apart) == 1:
            return slugs[silent.index(apart)]
    return None


def _says_nothing_on(kb: KnowledgeBase, slug: str, question: Question) -> bool:
    """The organisation's policy is silent on the question: a silent entry, or only facts saying what it leaves out."""
    org = kb.organization(slug)
    selection = selection_for(kb, org, question) if org else None
    return selection is None or selection.silent or all(fact.gap for fact in selection.facts)


def picked_out(kb: KnowledgeBase, question: Question, slugs: Sequence[str], ranked: Sequence[str] = ()) -> List[str]:
    """The organisations an answer on several picks out: the first of a ranking (`ranked`: the slugs
    tied first), or, for "which of them …?", those whose policy says what was asked when only some do."""
    if len(slugs) < 2:
        return []
    if ranked:
        return list(ranked)
    if not question_phrases().asks_which_organization(question.text):
        return []
    speaking = [slug for slug in slugs if not _says_nothing_on(kb, slug, question)]
    return speaking if 0 < len(speaking) < len(slugs) else []


def remembered_with(kb: KnowledgeBase, question: Question, slugs: List[str], last: Optional[Question],
                    said: Sequence[str] = (), picked: Sequence[str] = ()) -> Question:
    """The question as the conversation remembers it, with the organisations it was answered for
    (after an answer on several, the next message that names none is about them too; `picked`, those
    its answer picked out of them), and those answered on its topic before it, each with its data
    category ("CVs at <one>?", then "and training data at <another>?": a comparison of "the two"
    compares each on its own), and the facts `said`."""
    category = question.data_category(kb.data_categories)
    same_topic = last is not None and last.topic(kb.topics) == question.topic(kb.topics)
    earlier = [item for item in (last.answered if same_topic and last else []) if item.get("organization") not in slugs]
    now = [{"organization": slug, "category": category} for slug in slugs]
    return replace(question, organizations=list(slugs), answered=(earlier + now)[-len(kb.organizations):],
                   said=list(said), picked=list(picked), facts=[], unreasoned=False)


def answered_categories(question: Optional[Question]) -> Dict[str, Optional[str]]:
    """The organisations answered on the question's topic so far in the conversation, oldest first,
    each with the data category asked for it."""
    return {str(item["organization"]): item.get("category") for item in (question.answered if question else [])
            if item.get("organization")}


def with_own_when_compared(kb: KnowledgeBase, text: str, named: List[str], metadata: Optional[Mapping[str, Any]],
                           current: Optional[str]) -> List[str]:
    """"compare with <other>", "et par rapport à <other> ?": the conversation's organisation (the one
    last answered for, else the website's) first, then those named."""
    if not named or not question_phrases().compares_with(text):
        return named
    own = resolve_organizations(kb, "", (), metadata, current)
    return [slug for slug in own if slug not in named] + named
