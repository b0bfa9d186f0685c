"""Input channels: Rasa's REST channel, made to never answer with silence.

When a custom action fails (action server down, database error), Rasa logs it and returns no
message at all; a person in the widget would see nothing. This channel answers such a turn with an
apology in the person's language instead, and a blank message with a prompt. Same URL and payload
as Rasa's: /webhooks/rest/webhook.
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Awaitable, Callable, Dict, Text

import yaml
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from bot.language import detect_language

logger = logging.getLogger(__name__)
MESSAGES_FILE = Path(__file__).resolve().parent.parent / "data" / "channel_messages.yml"


@functools.lru_cache(maxsize=1)
def _messages() -> Dict[str, Dict[str, str]]:
    return yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))


def channel_text(key: str, message: UserMessage) -> str:
    """A channel message, in the language of the message, else the channel's hint, else French."""
    hint = str((message.metadata or {}).get("language") or "")[:2].lower()
    language = detect_language(message.text or "") or (hint if hint in ("en", "fr") else "fr")
    return _messages()[key][language]


def never_silent(on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Callable[[UserMessage], Awaitable[None]]:
    """Wraps Rasa's message handler so that a turn that produced no reply gets the apology."""

    async def handle(message: UserMessage) -> None:
        if not (message.text or "").strip():
            # An empty or blank message is a slip, not a question: prompt, and keep it out of the dialogue.
            await message.output_channel.send_text_message(message.sender_id, channel_text("empty_message", message))
            return
        try:
            await on_new_message(message)
        finally:
            output = message.output_channel
            if isinstance(output, CollectingOutputChannel) and not output.messages:
                logger.error("No reply produced for a message from conversation %s", message.sender_id)
                await output.send_text_message(message.sender_id, channel_text("service_unavailable", message))

    return handle


class RestInputNeverSilent(RestInput):
    """Rasa's REST channel, plus an apology when the assistant could not answer."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        return super().blueprint(never_silent(on_new_message))
