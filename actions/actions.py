"""Custom actions: they read the conversation, call the selector and renderer, and reply.

The logic lives in the modules they orchestrate (organization_resolver, fact_selector,
answer_renderer); the wording lives in domain.yml and the knowledge files.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer_renderer import Rendered, render_selection, render_source
from actions.conversation import (
    DEFAULT_LANGUAGE, SLOT_ANSWERED_SOURCES, SLOT_LANGUAGE, SLOT_ORGANIZATION, SLOT_PENDING_QUESTION,
    SUPPORTED_LANGUAGES, Question, conversation_language, latest_metadata,
)
from actions.fact_selector import select_facts
from actions.knowledge_base import KnowledgeBase, Organization, knowledge_base
from actions.organization_resolver import resolve_organizations, slug_for

logger = logging.getLogger(__name__)

INTENT_CHOOSE_ORGANIZATION = "choose_organization"
RIGHTS_REQUEST_FORM = "rights_request_form"
INTENT_REQUEST_RIGHT = "request_right"
MAX_SOURCES_SHOWN = 3
# Intents that are not policy questions, with their own reply. A message the NLU put there is
# still answered from a policy when it clearly matches a fact ("how far back do ACTA's backups
# go?" once came out as goodbye).
UNCLASSIFIED_REPLIES = {"out_of_scope": "utter_out_of_scope", "nlu_fallback": "utter_default",
                        "help": "utter_help", "list_organizations": "utter_organization_list",
                        "goodbye": "utter_goodbye"}


def send(dispatcher: CollectingDispatcher, rendered: Rendered) -> None:
    for reply in rendered.replies:
        dispatcher.utter_message(response=reply.response, **reply.variables)


def answer_question(kb: KnowledgeBase, org: Organization, question: Question, lang: str) -> Optional[Rendered]:
    """The replies answering `question` for one organisation, or None when nothing fits.

    A message the NLU did not place in a topic (low confidence, out of scope, a rights request) is
    answered only when it clearly matches a fact: a policy question in unusual words still gets its
    answer, and "can I leave instructions for after my death?" gets the policy's word on it.
    """
    primary_topic = question.topic(kb.topics)
    selection = select_facts(org, question.text, question.topic_confidences(kb.topics), primary_topic,
                             question.data_category(kb.data_categories), strict=primary_topic is None)
    return render_selection(kb, org, selection, lang) if selection else None


def _matches_some_policy(kb: KnowledgeBase, question: Question) -> bool:
    """Whether an unclassified message clearly matches a fact of any policy (then ask which one)."""
    return any(select_facts(org, question.text, {}, None, strict=True) for org in kb.organizations.values())


class ActionSessionStart(Action):
    """Starts a session in the channel's language and organisation, keeping the previous ones."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        metadata = tracker.get_slot("session_started_metadata") or {}
        hint = str(metadata.get("language") or "")[:2].lower()
        language = tracker.get_slot(SLOT_LANGUAGE) or (hint if hint in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE)
        events: List[EventType] = [SessionStarted(), SlotSet(SLOT_LANGUAGE, language)]
        organization = slug_for(knowledge_base(), metadata.get("organization")) or tracker.get_slot(SLOT_ORGANIZATION)
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
        question = Question.latest(tracker)

        if question.intent == INTENT_CHOOSE_ORGANIZATION:
            slugs = resolve_organizations(kb, question.text, question.entity_values("organization"), None, None)
            pending = Question.from_slot(tracker.get_slot(SLOT_PENDING_QUESTION))
            if not slugs:
                dispatcher.utter_message(response="utter_ask_organization")
                return []
            if pending is None:
                dispatcher.utter_message(response="utter_organization_chosen",
                                         organization=kb.organizations[slugs[0]].name)
                return [SlotSet(SLOT_ORGANIZATION, slugs[0])]
            question = pending
        else:
            slugs = resolve_organizations(kb, question.text, question.entity_values("organization"),
                                          latest_metadata(tracker), tracker.get_slot(SLOT_ORGANIZATION))

        unclassified_reply = UNCLASSIFIED_REPLIES.get(question.intent, "utter_default")
        is_unclassified = question.intent != INTENT_REQUEST_RIGHT and question.topic(kb.topics) is None
        if not slugs:
            # Only a message the NLU could not place may turn out to be a policy question; one it
            # placed out of scope, in help or in goodbye gets its own reply.
            if is_unclassified and (question.intent != "nlu_fallback" or not _matches_some_policy(kb, question)):
                dispatcher.utter_message(response=unclassified_reply)
                return []
            dispatcher.utter_message(response="utter_ask_organization")
            return [SlotSet(SLOT_PENDING_QUESTION, question.as_slot())]

        sources: List[str] = []
        for slug in slugs:
            rendered = answer_question(kb, kb.organizations[slug], question, lang)
            if rendered is None:
                continue
            send(dispatcher, rendered)
            sources += rendered.sources
        if not sources:
            dispatcher.utter_message(response=unclassified_reply)
        events = [SlotSet(SLOT_PENDING_QUESTION, None), SlotSet(SLOT_ANSWERED_SOURCES, sources or None)]
        if (tracker.active_loop or {}).get("name") != RIGHTS_REQUEST_FORM:
            # A question asked during a rights request does not change the request's organisation.
            events.insert(0, SlotSet(SLOT_ORGANIZATION, slugs[0]))
        return events


class ActionShowSource(Action):
    """Shows the verbatim policy passages behind the previous answer."""

    def name(self) -> Text:
        return "action_show_source"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        kb = knowledge_base()
        lang = conversation_language(tracker)
        replies = [render_source(kb, ref, lang) for ref in tracker.get_slot(SLOT_ANSWERED_SOURCES) or []]
        replies = [reply for reply in replies if reply][:MAX_SOURCES_SHOWN]
        if not replies:
            dispatcher.utter_message(response="utter_no_source")
        for reply in replies:
            dispatcher.utter_message(response=reply.response, **reply.variables)
        return []
