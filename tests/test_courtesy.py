"""The aspect classifier reads a polite letter like the plain question inside it (data/courtesy.yml)."""
from __future__ import annotations

import pytest

from knowledge.courtesy import core


@pytest.mark.parametrize("text, question", [
    ("Bonjour, pourriez-vous m'indiquer combien de temps vous gardez mon CV ? Merci d'avance.",
     "combien de temps vous gardez mon cv ?"),
    ("Good morning, could you please let me know where my data is hosted? Many thanks in advance.",
     "where my data is hosted?"),
    ("Madame, Monsieur, je souhaiterais savoir qui est votre DPO. Cordialement", "qui est votre dpo"),
    ("hi, how long do you keep my CV? thanks", "how long do you keep my cv?"),
    ("how long do you keep my CV?", "how long do you keep my cv?"),
])
def test_the_question_is_read_without_its_courtesy(text, question):
    assert core(text) == question


@pytest.mark.parametrize("text", ["hello", "Thank you very much!", "ok thanks", "bonjour, merci", "hello there, thanks"])
def test_a_message_made_of_courtesy_stays_what_it_is(text):
    assert core(text) == text.lower()
