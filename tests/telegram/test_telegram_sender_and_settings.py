"""Sender ids derived from chat ids, the relay's settings, and the erasure token both sides agree on."""
from __future__ import annotations

import stat

import pytest

from tracking import verification
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


def test_polling_by_default_with_rasa_on_the_local_port_and_telegrams_api(tmp_path):
    settings = RelaySettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "RASA_PORT": "5010", "SECRETS_DIR": str(tmp_path)})
    assert settings.webhook_url is None
    assert settings.rasa_url == "http://127.0.0.1:5010"
    assert settings.api_url == "https://api.telegram.org"
    assert TOKEN not in repr(settings)


def test_webhook_mode_gets_a_secret_telegram_accepts_when_none_is_set(tmp_path):
    settings = RelaySettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "SECRETS_DIR": str(tmp_path),
                                       "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hooks/telegram"})
    assert settings.webhook_secret and len(settings.webhook_secret) >= 32
    assert settings.webhook_path == "hooks/telegram"


def test_a_webhook_secret_telegram_would_refuse_is_refused_at_start():
    with pytest.raises(ConfigurationError):
        RelaySettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_URL": "https://x.org/t",
                                "TELEGRAM_WEBHOOK_SECRET": "has spaces!"})


def test_rasa_and_the_relay_share_an_erasure_token_that_does_not_depend_on_the_bot_token(tmp_path):
    shared = {"SECRETS_DIR": str(tmp_path)}
    relay = RelaySettings.from_env({**shared, "TELEGRAM_BOT_TOKEN": TOKEN})
    assert relay.erasure_token == erasure_token(shared)  # Rasa's side has no bot token at all
    assert relay.erasure_token and TOKEN not in relay.erasure_token
    assert RelaySettings.from_env({**shared, "TELEGRAM_BOT_TOKEN": "other:token"}).erasure_token == relay.erasure_token
    assert erasure_token({"SECRETS_DIR": str(tmp_path / "elsewhere")}) != relay.erasure_token


def test_an_explicit_erasure_token_wins(tmp_path):
    assert erasure_token({"SECRETS_DIR": str(tmp_path), "RASA_ERASURE_TOKEN": "explicit"}) == "explicit"


def test_the_sender_key_erasure_token_and_verification_key_are_separate_keys_not_the_bot_token(tmp_path):
    environ = {"SECRETS_DIR": str(tmp_path), "TELEGRAM_BOT_TOKEN": TOKEN}
    relay = RelaySettings.from_env(environ)
    verification_key = verification.secret_key(environ).decode()
    assert len({relay.sender_key, relay.erasure_token, verification_key, TOKEN}) == 4
    # A new bot token (a leaked one revoked) keeps every conversation id, token and code valid.
    again = RelaySettings.from_env({**environ, "TELEGRAM_BOT_TOKEN": "999:new-token"})
    assert (again.sender_key, again.erasure_token) == (relay.sender_key, relay.erasure_token)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["erasure.key", "telegram-sender.key",
                                                                "verification.key"]
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in tmp_path.iterdir())
    assert RelaySettings.from_env({**environ, "TELEGRAM_SENDER_KEY": "set"}).sender_key == "set"
    assert verification.secret_key({**environ, "VERIFICATION_SECRET": "v"}) == b"v"
