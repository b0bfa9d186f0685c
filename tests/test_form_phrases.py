"""The phrases before a name (data/form_phrases.yml) are taken off it, in both languages, and only them."""
from __future__ import annotations

import pytest

from actions.request_form import name_in_message
from knowledge.model import KnowledgeError
from knowledge.phrases import name_prefix_pattern


@pytest.mark.parametrize("message, name", [
    ("my name is Jo Smith", "Jo Smith"), ("My full name is Ana de la Cruz", "Ana de la Cruz"),
    ("Name: Wei Zhang", "Wei Zhang"), ("I'm Kofi Mensah", "Kofi Mensah"), ("this is  Jo Bloggs", "Jo Bloggs"),
    ("Je m'appelle Marie Curie", "Marie Curie"), ("je m’appelle Éloïse Durand", "Éloïse Durand"),
    ("nom : Jean Dupont", "Jean Dupont"), ("nom:Jean Dupont", "Jean Dupont"), ("Moi c'est Léa Martin", "Léa Martin"),
    # Names that begin like a phrase are kept whole.
    ("Isabelle Thiam", "Isabelle Thiam"), ("I Amanda Smith", "I Amanda Smith"), ("Nomvula Dlamini", "Nomvula Dlamini"),
    ("Cest Ndiaye", "Cest Ndiaye"),
])
def test_the_name_is_what_follows_the_phrase(message, name):
    assert name_in_message(message) == name


def test_a_phrase_file_without_both_languages_is_refused(tmp_path):
    (tmp_path / "form_phrases.yml").write_text("name_prefixes:\n  en: [my name is]\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="form_phrases.yml: name_prefixes.fr: field required"):
        name_prefix_pattern(tmp_path)
