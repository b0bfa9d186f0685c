"""The text catalogue (data/texts/): every text in both languages with the same placeholders, one
function choosing the language, organisation names taken from the knowledge files."""
from __future__ import annotations

import string

import pytest

from knowledge import texts
from knowledge.model import KnowledgeError
from language import LANGUAGES, language_hint, supported


def _placeholders(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_text_has_each_language_with_the_same_placeholders():
    catalogue = texts.catalogue()
    assert {key.split(".")[0] for key in catalogue} >= {"channel", "telegram", "status"}
    for key, by_language in catalogue.items():
        assert set(by_language) == set(LANGUAGES), key
        placeholders = {lang: _placeholders(by_language[lang]) for lang in LANGUAGES}
        assert len(set(map(frozenset, placeholders.values()))) == 1, f"{key}: {placeholders}"


def test_a_text_is_filled_and_an_unsupported_language_gets_the_default():
    assert "1500" in texts.text("telegram.too_long", "en", length=1500, limit=1000)
    assert texts.text("telegram.start", "de") == texts.text("telegram.start", "fr") != texts.text("telegram.start", "en")


def test_organization_names_come_from_the_knowledge_files(kb):
    for lang in LANGUAGES:
        start = texts.text("telegram.start", lang)
        assert "{organizations}" not in start
        assert all(organization.name in start for organization in kb.organizations.values())
    assert texts.organization_names() == ", ".join(org.name for org in kb.organizations_by_name())


def test_a_reply_is_in_the_language_of_the_message_else_the_channel_hint_else_french():
    assert texts.reply_language("How long do you keep my data?", {"language": "fr"}) == "en"
    assert texts.reply_language("ok", {"language": "en-GB"}) == "en"
    assert texts.reply_language("ok", {"language": "de"}) == "fr"
    assert texts.channel_text("service_unavailable", "Combien de temps gardez-vous mes données ?") == \
        texts.text("channel.service_unavailable", "fr")


def test_language_codes_and_hints_are_parsed_in_one_place():
    assert [supported(code) for code in ("en-GB", "fr", "FR-ca", "de", None, "", 3)] == \
        ["en", "fr", "fr", None, None, None, None]
    assert language_hint({"language": "en"}) == "en"
    assert language_hint("en") is None and language_hint(None) is None


def test_a_text_missing_a_language_is_refused_with_its_file_and_id(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "web.yml").write_text('greeting: {en: "Hello"}\n', encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"web\.yml.*greeting"):
        texts.load_catalogue(tmp_path)


@pytest.mark.parametrize("seconds, english, french", [
    (86400, "a day", "un jour"), (7 * 86400, "7 days", "7 jours"), (7200, "2 hours", "2 heures"),
    (36 * 3600, "36 hours", "36 heures"), (900, "15 minutes", "15 minutes"), (60, "a minute", "une minute")])
def test_a_period_is_said_in_the_largest_unit_that_divides_it(seconds, english, french):
    assert (texts.duration(seconds, "en"), texts.duration(seconds, "fr")) == (english, french)
