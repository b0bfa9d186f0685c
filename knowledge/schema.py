"""The schema of every data file the knowledge layer reads, as pydantic (v1) models, and its report.

A model checks the shape of one file: required fields, types, a non-empty text in each language,
and no unknown field, so a misspelt field name is an error rather than an ignored line. What needs
more than the file itself (a fact's topic is in topics.yml, its quote is in the policy text) is
checked by `organization_problems` once the file has the right shape. Every problem becomes one
line naming the file, the entry and the field:
    <slug>.yml: facts[3] <fact id>: answer.fr: field required
"""
from __future__ import annotations

import datetime
import re
from typing import Any, Collection, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Type, TypeVar, Union

from pydantic import BaseModel, Extra, Field, StrictBool, ValidationError, conint, validator
from pydantic.error_wrappers import ErrorWrapper

from knowledge.model import DEFAULT_CLOSED_REQUEST_RETENTION_DAYS, MEASURES, KnowledgeError
from language import LANGUAGES

FRAGMENT_SEPARATOR = " [...] "

Location = Tuple[Union[int, str], ...]
Problem = Tuple[Location, str]
Model = TypeVar("Model", bound=BaseModel)


_WHITESPACE = re.compile(r"\s+")
_MAILBOX = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]{2,}")


def normalize_whitespace(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


# --------------------------------------------------------------------------- value types

def _text(value: Any) -> str:
    # A YAML number or boolean where a text is expected is a slip (`fr: no` reads as False).
    if not isinstance(value, str):
        raise TypeError(f"must be a text, not {_kind(value)}")
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _kind(value: Any) -> str:
    names = {bool: "a boolean (YAML reads yes/no/on/off as one: quote the word)", type(None): "null",
             int: "a number", float: "a number", list: "a list", dict: "a mapping"}
    return names.get(type(value), type(value).__name__)


def _phrase(value: Any) -> str:
    # Numbers are words people type ("99 years"); booleans are YAML reading yes/no/on/off.
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return _text(value).lower()


class Text(str):
    """A non-empty string, surrounding whitespace removed."""

    @classmethod
    def __get_validators__(cls) -> Iterator:
        yield _text


def _phrases(value: Any) -> Tuple[str, ...]:
    # The whole list in one validator: pydantic validating the 15,000 keywords one by one took more
    # than half of the validation time. A bad item still gets its own error, at its index.
    if not isinstance(value, list):
        raise TypeError(f"must be a list, not {_kind(value)}")
    if all(type(item) is str for item in value):
        phrases = tuple(item.strip().lower() for item in value)
        if all(phrases):
            return phrases
    checked, errors = [], []
    for index, item in enumerate(value):
        try:
            checked.append(_phrase(item))
        except (TypeError, ValueError) as error:
            errors.append(ErrorWrapper(error, loc=index))
    if errors:
        raise ValidationError(errors, Strict)
    return tuple(checked)


class Phrases:  # not a tuple subclass: pydantic then validates the field twice as slowly
    """Words or phrases people type (keywords, aliases), read as a tuple of non-empty lower-case
    strings; a number is read as text."""

    @classmethod
    def __get_validators__(cls) -> Iterator:
        yield _phrases


# --------------------------------------------------------------------------- models

class Strict(BaseModel):
    class Config:
        extra = Extra.forbid


class Bilingual(Strict):
    """One text per language of language.LANGUAGES."""
    fr: Text
    en: Text

    def by_language(self) -> Dict[str, str]:
        return {lang: getattr(self, lang) for lang in LANGUAGES}


class SourceSpec(Strict):
    section: Text       # the heading, as written in the policy
    quote: Text         # verbatim; fragments joined by FRAGMENT_SEPARATOR


class ContactSpec(Bilingual):
    source: SourceSpec


class ResponseDelaySpec(Strict):
    months: conint(strict=True, ge=0) = 0  # type: ignore[valid-type]
    days: conint(strict=True, ge=0) = 0  # type: ignore[valid-type]
    source: SourceSpec


class OrganizationSpec(Strict):
    slug: Text
    name: Text
    policy_file: Text
    policy_language: Text
    policy_title: Bilingual
    aliases: Phrases = ()  # type: ignore[assignment]
    contact: ContactSpec
    response_delay: Optional[ResponseDelaySpec] = Field(...)  # required, null when the policy states none
    staff_mailbox: Optional[Text] = None  # where staff hear of new requests and get the digest; none: no mail
    verify_email: StrictBool = True       # false: requests are filed without checking the address (weaker)
    # Days a closed (or deleted) request is kept before `python -m tracking purge` erases it for good.
    closed_request_retention_days: conint(strict=True, ge=1) = DEFAULT_CLOSED_REQUEST_RETENTION_DAYS  # type: ignore

    @validator("staff_mailbox")
    def _an_address(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not _MAILBOX.fullmatch(value):
            raise ValueError("must be one e-mail address, such as requests@example.org")
        return value

    @validator("policy_language")
    def _a_language_we_speak(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value


class DurationSpec(Strict):
    years: conint(strict=True, ge=0) = 0  # type: ignore[valid-type]
    months: conint(strict=True, ge=0) = 0  # type: ignore[valid-type]
    days: conint(strict=True, ge=0) = 0  # type: ignore[valid-type]

    @validator("days")
    def _not_zero(cls, value: int, values: Dict[str, Any]) -> int:
        if not value and not values.get("years") and not values.get("months"):
            raise ValueError("a duration needs years, months or days")
        return value


def _names(value: Any) -> Tuple[str, ...]:
    """One name or a list of names (`aspect: lifetime` or `aspect: [lifetime, consent]`)."""
    items = value if isinstance(value, list) else [value]
    if not items:
        raise ValueError("must name at least one")
    return tuple(_text(item) for item in items)


class Names:
    @classmethod
    def __get_validators__(cls) -> Iterator:
        yield _names


class FactSpec(Strict):
    id: Text
    topic: Text
    aspect: Names               # the aspect(s) of its topic it answers
    category: Optional[Text] = None
    duration: Optional[DurationSpec] = None
    date: Optional[datetime.date] = None   # the date it states (a policy's last update), for comparisons
    summary: StrictBool = False
    gap: StrictBool = False
    keywords: Phrases = ()  # type: ignore[assignment]
    answer: Bilingual
    source: SourceSpec


class SilentSpec(Strict):
    topic: Text
    aspect: Optional[Text] = None     # none: the whole topic
    category: Optional[Text] = None   # a data category the policy gives nothing for
    nearest: List[Text] = []          # ids of the facts closest to it (the general rule), said instead


class OrganizationFile(Strict):
    """data/knowledge/<slug>.yml"""
    organization: OrganizationSpec
    facts: List[FactSpec] = []
    silent: List[SilentSpec] = []


class AspectSpec(Strict):
    label: Bilingual    # fits "The … policy does not specify <label>"
    scope: Text


class TopicSpec(Strict):
    label: Bilingual
    scope: Text         # for data authors: what belongs to the topic
    offers_request: bool = False  # its answers offer to file a rights request
    per_category: bool = False    # every data category needs facts or a silent entry
    identifies_the_organization: bool = False  # "which company …?" asks who it is, not which of them
    aspects: Dict[Text, AspectSpec]

    @validator("aspects")
    def _some(cls, value: Dict[str, AspectSpec]) -> Dict[str, AspectSpec]:
        if not value:
            raise ValueError("a topic needs at least one aspect")
        return value


class CategorySpec(Strict):
    label: Bilingual
    scope: Text         # what it covers, for data authors
    words: Phrases = ()  # type: ignore[assignment]  # how people name it, both languages
    when_negated: Optional[Text] = None  # the category meant by someone denying this one
    # The topic that is about this category: a follow-up read in it ("and those little files the site
    # put in my browser?" after a retention answer) asks the last question about this category.
    topic: Optional[Text] = None


class TopicsFile(Strict):
    """data/topics.yml"""
    topics: Dict[Text, TopicSpec]
    data_categories: Dict[Text, CategorySpec]

    @validator("data_categories")
    def _known_references(cls, value: Dict[str, CategorySpec], values: Dict[str, Any]) -> Dict[str, CategorySpec]:
        for name, category in value.items():
            if category.when_negated is not None and category.when_negated not in value:
                raise ValueError(f"{name}: when_negated names no data category: {category.when_negated!r}")
            # (Topics that failed their own checks are reported there, not here.)
            if category.topic is not None and "topics" in values and category.topic not in values["topics"]:
                raise ValueError(f"{name}: topic names no topic: {category.topic!r}")
        return value


class ConceptSpec(Strict):
    topic: Text
    label: Bilingual
    asked: Phrases
    mentioned: Phrases = ()  # type: ignore[assignment]


class ConceptsFile(Strict):
    """data/concepts.yml"""
    concepts: Dict[Text, ConceptSpec]


class RightSpec(Strict):
    label: Bilingual
    gdpr_article: Text
    citation: Optional[Bilingual] = None
    request: Optional[Bilingual] = None
    keywords: Phrases = ()  # type: ignore[assignment]
    # "<topic>.<aspect>" (or a list of them) whose paraphrases describe exercising this right
    aspect: Optional[Names] = None
    prevails: bool = False   # named beside another right, this one is asked (data/rights.yml)


class RightsFile(Strict):
    """data/rights.yml"""
    rights: Dict[Text, RightSpec]


class TextsFile(Strict):
    """data/texts/<surface>.yml: text id -> one text per language."""
    __root__: Dict[Text, Bilingual]


class PhrasesByLanguage(Strict):
    fr: Phrases
    en: Phrases


class CourtesyFile(Strict):
    """data/courtesy.yml: greetings and request formulas before a question, thanks after it."""
    openers: PhrasesByLanguage
    closers: PhrasesByLanguage


class FormPhrasesFile(Strict):
    """data/form_phrases.yml: how a message relates to the form's question (see the file's comments)."""
    name_prefixes: PhrasesByLanguage
    name_particles: List[Text]
    cancel: PhrasesByLanguage
    formulas: PhrasesByLanguage
    sentence_words: PhrasesByLanguage
    resend: PhrasesByLanguage


class OrderingSpec(Strict):
    """One way to rank organisations: on the `duration`s or the `date`s their facts state."""
    measure: Text
    descending: StrictBool
    superlative: PhrasesByLanguage   # "the longest": compares, all organisations when none is named
    comparative: PhrasesByLanguage   # "longer": compares when the message names several organisations

    @validator("measure")
    def _known_measure(cls, value: str) -> str:
        if value not in MEASURES:
            raise ValueError(f"must be one of {', '.join(MEASURES)}")
        return value


class QuestionPhrasesFile(Strict):
    """data/question_phrases.yml: words that make a question about every organisation, or a comparison."""
    all_organizations: PhrasesByLanguage
    counted_units: PhrasesByLanguage
    which_organization: PhrasesByLanguage
    each_of_those: PhrasesByLanguage
    the_others: PhrasesByLanguage
    the_one: PhrasesByLanguage
    compare_with: PhrasesByLanguage
    follow_up_openers: PhrasesByLanguage
    correction_interjections: PhrasesByLanguage
    back_references: PhrasesByLanguage
    not_back_references: PhrasesByLanguage
    question_words: PhrasesByLanguage
    leading_question_words: PhrasesByLanguage
    fact_question_words: PhrasesByLanguage
    information_requests: PhrasesByLanguage
    action_requests: PhrasesByLanguage
    how_to_requests: PhrasesByLanguage
    scene_openers: PhrasesByLanguage
    wishes: PhrasesByLanguage
    condition_words: PhrasesByLanguage
    inverted_subjects: PhrasesByLanguage
    negations: PhrasesByLanguage
    refusals: PhrasesByLanguage
    clause_turns: PhrasesByLanguage
    conclusions: PhrasesByLanguage
    why_words: PhrasesByLanguage
    reason_markers: PhrasesByLanguage
    orderings: Dict[Text, OrderingSpec]


# --------------------------------------------------------------------------- checks beyond one file

# "the notice does not specify …", "it does not say …": an answer telling what the policy leaves open.
_SAYS_THE_POLICY_IS_SILENT = re.compile(r"\b(?:policy|notice|charter|list|text|wording|it)\s+(?:never\s+formally\s+names|"
                                        r"does not (?:mention|specify|say|state|give|indicate))\b", re.IGNORECASE)


def organization_problems(spec: OrganizationFile, slug: str, topics: Mapping[str, Any],
                          categories: Collection[str], policy_text: str) -> Iterator[Problem]:
    """What a well-formed organisation file still gets wrong against its name, topics.yml and its policy."""
    org = spec.organization
    if org.slug != slug:
        yield ("organization", "slug"), f"{org.slug!r} must match the file name {slug!r}"
    if not policy_text:
        yield ("organization", "policy_file"), f"policies/{org.policy_file} is missing or empty"
    else:  # without the policy text every quote would be reported as well
        yield from _quote_problems(("organization", "contact", "source", "quote"), org.contact.source, policy_text)
        if org.response_delay:
            yield from _quote_problems(("organization", "response_delay", "source", "quote"),
                                       org.response_delay.source, policy_text)
        for index, fact in enumerate(spec.facts):
            yield from _quote_problems(("facts", index, "source", "quote"), fact.source, policy_text)

    first_index: Dict[str, int] = {}
    for index, fact in enumerate(spec.facts):
        if fact.id in first_index:
            yield ("facts", index, "id"), f"duplicate of facts[{first_index[fact.id]}]"
        first_index.setdefault(fact.id, index)
        if not fact.gap and _SAYS_THE_POLICY_IS_SILENT.search(fact.answer.en):
            # Its answer says the policy leaves something open: the person is told whom to ask.
            yield ("facts", index, "gap"), "the English answer says the policy is silent on something: set gap: true"
        if fact.topic not in topics:
            yield ("facts", index, "topic"), f"unknown topic {fact.topic!r} (not in topics.yml)"
        else:
            for aspect in fact.aspect:
                if aspect not in topics[fact.topic].aspects:
                    yield ("facts", index, "aspect"), _unknown_aspect(fact.topic, aspect, topics)
        if fact.category is not None and fact.category not in categories:
            yield ("facts", index, "category"), f"unknown data category {fact.category!r} (not in topics.yml)"
    yield from _silence_problems(spec, topics, categories, set(first_index))
    yield from _coverage_problems(spec, topics, categories)


def _unknown_aspect(topic: str, aspect: str, topics: Mapping[str, Any]) -> str:
    return (f"unknown aspect {aspect!r} of topic {topic!r} "
            f"(topics.yml has: {', '.join(topics[topic].aspects)})")


def _silence_problems(spec: OrganizationFile, topics: Mapping[str, Any], categories: Collection[str],
                      fact_ids: Collection[str]) -> Iterator[Problem]:
    answered = {(fact.topic, aspect) for fact in spec.facts for aspect in fact.aspect}
    with_category = {(fact.topic, fact.category) for fact in spec.facts if fact.category}
    seen: Dict[Tuple[str, Optional[str], Optional[str]], int] = {}
    for index, entry in enumerate(spec.silent):
        key = (entry.topic, entry.aspect, entry.category)
        if entry.topic not in topics:
            yield ("silent", index, "topic"), f"unknown topic {entry.topic!r} (not in topics.yml)"
            continue
        if key in seen:
            yield ("silent", index, "topic"), f"duplicate of silent[{seen[key]}]"
        seen.setdefault(key, index)
        if entry.aspect is not None and entry.aspect not in topics[entry.topic].aspects:
            yield ("silent", index, "aspect"), _unknown_aspect(entry.topic, entry.aspect, topics)
        if entry.category is not None and entry.category not in categories:
            yield ("silent", index, "category"), f"unknown data category {entry.category!r} (not in topics.yml)"
        if entry.category is not None:
            if (entry.topic, entry.category) in with_category:
                yield ("silent", index, "category"), f"{entry.topic} has facts about {entry.category!r} and is also marked silent on it"
        elif entry.aspect is not None:
            if (entry.topic, entry.aspect) in answered:
                yield ("silent", index, "aspect"), f"aspect {entry.topic}.{entry.aspect} has facts and is also marked silent"
        elif any(fact.topic == entry.topic for fact in spec.facts):
            yield ("silent", index, "topic"), f"topic {entry.topic!r} has facts and is also marked silent"
        for fact_id in entry.nearest:
            if fact_id not in fact_ids:
                yield ("silent", index, "nearest"), f"no fact {fact_id!r} in this file"


def _coverage_problems(spec: OrganizationFile, topics: Mapping[str, Any],
                       categories: Collection[str]) -> Iterator[Problem]:
    """Every topic, aspect and (for `per_category` topics) data category has facts or a silent entry."""
    answered = {(fact.topic, aspect) for fact in spec.facts for aspect in fact.aspect}
    with_category = {(fact.topic, fact.category) for fact in spec.facts if fact.category}
    silent_topics = {entry.topic for entry in spec.silent if entry.aspect is None and entry.category is None}
    silent_aspects = {(entry.topic, entry.aspect) for entry in spec.silent if entry.aspect and not entry.category}
    silent_categories = {(entry.topic, entry.category) for entry in spec.silent if entry.category}
    covered = {fact.topic for fact in spec.facts}
    summarised = {fact.topic for fact in spec.facts if fact.summary}
    for topic, spec_topic in topics.items():
        if topic in silent_topics:
            continue
        if topic not in covered:
            yield ("silent",), f"topic {topic!r} has no fact and no silent entry"
            continue
        if topic not in summarised:
            yield ("facts",), f"topic {topic!r} has no fact marked summary: true"
        for aspect in spec_topic.aspects:
            if (topic, aspect) not in answered and (topic, aspect) not in silent_aspects:
                yield ("silent",), f"aspect {topic}.{aspect} has no fact and no silent entry"
        if getattr(spec_topic, "per_category", False):
            for category in categories:
                if (topic, category) not in with_category and (topic, category) not in silent_categories:
                    yield ("silent",), f"data category {category!r} of {topic} has no fact and no silent entry"


def _quote_problems(where: Location, source: SourceSpec, policy_text: str) -> Iterator[Problem]:
    for fragment in source.quote.split(FRAGMENT_SEPARATOR.strip()):
        fragment = normalize_whitespace(fragment)
        if fragment and fragment not in policy_text:
            yield where, f"not found verbatim in the policy: {fragment[:80]!r}"


# --------------------------------------------------------------------------- the report

# Sections made of entries, and the field naming an entry of a list; other sections are fields.
_ENTRY_LISTS = {"facts": "id", "silent": "topic"}
_ENTRY_MAPPINGS = {"topics", "data_categories", "rights", "__root__"}


def parse(model: Type[Model], raw: Any, file_name: str) -> Model:
    """`raw` (a file's YAML) as `model`; a KnowledgeError listing every problem if it does not fit."""
    try:
        return model.parse_obj({} if raw is None else raw)
    except ValidationError as error:
        problems = [(item["loc"], _message(item)) for item in error.errors()]
    raise KnowledgeError("\n".join(problem_lines(file_name, raw, problems)))


def check(file_name: str, raw: Any, problems: Iterable[Problem]) -> None:
    """Raise a KnowledgeError listing `problems`, if there is any."""
    lines = problem_lines(file_name, raw, problems)
    if lines:
        raise KnowledgeError("\n".join(lines))


def problem_lines(file_name: str, raw: Any, problems: Iterable[Problem]) -> List[str]:
    return [problem_line(file_name, raw, loc, message) for loc, message in problems]


def problem_line(file_name: str, raw: Any, loc: Location, message: str) -> str:
    """"<file>: <entry> <id>: <field path>: <message>", the entry and field parts when there are some."""
    parts = [file_name]
    rest = list(loc)
    if len(rest) > 1 and rest[0] in _ENTRY_LISTS and isinstance(rest[1], int):
        section, index = str(rest[0]), int(rest[1])
        name = _entry_name(raw, section, index)
        parts.append(f"{section}[{index}] {name}" if name else f"{section}[{index}]")
        rest = rest[2:]
    elif len(rest) > 1 and rest[0] in _ENTRY_MAPPINGS and rest[1] != "__key__":
        parts.append(str(rest[1]) if rest[0] == "__root__" else f"{rest[0]}[{rest[1]}]")
        rest = rest[2:]
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}"
                   for part in rest if part != "__root__").lstrip(".").replace("__key__", "(a key)")
    return ": ".join(parts + ([path] if path else []) + [message])


def _entry_name(raw: Any, section: str, index: int) -> str:
    entries = raw.get(section) if isinstance(raw, dict) else None
    entry = entries[index] if isinstance(entries, list) and index < len(entries) else None
    name = entry.get(_ENTRY_LISTS[section]) if isinstance(entry, dict) else None
    return str(name) if name is not None else ""


def _message(item: Dict[str, Any]) -> str:
    return "unknown field" if item["type"] == "value_error.extra" else str(item["msg"])
