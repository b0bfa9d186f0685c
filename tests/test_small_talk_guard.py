"""A message read as small talk but carrying a policy question goes to the answer action (nlu_fallback)."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from rasa_extensions.small_talk_guard import SmallTalkGuard

GUARD = SmallTalkGuard({"intents": ["greet", "thank", "bot_challenge", "switch_language"]})


def _read(text, intent, aspects=(), entities=()):
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.7},
                            "intent_ranking": [{"name": intent, "confidence": 0.7}],
                            "entities": list(entities),
                            "aspect_ranking": [{"name": name, "confidence": c} for name, c in aspects]})
    GUARD.process([message])
    return message.get("intent")["name"]


@pytest.mark.parametrize("text, intent, aspects, expected", [
    # A data category named, or a policy topic the aspect classifier is sure of: not small talk.
    ("and if I got a diploma?", "bot_challenge", [], "nlu_fallback"),
    ("merci, et pour les prospects ?", "thank", [], "nlu_fallback"),
    ("hello, where do you host the data?", "greet", [("hosting.location", 0.7)], "nlu_fallback"),
    # Small talk stays small talk.
    ("are you a bot?", "bot_challenge", [("greet", 0.9)], "bot_challenge"),
    ("thanks, that was helpful", "thank", [("thank", 0.95)], "thank"),
    ("hi", "greet", [], "greet"),
    ("merci CV", "thank", [], "thank"),  # too short to be a question
    # Intents outside the small-talk list are never touched.
    ("et pour les prospects ?", "ask_retention", [], "ask_retention"),
])
def test_small_talk_carrying_a_policy_question_goes_to_the_answer_action(text, intent, aspects, expected):
    assert _read(text, intent, aspects) == expected
