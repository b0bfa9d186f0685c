"""Load and validate the policy knowledge files under data/knowledge/.

The files are the only source of what the assistant states; this module turns them into
read-only objects and reports every way a file breaks the rules in data/knowledge/README.md.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from knowledge.model import (Fact, KnowledgeBase, KnowledgeError, Organization, ResponseDelay, Right, Source,
                             Topic)
from language import DATA_DIR, LANGUAGES

FRAGMENT_SEPARATOR = " [...] "


# libyaml's parser reads the five knowledge files ~20x faster than the pure-Python one (9 s -> 0.4 s).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> object:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)


def normalize_whitespace(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _source(raw: object, where: str, errors: List[str]) -> Source:
    if not isinstance(raw, dict) or not raw.get("section") or not raw.get("quote"):
        errors.append(f"{where}: source needs a section and a quote")
        return Source(section="", quote="")
    return Source(section=str(raw["section"]).strip(), quote=str(raw["quote"]).strip())


def _bilingual(raw: object, where: str, errors: List[str]) -> Dict[str, str]:
    if not isinstance(raw, dict) or any(not str(raw.get(lang) or "").strip() for lang in LANGUAGES):
        errors.append(f"{where}: needs non-empty 'en' and 'fr' texts")
        return {lang: "" for lang in LANGUAGES}
    return {lang: str(raw[lang]).strip() for lang in LANGUAGES}


def _check_quote(source: Source, policy_text: str, where: str, errors: List[str]) -> None:
    for fragment in source.quote.split(FRAGMENT_SEPARATOR.strip()):
        fragment = normalize_whitespace(fragment)
        if fragment and fragment not in policy_text:
            errors.append(f"{where}: quote not found verbatim in the policy: {fragment[:80]!r}")


def load_topics(data_dir: Path = DATA_DIR) -> Tuple[Dict[str, Topic], Tuple[str, ...]]:
    raw = load_yaml(data_dir / "topics.yml")
    topics = {name: Topic(name=name, label=dict(spec["label"])) for name, spec in raw["topics"].items()}
    return topics, tuple(raw["data_categories"])


def load_rights(data_dir: Path = DATA_DIR) -> Dict[str, Right]:
    raw = load_yaml(data_dir / "rights.yml")
    return {name: Right(name=name, label=dict(spec["label"]), gdpr_article=str(spec["gdpr_article"]),
                        citation=dict(spec.get("citation") or {}), request=dict(spec.get("request") or {}),
                        keywords=tuple(str(k).lower() for k in spec.get("keywords") or ()))
            for name, spec in raw["rights"].items()}


def load_organization(path: Path, topics: Dict[str, Topic], categories: Tuple[str, ...],
                      data_dir: Path = DATA_DIR) -> Organization:
    errors: List[str] = []
    raw = load_yaml(path) or {}
    org = raw.get("organization") or {}
    slug = str(org.get("slug", ""))
    if slug != path.stem:
        errors.append(f"organization.slug {slug!r} must match the file name {path.stem!r}")
    policy_path = data_dir / "policies" / str(org.get("policy_file", ""))
    policy_text = normalize_whitespace(policy_path.read_text(encoding="utf-8")) if policy_path.is_file() else ""
    if not policy_text:
        errors.append(f"policy file {policy_path} is missing or empty")

    contact_raw = org.get("contact") or {}
    contact = _bilingual(contact_raw, "organization.contact", errors)
    contact_source = _source(contact_raw.get("source"), "organization.contact", errors)
    _check_quote(contact_source, policy_text, "organization.contact", errors)

    delay = None
    if org.get("response_delay"):
        raw_delay = org["response_delay"]
        delay = ResponseDelay(months=int(raw_delay.get("months", 0)), days=int(raw_delay.get("days", 0)),
                              source=_source(raw_delay.get("source"), "response_delay", errors))
        _check_quote(delay.source, policy_text, "response_delay", errors)

    facts: List[Fact] = []
    seen_ids = set()
    for index, item in enumerate(raw.get("facts") or []):
        where = f"facts[{index}] {item.get('id', '?')}"
        if item.get("id") in seen_ids:
            errors.append(f"{where}: duplicate id")
        seen_ids.add(item.get("id"))
        if item.get("topic") not in topics:
            errors.append(f"{where}: unknown topic {item.get('topic')!r}")
        if item.get("category") is not None and item["category"] not in categories:
            errors.append(f"{where}: unknown data category {item['category']!r}")
        source = _source(item.get("source"), where, errors)
        _check_quote(source, policy_text, where, errors)
        facts.append(Fact(
            id=str(item.get("id")), topic=str(item.get("topic")), category=item.get("category"),
            summary=bool(item.get("summary", False)), gap=bool(item.get("gap", False)),
            keywords=tuple(str(k).lower() for k in item.get("keywords") or ()),
            answer=_bilingual(item.get("answer"), where, errors), source=source,
        ))

    silent = tuple(str(entry.get("topic")) for entry in raw.get("silent") or [])
    covered = {fact.topic for fact in facts}
    for topic in topics:
        if topic in covered and topic in silent:
            errors.append(f"topic {topic!r} has facts and is also marked silent")
        if topic not in covered and topic not in silent:
            errors.append(f"topic {topic!r} has no fact and no silent entry")
    for topic in silent:
        if topic not in topics:
            errors.append(f"silent: unknown topic {topic!r}")
    for topic in covered:
        if not any(fact.summary for fact in facts if fact.topic == topic):
            errors.append(f"topic {topic!r} has no fact marked summary: true")

    if errors:
        raise KnowledgeError(f"{path.name}:\n  " + "\n  ".join(errors))
    return Organization(
        slug=slug, name=str(org["name"]), policy_file=str(org["policy_file"]),
        policy_language=str(org["policy_language"]), policy_title=_bilingual(org.get("policy_title"), "", []),
        aliases=tuple(str(a).lower() for a in org.get("aliases") or ()), contact=contact,
        contact_source=contact_source, response_delay=delay, facts=tuple(facts), silent_topics=silent,
    )


def load_knowledge_base(data_dir: Path = DATA_DIR) -> KnowledgeBase:
    topics, categories = load_topics(data_dir)
    organizations: Dict[str, Organization] = {}
    problems: List[str] = []
    for path in sorted((data_dir / "knowledge").glob("*.yml")):
        try:
            organization = load_organization(path, topics, categories, data_dir)
        except KnowledgeError as error:
            problems.append(str(error))
            continue
        organizations[organization.slug] = organization
    if problems:
        raise KnowledgeError("\n".join(problems))
    return KnowledgeBase(organizations=organizations, topics=topics, data_categories=categories,
                         rights=load_rights(data_dir))


@functools.lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """The knowledge base of the running process, loaded once."""
    return load_knowledge_base()
