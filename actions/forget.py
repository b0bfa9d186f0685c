"""Forgetting a conversation on any channel ("forget this conversation", the widget's button).

The erasure itself is Rasa's erasure endpoint (rasa_extensions/erasure_channel.py), the one path the
Telegram relay's /forget takes too. It cannot run inside the action: Rasa holds the conversation's
lock during the turn and saves the tracker after it, which would write the conversation back. So the
action asks for it in the background: the request waits for the lock, which Rasa releases once this
turn (and its confirmation) is saved, then deletes every stored event. Filed rights requests are in
the tracking database and stay: the organisation must answer them.
"""
from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Dict, List, Optional, Set, Text

import aiohttp
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from tracking.erasure_token import erasure_token, forgotten_marker

logger = logging.getLogger(__name__)
RASA_URL_VARIABLE = "RASA_URL"
TIMEOUT_SECONDS = 90  # the wait for the lock included: Rasa's lock lifetime is 60 s


class ConversationEraser:
    """Rasa's erasure endpoint, called in the background so that the current turn ends first."""

    def __init__(self, rasa_url: str, token: str) -> None:
        self._url = rasa_url.rstrip("/") + "/webhooks/erasure/conversations/"
        self._token = token
        self._pending: Set["asyncio.Task[None]"] = set()  # kept until done (the loop holds only weak references)

    @classmethod
    def from_env(cls) -> Optional["ConversationEraser"]:
        """From RASA_URL and the erasure token (tracking/erasure_token.py); None when either is missing."""
        url, token = os.environ.get(RASA_URL_VARIABLE, "").strip(), erasure_token()
        return cls(url, token) if url and token else None

    def erase_after_turn(self, sender_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self._erase(sender_id))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _erase(self, sender_id: str) -> None:
        try:
            timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.delete(self._url + sender_id,
                                          headers={"Authorization": f"Bearer {self._token}"}) as response:
                    if response.status != 200:
                        logger.error("Conversation %s not erased: HTTP %s", sender_id, response.status)
                        return
            logger.info("Conversation %s erased on request", sender_id)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.error("Conversation %s not erased: %s", sender_id, type(error).__name__)


_eraser: Optional[ConversationEraser] = None


def eraser() -> Optional[ConversationEraser]:
    """The process's eraser, built from the environment the first time it is needed."""
    global _eraser
    if _eraser is None:
        _eraser = ConversationEraser.from_env()
    return _eraser


class ActionForgetConversation(Action):
    """Confirms and erases the conversation once this turn is saved; says so when erasure is off."""

    def name(self) -> Text:
        return "action_forget_conversation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        current = eraser()
        if current is None:
            dispatcher.utter_message(response="utter_forget_unavailable")
            return []
        current.erase_after_turn(tracker.sender_id)
        dispatcher.utter_message(response="utter_conversation_forgotten")
        dispatcher.utter_message(json_message=forgotten_marker())  # the channel forgets its side too
        return []
