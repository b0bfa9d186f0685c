"""Load the policy knowledge files under data/ into the read-only objects of knowledge.model.

The files are the only source of what the assistant states. knowledge.schema checks each file and
reports every way it breaks the rules of data/knowledge/README.md; this module reads the files and
turns the checked files into objects.
"""
from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

import yaml

from knowledge import schema
from knowledge.concepts import concepts_mentioned
from knowledge.model import (Aspect, Concept, DataCategory, Duration, Fact, KnowledgeBase, KnowledgeError, Organization, ResponseDelay, Right,
                             Silence, Source, Topic)
from knowledge.schema import FRAGMENT_SEPARATOR, normalize_whitespace
from language import DATA_DIR

__all__ = ["DATA_DIR", "FRAGMENT_SEPARATOR", "knowledge_base", "load_concepts", "load_knowledge_base",
           "load_organization", "load_rights", "load_topics", "load_yaml", "normalize_whitespace"]

# libyaml's parser reads the five knowledge files ~20x faster than the pure-Python one (9 s -> 0.4 s).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{path.name}: not valid YAML: {error}") from None


def load_topics(data_dir: Path = DATA_DIR) -> Tuple[Dict[str, Topic], Dict[str, DataCategory]]:
    """The topics, and the data categories."""
    path = data_dir / "topics.yml"
    spec = schema.parse(schema.TopicsFile, load_yaml(path), path.name)
    topics = {name: Topic(name=name, label=topic.label.by_language(), offers_request=topic.offers_request,
                          aspects={key: Aspect(name=key, label=aspect.label.by_language())
                                   for key, aspect in topic.aspects.items()},
                          per_category=topic.per_category,
                          identifies_the_organization=topic.identifies_the_organization)
              for name, topic in spec.topics.items()}
    return topics, {name: DataCategory(name=name, label=category.label.by_language(), words=tuple(category.words),
                                       when_negated=category.when_negated, topic=category.topic)
                    for name, category in spec.data_categories.items()}


def load_concepts(topics: Mapping[str, Topic], data_dir: Path = DATA_DIR) -> Dict[str, Concept]:
    """The concepts a policy may not mention (data/concepts.yml), each in a topic of topics.yml."""
    path = data_dir / "concepts.yml"
    if not path.is_file():
        return {}
    spec = schema.parse(schema.ConceptsFile, load_yaml(path), path.name)
    unknown = [f"{path.name}: {name}: topic {concept.topic!r} is not a topic of data/topics.yml"
               for name, concept in spec.concepts.items() if concept.topic not in topics]
    if unknown:
        raise KnowledgeError("\n".join(unknown))
    return {name: Concept(name=name, topic=concept.topic, label=concept.label.by_language(),
                          asked=tuple(concept.asked), mentioned=tuple(concept.mentioned))
            for name, concept in spec.concepts.items()}


def _is_aspect(topics: Dict[str, Topic], name: str) -> bool:
    topic, _, aspect = name.partition(".")
    return topic in topics and aspect in topics[topic].aspects


def load_rights(data_dir: Path = DATA_DIR) -> Dict[str, Right]:
    path = data_dir / "rights.yml"
    spec = schema.parse(schema.RightsFile, load_yaml(path), path.name)
    return {name: Right(name=name, label=right.label.by_language(), gdpr_article=right.gdpr_article,
                        citation=right.citation.by_language() if right.citation else {},
                        request=right.request.by_language() if right.request else {},
                        keywords=tuple(right.keywords), aspects=tuple(right.aspect or ()),
                        prevails=right.prevails)
            for name, right in spec.rights.items()}


def load_organization(path: Path, topics: Dict[str, Topic], categories: Dict[str, DataCategory],
                      data_dir: Path = DATA_DIR, concepts: Optional[Mapping[str, Concept]] = None) -> Organization:
    raw = load_yaml(path)
    spec = schema.parse(schema.OrganizationFile, raw, path.name)
    policy_path = data_dir / "policies" / spec.organization.policy_file
    policy_text = normalize_whitespace(policy_path.read_text(encoding="utf-8")) if policy_path.is_file() else ""
    schema.check(path.name, raw, schema.organization_problems(spec, path.stem, topics, categories, policy_text))
    # What the policy mentions: in its text, or in the answers saying what it states, in both languages
    # (not those marked gap: "the policy does not mention encryption").
    organization = _organization(spec)
    stated = [text for fact in organization.facts if not fact.gap for text in fact.answer.values()]
    return replace(organization, mentions=concepts_mentioned([policy_text, *stated], concepts or {}))


def _organization(spec: schema.OrganizationFile) -> Organization:
    org = spec.organization
    delay = org.response_delay
    return Organization(
        slug=org.slug, name=org.name, policy_file=org.policy_file, policy_language=org.policy_language,
        policy_title=org.policy_title.by_language(), aliases=tuple(org.aliases),
        contact=org.contact.by_language(), contact_source=_source(org.contact.source),
        response_delay=ResponseDelay(months=delay.months, days=delay.days, source=_source(delay.source))
        if delay else None,
        facts=tuple(Fact(id=fact.id, topic=fact.topic, answer=fact.answer.by_language(), source=_source(fact.source),
                         keywords=tuple(fact.keywords), category=fact.category, summary=fact.summary, gap=fact.gap,
                         aspects=tuple(fact.aspect),
                         duration=Duration(**fact.duration.dict()) if fact.duration else None, date=fact.date)
                    for fact in spec.facts),
        silent_topics=tuple(entry.topic for entry in spec.silent if entry.aspect is None and entry.category is None),
        silences=tuple(Silence(topic=entry.topic, aspect=entry.aspect, category=entry.category,
                               nearest=tuple(entry.nearest)) for entry in spec.silent),
        staff_mailbox=org.staff_mailbox, verify_email=org.verify_email,
        closed_request_retention_days=org.closed_request_retention_days,
    )


def _source(spec: schema.SourceSpec) -> Source:
    return Source(section=spec.section, quote=spec.quote)


def load_knowledge_base(data_dir: Path = DATA_DIR) -> KnowledgeBase:
    topics, categories = load_topics(data_dir)  # the organisation files are checked against it
    organizations: Dict[str, Organization] = {}
    problems: List[str] = []
    concepts: Dict[str, Concept] = {}
    try:
        concepts = load_concepts(topics, data_dir)
    except KnowledgeError as error:
        problems.append(str(error))
    for path in sorted((data_dir / "knowledge").glob("*.yml")):
        try:
            organization = load_organization(path, topics, categories, data_dir, concepts)
        except KnowledgeError as error:
            problems.append(str(error))
            continue
        organizations[organization.slug] = organization
    try:
        rights = load_rights(data_dir)
        problems += [f"rights.yml: {name}: aspect {aspect!r} is not an aspect of data/topics.yml"
                     for name, right in rights.items() for aspect in right.aspects if not _is_aspect(topics, aspect)]
    except KnowledgeError as error:
        problems.append(str(error))
    if problems:
        raise KnowledgeError("\n".join(problems))
    return KnowledgeBase(organizations=organizations, topics=topics, data_categories=categories, rights=rights,
                         concepts=concepts)


@functools.lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """The knowledge base of the running process, loaded once."""
    return load_knowledge_base()
