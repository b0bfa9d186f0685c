"""The relay's own texts exist in both languages, with the same placeholders."""
from __future__ import annotations

import string

from bot.telegram.messages import LANGUAGES, all_messages, relay_text, supported_language


def _placeholders(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_has_a_french_and_an_english_version_with_the_same_placeholders():
    for key, texts in all_messages().items():
        assert set(texts) == set(LANGUAGES), key
        assert all(texts[language].strip() for language in LANGUAGES), key
        assert _placeholders(texts["fr"]) == _placeholders(texts["en"]), key


def test_a_text_is_filled_and_an_unsupported_language_gets_french():
    assert "1500" in relay_text("too_long", "en", length=1500, limit=1000)
    assert relay_text("start", "de") == relay_text("start", "fr") != relay_text("start", "en")


def test_telegram_language_codes_map_to_the_two_languages():
    assert [supported_language(code) for code in ("en-GB", "fr", "FR-ca", "de", None, "")] == \
        ["en", "fr", "fr", None, None, None]
