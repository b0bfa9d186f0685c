"""Every response exists in French and in English, with the same buttons and placeholders."""
from __future__ import annotations

import re

import pytest

from language import LANGUAGES as SUPPORTED

LANGUAGES = set(SUPPORTED)
PLACEHOLDER = re.compile(r"(?<!{){([a-z_]+)}(?!})")


def _variations_by_language(variations: list) -> dict:
    by_language = {}
    for variation in variations:
        conditions = variation.get("condition") or []
        languages = [c["value"] for c in conditions if c.get("name") == "language"]
        assert len(languages) == 1, f"variation without exactly one language condition: {variation}"
        assert conditions == [{"type": "slot", "name": "language", "value": languages[0]}], \
            "a language variation must have no other condition (e.g. channel), which would outrank it"
        by_language.setdefault(languages[0], []).append(variation)
    return by_language


def test_every_response_has_one_variation_per_language(domain):
    for name, variations in domain["responses"].items():
        by_language = _variations_by_language(variations)
        assert set(by_language) == LANGUAGES, f"{name}: languages {sorted(by_language)}"
        assert all(len(v) == 1 for v in by_language.values()), f"{name}: several variations for one language"


@pytest.mark.parametrize("key", ["text"])
def test_placeholders_match_across_languages(domain, key):
    for name, variations in domain["responses"].items():
        by_language = _variations_by_language(variations)
        placeholders = {lang: set(PLACEHOLDER.findall(v[0].get(key, ""))) for lang, v in by_language.items()}
        assert placeholders["en"] == placeholders["fr"], f"{name}: {placeholders}"


def test_buttons_have_same_payloads_across_languages(domain):
    for name, variations in domain["responses"].items():
        by_language = _variations_by_language(variations)
        counts = {lang: len(v[0].get("buttons") or []) for lang, v in by_language.items()}
        assert counts["en"] == counts["fr"], f"{name}: button counts differ {counts}"
        payloads = {lang: [b["payload"] for b in v[0].get("buttons") or []] for lang, v in by_language.items()}
        if any(p.startswith("/") for p in payloads["en"]):
            assert payloads["en"] == payloads["fr"], f"{name}: intent payloads differ"


def test_parity_check_catches_a_missing_language():
    with pytest.raises(AssertionError):
        test_every_response_has_one_variation_per_language(
            {"responses": {"utter_x": [{"condition": [{"type": "slot", "name": "language", "value": "en"}],
                                        "text": "Hi"}]}})
