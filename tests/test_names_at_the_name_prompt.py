"""At the name prompt, a name is taken as typed, whatever the NLU makes of it (data/eval/names.yaml:
262 names of many origins, 50 of them also words); only a cancel phrase, a formula, an e-mail address,
a question or a sentence is something else. No intent guess stops a request: only a cancel phrase."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.request_form import ValidateRightsRequestForm, name_in_message

ROOT = Path(__file__).resolve().parent.parent
NAMES = yaml.safe_load((ROOT / "data" / "eval" / "names.yaml").read_text(encoding="utf-8"))
ALL_NAMES = NAMES["word_like"] + NAMES["world"]
# What an intent classifier may make of a name that is also a word.
GUESSES = ["inform", "thank", "greet", "goodbye", "deny", "cancel", "affirm", "ask_retention", "out_of_scope"]


def test_the_set_is_large_and_varied():
    assert len(ALL_NAMES) >= 200 and len(NAMES["word_like"]) >= 40
    assert len(set(ALL_NAMES)) == len(ALL_NAMES)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_a_name_is_taken_as_typed(name):
    assert name_in_message(name) == name
    assert name_in_message(f"je m'appelle {name}") == name
    assert name_in_message(f"My name is {name}") == name


@pytest.mark.parametrize("message", [
    "annuler", "Annuler !", "never mind", "non", "Non merci", "stop", "laisse tomber", "merci", "bonjour", "ok",
    "jo.smith@example.org", "how long do you keep my CV?", "je ne veux plus continuer", "what is this for",
    "combien de temps gardez-vous mes données", "/request_right",
])
def test_what_is_clearly_something_else_is_not_a_name(message):
    assert name_in_message(message) is None


def _form_turn(text: str, intent: str, requested: str = "full_name"):
    tracker = Tracker(sender_id="t", slots={"language": "en", "requested_slot": requested, "right": "erasure",
                                            "organization": "cesi"},
                      latest_message={"text": text, "intent": {"name": intent, "confidence": 0.99},
                                      "intent_ranking": [], "entities": []},
                      events=[], paused=False, followup_action=None, active_loop={"name": "rights_request_form"},
                      latest_action_name="action_listen")
    domain = {"forms": {"rights_request_form": {"required_slots": ["right", "organization", "full_name", "email",
                                                                   "request_confirmed"]}}}
    events = asyncio.run(ValidateRightsRequestForm().run(CollectingDispatcher(), tracker, domain))
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


@pytest.mark.parametrize("name", NAMES["word_like"])
@pytest.mark.parametrize("guess", GUESSES)
def test_the_form_takes_the_name_whatever_the_intent(name, guess):
    assert _form_turn(name, guess) == {"full_name": name}


@pytest.mark.parametrize("name", NAMES["world"])
def test_the_form_keeps_every_name_as_typed(name):
    assert _form_turn(name, "inform") == {"full_name": name}


@pytest.mark.parametrize("requested", ["right", "organization", "full_name", "email", "request_confirmed"])
@pytest.mark.parametrize("phrase", ["annuler", "Never mind!", "non", "laissez tomber"])
def test_a_cancel_phrase_ends_the_request_at_any_question(requested, phrase):
    # The form stops unconfirmed: the submit rule then files nothing and says so.
    assert _form_turn(phrase, "inform", requested) == {"requested_slot": None}
