"""The policy knowledge as read-only objects: organisations, their facts and sources, topics, rights.

Built by knowledge.loading from the files under data/; nothing here reads a file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple


@dataclass(frozen=True)
class Source:
    section: str
    quote: str


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


@dataclass(frozen=True)
class ResponseDelay:
    months: int
    days: int
    source: Source


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

    def facts_for(self, topic: str) -> List[Fact]:
        return [fact for fact in self.facts if fact.topic == topic]

    def fact(self, fact_id: str) -> Optional[Fact]:
        return next((fact for fact in self.facts if fact.id == fact_id), None)


@dataclass(frozen=True)
class Topic:
    name: str
    label: Dict[str, str]
    offers_request: bool = False  # an answer on it offers to file a rights request


@dataclass(frozen=True)
class Right:
    name: str
    label: Dict[str, str]
    gdpr_article: str
    citation: Dict[str, str] = field(default_factory=dict)   # how a request letter cites it
    request: Dict[str, str] = field(default_factory=dict)    # what a request letter asks for
    keywords: Tuple[str, ...] = ()                           # words naming it, when NLU tagged none


@dataclass(frozen=True)
class KnowledgeBase:
    organizations: Dict[str, Organization]
    topics: Dict[str, Topic]
    data_categories: Tuple[str, ...]
    rights: Dict[str, Right]

    def organization(self, slug: Optional[str]) -> Optional[Organization]:
        return self.organizations.get(slug or "")

    def organizations_by_name(self) -> List[Organization]:
        """The organisations in the order lists show them to people: by name."""
        return sorted(self.organizations.values(), key=lambda organization: organization.name.lower())


class KnowledgeError(ValueError):
    """A knowledge file breaks the schema; the message lists every problem found."""
