"""What the assistant itself keeps about the person ("what do you keep about me?"), with the period this
deployment actually keeps an idle conversation (CONVERSATION_TTL), said in the person's language."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from knowledge.texts import duration
from tracking.config import conversation_ttl


class ActionAssistantPrivacy(Action):
    def name(self) -> Text:
        return "action_assistant_privacy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        kept_for = duration(conversation_ttl(), tracker.get_slot("language"))
        dispatcher.utter_message(response="utter_assistant_privacy", kept_for=kept_for)
        return []
