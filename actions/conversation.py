"""Read what the actions need from a conversation tracker (language, question, metadata), and send replies."""
from __future__ import annotations

import json
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from knowledge.model import KnowledgeBase
from knowledge.question import Question
from knowledge.rendering import Rendered, Reply
from language import DEFAULT_LANGUAGE, supported

SLOT_LANGUAGE = "language"
SLOT_ORGANIZATION = "organization"
SLOT_PENDING_QUESTION = "pending_question"
SLOT_LAST_QUESTION = "last_question"  # the last policy question answered, for follow-ups
SLOT_REQUEST_OFFERED = "request_offered"  # the last answer offered to file a rights request
SLOT_ANSWERED_SOURCES = "answered_sources"
SLOT_ORGANIZATION_NAMES = "organization_names"
INTENT_CHOOSE_ORGANIZATION = "choose_organization"


def conversation_language(tracker: Tracker) -> str:
    return supported(tracker.get_slot(SLOT_LANGUAGE)) or DEFAULT_LANGUAGE


def utter(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Utters one rendered reply: a response of the domain, filled with its variables."""
    dispatcher.utter_message(response=reply.response, **reply.variables)


def send(dispatcher: CollectingDispatcher, rendered: Rendered) -> None:
    for reply in rendered.replies:
        utter(dispatcher, reply)


def latest_metadata(tracker: Tracker) -> Dict[str, Any]:
    """The channel metadata sent with the latest user message (e.g. the widget's organisation)."""
    event = tracker.get_last_event_for("user") or {}
    return event.get("metadata") or {}


def organization_before(tracker: Tracker) -> Any:
    """The conversation's organisation before the latest message (which may have set the slot from its
    entity): "compare with <other>" compares the one talked about so far with <other>."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_latest = True
        elif seen_latest and event.get("event") == "slot" and event.get("name") == SLOT_ORGANIZATION:
            return event.get("value")
    return tracker.get_slot(SLOT_ORGANIZATION)  # no earlier event: the slot as the tracker holds it


def latest_question(tracker: Tracker) -> Question:
    """The latest user message as the NLU understood it."""
    return Question.from_message(tracker.latest_message)


def changes_only(tracker: Tracker, events: List[EventType]) -> List[EventType]:
    """`events` without the slot events that set a slot to the value it holds: they change nothing,
    and every later action call carries the whole conversation."""
    return [event for event in events
            if event.get("event") != "slot" or tracker.get_slot(event.get("name")) != event.get("value")]


def organization_buttons(kb: KnowledgeBase) -> List[Dict[str, str]]:
    """One button per organisation of the knowledge files, choosing it (the payload skips the NLU)."""
    return [{"title": org.name,
             "payload": f"/{INTENT_CHOOSE_ORGANIZATION}{json.dumps({SLOT_ORGANIZATION: org.slug})}"}
            for org in kb.organizations_by_name()]


def offer_organizations(dispatcher: CollectingDispatcher, kb: KnowledgeBase, response: str) -> None:
    """Utters `response` (a question about the organisation) with the organisations as buttons."""
    dispatcher.utter_message(response=response, buttons=organization_buttons(kb))
