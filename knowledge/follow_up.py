"""The question a message asks in the conversation so far: a follow-up ("and at <org>?", "and for
prospects?", "how long do they last?", "who else may look at them?") read with the last question
answered; the answer action reads every message through it."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Dict, List, Optional

from knowledge.answering import FALLBACK_INTENT
from knowledge.matching import normalize, words_pattern
from knowledge.model import Fact, KnowledgeBase, Organization
from knowledge.phrases import question_phrases
from knowledge.question import TOPIC_INTENT_PREFIX, Question, aspect_name
from knowledge.selection import MIN_SPECIFIC, STRONG_EVIDENCE, ScoredFact, scored_facts
from language.detection import function_words

FOLLOW_UP_WORDS = 8     # a message this short may lean on the conversation ("and how long do they last?")
_WORDS = re.compile(r"[a-z0-9]+")


def names_only_a_category(question: Question, kb: KnowledgeBase) -> bool:
    """"et pour les prospects ?", "and CVs at <organisation>?": besides data categories and organisations,
    the message has only function words and no question word, so it asks nothing of its own."""
    if question_phrases().asks_something(question.text):
        return False  # "how long do you keep my CV?" asks its own question
    return not _words_besides_names(question, kb)


def asks_beyond_organizations(question: Question, kb: KnowledgeBase) -> bool:
    """"<org> et <org>, ils hébergent mes données chez qui ?": a question word, and words of its own
    besides it, the organisations and categories named and function words (not "and what about <org>?")."""
    phrases = question_phrases()
    asking = {word for phrase in phrases.question_words for word in _WORDS.findall(normalize(phrase))}
    return phrases.asks_something(question.text) and any(
        word not in asking for word in _words_besides_names(question, kb))


def _words_besides_names(question: Question, kb: KnowledgeBase) -> List[str]:
    """The message's words that are not data categories, organisations or function words."""
    names = tuple(word for category in kb.data_categories.values() for word in category.words) + tuple(
        alias for org in kb.organizations.values() for alias in (org.slug, *org.aliases))
    text = words_pattern(names).sub(" ", normalize(question.text))
    return [word for word in _WORDS.findall(text) if word not in function_words()]


OWN_ASPECT = 0.8        # a follow-up this sure of another aspect of the same topic asks that one
OWN_TOPIC = 0.9         # a follow-up this sure of another topic, naming more than a category, asks its own question
VAGUE_INTENTS = (FALLBACK_INTENT, "out_of_scope")  # what "how?" alone is read as
UNSURE_VAGUE = 0.6      # below this, a follow-up read as out of scope is read in the conversation


def asks_nothing_of_its_own(question: Question) -> bool:
    """"how?", "pourquoi ?", "and why?": a question made only of function and question words."""
    words = _WORDS.findall(normalize(question.text))
    ordinary = function_words() | set(question_phrases().question_words)
    return "?" in question.text and bool(words) and all(word in ordinary for word in words)


def _reads_better_alone(question: Question, last: Question, kb: KnowledgeBase) -> bool:
    """A follow-up naming a category that asks its own question rather than the last one about it:
    its topic alone answers per category ("how long do cookies last?" then "and my registration
    data?": that category's period), or it is sure of another aspect of the same topic ("what do you
    collect about participants?" then "and info about a disability?": the sensitive data), or it is
    sure of another topic and names more than a category ("and the other kinds of cookies?" after
    where the social networks are based)."""
    topic, last_topic = question.topic(kb.topics), last.topic(kb.topics)
    if topic is None or last_topic is None:
        return False
    if kb.topics[topic].per_category and not kb.topics[last_topic].per_category:
        return True
    if (topic != last_topic and question.topic_confidences(kb.topics)[topic] >= OWN_TOPIC
            and not names_only_a_category(question, kb)):
        return True  # "and the other kinds of cookies?" after where the social networks are based
    own = question.aspect_confidences(topic)
    best = max(own, key=own.get) if own else None
    return topic == last_topic and best is not None and own[best] >= OWN_ASPECT and best != last.aspect(topic)


CONTEXT_PRIOR = 3.0     # how much likelier the conversation's topic is than another for such a message
REFERRING_WORDS = 14    # a message pointing back ("what do they do with …") may be this long


def _points_at_the_last_topic(question: Question, last: Question, kb: KnowledgeBase) -> bool:
    """A follow-up pointing back ("and what do they do with my IP address?" after the analytics
    cookies) whose words single out a fact of the last answer's topic, at an organisation it was
    answered for, at least as well as any fact of the topic the message alone is read in, unless
    the classifier is sure of that topic or the message names a data category. ("and if I'm not satisfied with your answer?" after the
    response delay points at nothing: a complaint.)"""
    if len(question.text.split()) > REFERRING_WORDS or not question_phrases().refers_back(question.text):
        return False
    last_topic, own_topic = last.topic(kb.topics), question.topic(kb.topics)
    if own_topic and question.topic_confidences(kb.topics)[own_topic] >= OWN_TOPIC:
        return False  # "how long do you keep them?" after the cookies: sure of its own reading
    if question.data_category(kb.data_categories):
        return False  # "et leurs sauvegardes, ils les gardent combien de temps ?": the backups' period
    for org in filter(None, (kb.organization(slug) for slug in last.organizations)):
        best: Dict[Optional[str], float] = {}
        for item in scored_facts(org, question.text, {}, topics=(last_topic, own_topic)):
            if item.distinctive and item.evidence:
                best[item.fact.topic] = max(best.get(item.fact.topic, 0.0), item.keyword_score)
        if best.get(last_topic, 0.0) >= MIN_SPECIFIC and best[last_topic] >= best.get(own_topic, 0.0):
            return True
    return False


PASSAGE_SUPPORT = 0.05  # the classifier gives a fact's topic this much for "them" to mean that fact's subject
OWN_READING = 0.5       # "and will it use that for anything other than my training?": purposes at 0.83, not the
                        # retention fact beside the last one that "training" alone names ("ils récupèrent mon
                        # adresse IP ?" after the analytics tools: two words name their IP fact)


def _about_the_last_passage(question: Question, last: Question, kb: KnowledgeBase) -> Optional[Question]:
    """"who else may look at them?" after "<org> must keep the comments left on its site for a year":
    a message pointing back, unsure of its own reading, asks about what the passage just quoted says
    next; when it names a data category, only a fact about that one ("et pour mon employeur, qui est
    leur client ?" after a row of a retention table: the customers' row). Among the facts quoting the
    same sections as the last answer, the one its words and the classifier's topics favour (at least PASSAGE_SUPPORT for its topic, or
    a word of its own) answers in its aspect and data category ("the police, the tax authorities or
    the URSSAF"), unless it is a fact already said, one of the message's own topic, or one of the last
    topic its words do not name ("ce délai commence quand ?": the usual follow-up reads those; "ils
    récupèrent mon adresse IP ?" after the analytics tools names one): then the message is read as
    usual; so is "et leur prestataire ?", which asks the last question again about something else."""
    phrases = question_phrases()
    if (not last.said or len(question.text.split()) > REFERRING_WORDS or not phrases.refers_back(question.text)
            or phrases.continues(question.text)):
        return None
    category = question.data_category(kb.data_categories)
    scores = question.topic_confidences(kb.topics)
    topic, last_topic = question.topic(kb.topics), last.topic(kb.topics)
    if topic is not None and scores.get(topic, 0.0) >= OWN_TOPIC:
        return None
    said = _facts_said(last, kb)
    # Its words alone may pick a fact the classifier gives no support to; several of them when it leans
    # to a topic of its own.
    words_needed = 1 if topic is None or scores.get(topic, 0.0) < OWN_READING else STRONG_EVIDENCE
    best: Optional[ScoredFact] = None
    for org, facts in said.items():
        sections = {fact.source.section for fact in facts}
        for item in scored_facts(org, question.text, scores):
            fact = item.fact
            if fact.source.section in sections and (fact in facts or scores.get(fact.topic, 0.0) >= PASSAGE_SUPPORT
                                                    or (item.evidence >= words_needed and item.distinctive)):
                best = item if best is None or item.total > best.total else best
                break  # scored best first: the first in the passage is its best
    if best is None or any(best.fact in facts for facts in said.values()):
        return None
    fact = best.fact
    if category and category != fact.category and kb.data_categories[category].topic != fact.topic:
        return None  # "et leurs sauvegardes, ils les gardent combien de temps ?": the backups' period
    # Its words name the fact: answered by them (that fact); else the fact's aspect and category answer.
    named = best.distinctive and best.keyword_score >= MIN_SPECIFIC
    if fact.topic == topic != last_topic or (fact.topic == last_topic and not named):
        return None
    aspects = [] if named or not fact.aspects else [{"name": aspect_name(fact.topic, fact.aspects[0]), "confidence": 1.0}]
    read = replace(question.with_intent(TOPIC_INTENT_PREFIX + fact.topic, 1.0), parts=[], aspect_ranking=aspects)
    return read.with_category(fact.category) if fact.category else read


def _the_reason_asked(question: Question, last: Question, kb: KnowledgeBase) -> Optional[Question]:
    """"why?", "et pourquoi ?" alone right after an answer, or a short why-question pointing back at it
    ("why would I keep them then?"): the facts it gave that state a reason ("… measures the opening rate
    of its e-mails in order to adapt them to your needs"), for each organisation answered, or for those
    of them the message names; None when none does (the classifier's reading then answers)."""
    phrases = question_phrases()
    if not last.said or not phrases.names_why(question.text):
        return None
    if not asks_nothing_of_its_own(question) and not (
            phrases.refers_back(question.text) and len(question.text.split()) <= FOLLOW_UP_WORDS):
        return None
    named = set(question.entity_values("organization")) & set(last.organizations)
    said = [(org, fact) for org, facts in _facts_said(last, kb).items() for fact in facts
            if not named or org.slug in named]
    reasons = [f"{org.slug}/{fact.id}" for org, fact in said
               if any(phrases.gives_a_reason(answer) for answer in fact.answer.values())]
    if reasons:
        return replace(last, text=question.text, parts=[], facts=reasons)
    if asks_nothing_of_its_own(question):
        # "pourquoi ?" after a bare period asks about that answer, not a new topic: the policy gives no reason.
        return replace(last, text=question.text, parts=[], facts=[f"{org.slug}/{fact.id}" for org, fact in said],
                       unreasoned=True)
    return None


def _facts_said(last: Question, kb: KnowledgeBase) -> Dict[Organization, List[Fact]]:
    """The facts the last answer gave, per organisation."""
    said: Dict[Organization, List[Fact]] = {}
    for ref in last.said:
        slug, _, fact_id = ref.partition("/")
        org = kb.organization(slug)
        fact = org.fact(fact_id) if org else None
        if fact:
            said.setdefault(org, []).append(fact)
    return said


def follow_up(question: Question, last: Optional[Question], kb: KnowledgeBase) -> Question:
    """The question a message asks in the conversation so far, after the answer to `last`:

    - "what about prospects?", "et les stagiaires ?", "and the data about my diploma?": a message
      that names a data category and nothing else but organisations and function words, or that
      opens like a follow-up and asks nothing of its own (or that the NLU places in no topic), asks
      the last question again about it; or its own, when only its topic answers per data category
      ("how long do cookies last?" then "and my registration data?") or when it is sure of another
      aspect of the same topic ("and info about a disability?" after the categories collected);
    - "and how long do they last?" after a cookie answer, "et combien de temps ?": a short message
      whose topic is uncertain stays in the conversation's topic when that topic is at least
      1/CONTEXT_PRIOR as likely as any other; its own aspect is then taken within that topic;
    - a short message that names no data category keeps the last question's ("where are my
      backups?" then "and for how long?");
    - "and what do they do with my IP address?" after the analytics cookies, "and their LMS provider?"
      after the breach delays: a message pointing back whose words single out a fact of the last
      answer's topic is read there;
    - "who else may look at them?" after the comments kept under a decree: a message pointing back
      that names, or leans to, another fact of the passage just quoted gets that fact;
    - "how?", "pourquoi ?" (only function and question words, read as no topic): the last question;
    - "and the slowest?", "et la plus récente ?": a short message that only asks for a ranking asks
      the last question ranked so;
    - "why?", "pourquoi ?" alone: the facts just given that state a reason, if any;
    - "and the passwords?" read in the last topic after a period it gave (a cookie's lifetime): how
      long that category is kept.
    """
    reason = _the_reason_asked(question, last, kb) if last else None
    if reason is not None:
        return reason
    passage = _about_the_last_passage(question, last, kb) if last else None
    if passage is not None:
        return passage
    read = _read_after(question, last, kb)
    named = last is not None and question.data_category(kb.data_categories) is not None
    return _the_period_of_its_category(read, last, kb) if named else read


def _read_after(question: Question, last: Optional[Question], kb: KnowledgeBase) -> Question:
    """follow_up's reading of a message that neither asks why nor points into the last passage."""
    last_topic = last.topic(kb.topics) if last else None
    if last is None or last_topic is None:
        return question
    topic = question.topic(kb.topics)
    named = question.data_category(kb.data_categories)
    linked = None if named else _category_of_its_topic(question, last_topic, kb)
    names_category = bool(named or linked)
    phrases = question_phrases()
    # "what about prospects?", "I'm not a student yet, I just asked for a brochure. what about me?", or
    # a situation told without a question ("I'm not a customer yet, I only left a comment"): the last
    # question, about the data category named or described.
    if names_category and (topic is None or names_only_a_category(question, kb) or phrases.continues(question.text)
                           or phrases.states_only(question.text, next(iter(question.entity_values("language")), None))):
        if not linked and _reads_better_alone(question, last, kb):
            return question
        # Its own category however it is read: tagged, named, or described ("and if I only asked for info?").
        read = replace(last, text=question.text, entities=list(question.entities), parts=list(question.parts),
                       category_ranking=list(question.category_ranking))
        return read.with_category(linked) if linked else read
    if topic is None and question.intent in VAGUE_INTENTS and asks_nothing_of_its_own(question):
        # "how?", "pourquoi ?" right after an answer: about that answer, not a new question. (Read
        # in a topic, such a message keeps it: "how long?" after a cookie answer is their lifetime.)
        return replace(last, text=question.text, parts=[])
    if topic != last_topic and (topic is not None or question.intent in VAGUE_INTENTS) \
            and _points_at_the_last_topic(question, last, kb):
        # Its words single out a fact of the topic just answered: read there, by those words.
        return replace(question.with_intent(last.intent or "", 1.0), aspect_ranking=[], parts=[])
    if len(question.text.split()) > FOLLOW_UP_WORDS:
        return question
    if topic is None and question_phrases().ordering(question.text, several_named=True):
        # "and the slowest?" after a comparison: the same question, ranked the other way.
        return replace(last, text=question.text, parts=[])
    if (topic is None and question.intent in VAGUE_INTENTS and question.intent_confidence < UNSURE_VAGUE
            and phrases.opens_like_a_follow_up(question.text)):
        # "and does <org> give a deadline at all?" after the response delays (out of scope at 0.49):
        # a message opening like a follow-up that the classifier places nowhere surely asks the last
        # question again (of the organisation it names, if any), about the last one's data category.
        category = last.data_category(kb.data_categories)
        read = replace(last, text=question.text, parts=[], entities=list(question.entities), category_ranking=[])
        return read.with_category(category) if category else read
    if topic is None and question.intent != FALLBACK_INTENT:
        return question  # a greeting, thanks, help...: not a policy question
    resolved = question
    if topic != last_topic:
        scores = question.topic_confidences(kb.topics)
        best_other = max((score for name, score in scores.items() if name != last_topic), default=0.0)
        if CONTEXT_PRIOR * scores.get(last_topic, 0.0) >= best_other:
            resolved = question.with_intent(last.intent, scores.get(last_topic, 0.0))
    if resolved is question and (topic is None or names_category):
        return question
    if names_category:
        return resolved
    # The last question's category however it was read (tagged, named in its words, or described).
    carried = last.data_category(kb.data_categories)
    if not carried:
        return resolved
    return _about_the_category(resolved, last_topic, kb).with_category(carried)


def _the_period_of_its_category(read: Question, last: Question, kb: KnowledgeBase) -> Question:
    """"how long do the audience cookies last?" then "and the passwords I set up on their website?", read
    in the last topic: the last answer gave a period in a topic not answered per category, about another
    category than the one named now: the question is that category's period, in the topic answered per
    category that states periods (how long data is kept)."""
    last_topic, category = last.topic(kb.topics), read.data_category(kb.data_categories)
    if (last_topic is None or category is None or read.topic(kb.topics) != last_topic
            or kb.topics[last_topic].per_category
            or kb.data_categories[category].topic == last_topic
            or not any(fact.duration for facts in _facts_said(last, kb).values() for fact in facts)):
        return read
    periods = next((name for name, topic in kb.topics.items() if topic.per_category and any(
        fact.duration for org in kb.organizations.values() for fact in org.facts_for(name))), None)
    return replace(read.with_intent(TOPIC_INTENT_PREFIX + periods, 1.0), aspect_ranking=[]) if periods else read


def _category_of_its_topic(question: Question, last_topic: str, kb: KnowledgeBase) -> Optional[str]:
    """The data category the message's own topic is about ("and those little files the site put in my
    browser?", read as cookies), after a question answered per category: the follow-up names it."""
    topic = question.topic(kb.topics)
    if topic is None or topic == last_topic or not kb.topics[last_topic].per_category:
        return None
    return next((name for name, category in kb.data_categories.items() if category.topic == topic), None)


def _about_the_category(question: Question, last_topic: str, kb: KnowledgeBase) -> Question:
    """A follow-up that leaves the last topic but keeps its data category ("how long are they kept
    there?" after where the backups are) is read in a topic answered per category when the classifier
    finds it nearly as likely (CONTEXT_PRIOR) as its first reading (cookie lifetimes): "they" are
    the backups, and how long they are kept is answered per category."""
    topic = question.topic(kb.topics)
    if topic is None or topic == last_topic or kb.topics[topic].per_category:
        return question
    scores = question.topic_confidences(kb.topics)
    per_category = [name for name in scores if kb.topics[name].per_category]
    best = max(per_category, key=scores.get, default=None)
    if best is None or CONTEXT_PRIOR * scores[best] < scores[topic]:
        return question
    return question.with_intent(TOPIC_INTENT_PREFIX + best, scores[best])
