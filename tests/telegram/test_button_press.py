"""A button press is handled even when answering it fails (Telegram refuses to answer a press older than
it allows; a connection drops): answering only stops the button's spinner."""
from __future__ import annotations

import asyncio
from types import SimpleNamespace

from telegram.error import BadRequest

from apps.telegram.relay import press_button, relay_text
from apps.telegram.rendering import ButtonPayloads


class _Query:
    def __init__(self, data: str, fails: bool) -> None:
        self.data, self._fails = data, fails

    async def answer(self) -> None:
        if self._fails:
            raise BadRequest("Query is too old and response timeout expired or query id is invalid")


class _Bot:
    def __init__(self) -> None:
        self.sent = []

    async def send_message(self, chat_id, text, **_):
        self.sent.append((chat_id, text))


def _press(data: str, fails: bool):
    bot = _Bot()
    update = SimpleNamespace(callback_query=_Query(data, fails), effective_chat=SimpleNamespace(id=7),
                             effective_user=SimpleNamespace(language_code="en"))
    context = SimpleNamespace(bot=bot, chat_data={}, bot_data={"payloads": ButtonPayloads()})
    asyncio.run(press_button(update, context))
    return bot.sent


def test_a_press_whose_answer_fails_still_gets_its_reply():
    expired = relay_text("button_expired", "en")
    assert _press("r:never-sent", fails=True) == [(7, expired)]
    assert _press("r:never-sent", fails=False) == [(7, expired)]
