"""Rasa's REST replies as Telegram messages: texts within the limit, buttons whose callback data fits."""
from __future__ import annotations

import pytest

from apps.telegram.rendering import (
    CALLBACK_DATA_LIMIT, TEXT_LIMIT, ButtonPayloads, render, split_text, telegram_length,
)

CITED_ANSWER = {"recipient_id": "tg-x", "text": "CESI keeps your CV for 2 years.\n\nSource: CESI privacy policy, “Storage period”",
                "buttons": [{"title": "Show the passage", "payload": "/ask_source"}]}
ORGANIZATION_QUESTION = {"recipient_id": "tg-x", "text": "Votre question concerne quel organisme ?", "buttons": [
    {"title": "Activ'partners", "payload": '/choose_organization{"organization": "activpartners"}'},
    {"title": "Combien de temps mes données sont gardées ?",
     "payload": "Combien de temps mes données personnelles sont-elles conservées par l'organisme ?"},
]}


def test_a_cited_answer_is_one_message_with_its_button_under_it():
    payloads = ButtonPayloads()
    replies = render([CITED_ANSWER], payloads)
    assert [reply.text for reply in replies] == [CITED_ANSWER["text"]]
    (title, data), = replies[0].buttons
    assert title == "Show the passage"
    assert payloads.payload_for(data) == "/ask_source"
    markup = replies[0].markup()
    assert markup.inline_keyboard[0][0].callback_data == data


def test_every_button_carries_callback_data_telegram_accepts_and_gets_its_own_payload_back():
    payloads = ButtonPayloads()
    long_payload = ORGANIZATION_QUESTION["buttons"][1]["payload"]
    assert len(long_payload.encode()) > CALLBACK_DATA_LIMIT  # the case the keys exist for
    replies = render([ORGANIZATION_QUESTION], payloads)
    assert [title for title, _ in replies[0].buttons] == ["Activ'partners", "Combien de temps mes données sont gardées ?"]
    for (_, data), button in zip(replies[0].buttons, ORGANIZATION_QUESTION["buttons"]):
        assert len(data.encode()) <= CALLBACK_DATA_LIMIT
        assert payloads.payload_for(data) == button["payload"]


def test_each_reply_is_its_own_message_and_a_text_less_one_lends_its_buttons_to_the_previous():
    payloads = ButtonPayloads()
    replies = render([{"text": "First."}, {"text": "Second."}, {"buttons": [{"title": "Yes", "payload": "/affirm"}]},
                      {"image": "https://example.org/x.png"}], payloads)
    assert [reply.text for reply in replies] == ["First.", "Second."]
    assert replies[0].buttons == () and replies[0].markup() is None
    assert payloads.payload_for(replies[1].buttons[0][1]) == "/affirm"


def test_an_overlong_reply_is_split_and_the_buttons_go_under_the_last_piece():
    paragraph = "Lorem ipsum dolor sit amet. " * 60
    text = "\n\n".join([paragraph.strip()] * 6)
    replies = render([{"text": text, "buttons": [{"title": "Yes", "payload": "/affirm"}]}], ButtonPayloads())
    assert len(replies) > 1
    assert all(telegram_length(reply.text) <= TEXT_LIMIT for reply in replies)
    assert [bool(reply.buttons) for reply in replies] == [False] * (len(replies) - 1) + [True]


def test_unknown_callback_data_finds_no_payload():
    payloads = ButtonPayloads()
    payloads.key_for("/ask_source")
    assert payloads.payload_for("r:not-a-key") is None
    assert payloads.payload_for(None) is None


def test_the_same_payload_gets_the_same_key_and_different_payloads_different_keys():
    payloads = ButtonPayloads()
    assert payloads.key_for("/affirm") == payloads.key_for("/affirm")
    assert payloads.key_for("/affirm") != payloads.key_for("/deny")


def test_the_oldest_payloads_are_dropped_beyond_the_capacity_and_a_recent_use_keeps_one():
    payloads = ButtonPayloads(capacity=2)
    first, second = payloads.key_for("/first"), payloads.key_for("/second")
    payloads.key_for("/first")                       # used again: now the most recent
    third = payloads.key_for("/third")
    assert payloads.payload_for(second) is None
    assert (payloads.payload_for(first), payloads.payload_for(third)) == ("/first", "/third")


def test_a_short_text_is_one_piece():
    assert split_text("Hello.\n\nSource: X") == ["Hello.\n\nSource: X"]


def test_a_long_text_is_cut_between_paragraphs_and_nothing_is_lost():
    paragraphs = [f"Paragraph {i}: " + "word " * 30 for i in range(40)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    pieces = split_text(text, limit=500)
    assert len(pieces) > 1
    assert all(telegram_length(piece) <= 500 for piece in pieces)
    assert "\n\n".join(pieces) == text  # every cut fell on a paragraph boundary


def test_a_paragraph_longer_than_the_limit_is_cut_between_lines_then_words():
    lines = "\n".join(f"line {i} " + "x" * 20 for i in range(30))
    pieces = split_text(lines, limit=100)
    assert all(telegram_length(piece) <= 100 for piece in pieces)
    assert "\n".join(pieces) == lines
    words = " ".join(["word"] * 100)
    pieces = split_text(words, limit=42)
    assert all(telegram_length(piece) <= 42 for piece in pieces) and " ".join(pieces) == words


def test_a_text_without_any_break_is_cut_without_splitting_a_character():
    text = "😀" * 30  # two UTF-16 units each: Telegram counts 60
    pieces = split_text(text, limit=15)
    assert all(telegram_length(piece) <= 15 for piece in pieces)
    assert "".join(pieces) == text


@pytest.mark.parametrize("text,length", [("abc", 3), ("é", 1), ("😀", 2)])
def test_length_is_counted_as_telegram_counts_it(text, length):
    assert telegram_length(text) == length
