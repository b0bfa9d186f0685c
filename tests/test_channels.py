"""The REST channel never leaves a person without a reply."""
from __future__ import annotations

import asyncio
import logging

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from rasa_extensions.rest_channel import never_silent


def _turn(handler, text, metadata=None):
    output = CollectingOutputChannel()
    message = UserMessage(text, output, "someone", metadata=metadata)
    try:
        asyncio.run(never_silent(handler)(message))
    except RuntimeError:
        pass  # the REST channel logs the failure itself; what matters is what the person gets
    return [m["text"] for m in output.messages]


async def _crashes(message):
    raise RuntimeError("action server unreachable")


async def _says_nothing(message):
    return None


async def _answers(message):
    await message.output_channel.send_text_message(message.sender_id, "Here is your answer.")


def test_a_crash_gets_an_apology_in_the_persons_language():
    english = _turn(_crashes, "How long do you keep my CV?")
    french = _turn(_crashes, "Combien de temps gardez-vous mon CV ?")
    assert len(english) == 1 and len(french) == 1
    assert english != french


def test_a_silent_turn_gets_the_apology_in_the_channel_language_when_the_text_does_not_tell():
    assert _turn(_says_nothing, "ok", {"language": "en"}) == _turn(_crashes, "How long do you keep my CV?")
    assert _turn(_says_nothing, "ok") == _turn(_crashes, "Combien de temps gardez-vous mon CV ?")


def test_a_normal_answer_is_left_alone():
    assert _turn(_answers, "hello") == ["Here is your answer."]


def test_an_empty_or_blank_message_gets_a_prompt_and_never_reaches_the_dialogue():
    reached = []

    async def records(message):
        reached.append(message.text)

    prompts = {tuple(_turn(records, text, {"language": "en"})) for text in ("", "   ", "\n\t")}
    assert len(prompts) == 1 and len(next(iter(prompts))) == 1
    assert reached == []
    assert _turn(records, "", {"language": "en"}) != _turn(_crashes, "How long do you keep my CV?")


async def _answers_with_citation(message):
    await message.output_channel.send_text_message(message.sender_id, "CESI keeps it 3 years.\n\nSource: CESI, §4")


def test_an_answer_and_its_citation_arrive_as_one_message():
    assert _turn(_answers_with_citation, "How long?") == ["CESI keeps it 3 years.\n\nSource: CESI, §4"]


def test_a_failed_turn_is_logged_without_the_persons_words(caplog):
    """The failure stops here: Rasa's REST endpoint would log it with the message text."""
    output = CollectingOutputChannel()
    message = UserMessage("My name is Jane Doe and I want my file", output, "someone")
    with caplog.at_level(logging.DEBUG):
        asyncio.run(never_silent(_crashes)(message))  # does not raise
    assert len(output.messages) == 1
    assert "Jane Doe" not in caplog.text and "conversation someone" in caplog.text
