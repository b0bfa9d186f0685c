"""Input channels: Rasa's REST channel, made to never answer with silence.

When a custom action fails (action server down, database error), Rasa logs it and returns no
message at all; a person in the widget would see nothing. This channel answers such a turn with an
apology in the person's language instead, and a blank message with a prompt. It also keeps each
reply whole: Rasa's collector cuts a text at every blank line, which split an answer from its
citation and a request letter into pieces. Same URL and payload as Rasa's: /webhooks/rest/webhook,
but a body that is not one (no sender, a message that is not text or is too long, metadata that is
not an object, over 16 KB) gets 400 or 413 with a JSON error instead of a 500, a silent `[]`, an
apology or a conversation shared by everyone under the id "default" (tracking/validation.py). A
client sending too often gets 429 with Retry-After: per conversation, and per address for clients
other than this machine (the web app and the Telegram relay relay everyone's messages from it).
A client other than this machine must also give RASA_REST_TOKEN as a bearer token (401 otherwise):
the sender id is a conversation's only credential, so the webhook is not for anyone to call.
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from knowledge import texts
from tracking.validation import MAX_MESSAGE_LENGTH, BadChatBody, ChatBody, RateLimits, parse_chat_body

logger = logging.getLogger(__name__)


def channel_text(key: str, message: UserMessage) -> str:
    return texts.channel_text(key, message.text or "", message.metadata)


class WholeMessageCollector(CollectingOutputChannel):
    """Rasa's REST collector, without cutting a text into one message per paragraph."""

    def __init__(self, messages: List[Dict[str, Any]]) -> None:
        super().__init__()
        self.messages = messages  # the list Rasa's REST endpoint returns

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text.strip()))


ConversationLanguage = Callable[[str], Awaitable[Optional[str]]]


async def _no_conversation_language(sender_id: str) -> Optional[str]:
    return None


def never_silent(on_new_message: Callable[[UserMessage], Awaitable[None]],
                 conversation_language: ConversationLanguage = _no_conversation_language,
                 ) -> Callable[[UserMessage], Awaitable[None]]:
    """Wraps Rasa's message handler so that a turn that produced no reply gets the apology, in the
    language of the message, else the channel's, else the conversation's so far (texts.reply_language)."""

    async def handle(message: UserMessage) -> None:
        if not (message.text or "").strip():
            # An empty or blank message is a slip, not a question: prompt, and keep it out of the dialogue.
            await message.output_channel.send_text_message(message.sender_id, channel_text("empty_message", message))
            return
        if type(message.output_channel) is CollectingOutputChannel:
            message.output_channel = WholeMessageCollector(message.output_channel.messages)
        try:
            await on_new_message(message)
        except Exception:  # noqa: BLE001 - handled here: Rasa's own handler would log the message text
            logger.exception("A turn failed in conversation %s", message.sender_id)
        finally:
            output = message.output_channel
            if isinstance(output, CollectingOutputChannel) and not output.messages:
                logger.error("No reply produced for a message from conversation %s", message.sender_id)
                language = texts.reply_language(message.text or "", message.metadata,
                                                await conversation_language(message.sender_id))
                await output.send_text_message(message.sender_id, texts.text("channel.service_unavailable", language))

    return handle


class RestInputNeverSilent(RestInput):
    """Rasa's REST channel, plus an apology when the assistant could not answer."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        agents: List[Any] = []  # Rasa's agent, known from the first request (one app per process)

        async def conversation_language(sender_id: str) -> Optional[str]:
            """The conversation's `language` slot, read from the tracker store (only when apologising)."""
            try:
                tracker = await agents[0].tracker_store.retrieve(sender_id) if agents else None
            except Exception:  # noqa: BLE001 - the store may be what failed: the default language then
                logger.warning("Conversation %s: its language could not be read for the apology", sender_id)
                return None
            return tracker.get_slot("language") if tracker else None

        blueprint = super().blueprint(never_silent(on_new_message, conversation_language))
        limits = RateLimits()

        @blueprint.middleware("request")
        async def checked_body(request: Request) -> Optional[HTTPResponse]:
            if not agents and getattr(request.app.ctx, "agent", None) is not None:
                agents.append(request.app.ctx.agent)
            if request.method != "POST":
                return None
            try:
                request.ctx.chat_body = body = parse_chat_body(request.body)
            except BadChatBody as error:
                return refusal(error)
            address = request.remote_addr or request.ip
            if not is_local(address) and not has_token(request):
                return response.json({"error": "a bearer token (RASA_REST_TOKEN) is required from this address"},
                                     status=401, headers={"WWW-Authenticate": "Bearer"})
            wait = None if is_local(address) else limits.retry_after("RATE_LIMIT_PER_IP", address)
            wait = wait or limits.retry_after("RATE_LIMIT_PER_CONVERSATION", body.sender)
            if wait:
                language = texts.reply_language(body.message, body.metadata)
                return response.json({"error": texts.text("channel.rate_limited", language, seconds=wait)},
                                     status=429, headers={"Retry-After": str(wait)})
            return None

        return blueprint

    # Rasa's handler reads the body through these three: give it the checked one.
    async def _extract_sender(self, req: Request) -> Optional[Text]:
        return _body(req).sender

    def _extract_message(self, req: Request) -> Optional[Text]:
        return _body(req).message

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return _body(request).metadata

    def _extract_input_channel(self, req: Request) -> Text:
        return _body(req).input_channel or self.name()


TOKEN_VARIABLE = "RASA_REST_TOKEN"


def has_token(request: Request) -> bool:
    """Whether the request carries RASA_REST_TOKEN as its bearer token (never, when it is not set)."""
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    given = request.headers.get("authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def is_local(address: str) -> bool:
    """A client on this machine: `make eval`, the checks, the web app and the Telegram relay."""
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _body(request: Request) -> ChatBody:
    return request.ctx.chat_body


def refusal(error: BadChatBody) -> HTTPResponse:
    """The JSON answer to a refused body: a sentence in the sender's language and the fields at fault."""
    message, metadata = error.language_hints
    sentence = (texts.text("channel.message_too_long", texts.reply_language(message, metadata), limit=MAX_MESSAGE_LENGTH)
                if error.message_too_long else texts.channel_text("bad_request", message, metadata))
    return response.json({"error": sentence, "problems": error.problems}, status=error.status)
