"""Helpers of the mail tests: a rights request at its summary, played turn by turn against the form's real actions, as Rasa's form
loop runs them: the validator reads each message, then the form asks its next question, or ends and
the submit rule files the request. Mail goes to a real SMTP server (the `mail_sink` fixture)."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.request_actions import ActionSubmitRightsRequest
from actions.request_form import ActionAskEmailVerified, ActionAskRequestConfirmed, ValidateRightsRequestForm
from devtools.mailbox import code_in  # noqa: F401 (for the tests)

NAME, EMAIL = "Zoë Quillfeather", "zoe.quillfeather@privatemail.example.org"
DESCRIPTION = "Please delete everything you have about me, Zoë"
ASK_ACTIONS = {"email_verified": ActionAskEmailVerified, "request_confirmed": ActionAskRequestConfirmed}


def other_than(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


class Conversation:
    """One conversation's slots, from the confirmed summary on; each turn returns the response names."""

    def __init__(self, domain: dict, organization: str = "cesi", lang: str = "en", email: str = EMAIL,
                 sender: str = "conversation-1") -> None:
        self.domain, self.sender = domain, sender
        self.slots: Dict[str, Any] = {
            "language": lang, "organization": organization, "right": "erasure", "full_name": NAME, "email": email,
            "request_description": DESCRIPTION, "request_confirmed": True, "requested_slot": "email_verified"}
        self.messages: List[Dict[str, Any]] = []
        self.turn: List[Dict[str, Any]] = []
        self.filed = False

    def _tracker(self, text: str, intent: str) -> Tracker:
        latest = {"text": text, "intent": {"name": intent, "confidence": 0.95},
                  "intent_ranking": [{"name": intent, "confidence": 0.95}], "entities": []}
        events = [{"event": "user", "text": text, "parse_data": latest, "metadata": {}, "input_channel": "rest"}]
        return Tracker(sender_id=self.sender, slots=dict(self.slots), latest_message=latest, events=events,
                       paused=False, followup_action=None, active_loop={"name": "rights_request_form"},
                       latest_action_name="action_listen")

    def _run(self, action, text: str = "", intent: str = "inform") -> List[Dict[str, Any]]:
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, self._tracker(text, intent), self.domain))
        self.slots.update({event["name"]: event["value"] for event in events if event.get("event") == "slot"})
        self.messages = dispatcher.messages
        return events

    def ask(self) -> List[str]:
        """The form's question for its requested slot (the code is sent on the first one)."""
        self._run(ASK_ACTIONS[self.slots["requested_slot"]]())
        self.turn = list(self.messages)
        return [message["response"] for message in self.turn]

    def say(self, text: str, intent: str = "inform") -> List[str]:
        """A message at the form's question: validated, then the next question, or the request filed (or not)."""
        events = self._run(ValidateRightsRequestForm(), text, intent)
        said = list(self.messages)
        if not [e for e in events if e.get("event") == "slot" and e["name"] != "requested_slot"] \
                and self.slots.get("requested_slot"):
            self.turn = said
            return [message["response"] for message in said]  # rejected: the rules answer it instead
        required = self.domain["forms"]["rights_request_form"]["required_slots"]
        missing = next((slot for slot in required if self.slots.get(slot) is None), None)
        if self.slots.get("requested_slot") is not None and missing is not None:
            self.slots["requested_slot"] = missing
            self._run(ASK_ACTIONS[missing]())
        else:  # the form is done: the submit rule
            self._run(ActionSubmitRightsRequest())
            self.filed = True
        self.turn = said + self.messages
        return [message["response"] for message in self.turn]

    def message(self, response: str) -> Optional[Dict[str, Any]]:
        """The latest turn's message of this response, with its variables."""
        return next((message for message in self.turn if message["response"] == response), None)
