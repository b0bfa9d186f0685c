"""Rasa NLU component: a message read as small talk but carrying a policy question goes to the answer action.

Greetings, thanks, "are you a bot?", "in English please" and a plain "no" get a canned reply straight
from the rules, and a rights request starts the request form. A message the intent classifier puts
there but that names a data category, that the classifier also finds likely to be in a policy topic,
or one of whose questions is sure to be in one ("in English please? do you sell my data?"), is not
small talk ("and if I got a diploma?" read as "are you a bot?", "no, I meant my diploma" read as a
no, "but I got my diploma" read, barely, as a rights request that names no right): its intent
becomes `nlu_fallback`, whose rule runs the answer action, which reads it in the conversation (a
follow-up) or answers a clear match, and otherwise says what it can do.

A fallback for ambiguity between two policy topics ("comment faire supprimer mes données ?": the
rights 0.29, where to send a request 0.28) is the likelier topic, sure enough to pass the fallback's
own threshold: either reading is a policy question, answered in full, where a fallback is answered only
by a clear keyword match. One between a rights request and a policy topic is the question when the
message asks (a question word, a "?"), the request when it only says what the person wants.

A rights request asked as a question for a fact ("what is the delay for a request to exercise my
rights (access, rectification)?") is a question about requests, not one: it becomes the policy
question on its likeliest topic, answered with the offer to file a request.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Set, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.answering import as_policy_question
from knowledge.clauses import other_questions
from knowledge.follow_up import asks_nothing_of_its_own
from knowledge.loading import knowledge_base
from knowledge.matching import normalize
from knowledge.phrases import question_phrases
from knowledge.question import ASPECT_RANKING, TOPIC_INTENT_PREFIX, Question

FALLBACK_INTENT = "nlu_fallback"
LONE_QUESTION_WORDS = 3  # "why?", "and how?", "how so?"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SmallTalkGuard(GraphComponent):
    """Turns a small-talk intent into `nlu_fallback` when the message carries a policy question."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # intents: the small-talk intents answered by a canned reply; min_words: shorter messages
        # ("hi", "thanks a lot") stay small talk; topic_confidence: the classifier's total for one
        # topic from which the message is a policy question (below the small-talk intent's own,
        # since one model gives both).
        # unsure: {intent: confidence} below which a message of that intent is guarded too.
        # lone_question_intents: intents a lone "why?" may be read as, and is not.
        # closing_intents: intents (a goodbye) that a message asking something is not.
        # fact_question_intents: intents that, asked as a question for a fact, are a policy question
        # on their likeliest topic when the classifier gives it fact_question_topic.
        # wished_request: a request_intent ranked below a topic (or one of wish_intents) but this likely,
        # with the questions about the rights, is the reading of a message that only says what the
        # person wants done; exercised_request, of a message asking the organisation to exercise a right it
        # names ("… effacez tout, s'il vous plaît").
        # concern_topic: a request_intent naming, reading and wishing no right is the policy question on
        # its likeliest topic from this confidence (a worry told, not a request).
        # topic_over_ambiguity: from this confidence, a fallback between two topics is the likelier one,
        # and one between a topic and one of the request_intents is the request unless the message asks.
        return {"intents": [], "unsure": {}, "lone_question_intents": [], "closing_intents": [],
                "fact_question_intents": [], "request_intents": [], "wish_intents": [], "fact_question_topic": 0.2,
                "wished_request": 1.1, "exercised_request": 1.1, "concern_topic": 1.1, "min_words": 3,
                "topic_confidence": 0.3, "topic_over_ambiguity": 1.1}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = {**self.get_default_config(), **config}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SmallTalkGuard":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            question = Question.from_message(message.data)  # read once for the checks
            if self._only_asks(question, intent) or self._closes_with_a_question(question, intent) or (
                    self._guarded(question, intent) and self._asks_a_policy_question(question)):
                _read_as(message, {"name": FALLBACK_INTENT, "confidence": intent.get("confidence", 0.0)})
            elif intent.get("name") == FALLBACK_INTENT and (settled := self._tie_settled(message, question)):
                _read_as(message, settled)
            elif wished := self._wished_request(message, question, intent):
                _read_as(message, wished)
            elif intent.get("name") in self._config["request_intents"] and (told := self._concern_told(question)):
                _read_as(message, told)
            elif intent.get("name") in self._config["fact_question_intents"] and _asks_for_information(question):
                policy_question = as_policy_question(question, knowledge_base(), self._config["fact_question_topic"])
                if policy_question:
                    _read_as(message, {"name": policy_question.intent,
                                       "confidence": policy_question.intent_confidence})
        return messages

    def _tie_settled(self, message: Message, question: Question) -> Optional[Dict[str, Any]]:
        """The reading a fallback for ambiguity settles on, when it hesitated between two a policy answer
        can follow, the likelier sure enough (the FallbackClassifier's own threshold); else None:
        - two policy topics ("comment faire supprimer mes données ?": rights 0.29, where to send a
          request 0.28): the likelier, answered in full where a fallback gets only a clear match;
        - a request and a topic ("I want my data transferred to another provider in a reusable
          format": rights 0.50, a request 0.49): the question if the message asks (a question word,
          a "?"), the request if it only says what the person wants."""
        ranking = [item for item in message.get(INTENT_RANKING_KEY) or [] if item.get("name") != FALLBACK_INTENT][:2]
        if len(ranking) < 2 or float(ranking[0].get("confidence") or 0.0) < self._config["topic_over_ambiguity"]:
            return None
        topics = _topic_intents()
        requests = [item for item in ranking if item.get("name") in self._config["request_intents"]]
        asked = [item for item in ranking if item.get("name") in topics]
        if len(asked) == 2:
            return asked[0]
        if len(asked) == 1 and len(requests) == 1:
            asks = "?" in question.text or question_phrases().asks_something(question.text)
            return asked[0] if asks else requests[0]
        return None

    def _wished_request(self, message: Message, question: Question, intent: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """"I'd like to leave instructions about what happens to my data after my death", read first as
        the question about that right, or "ne m'envoyez plus rien, je ne veux plus être démarché" as a
        cancel (`wish_intents`) or as nothing sure (the fallback): it only says what the person wants
        done, so it is the request when the request and the questions about the rights (its
        `right_ranking` draws on those too: "I would like a copy of all you have on me") together get
        `wished_request` (the policy's word comes first).
        So is a message asking the organisation to exercise a right it names ("pouvez-vous bloquer
        l'utilisation de mes données sans les supprimer ?", read as the question about restriction; "…
        effacez tout, s'il vous plaît" after a story, read as purposes), from `exercised_request`."""
        if intent.get("name") not in _topic_intents() | {FALLBACK_INTENT, *self._config["wish_intents"]}:
            return None
        if _asks_to_exercise_a_right(question):
            at_least = min(self._config["exercised_request"], self._config["wished_request"])
        elif question_phrases().only_wishes(question.text):
            at_least = self._config["wished_request"]
        else:
            return None
        rights = knowledge_base().right_aspects()
        about_rights = sum(float(item.get("confidence") or 0.0) for item in message.get(ASPECT_RANKING) or []
                           if item.get("name") in rights)
        return next(({"name": item["name"], "confidence": float(item.get("confidence") or 0.0) + about_rights}
                     for item in message.get(INTENT_RANKING_KEY) or []
                     if item.get("name") in self._config["request_intents"]
                     and float(item.get("confidence") or 0.0) + about_rights >= at_least), None)

    def _concern_told(self, question: Question) -> Optional[Dict[str, Any]]:
        """"I'm uneasy that <org> might find new uses for the information I gave them", read as a request
        that names no right, reads none, says no wish and asks nothing: a worry told, so the policy
        question on its likeliest topic when the classifier gives that `concern_topic`. ("can you do
        it for me?" asks: the request the last answer offered.)"""
        kb = knowledge_base()
        if ("?" in question.text or _names_a_right(question)
                or question.described_right(kb.right_aspects()) or question_phrases().only_wishes(question.text)):
            return None
        policy_question = as_policy_question(question, kb, self._config["concern_topic"])
        return {"name": policy_question.intent, "confidence": policy_question.intent_confidence} \
            if policy_question else None

    def _closes_with_a_question(self, question: Question, intent: Dict[str, Any]) -> bool:
        """"what's that good for?" read as a goodbye (`closing_intents`): a message that asks is no
        farewell, it goes to the answer action, which reads it with the conversation."""
        return (intent.get("name") in self._config["closing_intents"] and "?" in question.text
                and question_phrases().asks_something(question.text))

    def _only_asks(self, question: Question, intent: Dict[str, Any]) -> bool:
        """"why?", "and how?": a few question and function words read as small talk, a yes or a no
        ("why?" reads as a yes): a question about the last answer, for the answer action. ("what do
        you keep about me?" is longer: a question of its own, about the assistant.)"""
        return (intent.get("name") in self._config["lone_question_intents"]
                and len(question.text.split()) <= LONE_QUESTION_WORDS and asks_nothing_of_its_own(question))

    def _guarded(self, question: Question, intent: Dict[str, Any]) -> bool:
        """A small-talk intent, or one of the `unsure` intents below its bar that names no right
        ("mais j'ai eu mon titre RNCP" read at 0.49 as a rights request: it names no right to exercise)."""
        name = intent.get("name")
        if name in self._config["intents"]:
            return True
        bar = self._config["unsure"].get(name)
        if bar is None or float(intent.get("confidence") or 0.0) >= bar:
            return False
        # "Arrêtez de m'envoyer vos offres, je ne veux plus …" says what the person wants done: no question.
        return not _names_a_right(question) and not question_phrases().only_wishes(question.text)

    def _asks_a_policy_question(self, question: Question) -> bool:
        if len(question.text.split()) < self._config["min_words"]:
            return False
        kb = knowledge_base()
        if question.data_category(kb.data_categories):
            return True
        if max(question.topic_confidences(kb.topics).values(), default=0.0) >= self._config["topic_confidence"]:
            return True
        # "sorry, can you answer in English? do you sell my data?": one of its questions is a policy one.
        return bool(other_questions(question, kb))


def _topic_intents() -> Set[str]:
    return {TOPIC_INTENT_PREFIX + topic for topic in knowledge_base().topics}


def _asks_for_information(question: Question) -> bool:
    """A question for a fact ("what is the delay for …?"), a request to be told something that names
    no right to exercise ("could you set out the rights I have?"; not "delete my data and let me know"),
    or a question that asks nothing to be done ("do <org> and <org> ask my employer to tell me when it
    sends them my data?"; not "pouvez-vous bloquer l'utilisation de mes données ?")."""
    phrases = question_phrases()
    return phrases.asks_for_a_fact(question.text) or (
        phrases.asks_to_be_told(question.text) and not _names_a_right(question)) or (
        "?" in question.text and not phrases.asks_for_action(question.text))


def _asks_to_exercise_a_right(question: Question) -> bool:
    """Asks the organisation to do what a right it names allows, not to be told about it ("could you
    delete my CV?"; not "could you tell me whether I can delete my CV?" nor "how do I get it deleted?")."""
    phrases = question_phrases()
    return (phrases.asks_for_action(question.text, broadly=False) and not phrases.asks_to_be_told(question.text)
            and _names_a_right(question))


def _names_a_right(question: Question) -> bool:
    """The message names a right: the tagger's `right` entity, or one right's keywords."""
    return bool(question.entity_values("right")) or knowledge_base().right_named(normalize(question.text)) is not None


def _read_as(message: Message, intent: Dict[str, Any]) -> None:
    """The message's intent becomes `intent`, first in its ranking."""
    ranking = [intent] + [item for item in message.get(INTENT_RANKING_KEY) or [] if item.get("name") != intent["name"]]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
