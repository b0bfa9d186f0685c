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


def _trained(tmp_path, examples, **config):
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.training_data import TrainingData

    tmp_path.mkdir()
    component = AspectClassifier.create({**AspectClassifier.get_default_config(), **config},
                                        LocalModelStorage(tmp_path), Resource("aspects"), None)
    component.train(TrainingData(training_examples=examples))
    return component


EXAMPLES = {"retention.period": ["how long do you keep my data", "for how many years is my information stored",
                                 "when is my personal data deleted", "what is the retention period"],
            "controller.identity": ["who is the data controller", "which company is responsible for my data",
                                    "who is in charge of processing my information",
                                    "who decides what is done with my data"],
            "cookies.kinds": ["what cookies does the website use", "which trackers are placed in my browser",
                              "can I refuse the cookies", "how do I block tracking cookies"]}
# French, sharing none of the English examples' words, and long enough to be read alone.
ASKED = {"jusqu'à quand est-ce que vous gardez mes coordonnées chez vous ?": "ask_retention",
         "quelle société est donc responsable de toutes mes données personnelles ?": "ask_controller",
         "au bout de combien d'années est-ce que vous effacez mon dossier ?": "ask_retention",
         "dites-moi qui est le responsable du traitement de tout ça": "ask_controller",
         "qui prend les décisions concernant l'usage de mes données chez vous ?": "ask_controller",
         "est-ce que votre site dépose des petits fichiers traceurs sur mon ordinateur ?": "ask_cookies"}


def _training(examples):
    from rasa.shared.nlu.training_data.message import Message

    def data(label, text):
        topic, _, aspect = label.partition(".")
        return ({"text": text, "intent": f"ask_{topic}", "metadata": {"intent": {"aspect": aspect}}} if aspect
                else {"text": text, "intent": label})
    return [Message(data=data(label, text)) for label, texts in examples.items() for text in texts]


def _rankings(component, texts):
    from rasa.shared.nlu.training_data.message import Message

    return [{item["name"]: item["confidence"] for item in message.get("intent_ranking")}
            for message in component.process([Message(data={"text": text}) for text in texts])]


def test_a_question_worded_unlike_every_example_is_read_by_its_meaning(tmp_path):
    """Examples in English only: French questions sharing none of their words are read in the right topic
    through their meaning, where the n-grams alone read most in another. A short message, which may lean
    on the conversation, keeps the n-grams' reading."""
    both = _trained(tmp_path / "both", _training(EXAMPLES))
    ngrams = _trained(tmp_path / "ngrams", _training(EXAMPLES), meaning_weight=0)
    best = [max(ranking, key=ranking.get) for ranking in _rankings(both, ASKED)]
    assert best == list(ASKED.values())
    assert sum(a == b for a, b in zip((max(r, key=r.get) for r in _rankings(ngrams, ASKED)), ASKED.values())) <= 2
    short = ["vous supprimez mes infos quand ?"]
    assert _rankings(both, short) == _rankings(ngrams, short)


def test_the_meaning_says_which_policy_question_not_whether_it_is_one(tmp_path):
    """What the n-grams give a greeting (or a request, thanks...) is left as they give it: the meaning only
    shares out, among the policy's aspects, what they give the aspects together."""
    examples = {**EXAMPLES, "greet": ["hello", "hi there", "good morning", "hey"]}
    both = _trained(tmp_path / "both", _training(examples))
    ngrams = _trained(tmp_path / "ngrams", _training(examples), meaning_weight=0)
    read, alone = _rankings(both, ASKED), _rankings(ngrams, ASKED)
    assert [ranking["greet"] for ranking in read] == [ranking["greet"] for ranking in alone]
    assert read != alone
