"""The policy knowledge as read-only objects: organisations, their facts and sources, topics, rights.

Built by knowledge.loading from the files under data/; nothing here reads a file.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, List, Optional, Tuple

from knowledge.matching import phrase_starts


@dataclass(frozen=True)
class Source:
    section: str
    quote: str


@dataclass(frozen=True)
class Duration:
    """A period a policy states ("3 years", "13 months"), for comparing organisations."""
    years: int = 0
    months: int = 0
    days: int = 0

    @property
    def in_days(self) -> float:
        return self.years * 365.25 + self.months * 30.44 + self.days


@dataclass(frozen=True)
class Fact:
    id: str
    topic: str
    answer: Dict[str, str]
    source: Source
    keywords: Tuple[str, ...] = ()
    category: Optional[str] = None
    summary: bool = False
    gap: bool = False      # the answer says the policy is silent on part of the question
    aspects: Tuple[str, ...] = ()        # the questions of its topic it answers (topics.yml)
    duration: Optional[Duration] = None  # the period it states, when it states one
    date: Optional[datetime.date] = None  # the date it states (a policy's last update), when it states one

    def figure(self, measure: str) -> Optional[float]:
        """The number it states for `measure` (one of MEASURES): a period in days, a date as a day count."""
        if measure == "duration":
            return self.duration.in_days if self.duration else None
        if measure == "date":
            return float(self.date.toordinal()) if self.date else None
        raise ValueError(f"unknown measure {measure!r}")


MEASURES = ("duration", "date")   # what organisations can be ranked on (Fact.figure)


@dataclass(frozen=True)
class Silence:
    """What a policy does not say: a whole topic, one aspect of it, or one data category; `nearest`
    names the facts of the policy that come closest (its general rule), to give instead."""
    topic: str
    aspect: Optional[str] = None
    category: Optional[str] = None
    nearest: Tuple[str, ...] = ()


@dataclass(frozen=True)
class ResponseDelay:
    months: int
    days: int
    source: Source


# Three years after a request is closed, unless the organisation's data says otherwise (README, purge).
DEFAULT_CLOSED_REQUEST_RETENTION_DAYS = 1095

@dataclass(frozen=True, eq=False)  # hashed by identity: per-organisation indexes are cached on it
class Organization:
    slug: str
    name: str
    policy_file: str
    policy_language: str
    policy_title: Dict[str, str]
    aliases: Tuple[str, ...]
    contact: Dict[str, str]
    contact_source: Source
    response_delay: Optional[ResponseDelay]
    facts: Tuple[Fact, ...]
    silent_topics: Tuple[str, ...]
    silences: Tuple[Silence, ...] = ()
    staff_mailbox: Optional[str] = None  # its staff's mailbox for new requests and the digest
    verify_email: bool = True            # a request's address is checked with a code before filing
    closed_request_retention_days: int = DEFAULT_CLOSED_REQUEST_RETENTION_DAYS  # then `python -m tracking purge` erases a closed request
    mentions: FrozenSet[str] = frozenset()  # the concepts (data/concepts.yml) its policy mentions

    def facts_for(self, topic: str, aspect: Optional[str] = None) -> List[Fact]:
        return [fact for fact in self.facts
                if fact.topic == topic and (aspect is None or aspect in fact.aspects)]

    def silence(self, topic: str, aspect: Optional[str] = None, category: Optional[str] = None) -> Optional[Silence]:
        """The silent entry covering this topic (aspect, category), if the policy is silent on it."""
        for entry in self.silences:
            if entry.topic != topic:
                continue
            if entry.aspect is None and entry.category is None:
                return entry
            if category is not None and entry.category == category:
                return entry
            if aspect is not None and entry.aspect == aspect and entry.category is None:
                return entry
        return None

    def fact(self, fact_id: str) -> Optional[Fact]:
        return next((fact for fact in self.facts if fact.id == fact_id), None)


@dataclass(frozen=True)
class Aspect:
    name: str
    label: Dict[str, str]


@dataclass(frozen=True)
class Topic:
    name: str
    label: Dict[str, str]
    offers_request: bool = False  # an answer on it offers to file a rights request
    aspects: Dict[str, Aspect] = field(default_factory=dict)
    per_category: bool = False    # every data category is answered, with facts or a silent entry
    identifies_the_organization: bool = False  # "which company …?" on it asks who the organisation is


@dataclass(frozen=True)
class DataCategory:
    name: str
    label: Dict[str, str]
    words: Tuple[str, ...] = ()   # how people name it, accents stripped
    when_negated: Optional[str] = None  # the category meant by someone denying this one ("not a customer")
    topic: Optional[str] = None   # the topic about this category ("cookies")


@dataclass(frozen=True)
class Right:
    name: str
    label: Dict[str, str]
    gdpr_article: str
    citation: Dict[str, str] = field(default_factory=dict)   # how a request letter cites it
    request: Dict[str, str] = field(default_factory=dict)    # what a request letter asks for
    keywords: Tuple[str, ...] = ()                           # words naming it, when NLU tagged none
    aspects: Tuple[str, ...] = ()                            # the classifier's "<topic>.<aspect>"s for it
    prevails: bool = False                                   # named beside another right, it is the one asked


@dataclass(frozen=True)
class Concept:
    """Something a policy may not mention at all ("two-factor authentication"): data/concepts.yml."""
    name: str
    topic: str
    label: Dict[str, str]
    asked: Tuple[str, ...]           # how a question names it
    mentioned: Tuple[str, ...] = ()  # how a policy may mention it, besides those


@dataclass(frozen=True)
class KnowledgeBase:
    organizations: Dict[str, Organization]
    topics: Dict[str, Topic]
    data_categories: Dict[str, DataCategory]
    rights: Dict[str, Right]
    concepts: Dict[str, Concept] = field(default_factory=dict)

    def right_aspects(self) -> Dict[str, str]:
        """Each of the classifier's aspects that describes exercising a right -> the right."""
        return {aspect: name for name, right in self.rights.items() for aspect in right.aspects}

    def rights_named(self, normalized_text: str, denied: Optional[Callable[[str, int], bool]] = None) -> List[str]:
        """The rights whose keywords the text names most ("effacer" -> [erasure]; several on a tie);
        with `denied` (text, place -> whether a negation comes just before), a keyword found only where
        it is denied does not count: "freeze the use of my data, not delete it" names restriction."""
        def counts(keyword: str) -> bool:
            starts = phrase_starts(normalized_text, keyword)
            return bool(starts) and (denied is None or not all(denied(normalized_text, start) for start in starts))
        hits = {name: sum(map(counts, right.keywords)) for name, right in self.rights.items()}
        prevailing = {name: count for name, count in hits.items() if count and self.rights[name].prevails}
        hits = prevailing or hits   # "when I die, delete my account": instructions after death
        most = max(hits.values(), default=0)
        return [name for name, count in hits.items() if most and count == most]

    def right_named(self, normalized_text: str, denied: Optional[Callable[[str, int], bool]] = None) -> Optional[str]:
        """The one right the text names most, None if none or a tie."""
        named = self.rights_named(normalized_text, denied)
        return named[0] if len(named) == 1 else None

    def organization(self, slug: Optional[str]) -> Optional[Organization]:
        return self.organizations.get(slug or "")

    def organizations_by_name(self) -> List[Organization]:
        """The organisations in the order lists show them to people: by name."""
        return sorted(self.organizations.values(), key=lambda organization: organization.name.lower())


class KnowledgeError(ValueError):
    """A knowledge file breaks the schema; the message lists every problem found."""
