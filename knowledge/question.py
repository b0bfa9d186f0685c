"""A person's question as the NLU understood it: text, intent ranking, entities.

Plain data (no Rasa import): the actions build it from the tracker, scripts/explain.py from a parse.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Collection, Dict, List, Mapping, Optional

from knowledge.matching import named_in_order, normalize, word_pattern
from knowledge.phrases import question_phrases

TOPIC_INTENT_PREFIX = "ask_"
ASPECT_RANKING = "aspect_ranking"   # what rasa_extensions.aspect_classifier adds to a parsed message
ASPECT_SEPARATOR = "."
ASPECT_PARTS = "aspect_parts"       # when a message asks several questions: each clause and its aspect ranking
CATEGORY_RANKING = "category_ranking"  # the data category the classifier reads, named or described
RIGHT_RANKING = "right_ranking"        # each right's share of the classifier's probability for the rights' aspects
DATA_CATEGORY = "data_category"        # the tagger's entity naming one
NO_CATEGORY = "none"
# A category the classifier reads from a description ("I only asked for a brochure") counts from this
# confidence, when neither the tagger nor a category's words name one.
CATEGORY_CONFIDENCE = 0.5
# A request's right read by the classifier: its aspect(s) must hold this share of the rights' aspects'
# total, over every label (`right_ranking`). "Can you do it for me?" spreads it (restriction .26,
# access .22), "je voudrais faire une demande concernant mes données" too (erasure .52): no right;
# "envoyez-moi tout ce que vous avez sur moi" is access (.69).
RIGHT_SHARE = 0.6


def aspect_name(topic: str, aspect: str) -> str:
    """The aspect classifier's label: "<topic>.<aspect>"."""
    return f"{topic}{ASPECT_SEPARATOR}{aspect}"


@dataclass
class Question:
    """A user question as the NLU understood it; stored in a slot while the bot asks for the organisation."""

    text: str
    intent: Optional[str]
    intent_ranking: List[Dict[str, Any]] = field(default_factory=list)
    entities: List[Dict[str, Any]] = field(default_factory=list)
    aspect_ranking: List[Dict[str, Any]] = field(default_factory=list)
    parts: List[Dict[str, Any]] = field(default_factory=list)   # [{"text": clause, "aspect_ranking": [...]}]
    category_ranking: List[Dict[str, Any]] = field(default_factory=list)
    right_ranking: List[Dict[str, Any]] = field(default_factory=list)
    organizations: List[str] = field(default_factory=list)      # the slugs it was answered for, once answered
    # The organisations answered on this topic so far in the conversation, oldest first, each with
    # the data category asked for it: [{"organization": slug, "category": name or None}].
    answered: List[Dict[str, Any]] = field(default_factory=list)
    # The facts its answer gave, as "<slug>/<fact id>": what "them" in the next message may point at.
    said: List[str] = field(default_factory=list)
    # The organisations its answer picked out of those answered ("which one keeps CVs the longest?":
    # the first; "which of the five give a phone number?": those that do): "them" in the next message.
    picked: List[str] = field(default_factory=list)
    # The facts that answer it, as "<slug>/<fact id>", when the conversation decided them ("why?" after
    # an answer: its facts that give a reason); not remembered past its answer.
    facts: List[str] = field(default_factory=list)
    # Those facts state no reason for what the last answer said ("why?" after a bare period): the answer
    # says the policy gives none, then repeats what it does say.
    unreasoned: bool = False

    @classmethod
    def from_message(cls, message: Optional[Dict[str, Any]]) -> "Question":
        """From a parsed message as Rasa gives it (text, intent, intent_ranking, entities)."""
        message = message or {}
        return cls(text=message.get("text") or "", intent=(message.get("intent") or {}).get("name"),
                   intent_ranking=list(message.get("intent_ranking") or []),
                   entities=list(message.get("entities") or []),
                   aspect_ranking=list(message.get(ASPECT_RANKING) or []),
                   parts=list(message.get(ASPECT_PARTS) or []),
                   category_ranking=list(message.get(CATEGORY_RANKING) or []),
                   right_ranking=list(message.get(RIGHT_RANKING) or []))

    @classmethod
    def from_slot(cls, value: Any) -> Optional["Question"]:
        if not isinstance(value, dict) or "text" not in value:
            return None
        return cls(text=value["text"], intent=value.get("intent"),
                   intent_ranking=value.get("intent_ranking") or [], entities=value.get("entities") or [],
                   aspect_ranking=value.get(ASPECT_RANKING) or [], parts=value.get("parts") or [],
                   organizations=value.get("organizations") or [],
                   category_ranking=value.get(CATEGORY_RANKING) or [], answered=value.get("answered") or [],
                   right_ranking=value.get(RIGHT_RANKING) or [], said=value.get("said") or [],
                   picked=value.get("picked") or [], facts=value.get("facts") or [],
                   unreasoned=bool(value.get("unreasoned")))

    @property
    def intent_confidence(self) -> float:
        """The classifier's confidence in the message's intent (0 when it gave none)."""
        return next((float(item.get("confidence") or 0.0) for item in self.intent_ranking
                     if item.get("name") == self.intent), 0.0)

    def with_intent(self, intent: str, confidence: float) -> "Question":
        """The same message read as `intent` (placed first in the ranking with `confidence`)."""
        ranking = [{"name": intent, "confidence": confidence}] + [
            item for item in self.intent_ranking if item.get("name") != intent]
        return replace(self, intent=intent, intent_ranking=ranking)

    def with_category(self, category: Optional[str]) -> "Question":
        """The same question about the data category `category` (or about none)."""
        entities = [e for e in self.entities if e.get("entity") != DATA_CATEGORY]
        tagged = [{"entity": DATA_CATEGORY, "value": category}] if category else []
        return replace(self, entities=entities + tagged, category_ranking=[])

    def as_slot(self) -> Dict[str, Any]:
        return asdict(self)

    def entity_values(self, entity: str) -> List[Any]:
        return [e.get("value") for e in self.entities if e.get("entity") == entity]

    def data_category(self, categories: Mapping[str, Any]) -> Optional[str]:
        """The data category the question names: the tagger's value, or one of the categories'
        words (in the tagged span, else in the whole text) when the tagger missed it or tagged it
        in words it does not know ("données du programme de prévention"); else the one the
        classifier reads in a description ("I only asked for info, never enrolled": prospects).
        A category whose every mention is denied ("I'm not a student yet, I only asked for a
        brochure") is passed over for the next one read; when all are, the question is about the
        category the first one names for that (`when_negated`: "not a customer" -> prospects), or none."""
        candidates = self._categories_read(categories)
        for name in candidates:
            if not _denied(self.text, categories[name]):
                return name
        meant = (getattr(categories[name], "when_negated", None) for name in candidates)
        return next((name for name in meant if name), None)

    def _categories_read(self, categories: Mapping[str, Any]) -> List[str]:
        """Every category read, in the order they count: tagged, named in the tagged span, named in
        the text (in order), described (the classifier's, from CATEGORY_CONFIDENCE)."""
        values = [str(value) for value in self.entity_values(DATA_CATEGORY) if value]
        found = [value for value in values if value in categories]
        for text in [*values, self.text]:
            found += _categories_named(text, categories)
        best = self.category_ranking[0] if self.category_ranking else {}
        if best.get("name") in categories and float(best.get("confidence") or 0.0) >= CATEGORY_CONFIDENCE:
            found.append(str(best["name"]))
        return list(dict.fromkeys(found))

    def topic_confidences(self, topics: Collection[str]) -> Dict[str, float]:
        """Confidence of each policy topic, from the ranking of the `ask_<topic>` intents."""
        confidences: Dict[str, float] = {}
        for item in self.intent_ranking:
            topic = _topic_of(item.get("name"), topics)
            if topic:
                confidences[topic] = float(item.get("confidence") or 0.0)
        return confidences

    def topic(self, topics: Collection[str]) -> Optional[str]:
        return _topic_of(self.intent, topics)

    def aspect_topic_totals(self, topics: Collection[str]) -> Dict[str, float]:
        """Each policy topic's total in the aspect classifier's ranking: the chance the message asks about it."""
        totals: Dict[str, float] = {}
        for item in self.aspect_ranking:
            topic = str(item.get("name", "")).split(ASPECT_SEPARATOR)[0]
            if topic in topics:
                totals[topic] = totals.get(topic, 0.0) + float(item.get("confidence") or 0.0)
        return totals

    def described_right(self, right_aspects: Mapping[str, str]) -> Optional[str]:
        """The right (of `right_aspects`: aspect name -> right) whose aspect the classifier ranks first among
        them, with at least RIGHT_SHARE of their total: "send me my data in a format I can reuse" ->
        portability, though it names no right. Relative, since a request's own class takes most of the mass:
        over every label when the classifier gave `right_ranking`, else over the aspects it ranked."""
        if self.right_ranking:
            best = self.right_ranking[0]
            return str(best["name"]) if float(best.get("confidence") or 0.0) >= RIGHT_SHARE else None
        scores: Dict[str, float] = {}
        for item in self.aspect_ranking:
            right = right_aspects.get(str(item.get("name")))
            if right:
                scores[right] = scores.get(right, 0.0) + float(item.get("confidence") or 0.0)
        total = sum(scores.values())
        best = max(scores, key=scores.get) if total > 0 else None
        return best if best and scores[best] >= RIGHT_SHARE * total else None

    def aspect_confidences(self, topic: str) -> Dict[str, float]:
        """The aspects of `topic` the classifier ranked, with their confidence given the topic (summing to 1)."""
        prefix = topic + ASPECT_SEPARATOR
        scores = {str(item["name"])[len(prefix):]: float(item.get("confidence") or 0.0)
                  for item in self.aspect_ranking if str(item.get("name", "")).startswith(prefix)}
        total = sum(scores.values())
        return {aspect: score / total for aspect, score in scores.items()} if total > 0 else {}

    def aspect(self, topic: Optional[str]) -> Optional[str]:
        """The most likely aspect of `topic` for this question, if the classifier ranked one."""
        confidences = self.aspect_confidences(topic) if topic else {}
        return max(confidences, key=confidences.get) if confidences else None


def _denied(text: str, category: Any) -> bool:
    """Whether every place the text names `category` follows a negation ("not a customer")."""
    normalized = normalize(text)
    spans = [(match.start(), match.end()) for word in getattr(category, "words", ()) if word
             for match in word_pattern(word, inflected=True).finditer(normalized)]
    # A word inside a longer one found at the same place ("client" in "compte client") is that one.
    places = {start for start, end in spans
              if not any(s <= start and end <= e and (s, e) != (start, end) for s, e in spans)}
    phrases = question_phrases()
    return bool(places) and all(phrases.denies(normalized, start) for start in places)


def _categories_named(text: str, categories: Mapping[str, Any]) -> List[str]:
    return named_in_order(normalize(text), {name: getattr(category, "words", ()) for name, category in categories.items()},
                          inflected=True)


def _topic_of(intent: Optional[str], topics: Collection[str]) -> Optional[str]:
    if intent and intent.startswith(TOPIC_INTENT_PREFIX) and intent[len(TOPIC_INTENT_PREFIX):] in topics:
        return intent[len(TOPIC_INTENT_PREFIX):]
    return None
