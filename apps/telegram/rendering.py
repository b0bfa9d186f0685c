"""Rasa's REST messages as Telegram messages: texts within Telegram's limit, buttons as inline keyboards."""
from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH                    # 4096, counted in UTF-16 code units
CALLBACK_DATA_LIMIT = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA   # 64 bytes
PAYLOAD_PREFIX = "r:"
_SEPARATORS = ("\n\n", "\n", " ")   # paragraphs, then lines, then words


@dataclass(frozen=True)
class Reply:
    """One Telegram message: its text and its buttons as (title, callback data)."""

    text: str
    buttons: Tuple[Tuple[str, str], ...] = ()

    def markup(self) -> Optional[InlineKeyboardMarkup]:
        if not self.buttons:
            return None
        # One button a row: titles such as "Withdraw consent" or a suggested question are long.
        return InlineKeyboardMarkup([[InlineKeyboardButton(title, callback_data=data)] for title, data in self.buttons])


def keyboard(buttons: Iterable[Tuple[str, str]]) -> InlineKeyboardMarkup:
    """An inline keyboard of (title, callback data), one button a row."""
    return Reply("", tuple(buttons)).markup() or InlineKeyboardMarkup([])


class ButtonPayloads:
    """Rasa button payloads behind short callback data.

    Telegram carries at most 64 bytes of callback data and a payload can be longer (a suggested
    question in French, an intent with its entities), so each button carries a hash of its payload
    and the payload waits here. The table keeps the most recent payloads; a press on a button
    older than that, or made before the relay restarted, finds nothing and the person is asked
    to type instead. Only payloads the assistant offered can be sent back this way.
    """

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._payloads: "OrderedDict[str, str]" = OrderedDict()

    def key_for(self, payload: str) -> str:
        digest = hashlib.sha256(payload.encode()).digest()[:15]
        key = PAYLOAD_PREFIX + base64.urlsafe_b64encode(digest).decode()
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self._capacity:
            self._payloads.popitem(last=False)
        return key

    def payload_for(self, callback_data: Optional[str]) -> Optional[str]:
        return self._payloads.get(callback_data or "")


def telegram_length(text: str) -> int:
    """A text's length as Telegram counts it (UTF-16 code units: an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TEXT_LIMIT, separators: Sequence[str] = _SEPARATORS) -> List[str]:
    """`text` in pieces of at most `limit`, cut between paragraphs where possible, else lines, else words."""
    if telegram_length(text) <= limit:
        return [text]
    if not separators:
        return _cut(text, limit)
    separator, finer = separators[0], separators[1:]
    chunks: List[str] = []
    current: Optional[str] = None
    for part in text.split(separator):
        if telegram_length(part) > limit:
            # A paragraph too long on its own: its pieces go as they are, cut at a finer boundary.
            chunks += ([current] if current is not None else []) + split_text(part, limit, finer)
            current = None
        elif current is None:
            current = part
        elif telegram_length(current + separator + part) <= limit:
            current += separator + part
        else:
            chunks.append(current)
            current = part
    if current is not None:
        chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()]


def _cut(text: str, limit: int) -> List[str]:
    """A text without any separator, cut every `limit` units without splitting a character."""
    chunks, current = [], ""
    for character in text:
        if telegram_length(current + character) > limit:
            chunks.append(current)
            current = ""
        current += character
    return chunks + [current] if current else chunks


def render(messages: Iterable[Dict[str, Any]], payloads: ButtonPayloads) -> List[Reply]:
    """The Telegram messages for Rasa's replies; a reply's buttons go under its last piece."""
    replies: List[Reply] = []
    for message in messages:
        buttons = tuple((str(button.get("title") or button["payload"]), payloads.key_for(str(button["payload"])))
                        for button in message.get("buttons") or [] if button.get("payload"))
        text = str(message.get("text") or "").strip()
        if not text:
            # Telegram needs a text to carry a keyboard; images and custom payloads have no Telegram form here.
            if buttons and replies and not replies[-1].buttons:
                replies[-1] = replace(replies[-1], buttons=buttons)
            continue
        pieces = split_text(text)
        replies += [Reply(piece) for piece in pieces[:-1]] + [Reply(pieces[-1], buttons)]
    return replies
