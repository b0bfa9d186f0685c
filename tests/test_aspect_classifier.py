"""The one classifier gives the intent and the aspect: a topic intent is as likely as its aspects together."""
from types import SimpleNamespace

import numpy as np

from rasa_extensions.aspect_classifier import AspectClassifier, intent_of_label


def test_a_label_belongs_to_its_topic_intent_or_is_an_intent_itself():
    assert intent_of_label("cookies.lifetime") == "ask_cookies"
    assert intent_of_label("request_right") == "request_right"


def test_a_topic_split_over_aspects_still_wins_over_a_single_likelier_class():
    classifier = AspectClassifier({}, None, None, SimpleNamespace(classes_=np.array(
        ["cookies.consent", "cookies.lifetime", "greet", "request_right"])))
    ranking = classifier._intent_ranking(np.array([0.3, 0.25, 0.35, 0.1]))
    assert [item["name"] for item in ranking] == ["ask_cookies", "greet", "request_right"]
    assert ranking[0]["confidence"] == 0.55
