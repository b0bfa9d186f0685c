"""Turn a selection of facts into replies: a response name of the domain plus its variables.

This is the one place answers are shaped, for every topic, organisation, language and channel.
The sentences around the facts live in domain.yml (one variation per language); the facts, labels
and contacts come from the knowledge files. Nothing here is user-facing text of its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence

from babel.dates import format_date

from knowledge.selection import Selection

if TYPE_CHECKING:
    from knowledge.comparison import Comparison
    from knowledge.phrases import Ordering
from knowledge.model import Fact, KnowledgeBase, Organization, Right, Source
from knowledge.texts import text

CONTACT_SOURCE_ID = "@contact"
IDENTITY_PROOF_TOPIC = "identity_proof"
DATE_LOCALES = {"en": "en_GB", "fr": "fr_FR"}


@dataclass(frozen=True)
class Reply:
    response: str
    variables: Dict[str, str]


def source_ref(org: Organization, fact_id: str) -> str:
    """How an answered fact is remembered in the conversation, for a later "source?"."""
    return f"{org.slug}/{fact_id}"


QUOTES = {"en": ("“", "”"), "fr": ("« ", " »")}  # each language's typography


def _quoted_sections(sources: Sequence[Source], lang: str) -> str:
    sections = list(dict.fromkeys(source.section for source in sources))
    opening, closing = QUOTES[lang]
    return "; ".join(f"{opening}{section}{closing}" for section in sections)


def _bullets(facts: Sequence[Fact], lang: str) -> str:
    return "\n".join(f"• {fact.answer[lang]}" for fact in facts)


def _fact_text(facts: Sequence[Fact], lang: str) -> str:
    return facts[0].answer[lang] if len(facts) == 1 else _bullets(facts, lang)


@dataclass(frozen=True)
class Rendered:
    """Replies to send, and the sources they rest on (remembered for a later "source?")."""

    replies: List[Reply]
    sources: List[str]


def _facts_reply(org: Organization, facts: Sequence[Fact], lang: str, response: str = "utter_policy_answer") -> Reply:
    return Reply(response, {
        "answer": _fact_text(facts, lang),
        "policy": org.policy_title[lang],
        "sections": _quoted_sections([fact.source for fact in facts], lang),
    })


def _silence_subject(kb: KnowledgeBase, selection: Selection, lang: str) -> str:
    """What the policy does not specify: the aspect asked, else the topic."""
    topic = kb.topics.get(selection.topic or "")
    if topic is None:
        return ""
    aspect = topic.aspects.get(selection.aspect or "")
    return (aspect or topic).label[lang]


def render_selection(kb: KnowledgeBase, org: Organization, selection: Selection, lang: str) -> Rendered:
    if selection.silent or not selection.facts:
        variables = {"organization": org.name, "topic": _silence_subject(kb, selection, lang),
                     "contact": org.contact[lang], "policy": org.policy_title[lang]}
        category = kb.data_categories.get(selection.category or "")
        concept = kb.concepts.get(selection.concept or "")
        if selection.unreasoned:
            reply = Reply("utter_policy_silent_reason", variables)
        elif concept:
            reply = Reply("utter_policy_silent_concept", {**variables, "concept": concept.label[lang]})
        elif category:
            reply = Reply("utter_policy_silent_category", {**variables, "category": category.label[lang]})
        else:
            reply = Reply("utter_policy_silent", variables)
        replies, sources = [reply], [source_ref(org, CONTACT_SOURCE_ID)]
        if selection.facts:  # the nearest rule the policy does state
            replies.append(_facts_reply(org, selection.facts, lang, "utter_policy_nearest"))
            sources = [source_ref(org, fact.id) for fact in selection.facts] + sources
        return Rendered(replies, sources)
    replies = [_facts_reply(org, selection.facts, lang)]
    sources = [source_ref(org, fact.id) for fact in selection.facts]
    if any(fact.gap for fact in selection.facts):
        # What the policy leaves open is for the organisation to answer: say whom to ask.
        replies.append(Reply("utter_policy_gap_contact", {"contact": org.contact[lang]}))
        sources.append(source_ref(org, CONTACT_SOURCE_ID))
    return Rendered(replies, sources)


def render_comparison(comparison: "Comparison", ordering: "Ordering", lang: str) -> Rendered:
    """One line per organisation with a figure, in order, each with its source; then those without."""
    lines = []
    for org, fact in comparison.ranked:
        lines.append(f"• {org.name}: {fact.answer[lang]} ({org.policy_title[lang]}, "
                     f"{_quoted_sections([fact.source], lang)})")
    replies = []
    if lines:
        replies.append(Reply(f"utter_comparison_{ordering.name}", {"ranking": "\n".join(lines)}))
    first = [org for org, fact in comparison.ranked
             if fact.figure(ordering.measure) == comparison.ranked[0][1].figure(ordering.measure)]
    if len(first) > 1:  # "which one keeps it longer?" when both say 3 years: say so, pick no winner
        replies.append(Reply("utter_comparison_tie", {"organizations": ", ".join(org.name for org in first)}))
    if comparison.without_figure:
        replies.append(Reply(f"utter_comparison_without_{ordering.measure}", {
            "organizations": ", ".join(org.name for org in comparison.without_figure)}))
    sources = [source_ref(org, fact.id) for org, fact in comparison.ranked]
    return Rendered(replies, sources)


def render_source(kb: KnowledgeBase, ref: str, lang: str) -> Optional[Reply]:
    """The verbatim passage behind an answered fact (in the policy's own language)."""
    slug, _, fact_id = ref.partition("/")
    org = kb.organization(slug)
    if org is None:
        return None
    if fact_id == CONTACT_SOURCE_ID:
        source = org.contact_source
    else:
        fact = org.fact(fact_id)
        if fact is None:
            return None
        source = fact.source
    return Reply("utter_source_passage", {
        "policy": org.policy_title[lang], "section": source.section, "quote": source.quote,
    })


def contact_reply(response: str, org: Organization, lang: str) -> Reply:
    """A response naming the organisation and its official contact for requests, as its policy gives it:
    the offer to prepare a request, where a request being started goes, where a filed one is sent."""
    # The contact is a phrase set inside a sentence: its own closing full stop would double the response's.
    return Reply(response, {"organization": org.name, "contact": org.contact[lang].rstrip().rstrip(".")})


def render_identity_proof(org: Organization, lang: str) -> Reply:
    """What the organisation may ask to check who the person is, as its policy says it."""
    facts = ([fact for fact in org.facts_for(IDENTITY_PROOF_TOPIC) if fact.summary]
             or org.facts_for(IDENTITY_PROOF_TOPIC))
    if not facts:
        return Reply("utter_request_identity_proof_silent", {"organization": org.name})
    return Reply("utter_request_identity_proof", {"organization": org.name, "facts": _bullets(facts, lang)})


def letter_text(org: Organization, right: Right, lang: str, *, reference: str, full_name: str, email: str,
                description: str) -> str:
    """The ready-to-send letter (data/texts/letter.yml) filled with the request and the policy's contact: the
    one rendering of it, for the chat and the acknowledgement mail."""
    return text("letter.body", lang, organization=org.name, contact=org.contact[lang], right=right.label[lang],
                citation=right.citation.get(lang) or right.gdpr_article, request=right.request.get(lang, ""),
                description=description or "-", full_name=full_name, email=email, reference=reference)


def render_letter(org: Organization, right: Right, lang: str, *, reference: str, full_name: str, email: str,
                  description: str) -> Reply:
    """The ready-to-send letter, as the chat shows it (domain.yml utter_request_letter)."""
    return Reply("utter_request_letter", {"letter": letter_text(org, right, lang, reference=reference,
                                                                full_name=full_name, email=email,
                                                                description=description)})


def long_date(day: date, lang: str) -> str:
    """A due date as people write it: "22 December 2026", "22 décembre 2026"."""
    return format_date(day, format="long", locale=DATE_LOCALES[lang])
