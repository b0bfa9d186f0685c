"""Which Rasa conversation a Telegram chat is, and erasing it (/forget).

A turn goes through the REST client the web app uses too (apps.rasa_client.RasaClient); the
relay's client adds the call to Rasa's erasure endpoint (rasa_extensions/erasure_channel.py).
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
from typing import Optional

import aiohttp

from apps.rasa_client import RasaClient, RasaUnavailable

SENDER_PREFIX = "tg-"
INPUT_CHANNEL = "telegram"   # recorded with each message, and on the rights requests filed from Telegram


def sender_id(chat_id: int, key: str) -> str:
    """The Rasa conversation id of a Telegram chat.

    A keyed hash: the tracker store, the logs and the tracking database never hold the chat id,
    and without the key the id cannot be found again by trying every chat id.
    """
    digest = hmac.new(key.encode(), f"telegram-chat:{chat_id}".encode(), hashlib.sha256).hexdigest()
    return SENDER_PREFIX + digest[:32]


def masked(sender: str) -> str:
    """A conversation id as logs show it: enough to follow one chat's lines, not to speak in it.

    The full id is the conversation's only credential on Rasa's REST channel, so it stays out of logs."""
    return sender[:len(SENDER_PREFIX) + 6] + "…"


class RelayRasaClient(RasaClient):
    """The web app's REST client, plus Rasa's erasure endpoint: open with `start()`, close with `close()`."""

    def __init__(self, base_url: str, timeout_seconds: float, erasure_token: Optional[str]) -> None:
        super().__init__(base_url, timeout_seconds)
        self._erasure_url = base_url.rstrip("/") + "/webhooks/erasure/conversations/"
        self._erasure_token = erasure_token

    async def erase(self, sender: str) -> bool:
        """Erases the conversation from Rasa's tracker store; whether there was one.

        Raises RasaUnavailable when it is not certain that the conversation is gone.
        """
        assert self._session is not None, "RasaClient.start() was not called"
        if not self._erasure_token:
            raise RasaUnavailable("no erasure token")
        try:
            async with self._session.delete(self._erasure_url + sender,
                                            headers={"Authorization": f"Bearer {self._erasure_token}"}) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"HTTP {response.status}")
                return bool((await response.json()).get("erased"))
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, AttributeError) as error:
            raise RasaUnavailable(type(error).__name__) from error
