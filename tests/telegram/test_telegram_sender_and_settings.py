"""Sender ids derived from chat ids, the relay's settings, and the erasure token both sides agree on."""
from __future__ import annotations

import pytest

from tracking.erasure_token import erasure_token
from apps.telegram.config import ConfigurationError, RelaySettings
from apps.telegram.rasa_client import masked, sender_id

TOKEN = "123456:ABC-test-token"


def test_a_chat_always_gets_the_same_sender_id_and_two_chats_different_ones():
    assert sender_id(1234567890, "key") == sender_id(1234567890, "key")
    assert sender_id(1234567890, "key") != sender_id(1234567891, "key")


def test_the_sender_id_hides_the_chat_id_and_depends_on_the_key():
    chat_id = 987654321
    sender = sender_id(chat_id, "key")
    assert sender.startswith("tg-") and str(chat_id) not in sender
    assert sender != sender_id(chat_id, "another key")


def test_logs_show_a_masked_sender_id_that_tells_chats_apart_but_cannot_be_used():
    first, second = sender_id(1, "key"), sender_id(2, "key")
    assert masked(first) != masked(second)
    assert first not in masked(first) and len(masked(first)) < len(first) // 2


def test_settings_need_a_bot_token():
    with pytest.raises(ConfigurationError):
        RelaySettings.from_env({})


def test_polling_by_default_with_rasa_on_the_local_port_and_telegrams_api():
    settings = RelaySettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "RASA_PORT": "5010"})
    assert settings.webhook_url is None
    assert settings.rasa_url == "http://127.0.0.1:5010"
    assert settings.api_url == "https://api.telegram.org"
    assert TOKEN not in repr(settings)


def test_webhook_mode_gets_a_secret_telegram_accepts_when_none_is_set():
    settings = RelaySettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN,
                                       "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hooks/telegram"})
    assert settings.webhook_secret and len(settings.webhook_secret) >= 32
    assert settings.webhook_path == "hooks/telegram"


def test_a_webhook_secret_telegram_would_refuse_is_refused_at_start():
    with pytest.raises(ConfigurationError):
        RelaySettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_URL": "https://x.org/t",
                                "TELEGRAM_WEBHOOK_SECRET": "has spaces!"})


def test_rasa_and_the_relay_derive_the_same_erasure_token_from_the_bot_token():
    relay = RelaySettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert relay.erasure_token == erasure_token({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert relay.erasure_token not in (None, TOKEN)
    assert erasure_token({"TELEGRAM_BOT_TOKEN": "other:token"}) != relay.erasure_token


def test_an_explicit_erasure_token_wins_and_without_any_erasure_is_off():
    assert erasure_token({"TELEGRAM_BOT_TOKEN": TOKEN, "RASA_ERASURE_TOKEN": "explicit"}) == "explicit"
    assert erasure_token({}) is None
