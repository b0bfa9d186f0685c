"""Read what the actions need from a conversation tracker (language, question, metadata), and send replies."""
from __future__ import annotations

from typing import Any, Dict

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge.question import Question
from knowledge.rendering import Rendered, Reply
from language import DEFAULT_LANGUAGE, supported

SLOT_LANGUAGE = "language"
SLOT_ORGANIZATION = "organization"
SLOT_PENDING_QUESTION = "pending_question"
SLOT_ANSWERED_SOURCES = "answered_sources"


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


def latest_question(tracker: Tracker) -> Question:
    """The latest user message as the NLU understood it."""
    return Question.from_message(tracker.latest_message)
