"""The relay's configuration, from environment variables (README, "Telegram")."""
from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from typing import Mapping, Optional
from urllib.parse import urlparse

from tracking import keys
from tracking.erasure_token import erasure_token

TELEGRAM_API_URL = "https://api.telegram.org"
DEFAULT_WEBHOOK_PORT = 8443
# What Telegram accepts as a webhook secret token (Bot API, setWebhook).
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ConfigurationError(ValueError):
    """The environment does not describe a relay that can start."""


@dataclass(frozen=True)
class RelaySettings:
    bot_token: str = field(repr=False)
    rasa_url: str
    api_url: str                                   # the Bot API server: Telegram's, a local one, a test stand-in
    sender_key: str = field(repr=False)            # keys the hash that turns a chat id into a Rasa sender id
    erasure_token: Optional[str] = field(repr=False, default=None)
    webhook_url: Optional[str] = None              # set: webhook mode; unset: polling
    webhook_secret: Optional[str] = field(repr=False, default=None)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    metrics_host: str = "127.0.0.1"
    metrics_port: Optional[int] = None             # set: /metrics and /health on this port (apps/telegram/probes.py)

    @property
    def webhook_path(self) -> str:
        """The local path the webhook listens on: the public URL's path, as a reverse proxy forwards it."""
        return urlparse(self.webhook_url or "").path.strip("/") or "telegram"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "RelaySettings":
        bot_token = environ.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not bot_token:
            raise ConfigurationError("TELEGRAM_BOT_TOKEN is not set (create a bot with @BotFather).")
        rasa_url = environ.get("RASA_URL") or f"http://127.0.0.1:{environ.get('RASA_PORT') or 5005}"
        webhook_url = environ.get("TELEGRAM_WEBHOOK_URL", "").strip() or None
        webhook_secret = environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or None
        if webhook_url and not webhook_secret:
            # The relay registers the webhook itself, so a fresh secret per start is enough.
            webhook_secret = secrets.token_urlsafe(32)
        if webhook_secret and not _SECRET_TOKEN.match(webhook_secret):
            raise ConfigurationError("TELEGRAM_WEBHOOK_SECRET may only hold 1-256 characters A-Z, a-z, 0-9, _ and -.")
        try:
            webhook_port = int(environ.get("TELEGRAM_WEBHOOK_PORT") or DEFAULT_WEBHOOK_PORT)
        except ValueError as error:
            raise ConfigurationError("TELEGRAM_WEBHOOK_PORT must be a port number.") from error
        try:
            metrics_port = int(environ["METRICS_PORT"]) if environ.get("METRICS_PORT") else None
        except ValueError as error:
            raise ConfigurationError("METRICS_PORT must be a port number.") from error
        return cls(
            bot_token=bot_token,
            rasa_url=rasa_url.rstrip("/"),
            api_url=(environ.get("TELEGRAM_API_URL") or TELEGRAM_API_URL).rstrip("/"),
            sender_key=keys.secret(keys.TELEGRAM_SENDER, environ),
            erasure_token=erasure_token(environ),
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            webhook_listen=environ.get("TELEGRAM_WEBHOOK_LISTEN") or "127.0.0.1",
            webhook_port=webhook_port,
            metrics_host=environ.get("METRICS_HOST") or "127.0.0.1",
            metrics_port=metrics_port,
        )
