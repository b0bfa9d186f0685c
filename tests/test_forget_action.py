""""Forget this conversation": confirmed, and the erasure asked for once the turn ends (actions/forget.py)."""
from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import forget
from tracking.erasure_token import says_forgotten
from actions.forget import ActionForgetConversation, ConversationEraser


def run_action() -> CollectingDispatcher:
    tracker = Tracker(sender_id="web-abc", slots={"language": "en"}, latest_message={"text": "forget this conversation"},
                      events=[], paused=False, followup_action=None, active_loop={}, latest_action_name=None)
    dispatcher = CollectingDispatcher()
    assert asyncio.run(ActionForgetConversation().run(dispatcher, tracker, {})) == []
    return dispatcher


def test_without_rasa_or_a_token_it_says_nothing_was_erased(monkeypatch):
    monkeypatch.setattr(forget, "_eraser", None)
    monkeypatch.delenv("RASA_URL", raising=False)
    monkeypatch.delenv("RASA_ERASURE_TOKEN", raising=False)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert [m["response"] for m in run_action().messages] == ["utter_forget_unavailable"]


def test_it_confirms_and_asks_for_the_erasure_of_this_conversation(monkeypatch):
    asked = []

    class Recording(ConversationEraser):
        def erase_after_turn(self, sender_id: str) -> None:
            asked.append(sender_id)

    monkeypatch.setattr(forget, "_eraser", Recording("http://127.0.0.1:9", "token"))
    messages = run_action().messages
    assert [m["response"] for m in messages] == ["utter_conversation_forgotten", None]
    assert says_forgotten(messages)  # so that the channel forgets its side (widget transcript, relay's choices)
    assert asked == ["web-abc"]


def test_the_eraser_is_built_from_the_environment(monkeypatch):
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:5005/")
    monkeypatch.setenv("RASA_ERASURE_TOKEN", "secret")
    eraser = ConversationEraser.from_env()
    assert eraser is not None and eraser._url == "http://127.0.0.1:5005/webhooks/erasure/conversations/"
