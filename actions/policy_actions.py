"""Custom actions: they read the conversation, call the selector and renderer, and reply.

The logic lives in the knowledge package they orchestrate (organisations, answering, rendering);
the wording lives in domain.yml and the knowledge files.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from knowledge.comparison import compare
from knowledge.phrases import form_phrases, question_phrases
from knowledge.rendering import Rendered, contact_reply, render_comparison, render_source
from actions.conversation import (
    INTENT_CHOOSE_ORGANIZATION, SLOT_ANSWERED_SOURCES, SLOT_LANGUAGE, SLOT_LAST_QUESTION, SLOT_ORGANIZATION,
    SLOT_ORGANIZATION_NAMES, SLOT_PENDING_QUESTION, SLOT_REQUEST_OFFERED, changes_only, conversation_language,
    latest_metadata, latest_question,
    offer_organizations, organization_before, send, utter,
)
from knowledge.answering import (FALLBACK_INTENT, answer_for_each, matches_some_policy, placed_in_its_likeliest_topic,
                                 placed_by_keywords)
from knowledge.clauses import other_questions, unplaced_clauses
from knowledge.follow_up import asks_beyond_organizations, follow_up
from knowledge.loading import knowledge_base
from knowledge.model import KnowledgeBase
from knowledge.organizations import (answered_categories, organizations_asked, picked_out, remembered_with,
                                     resolve_organizations, slug_for, with_own_when_compared)
from knowledge.question import Question
from knowledge.texts import organization_names
from language import DEFAULT_LANGUAGE, language_hint

logger = logging.getLogger(__name__)

RIGHTS_REQUEST_FORM = "rights_request_form"
INTENT_REQUEST_RIGHT = "request_right"
INTENT_CANCEL = "cancel"
INTENT_SWITCH_LANGUAGE = "switch_language"
MAX_SOURCES_SHOWN = 3
# Intents that are not policy questions, with their own reply. A message the NLU put there is
# still answered from a policy when it clearly matches a fact ("how far back do <organisation>'s backups
# go?" once came out as goodbye).
INTENT_LIST_ORGANIZATIONS = "list_organizations"
UNCLASSIFIED_REPLIES = {"out_of_scope": "utter_out_of_scope", FALLBACK_INTENT: "utter_default",
                        "help": "utter_help", INTENT_LIST_ORGANIZATIONS: "utter_organization_list",
                        "goodbye": "utter_goodbye", INTENT_CANCEL: "utter_nothing_to_cancel"}
# With nothing under way, a message the classifier is less sure than this is a cancel, and that is
# not a cancel phrase, is read like one it could not place: "which ones don't give any deadline?"
# after a comparison is a question about it, not a cancel.
SURE_CANCEL = 0.6
SURE_CHOICE = 0.8  # a choice of organisation read this surely is one, whatever else its words say
# Replies that ask for an organisation: they carry one button per organisation of the knowledge files.
ASKS_FOR_ORGANIZATION = frozenset({"utter_ask_organization", "utter_organization_list"})


def _reply(dispatcher: CollectingDispatcher, kb: KnowledgeBase, response: str) -> None:
    if response in ASKS_FOR_ORGANIZATION:
        offer_organizations(dispatcher, kb, response)
    else:
        dispatcher.utter_message(response=response)


class ActionSessionStart(Action):
    """Starts a session in the channel's language and organisation, keeping the previous ones."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        metadata = tracker.get_slot("session_started_metadata") or {}
        kb = knowledge_base()
        site = slug_for(kb, metadata.get("organization"))
        organization = site or tracker.get_slot(SLOT_ORGANIZATION)
        # Without the channel's language, a first message that does not show its own ("dpo email?")
        # is answered in the language of the website's policy, the one the visitor was reading.
        language = (tracker.get_slot(SLOT_LANGUAGE) or language_hint(metadata)
                    or (kb.organizations[site].policy_language if site else DEFAULT_LANGUAGE))
        events: List[EventType] = [SessionStarted(), SlotSet(SLOT_LANGUAGE, language),
                                   SlotSet(SLOT_ORGANIZATION_NAMES, organization_names())]
        if organization:
            events.append(SlotSet(SLOT_ORGANIZATION, organization))
        events.append(ActionExecuted("action_listen"))
        return events


class ActionAnswerPolicyQuestion(Action):
    """Answers a policy question (or says how to exercise a right) for the organisation(s) concerned."""

    def name(self) -> Text:
        return "action_answer_policy_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        kb = knowledge_base()
        lang = conversation_language(tracker)
        question = latest_question(tracker)
        last = Question.from_slot(tracker.get_slot(SLOT_LAST_QUESTION))

        ordering = None  # "which … the longest / the oldest": compare the organisations
        further: List[Question] = []  # the other questions of a message read only by its clauses
        message = question            # as written, before it is read in the conversation
        repeat = question.intent == INTENT_SWITCH_LANGUAGE
        if repeat:
            # After "in English please" (the rules said it is switched): the last answer again, in
            # the language now spoken, for a person who could not read it; nothing more if none.
            if last is None:
                return []
            question = message = last
        named = (resolve_organizations(kb, question.text, question.entity_values("organization"), None, None)
                 if question.intent == INTENT_CHOOSE_ORGANIZATION else [])
        pending = Question.from_slot(tracker.get_slot(SLOT_PENDING_QUESTION))
        if named and _asks_its_own_question(question, pending or last, kb):
            # "<org> et <org>, ils hébergent mes données chez qui ?", "<org> sauvegardes ?": read as a
            # choice of organisations, but asking more than to repeat a question for them.
            question = question.with_intent(FALLBACK_INTENT, question.intent_confidence)
        if question.intent == INTENT_CHOOSE_ORGANIZATION and not named:
            # "non pardon, je parlais de mon CV": a correction that names no organisation is read
            # like a message the NLU could not place (here, the last question about CVs).
            question = question.with_intent(FALLBACK_INTENT, question.intent_confidence)
        if question.intent == INTENT_CHOOSE_ORGANIZATION:
            slugs = with_own_when_compared(kb, question.text, named, latest_metadata(tracker), organization_before(tracker))
            # The question waiting for this choice, else the last one answered: "and at <other>?",
            # "sorry, I meant <other>" get it answered again for the organisation(s) now named.
            again = pending or last
            if again is None:
                dispatcher.utter_message(response="utter_organization_chosen",
                                         organization=kb.organizations[slugs[0]].name)
                return [SlotSet(SLOT_ORGANIZATION, slugs[0])]
            # "et chez <autre> pour mon CV ?": that question, about the category the message names.
            own_category = message.data_category(kb.data_categories)
            question = again.with_category(own_category) if own_category else again
        else:
            if not repeat:
                question, further = _read_in_conversation(question, last, kb)
            slugs = organizations_asked(kb, question, last, latest_metadata(tracker), organization_before(tracker))
            ordering = question_phrases().ordering(question.text, several_named=len(slugs) > 1)

        unclassified_reply = UNCLASSIFIED_REPLIES.get(question.intent, "utter_default")
        is_unclassified = question.intent != INTENT_REQUEST_RIGHT and question.topic(kb.topics) is None
        if not slugs:
            # Only a message the NLU could not place may turn out to be a policy question; one it
            # placed out of scope, in help or in goodbye gets its own reply.
            if is_unclassified and (question.intent != FALLBACK_INTENT or not matches_some_policy(kb, question)):
                _reply(dispatcher, kb, unclassified_reply)
                return []
            offer_organizations(dispatcher, kb, "utter_ask_organization")
            return [SlotSet(SLOT_PENDING_QUESTION, question.as_slot())]

        sources: List[str] = []
        comparison = None
        if ordering and len(slugs) > 1 and is_unclassified:
            # "which organisation keeps training records the longest?" read as a list of organisations:
            # compared on the topic its words match.
            question = placed_by_keywords(kb, question, [kb.organizations[slug] for slug in slugs])
            is_unclassified = question.topic(kb.topics) is None
        if ordering and len(slugs) > 1 and not is_unclassified:
            # Organisations answered one after the other are compared each on the data category
            # asked for it, unless the message names one for all.
            categories = None if message.data_category(kb.data_categories) else answered_categories(last)
            comparison = compare(kb, [kb.organizations[slug] for slug in slugs], question, ordering, categories)
        if comparison and comparison.ranked:
            answers = [render_comparison(comparison, ordering, lang)]
        else:  # one cited answer per organisation (also when no policy states a period to compare)
            organizations = [kb.organizations[slug] for slug in slugs]
            answers = answer_for_each(kb, organizations, question, lang)
            if not is_unclassified:  # "… and who can see it?": each further question of the message too
                for other in other_questions(question, kb) + unplaced_clauses(question, kb) + further:
                    said = [source for rendered in answers for source in rendered.sources]
                    answers += [rendered for rendered in answer_for_each(kb, organizations, other, lang, said)
                                if _says_more(rendered, answers)]
        for rendered in answers:
            send(dispatcher, rendered)
            sources += rendered.sources
        if not sources:
            _reply(dispatcher, kb, unclassified_reply)
        events = [SlotSet(SLOT_PENDING_QUESTION, None), SlotSet(SLOT_ANSWERED_SOURCES, sources or None)]
        if sources:  # also a question answered by its words alone: "can you do it for me?" refers to it
            ranked = comparison.leaders(ordering.measure) if comparison and ordering else []
            picked = picked_out(kb, question, slugs, ranked)
            events.append(SlotSet(SLOT_LAST_QUESTION,
                                  remembered_with(kb, question, slugs, last, sources, picked).as_slot()))
        in_form = (tracker.active_loop or {}).get("name") == RIGHTS_REQUEST_FORM
        topic = kb.topics.get(question.topic(kb.topics) or "")
        offer = bool(sources) and not in_form and topic is not None and topic.offers_request
        if offer:
            utter(dispatcher, contact_reply("utter_offer_request", kb.organizations[slugs[0]], lang))
        events.append(SlotSet(SLOT_REQUEST_OFFERED, offer))
        if not in_form:
            # A question asked during a rights request does not change the request's organisation.
            events.insert(0, SlotSet(SLOT_ORGANIZATION, slugs[0]))
        return changes_only(tracker, events)


def _says_more(rendered: Rendered, answers: List[Rendered]) -> bool:
    """Not the same reply twice (two clauses read as the same silence)."""
    sent = [reply for earlier in answers for reply in earlier.replies]
    return any(reply not in sent for reply in rendered.replies)


def _read_in_conversation(question: Question, last: Optional[Question],
                          kb: KnowledgeBase) -> Tuple[Question, List[Question]]:
    """The question a message asks after the last answer, and the further ones it asks in other clauses."""
    if question.intent == INTENT_CANCEL and not _sure_cancel(question):
        question = question.with_intent(FALLBACK_INTENT, question.intent_confidence)
    if question.intent == INTENT_LIST_ORGANIZATIONS and last and question_phrases().asks_the_others(question.text):
        # "et les quatre autres organisations, elles donnent un délai ?": "the others" only follows a question.
        question = question.with_intent(FALLBACK_INTENT, question.intent_confidence)
    if question.intent != INTENT_REQUEST_RIGHT:
        question = placed_in_its_likeliest_topic(follow_up(question, last, kb), kb)
    if question.intent == FALLBACK_INTENT:
        # "sorry, can you answer in English? do you sell my data?": the questions it asks.
        clauses = other_questions(question, kb)
        if clauses:
            return clauses[0], clauses[1:] + unplaced_clauses(question, kb)
    return question, []


def _asks_its_own_question(question: Question, again: Optional[Question], kb: KnowledgeBase) -> bool:
    """Whether a message the NLU read, unsure, as a choice of organisations asks a question of its own:
    besides their names it asks with a question word ("… ils hébergent mes données chez qui ?"), or it
    names a data category with no question to ask again about it ("<org> backups?"). Not "et chez <org>,
    c'est pareil ?", nor when the NLU is sure ("sorry, I meant <org>"): the last question again."""
    if question_phrases().ordering(question.text, several_named=True):
        return True  # "Which keeps prospect data the longest: <org>, <org> or <org>?" ranks them
    if question.intent_confidence >= SURE_CHOICE:
        return False
    if again is None and question.data_category(kb.data_categories):
        return True
    return asks_beyond_organizations(question, kb)


def _sure_cancel(question: Question) -> bool:
    return question.intent_confidence >= SURE_CANCEL or form_phrases().is_cancel(question.text)


class ActionShowSource(Action):
    """Shows the verbatim policy passages behind the previous answer."""

    def name(self) -> Text:
        return "action_show_source"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        kb = knowledge_base()
        lang = conversation_language(tracker)
        refs = _each_organization_in_turn(tracker.get_slot(SLOT_ANSWERED_SOURCES) or [])
        replies = [reply for reply in (render_source(kb, ref, lang) for ref in refs) if reply][:MAX_SOURCES_SHOWN]
        if not replies:
            dispatcher.utter_message(response="utter_no_source")
        for reply in replies:
            utter(dispatcher, reply)
        return []


def _each_organization_in_turn(refs: List[str]) -> List[str]:
    """The passages of an answer on several organisations, one organisation after the other
    ("<slug>/<fact>" references), so the few shown cover each of them, not the first one only."""
    by_organization: Dict[str, List[str]] = {}
    for ref in refs:
        by_organization.setdefault(ref.partition("/")[0], []).append(ref)
    queues = list(by_organization.values())
    return [queue[i] for i in range(max(map(len, queues), default=0)) for queue in queues if i < len(queue)]


class ActionAskRequestOrganization(Action):
    """The request form's question for the organisation, with one button per organisation."""

    def name(self) -> Text:
        return f"action_ask_{RIGHTS_REQUEST_FORM}_{SLOT_ORGANIZATION}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        offer_organizations(dispatcher, knowledge_base(), f"utter_ask_{RIGHTS_REQUEST_FORM}_{SLOT_ORGANIZATION}")
        return []
