"""Checks on what a person sends: the details of a request (shared by the service and the bot's
form), the body of a chat message and how often a client may send one (shared by Rasa's REST
channel and the web app)."""
from __future__ import annotations

import json
import math
import os
import re
import threading
import time
import unicodedata
from typing import Any, Dict, List, Mapping, Optional, Tuple

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from pydantic import BaseModel, Extra, ValidationError, constr, validator

from tracking import metrics
from tracking.models import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH

# A pragmatic address check, not RFC 5322: something@domain.tld, the domain with at least one dot
# and a top-level domain of two letters or more; Unicode letters allowed (internationalised mail).
# Quantifiers are bounded (a local part is at most 64 characters) and the pattern only ever runs on
# one whitespace-free token of bounded length (extract_email), so a long hostile message ("!!!…",
# "a@a@…") costs time proportional to its length: unbounded, 8,000 "!" took over a second.
_LOCAL = r"[\w!#$%&'*+/=?^`{|}~-]{1,64}(?:\.[\w!#$%&'*+/=?^`{|}~-]{1,64}){0,32}"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_TLD = r"[^\W\d_]{2,63}"
EMAIL_PATTERN = re.compile(rf"(?<![\w.@+-])({_LOCAL}@(?:{_LABEL}\.){{1,16}}{_TLD})(?![\w@-]|\.[\w-])", re.UNICODE)
# The longest token searched for an address: the longest address, plus punctuation glued to it
# ("(jo@example.com)," or "mail:jo@example.com"). A longer token holds no address a person typed.
MAX_EMAIL_TOKEN = EMAIL_MAX_LENGTH + 32


def is_valid_email(value: str) -> bool:
    value = (value or "").strip()
    return len(value) <= EMAIL_MAX_LENGTH and EMAIL_PATTERN.fullmatch(value) is not None


def extract_email(text: str) -> Optional[str]:
    """The one e-mail address in a message ("sorry: jo@example.com" → jo@example.com), else None.

    The pattern runs on each whitespace-separated token holding an "@" and no longer than
    MAX_EMAIL_TOKEN (an address holds no whitespace), never on the whole message: bounded work per token."""
    found = {match.group(1) for token in (text or "").split() if "@" in token and len(token) <= MAX_EMAIL_TOKEN
             for match in EMAIL_PATTERN.finditer(token)}
    if len(found) != 1:
        return None
    email = found.pop()
    return email if is_valid_email(email) else None


def normalize_email(value: str) -> str:
    """Trimmed, with the domain lower-cased (domains are case-insensitive; local parts may not be)."""
    local, _, domain = value.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def clean_name(value: str) -> Optional[str]:
    """The name as given, trimmed; None when empty, too long or holding control characters."""
    name = (value or "").strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        return None
    if any(unicodedata.category(char) == "Cc" for char in name):
        return None  # a newline or terminal escape in a name is never intended
    return name


# A chat message: what one person may send in one turn. Longer messages are refused, not cut: every
# parser of a message then has bounded work (bench/optimisations.md, item 9).
MAX_MESSAGE_LENGTH = 2000
MAX_SENDER_LENGTH = 128
# The whole JSON body: a message of 2,000 characters escaped (\uXXXX: 6 bytes each) plus metadata.
MAX_BODY_BYTES = 16_384


class ChatBody(BaseModel):
    """{"sender", "message", "metadata", "input_channel"}: Rasa's REST body, strictly typed."""
    sender: constr(strict=True, strip_whitespace=True, min_length=1, max_length=MAX_SENDER_LENGTH)  # type: ignore[valid-type]
    message: constr(strict=True, max_length=MAX_MESSAGE_LENGTH)  # type: ignore[valid-type]
    metadata: Optional[Dict[str, Any]] = None
    input_channel: Optional[constr(strict=True, min_length=1, max_length=64)] = None  # type: ignore[valid-type]

    class Config:
        extra = Extra.ignore  # Rasa's REST clients may send more; only these fields are read

    @validator("metadata", pre=True)
    def _an_object(cls, value: Any) -> Any:  # noqa: N805 - pydantic's signature
        if value is not None and not isinstance(value, dict):
            raise ValueError("must be a JSON object")  # pydantic would turn a list of pairs into one
        return value


class BadChatBody(ValueError):
    """A chat body that is not one: `status` (400, or 413 when too large) and `problems`, one line
    per field ("message: ensure this value has at most 2000 characters"), never the values sent."""

    def __init__(self, status: int, problems: List[str], raw: Any = None, message_too_long: bool = False) -> None:
        super().__init__("; ".join(problems))
        self.status, self.problems, self.message_too_long = status, problems, message_too_long
        self.language_hints = _hints(raw)


def parse_chat_body(body: Optional[bytes]) -> ChatBody:
    """The chat body in `body` (raw JSON bytes), or BadChatBody saying what is wrong with it."""
    if body is not None and len(body) > MAX_BODY_BYTES:
        raise BadChatBody(413, [f"body: larger than {MAX_BODY_BYTES} bytes"])
    try:
        raw = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        raise BadChatBody(400, ["body: not JSON"]) from None
    except RecursionError:  # "[[[[…" within the size cap nests deeper than the parser recurses
        raise BadChatBody(400, ["body: nested too deeply"]) from None
    if not isinstance(raw, dict):
        raise BadChatBody(400, ["body: not a JSON object"])
    if _has_lone_surrogate(raw):  # "\ud800" is valid JSON but no text: every encoder after us would fail on it
        raise BadChatBody(400, ["body: text with an unpaired surrogate (\\ud800-\\udfff), not valid Unicode"])
    try:
        return ChatBody.parse_obj(raw)
    except ValidationError as error:
        errors = error.errors()
        too_long = any(item["loc"] == ("message",) and item["type"] == "value_error.any_str.max_length"
                       for item in errors)
        raise BadChatBody(400, [f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in errors],
                          raw, message_too_long=too_long) from None


def _has_lone_surrogate(raw: Any) -> bool:
    """Whether any string in the parsed body holds a lone surrogate (json.loads lets "\\ud800" through):
    linear in the body, which is capped at MAX_BODY_BYTES."""
    try:
        json.dumps(raw, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _hints(raw: Any) -> Tuple[str, Optional[Dict[str, Any]]]:
    """The message text and metadata of a refused body, when usable, to answer in its language."""
    raw = raw if isinstance(raw, dict) else {}
    message, metadata = raw.get("message"), raw.get("metadata")
    return (message[:MAX_MESSAGE_LENGTH] if isinstance(message, str) else "",
            metadata if isinstance(metadata, dict) else None)


# How often one client may send: a moving window per limit, each settable from the environment
# ("30/minute", "5 per 10 seconds"; "off" lifts it). Counted in this process's memory unless
# RATE_LIMIT_STORAGE names a shared store (redis://127.0.0.1:6380/1 with several Rasa processes).
RATE_LIMITS = {
    "RATE_LIMIT_PER_IP": "60/minute",            # messages from one client address (/chat, REST)
    "RATE_LIMIT_PER_CONVERSATION": "30/minute",  # messages in one conversation (/chat, REST)
    "RATE_LIMIT_SIGN_IN": "10/minute",           # staff sign-in attempts from one client address
    "RATE_LIMIT_NEW_CONVERSATIONS": "20/minute", # widget conversation ids issued to one client address
}
RATE_LIMIT_STORAGE = "RATE_LIMIT_STORAGE"


EXPIRY_SWEEP_SECONDS = 1.0


class _MemoryStorage(MemoryStorage):
    """limits' memory storage (2.4) empties a key's list of hits once they expire but keeps the key:
    one per conversation and address ever seen, for the life of the process. RateLimits drops the
    empty keys (`prune`); this timer tolerates it. Its timer walked every key 10 ms after any hit,
    a core's worth of work with 20,000 keys in the window: once a second is enough, since a hit is
    judged on the hits' times, not on the timer's removals (which only free memory)."""

    def _MemoryStorage__schedule_expiry(self) -> None:  # the parent's private scheduler
        if not self.timer.is_alive():
            self.timer = threading.Timer(EXPIRY_SWEEP_SECONDS, self._MemoryStorage__expire_events)
            self.timer.daemon = True
            self.timer.start()

    def _MemoryStorage__expire_events(self) -> None:  # the parent's private timer callback
        try:
            super()._MemoryStorage__expire_events()  # type: ignore[misc]
        except KeyError:  # a key pruned while the timer walked the keys: the next pass sees the rest
            pass

    def prune(self) -> int:
        """Drops the keys without hits left; how many. Called on the event loop, between two hits."""
        empty = [key for key, hits in list(self.events.items()) if not hits]
        for key in empty:
            self.events.pop(key, None)
        return len(empty)


PRUNE_EVERY_HITS = 1000


class RateLimits:
    """The limits above, read once from the environment; `retry_after` counts a hit."""

    def __init__(self, environ: Mapping[str, str] = os.environ) -> None:
        # The limiter only keeps a weak reference to its storage: this one keeps it alive.
        shared = environ.get(RATE_LIMIT_STORAGE)
        self._storage = storage_from_string(shared) if shared and not shared.startswith("memory") else _MemoryStorage()
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._limits = {name: _limit(environ.get(name) or default) for name, default in RATE_LIMITS.items()}
        self._hits = 0

    def retry_after(self, name: str, *key: str) -> Optional[int]:
        """None when one more hit of limit `name` for `key` is allowed (it is counted), else the
        seconds until it will be: the Retry-After of the 429."""
        item = self._limits[name]
        self._hits += 1
        if self._hits % PRUNE_EVERY_HITS == 0 and isinstance(self._storage, _MemoryStorage):
            self._storage.prune()  # memory bounded by the clients of the last window, not of all time
        if item is None or self._limiter.hit(item, name, *key):
            return None
        reset, _remaining = self._limiter.get_window_stats(item, name, *key)
        metrics.RATE_LIMITED.labels(limit=name[len("RATE_LIMIT_"):].lower()).inc()
        return max(1, math.ceil(reset - time.time()))


def _limit(value: str) -> Optional[RateLimitItem]:
    return None if value.strip().lower() in ("off", "none", "0") else parse(value)
