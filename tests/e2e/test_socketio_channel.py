"""The socket.io channel, as the website widget will use it: a session, metadata, cited answers."""
from __future__ import annotations

import asyncio
import uuid

import pytest
import socketio

from knowledge.loading import load_knowledge_base

pytestmark = pytest.mark.e2e
KB = load_knowledge_base()


async def _converse(url: str, text: str, metadata: dict) -> list:
    client = socketio.AsyncClient()
    session_id = uuid.uuid4().hex
    confirmed, answered, replies = asyncio.Event(), asyncio.Event(), []

    @client.on("session_confirm")
    async def on_confirm(data):
        confirmed.set()

    @client.on("bot_uttered")
    async def on_reply(data):
        replies.append(data)
        answered.set()

    await client.connect(url)
    try:
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.wait(), 20)
        await client.emit("user_uttered", {"message": text, "session_id": session_id, "metadata": metadata})
        await asyncio.wait_for(answered.wait(), 60)
        await asyncio.sleep(1)  # the answer and its citation arrive as separate events
    finally:
        await client.disconnect()
    return replies


def test_socketio_answers_with_the_organisation_sent_as_metadata(assistant):
    replies = asyncio.run(_converse(assistant.url, "How long will they take to answer my request?",
                                    {"organization": "cesi", "language": "en"}))
    text = "\n".join(reply.get("text", "") for reply in replies)
    cesi = KB.organizations["cesi"]
    assert any(fact.answer["en"] in text for fact in cesi.facts_for("response_delay"))
    assert cesi.policy_title["en"] in text
