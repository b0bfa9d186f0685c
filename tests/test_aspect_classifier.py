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


def _example(text, intent, category=None, entity=None):
    from rasa.shared.nlu.training_data.message import Message
    data = {"text": text, "intent": intent}
    if category:
        data["metadata"] = {"intent": {"aspect": "period", "category": category}}
    if entity:
        start = text.index(entity[0])
        data["entities"] = [{"entity": "data_category", "value": entity[1], "start": start, "end": start + len(entity[0])}]
    return Message(data=data)


def test_an_example_describes_names_or_has_no_data_category():
    from rasa_extensions.aspect_classifier import category_of_example
    assert category_of_example(_example("I only asked for a brochure", "ask_retention", "prospects")) == "prospects"
    assert category_of_example(_example("how long is my CV kept", "ask_retention", entity=("CV", "candidates"))) == "candidates"
    assert category_of_example(_example("hello", "greet")) == "none"


def test_a_category_described_in_training_is_read_in_a_new_description(tmp_path):
    """Trained on a few descriptions, the component reads the category of one it never saw, and none
    in a message describing nothing."""
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from knowledge.question import CATEGORY_RANKING

    prospects = ["I only asked for a brochure and never signed up", "I never bought anything, I just asked a question",
                 "j'ai seulement demandé une documentation sans m'inscrire", "jamais inscrit, juste une demande d'info"]
    candidates = ["I applied for a job and was not hired", "I sent you a job application last year",
                  "j'ai postulé chez vous sans être retenu", "j'ai envoyé une candidature spontanée"]
    plain = ["how long do you keep my data", "combien de temps gardez-vous mes données", "hello", "bonjour",
             "who is the data controller", "qui est le responsable du traitement"]
    examples = ([_example(text, "ask_retention", "prospects") for text in prospects]
                + [_example(text, "ask_retention", "candidates") for text in candidates]
                + [_example(text, "ask_retention") for text in plain[:2]] + [_example(text, "greet") for text in plain[2:4]]
                + [_example(text, "ask_controller") for text in plain[4:]])
    component = AspectClassifier.create({**AspectClassifier.get_default_config(), "C": 50.0},
                                        LocalModelStorage(tmp_path), Resource("aspects"), None)
    component.train(TrainingData(training_examples=examples))
    messages = [Message(data={"text": text}) for text in
                ["I never signed up, I only asked for a brochure about a course", "j'ai postulé pour un emploi chez vous",
                 "hello there"]]
    read = [message.get(CATEGORY_RANKING)[0]["name"] for message in component.process(messages)]
    assert read == ["prospects", "candidates", "none"]


def test_the_features_are_the_feature_unions_own():
    from rasa_extensions.aspect_classifier import TextFeatures, build_pipeline
    texts = ["how long do you keep my CV?", "combien de temps gardez-vous mes données ?", "hello", "bonjour à tous",
             "who is the DPO at CESI", "qui est le DPO"]
    pipeline = build_pipeline(AspectClassifier.get_default_config()).fit(texts, ["a", "a", "b", "b", "c", "c"])
    new = ["how long is my diploma kept?", "cookies ?", "", "zzz", "keep keep keep my CV"]
    ours, sklearns = TextFeatures(pipeline)(new), pipeline[:-1].transform(new)
    assert ours.shape == sklearns.shape and ours.nnz == sklearns.nnz > 0
    assert (abs(ours - sklearns) > 1e-12).nnz == 0
    assert TextFeatures(pipeline)([]).shape == (0, sklearns.shape[1])


def test_each_rights_share_is_read_over_every_label_not_the_few_ranked():
    """A request whose rights' aspects hold almost nothing, one of them ranked among the eight shown, is no
    sure reading of that right: the share is taken over every label (right_ranking)."""
    from knowledge.loading import knowledge_base

    aspects = sorted(knowledge_base().right_aspects())
    labels = ["request_right", "greet"] + aspects
    classifier = AspectClassifier({}, None, None, SimpleNamespace(classes_=np.array(labels)))
    spread = np.array([0.9, 0.09] + [0.01 / len(aspects)] * len(aspects))
    spread[2] += 0.0005  # the first aspect a little ahead, as the eight ranked would show it alone
    one = np.array([0.9, 0.09] + [0.0] * len(aspects))
    one[2 + aspects.index("rights_list.access")] = 0.01
    of_aspect = knowledge_base().right_aspects()
    assert classifier._right_ranking(spread)[0]["confidence"] < 0.6
    assert classifier._right_ranking(one)[0] == {"name": of_aspect["rights_list.access"], "confidence": 1.0}
    assert classifier._right_ranking(np.array([0.9, 0.1] + [0.0] * len(aspects))) == []
