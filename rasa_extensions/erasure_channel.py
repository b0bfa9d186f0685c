"""Input channel with one endpoint: erase a conversation from Rasa's tracker store (Telegram's /forget).

    DELETE /webhooks/erasure/conversations/<sender_id>     Authorization: Bearer <erasure token>

Rasa has no delete in its tracker-store API, and replacing a tracker's events with none (its HTTP
API's PUT .../tracker/events) only empties the in-memory store: the SQL store appends and the Redis
store merges, so the old events stay. This channel deletes the stored conversation itself, under
the conversation's lock, then checks that Rasa can no longer load it. The token comes from
tracking/erasure_token.py; without one the endpoint answers 404, as if it did not exist.
"""
from __future__ import annotations

import hmac
import logging
from typing import Any, Awaitable, Callable, List, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.tracker_store import (
    AwaitableTrackerStore, FailSafeTrackerStore, InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore,
    TrackerStore,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from tracking.erasure_token import erasure_token

logger = logging.getLogger(__name__)


class ErasureNotSupported(Exception):
    """The configured tracker store is one this channel cannot delete from."""


class ErasureFailed(Exception):
    """The conversation could still be loaded after the deletion."""


def _backing_stores(store: TrackerStore) -> List[TrackerStore]:
    """The stores that may hold a conversation, behind Rasa's wrappers.

    Rasa 3.6 wraps the configured store in a FailSafeTrackerStore (whose in-memory fallback takes
    the conversations the primary failed to save) and a synchronous custom store in an
    AwaitableTrackerStore. Neither exposes the stores it wraps, so they are read from the attributes
    Rasa keeps them in; should those change, the check after deleting makes erasure fail loudly.
    """
    found: List[TrackerStore] = []
    pending = [store]
    while pending:
        current = pending.pop()
        if isinstance(current, (FailSafeTrackerStore, AwaitableTrackerStore)):
            pending += [inner for inner in (getattr(current, "_tracker_store", None),
                                            getattr(current, "_fallback_tracker_store", None)) if inner is not None]
        else:
            found.append(current)
    return found


def _delete_from(store: TrackerStore, sender_id: Text) -> None:
    if isinstance(store, InMemoryTrackerStore):
        store.store.pop(sender_id, None)
    elif isinstance(store, SQLTrackerStore):
        with store.session_scope() as session:
            session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).delete(
                synchronize_session=False)
            session.commit()
    elif isinstance(store, RedisTrackerStore):
        store.red.delete(store.key_prefix + sender_id)
    else:
        raise ErasureNotSupported(type(store).__name__)


async def erase_conversation(tracker_store: TrackerStore, sender_id: Text) -> bool:
    """Deletes every session of a conversation; returns whether there was one to delete."""
    existed = await tracker_store.retrieve_full_tracker(sender_id) is not None
    for store in _backing_stores(tracker_store):
        _delete_from(store, sender_id)
    if await tracker_store.retrieve_full_tracker(sender_id) is not None:
        raise ErasureFailed(sender_id)
    return existed


def _authorized(request: Request, token: str) -> bool:
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


class ConversationErasureInput(InputChannel):
    """Lets a channel relay erase one of its conversations (the Telegram relay's /forget)."""

    @classmethod
    def name(cls) -> Text:
        return "erasure"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        erasure = Blueprint("conversation_erasure", __name__)

        @erasure.route("/conversations/<sender_id:str>", methods=["DELETE"])
        async def erase(request: Request, sender_id: Text) -> HTTPResponse:
            token = erasure_token()
            if token is None:
                return response.json({"error": "not found"}, status=404)
            if not _authorized(request, token):
                return response.json({"error": "unauthorized"}, status=401)
            agent = request.app.ctx.agent
            if agent is None or agent.tracker_store is None:
                return response.json({"error": "the assistant is not ready"}, status=503)
            try:
                async with agent.lock_store.lock(sender_id):
                    existed = await erase_conversation(agent.tracker_store, sender_id)
            except ErasureNotSupported as unsupported:
                logger.error("Cannot erase conversations from a %s", unsupported)
                return response.json({"error": "this tracker store does not support erasure"}, status=501)
            except Exception:  # noqa: BLE001 - the relay must learn that nothing was erased
                logger.exception("Erasing conversation %s failed", sender_id)
                return response.json({"error": "erasure failed"}, status=500)
            logger.info("Conversation %s erased (existed: %s)", sender_id, existed)
            return response.json({"erased": existed})

        return erasure
