"""Talks to the assistant through Rasa's REST channel, as a person's message would: used by the web
app (widget relay, staff FAQ) and the Telegram relay."""
from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Dict, List, Mapping, Optional

import aiohttp

from tracking import metrics

logger = logging.getLogger(__name__)
# Rasa's REST webhook wants this bearer token from a client on another machine (rasa_extensions/rest_channel.py):
# the web app and the relay send it when it is set, as they do behind a load balancer or in containers.
REST_TOKEN_VARIABLE = "RASA_REST_TOKEN"


class RasaUnavailable(Exception):
    """Rasa did not answer (down, timed out, or answered with an error)."""


class RasaClient:
    """One HTTP connection pool for the app's lifetime: open with `start()`, close with `close()`."""

    def __init__(self, base_url: str, timeout_seconds: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.webhook = self.base_url + "/webhooks/rest/webhook"
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: Optional[aiohttp.ClientSession] = None
        token = os.environ.get(REST_TOKEN_VARIABLE, "").strip()
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def say(self, text: str, sender: str, metadata: Optional[Mapping[str, Any]] = None, *,
                  input_channel: str) -> List[Dict[str, Any]]:
        """The assistant's replies: [{"text": ..., "buttons": [{"title", "payload"}]}, ...]; when Rasa
        refuses a message sent too fast (429), its sentence saying how long to wait.

        `input_channel` names the channel in the tracker and on the requests filed (web, telegram ...).
        """
        assert self._session is not None, "RasaClient.start() was not called"
        body = {"sender": sender, "message": text, "metadata": dict(metadata or {}), "input_channel": input_channel}
        try:
            async with self._session.post(self.webhook, json=body, headers=self._headers) as response:
                if response.status == 429:  # sending too fast: Rasa says how long to wait, in the person's language
                    metrics.RATE_LIMITED.labels(limit="assistant").inc()
                    return [{"text": str((await response.json()).get("error") or "")}]
                if response.status != 200:
                    raise RasaUnavailable(f"HTTP {response.status}")
                replies = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            logger.warning("Rasa did not answer: %s", type(error).__name__)
            raise RasaUnavailable(str(error)) from error
        return [reply for reply in replies if isinstance(reply, dict)]

    async def reachable(self, timeout_seconds: float = 3.0) -> bool:
        """Whether Rasa answers its health check (GET /, "Hello from Rasa"): what the readiness check asks."""
        assert self._session is not None, "RasaClient.start() was not called"
        try:
            async with self._session.get(self.base_url + "/", timeout=aiohttp.ClientTimeout(total=timeout_seconds)) \
                    as response:
                return response.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return False
