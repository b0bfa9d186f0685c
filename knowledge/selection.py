"""Choose which facts of one organisation's policy answer a question.

The NLU's intent ranking says which topic the question is about and the aspect classifier which
aspect of it ("cookies.lifetime"); the facts' keywords are a secondary signal that can single out
one fact. A fact scores its topic's intent confidence, its aspect's confidence and the
idf-weighted keywords it shares with the question. A clear keyword match answers with that fact;
otherwise the facts of the aspect asked answer it. A topic, aspect or data category the policy is
silent on is answered as silent, with the policy's nearest rule when its file names one: nothing
from elsewhere stands in for it unannounced.
"""
from __future__ import annotations

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Collection, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from knowledge.concepts import unmentioned_concept
from knowledge.matching import keyword_spans, normalize
from knowledge.model import Fact, KnowledgeBase, Organization
from knowledge.question import Question

TOPIC_WEIGHT = 3.0          # score given by a topic intent at confidence 1.0
ASPECT_WEIGHT = 3.0         # score given by an aspect at confidence 1.0 (given its topic)
MAX_ASPECT_FACTS = 3        # facts shown for an aspect asked in general
GENERAL_QUESTION = 0.4      # below this confidence in its best aspect, a question is about the whole topic
SECOND_ASPECT_RATIO = 0.8   # a second aspect this close to the first is asked too
TEXT_WEIGHT = 0.5           # weight of words shared with the fact's own answer text
CATEGORY_BONUS = 2.0        # the question names the fact's data category, in the topic asked about
MIN_SPECIFIC = 1.5          # keyword score from which a fact is "what was asked"
SECOND_FACT_RATIO = 0.8     # a runner-up this close to the best is shown too
SILENT_CONFIDENCE = 0.5     # intent confidence from which a silent topic is answered as silent
# A message the NLU did not classify is answered from a fact only on two agreeing signals:
# two distinct keywords, or one keyword in the topic the NLU ranked (weakly) for it.
FALLBACK_MIN = 4.0
STRONG_EVIDENCE = 2
SUPPORTING_TOPIC = 0.1
UNMISTAKABLE = 8.0          # one keyword match this specific (a rare multi-word phrase) is enough
EXTRA_TOPIC_SUPPORT = 0.05  # the classifier gives a fact's topic this much for it to join from elsewhere
STEM_LENGTH = 6             # words compared by their first letters: "conservées" ~ "conservation"
_WORD = re.compile(r"[a-z0-9]{5,}")


@dataclass(frozen=True)
class Selection:
    """What to say: `facts` (the ones asked about, or the aspect's or topic's short list) or, when
    `silent`, that the policy is silent on the topic (or its `aspect`, or its data `category`, or
    the `concept` the question names), with the `facts` it states closest to it, if any."""

    topic: Optional[str]
    facts: Tuple[Fact, ...] = ()
    silent: bool = False
    aspect: Optional[str] = None
    category: Optional[str] = None
    concept: Optional[str] = None
    unreasoned: bool = False    # silent on the reason asked ("why?"): `facts` are what the last answer said


@dataclass(frozen=True)
class ScoredFact:
    """One fact's score for a question: what select_facts decides on, and scripts/explain.py shows."""

    fact: Fact
    keywords: Tuple[str, ...]  # the fact's keywords found in the question, one per place matched
    spans: Tuple[Tuple[int, int], ...]  # where in the (normalised) question they were found
    keyword_score: float       # their idf, plus the words shared with the fact's answer text
    distinctive: bool          # a matched keyword is not on half its topic's facts, or the category fits
    total: float               # keyword_score plus the topic's intent confidence and category bonuses

    @property
    def evidence(self) -> int:
        """Distinct places in the question that match the fact's keywords."""
        return len(self.keywords)


@functools.lru_cache(maxsize=32)
def _idf(org: Organization) -> Dict[str, float]:
    """Inverse document frequency of each keyword across the organisation's facts."""
    counts = Counter(keyword for fact in org.facts for keyword in set(fact.keywords))
    total = len(org.facts)
    return {keyword: math.log(1 + total / count) for keyword, count in counts.items()}


def _stems(text: str) -> FrozenSet[str]:
    return frozenset(word[:STEM_LENGTH] for word in _WORD.findall(normalize(text)))


@functools.lru_cache(maxsize=32)
def _answer_stems(org: Organization) -> Dict[str, Tuple[FrozenSet[str], Dict[str, float]]]:
    """Per fact, the stems of its answer in both languages, with their idf across the organisation."""
    stems = {fact.id: _stems(fact.answer["en"] + " " + fact.answer["fr"]) for fact in org.facts}
    counts = Counter(stem for fact_stems in stems.values() for stem in fact_stems)
    idf = {stem: math.log(len(org.facts) / count) for stem, count in counts.items()}
    return {fact_id: (fact_stems, idf) for fact_id, fact_stems in stems.items()}


@functools.lru_cache(maxsize=32)
def _topic_frequency(org: Organization) -> Dict[Tuple[str, str], int]:
    """How many facts of each topic carry each keyword: a keyword on half a topic's facts is generic."""
    counts: Counter = Counter()
    for fact in org.facts:
        for keyword in set(fact.keywords):
            counts[(fact.topic, keyword)] += 1
    return dict(counts)


def scored_facts(org: Organization, question: str, topic_confidence: Mapping[str, float],
                 category: Optional[str] = None, primary_topic: Optional[str] = None,
                 aspect_confidence: Optional[Mapping[str, float]] = None,
                 topics: Optional[Collection[str]] = None) -> List[ScoredFact]:
    """Every fact of `org` (of `topics` only, when given) scored for `question` (as written), best
    first; arguments as for select_facts."""
    aspect_confidence = aspect_confidence or {}
    question = normalize(question)
    idf, per_topic, answer_stems = _idf(org), _topic_frequency(org), _answer_stems(org)
    topic_sizes = Counter(fact.topic for fact in org.facts)
    question_stems = _stems(question)
    scored = []
    for fact in org.facts:
        if topics is not None and fact.topic not in topics:
            continue
        found = keyword_spans(question, fact.keywords)
        matched = [keyword for _, _, keyword in found]
        fact_stems, stem_idf = answer_stems[fact.id]
        text_score = TEXT_WEIGHT * sum(stem_idf[stem] for stem in question_stems & fact_stems)
        keyword_score = sum(idf[k] for k in matched) + text_score
        distinctive = any(per_topic[(fact.topic, k)] * 2 <= max(topic_sizes[fact.topic], 2) for k in matched)
        total = keyword_score + TOPIC_WEIGHT * topic_confidence.get(fact.topic, 0.0)
        if fact.topic == primary_topic:
            total += ASPECT_WEIGHT * max((aspect_confidence.get(aspect, 0.0) for aspect in fact.aspects), default=0.0)
        # The data category ("my CV") picks among the facts of the topic asked about; "cookies"
        # named in a question about a phone number must not pull in cookie lifetimes.
        if category and fact.category == category and fact.topic == primary_topic:
            total += CATEGORY_BONUS
            distinctive = True
        scored.append(ScoredFact(fact, tuple(matched), tuple((start, end) for start, end, _ in found),
                                 keyword_score, distinctive, total))
    scored.sort(key=lambda s: s.total, reverse=True)
    return scored


def _is_answer(scored: ScoredFact, topic_confidence: Mapping[str, float], strict: bool) -> bool:
    if scored.keyword_score < MIN_SPECIFIC or scored.evidence < 1:
        return False
    if not strict:
        return True
    return ((scored.evidence >= STRONG_EVIDENCE and scored.keyword_score >= FALLBACK_MIN)
            or topic_confidence.get(scored.fact.topic, 0.0) >= SUPPORTING_TOPIC)


def select_facts(org: Organization, question: str, topic_confidence: Mapping[str, float],
                 primary_topic: Optional[str], category: Optional[str] = None, strict: bool = False,
                 aspect_confidence: Optional[Mapping[str, float]] = None,
                 per_category: bool = False) -> Optional[Selection]:
    """The facts answering `question` for `org`, or None when nothing in the policy fits.

    `topic_confidence` maps topics to the NLU confidence of their intent; `primary_topic` is the
    top intent's topic (None when the top intent is not a topic, e.g. a low-confidence message).
    `aspect_confidence` maps the aspects of the primary topic to their confidence given the topic:
    when given, the answer comes from the aspects asked (keywords only rank their facts), so every
    wording read as the same aspect gets the same facts. `category` is the data category named;
    when the topic is `per_category`, the policy's facts on that category answer, or its silence on
    it. `strict` answers only a clear keyword match, for messages the NLU could not classify.
    """
    aspect_confidence = aspect_confidence or {}
    silence = org.silence(primary_topic) if primary_topic else None
    if silence and silence.aspect is None and silence.category is None and (
            strict or aspect_confidence or topic_confidence.get(primary_topic, 0.0) >= SILENT_CONFIDENCE):
        return _silent(org, silence.topic, silence.nearest)

    scored = scored_facts(org, question, topic_confidence, category, primary_topic, aspect_confidence)
    if primary_topic and category and per_category and not strict:
        return _category_selection(org, primary_topic, category, scored, aspect_confidence, topic_confidence)
    if primary_topic and aspect_confidence and not strict:
        return _aspect_selection(org, primary_topic, aspect_confidence, scored, topic_confidence)

    best = scored[0] if scored else None
    if best and best.distinctive and _is_answer(best, topic_confidence, strict):
        chosen = [best.fact]
        runner_up = scored[1] if len(scored) > 1 else None
        if (runner_up and runner_up.keyword_score >= MIN_SPECIFIC and runner_up.distinctive
                and runner_up.total >= SECOND_FACT_RATIO * best.total):
            chosen.append(runner_up.fact)
        return Selection(topic=best.fact.topic, facts=_distinct(sorted(chosen, key=org.facts.index)))

    if strict or primary_topic is None:
        return None
    if silence and silence.aspect is None and silence.category is None:
        return _silent(org, silence.topic, silence.nearest)
    # No aspect ranked (a model without the aspect classifier): the topic's short list.
    summary = tuple(fact for fact in org.facts_for(primary_topic) if fact.summary)
    return Selection(topic=primary_topic, facts=summary)


def selection_for(kb: KnowledgeBase, org: Organization, question: Question) -> Optional[Selection]:
    """The facts of `org` answering `question`, or None when nothing fits.

    A message the NLU did not place in a topic (low confidence, out of scope, a rights request) is
    answered only when it clearly matches a fact: a policy question in unusual words still gets its
    answer, and "can I leave instructions for after my death?" gets the policy's word on it.
    """
    decided = tuple(fact for fact in (org.fact(ref.partition("/")[2]) for ref in question.facts
                                      if ref.partition("/")[0] == org.slug) if fact)
    if decided:  # the conversation decided them ("why?" after an answer: its facts that give a reason)
        return Selection(topic=decided[0].topic, facts=decided, silent=question.unreasoned,
                         unreasoned=question.unreasoned)
    primary_topic = question.topic(kb.topics)
    topic = kb.topics.get(primary_topic or "")
    selection = select_facts(org, question.text, question.topic_confidences(kb.topics), primary_topic,
                        question.data_category(kb.data_categories), strict=primary_topic is None,
                        aspect_confidence=question.aspect_confidences(primary_topic) if primary_topic else {},
                        per_category=bool(topic and topic.per_category))
    # "is the call recorded?" to a policy that never mentions recording calls: said so, with what it
    # says closest (the facts the question would otherwise get).
    concept = unmentioned_concept(org, question.text, kb.concepts)
    if concept is None:
        return selection
    nearest = selection.facts[:MAX_ASPECT_FACTS] if selection else ()
    return Selection(topic=selection.topic if selection else concept.topic, facts=nearest, silent=True,
                     concept=concept.name)


def _silent(org: Organization, topic: str, nearest: Tuple[str, ...], aspect: Optional[str] = None,
            category: Optional[str] = None) -> Selection:
    facts = tuple(fact for fact in (org.fact(fact_id) for fact_id in nearest) if fact)
    return Selection(topic=topic, facts=facts, silent=True, aspect=aspect, category=category)


def aspects_asked(aspect_confidence: Mapping[str, float]) -> List[str]:
    """The aspects a question asks, best first: the top one, and a second nearly as likely
    ("how long and where?" reads as two); none when no aspect stands out (a general question)."""
    ranked = sorted(aspect_confidence.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] < GENERAL_QUESTION:
        return []
    return [aspect for aspect, confidence in ranked[:2] if confidence >= SECOND_ASPECT_RATIO * ranked[0][1]]


def _aspect_selection(org: Organization, topic: str, aspect_confidence: Mapping[str, float],
                      scored: List[ScoredFact], topic_confidence: Mapping[str, float]) -> Selection:
    """The facts of the aspects asked (the keywords rank them), or the policy's silence on the aspect."""
    asked = aspects_asked(aspect_confidence)
    if not asked:  # a general question on the topic: its short list, after the fact its words name
        # ("does <org>'s website carry social media content that sets cookies?": the social-media cookies)
        summary = [item.fact for item in scored if item.fact.topic == topic and item.fact.summary]
        named = next((item.fact for item in scored if item.fact.topic == topic and item.distinctive
                      and item.keyword_score >= MIN_SPECIFIC and item.evidence), None)
        lead = [named] if named is not None and named not in summary else []
        return Selection(topic=topic, facts=_led_by_the_words(lead + sorted(summary, key=org.facts.index), scored,
                                                              topic_confidence))
    chosen: List[Fact] = []
    for aspect in asked:
        facts = [item for item in scored if item.fact.topic == topic and aspect in item.fact.aspects]
        if not facts:
            continue
        specific = [item for item in facts if item.keyword_score >= MIN_SPECIFIC and item.distinctive]
        # A second specific fact only when its keywords match nearly as well as the first's.
        specific = [item.fact for item in specific
                    if item.keyword_score >= SECOND_FACT_RATIO * specific[0].keyword_score][:2]
        # The aspect's short list in the policy's order, never re-ranked by the words of one
        # wording: a summary capped to a few facts stays the same few for every paraphrase.
        summary = sorted((item.fact for item in facts if item.fact.summary), key=org.facts.index)
        if specific and summary:
            # The fact the keywords point to, then the aspect's summary: a phrase shared with one
            # narrow fact ("who receives …") does not hide the aspect's general answer.
            best = (specific[:1] + [fact for fact in summary if fact is not specific[0]])[:MAX_ASPECT_FACTS]
        else:
            best = specific or summary[:MAX_ASPECT_FACTS] or [item.fact for item in facts[:MAX_ASPECT_FACTS]]
        chosen += [fact for fact in best if fact not in chosen]
    if not chosen:
        silence = org.silence(topic, asked[0])
        return _silent(org, topic, silence.nearest if silence else (), aspect=asked[0])
    # In the policy's order: wordings that pick the same facts get the same answer, line for line.
    chosen = sorted(chosen[:MAX_ASPECT_FACTS], key=org.facts.index)
    # Keywords as the secondary signal: a fact elsewhere in the policy that the question names
    # unmistakably (several distinct keywords, or one very specific phrase, more than the facts
    # chosen, in a part of the question they leave out) is added after them when the classifier
    # also gives its topic some chance: the phone number for a cookie question asked as one.
    best_chosen = _best_keyword_score(chosen, scored)
    covered = [span for item in scored if item.fact in chosen for span in item.spans]
    idf = _idf(org)
    extra = next((item for item in scored if item.fact not in chosen and item.distinctive
                  and item.keyword_score > best_chosen and _asks_something_else(item, covered, idf)
                  and topic_confidence.get(item.fact.topic, 0.0) >= EXTRA_TOPIC_SUPPORT), None)
    if extra:
        chosen.append(extra.fact)
    return Selection(topic=topic, facts=_led_by_the_words(chosen, scored, topic_confidence), aspect=asked[0])


WORDS_WIN = 2.0  # a fact elsewhere whose words match this many times better than the facts chosen leads


def _led_by_the_words(chosen: Sequence[Fact], scored: List[ScoredFact],
                      topic_confidence: Mapping[str, float]) -> Tuple[Fact, ...]:
    """The facts chosen, led by a fact of another topic that the question's words name unmistakably and far
    better than any of them (several distinct keywords, WORDS_WIN times their best score) when the
    classifier gives its topic some chance: "do you have Facebook or Instagram buttons on your site?",
    read as a question on recipients, is answered first by the embedded social-media content (cookies);
    "will <org> ask me to fill in a survey at the end of my diploma?", read weakly as the diplomas'
    period, by the graduate survey."""
    best_chosen = _best_keyword_score(chosen, scored)
    topics = {fact.topic for fact in chosen}
    winner = next((item for item in scored if item.fact.topic not in topics and item.distinctive
                   and item.evidence >= STRONG_EVIDENCE and item.keyword_score >= UNMISTAKABLE
                   and item.keyword_score >= WORDS_WIN * best_chosen
                   and topic_confidence.get(item.fact.topic, 0.0) >= EXTRA_TOPIC_SUPPORT), None)
    if winner is None:
        return _distinct(chosen)
    return _distinct([winner.fact, *chosen][:MAX_ASPECT_FACTS])


def _best_keyword_score(facts: Sequence[Fact], scored: List[ScoredFact]) -> float:
    """How well the question's words match the best of `facts`."""
    return max((item.keyword_score for item in scored if item.fact in facts), default=0.0)


SAME_SAYING = 0.7  # two facts whose words overlap this much say the same thing (one passage filed in two topics)


def _distinct(facts: Sequence[Fact]) -> Tuple[Fact, ...]:
    """The facts without one that says what an earlier one says ("the backups are kept 3 months on
    OVH and Online servers", filed under retention and under security): an answer says it once."""
    kept: List[Tuple[Fact, FrozenSet[str]]] = []
    for fact in facts:
        words = frozenset(_WORD.findall(normalize(fact.answer.get("en") or next(iter(fact.answer.values()), ""))))
        if all(len(words & other) < SAME_SAYING * len(words | other) for _, other in kept):
            kept.append((fact, words))
    return tuple(fact for fact, _ in kept)


def _asks_something_else(item: ScoredFact, covered: List[Tuple[int, int]], idf: Mapping[str, float]) -> bool:
    """The fact's keywords name, unmistakably, a part of the question the facts chosen leave out
    ("the phone number" in a question on cookies), not words they already answer ("the DPO's
    contact" in a question on the DPO): several distinct keywords there, or one very specific phrase."""
    apart, shared = [], 0.0
    for keyword, (start, end) in zip(item.keywords, item.spans):
        if all(end <= other_start or start >= other_end for other_start, other_end in covered):
            apart.append(keyword)
        else:
            shared += idf[keyword]
    score = item.keyword_score - shared  # with the words it shares with the fact's text
    return (len(apart) >= STRONG_EVIDENCE and score >= FALLBACK_MIN) or score >= UNMISTAKABLE


def _category_selection(org: Organization, topic: str, category: str, scored: List[ScoredFact],
                        aspect_confidence: Mapping[str, float], topic_confidence: Mapping[str, float]) -> Selection:
    """What the policy says about one data category ("my CV"), or that it gives nothing for it."""
    facts = [item.fact for item in scored if item.fact.topic == topic and item.fact.category == category]
    aspect = max(aspect_confidence, key=aspect_confidence.get) if aspect_confidence else None
    if not facts:
        silence = org.silence(topic, category=category)
        return _silent(org, topic, silence.nearest if silence else (), aspect=aspect, category=category)
    in_aspect = [fact for fact in facts if aspect in fact.aspects]
    return Selection(topic=topic, facts=_led_by_the_words((in_aspect or facts)[:MAX_ASPECT_FACTS], scored,
                                                          topic_confidence), aspect=aspect, category=category)
