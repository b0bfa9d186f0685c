"""The "typing…" sign is only a sign: when Telegram does not take it (a timeout, a dropped connection), the
person still gets the assistant's reply, not the apology."""
from __future__ import annotations

import asyncio
import weakref
from types import SimpleNamespace

from telegram.error import TimedOut

from apps.telegram.relay import UNAVAILABLE, relay_text, relay_text_message
from apps.telegram.rendering import ButtonPayloads

REPLY = "Akteos keeps trainee data for 3 years."


class _Bot:
    def __init__(self, typing_fails: bool) -> None:
        self.sent, self._typing_fails = [], typing_fails

    async def send_chat_action(self, chat_id, action, **_):
        if self._typing_fails:
            raise TimedOut()

    async def send_message(self, chat_id, text, **_):
        self.sent.append(text)


class _Assistant:
    async def say(self, text, sender, metadata, input_channel):
        return [{"recipient_id": sender, "text": REPLY}]


def _typed(text: str, typing_fails: bool):
    bot = _Bot(typing_fails)
    update = SimpleNamespace(message=SimpleNamespace(text=text), effective_chat=SimpleNamespace(id=7),
                             effective_user=SimpleNamespace(language_code="en"))
    bot_data = {"payloads": ButtonPayloads(), "rasa": _Assistant(), "locks": weakref.WeakValueDictionary(),
                "settings": SimpleNamespace(sender_key="k" * 32)}
    asyncio.run(relay_text_message(update, SimpleNamespace(bot=bot, chat_data={}, bot_data=bot_data)))
    return bot.sent


def test_a_reply_is_sent_even_when_the_typing_sign_times_out():
    assert _typed("how long do you keep my data?", typing_fails=True) == [REPLY]
    assert _typed("how long do you keep my data?", typing_fails=False) == [REPLY]
    assert relay_text(UNAVAILABLE, "en") not in _typed("hello", typing_fails=True)
