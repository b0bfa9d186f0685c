"""Rasa NLU component: the intent of a message and the aspect of a policy question ("cookies.lifetime").

It learns from the intents' own examples: each block of `data/nlu/ask_<topic>.yml` names its
aspect in the intent's metadata (`metadata: {aspect: lifetime}`), so the paraphrases people type
are the only thing it fits, never keyword lists. The other intents' examples are classes of their
own ("greet", "list_organizations"). Word and character n-grams of the accent-stripped text carry
typos, missing accents and both languages; a logistic regression gives the probabilities.

Output: `aspect_ranking`, the best labels as [{"name": "<topic>.<aspect>" or "<intent>", "confidence": p}];
for a message asking several questions ("how long do you keep my CV and who sees it?"), also
`aspect_parts`: each clause with its own ranking, so each question gets its answer. The intent
and its ranking are the same probabilities summed per intent (a topic intent's is the total of its
aspects): one model decides both, so the topic answered and the aspect read within it never
disagree. (A separate intent classifier placed fewer held-out questions in the right topic and
took a third of the training time: reports/understanding.md.)

`category_ranking`: the data category the message is about, from a second logistic regression on the
same features, trained on the categories the examples name (their `data_category` entities) or
describe (a block's `metadata: {category: prospects}`: "I only asked for a brochure, never signed
up"), every other example being "none". A category described rather than named has no word for the
tagger or the categories' word lists to find.

A message the n-grams do not place surely (no label reaching `meaning_gate`) and long enough to be read
alone is also read by its meaning (language/meaning.py: a sentence vector, alike for two wordings in either
language that share no word), through a third logistic regression on the examples' vectors; the share the
n-grams give the policy's aspects is spread as the average of both readings (`meaning_weight`). On the
held-out questions of sets L to Q the classifier then placed 382 of 600 in the right topic against 358 for
the n-grams alone (reports/understanding.md, session 17). The examples' vectors are kept
in data/nlu_vectors.npz (`python -m rasa_extensions.example_vectors`), so that training does not read
10,000 examples again; an example missing from it is read at training time.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

import joblib
import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, METADATA, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from knowledge import courtesy
from knowledge.follow_up import FOLLOW_UP_WORDS
from knowledge.loading import knowledge_base
from knowledge.matching import normalize
from knowledge.phrases import question_phrases
from knowledge.question import (ASPECT_PARTS, ASPECT_RANKING, ASPECT_SEPARATOR, CATEGORY_RANKING, NO_CATEGORY,
                                RIGHT_RANKING, TOPIC_INTENT_PREFIX, aspect_name)
from language import DATA_DIR, meaning

logger = logging.getLogger(__name__)
MODEL_FILE = "aspects.joblib"
CATEGORY_MODEL_FILE = "categories.joblib"
MEANING_MODEL_FILE = "meaning.joblib"
VECTOR_FILE = "nlu_vectors.npz"  # in the data folder: the training examples' sentence vectors
CATEGORY_RANKING_LENGTH = 3
RIGHT_RANKING_LENGTH = 3


def _block_metadata(message: Message) -> Dict[str, Any]:
    """The metadata of the NLU block an example comes from (`metadata: {aspect: …, category: …}`)."""
    metadata = (message.get(METADATA) or {}).get(METADATA_INTENT) or {}
    return metadata if isinstance(metadata, dict) else {}


def label_of_example(message: Message) -> Optional[str]:
    """"<topic>.<aspect>" for a topic intent's example that names its aspect, the intent for another
    intent's example (or for an `ask_` intent without aspects, "ask_source")."""
    intent = message.get(INTENT) or ""
    aspect = _block_metadata(message).get("aspect")
    if intent.startswith(TOPIC_INTENT_PREFIX) and aspect:
        return aspect_name(intent[len(TOPIC_INTENT_PREFIX):], str(aspect))
    return intent or None


def category_of_example(message: Message) -> str:
    """The data category an example describes (its block's metadata) or names (its first
    `data_category` entity), else "none"."""
    described = _block_metadata(message).get("category")
    named = [entity.get("value") for entity in message.get("entities") or [] if entity.get("entity") == "data_category"]
    return str(described or (named[0] if named else NO_CATEGORY))


def intent_of_label(label: str) -> str:
    """The intent a label belongs to: "cookies.lifetime" -> "ask_cookies", "greet" -> "greet"."""
    topic, separator, _ = label.partition(ASPECT_SEPARATOR)
    return TOPIC_INTENT_PREFIX + topic if separator else label


def build_pipeline(config: Dict[Text, Any]) -> Pipeline:
    # Measured on the held-out dev sets (reports/understanding.md): words + character 2-4-grams
    # place 94% of questions in the right topic and train in ~25 s on two cores; word bigrams or
    # 5-grams cost 3x the training time for no gain.
    # Each text without its courtesy ("Bonjour, pourriez-vous m'indiquer … ? Merci d'avance."):
    # a polite letter is read like the plain question inside it.
    words = TfidfVectorizer(preprocessor=courtesy.core, sublinear_tf=True)
    chars = TfidfVectorizer(preprocessor=courtesy.core, analyzer="char_wb", ngram_range=(2, 4),
                            sublinear_tf=True, min_df=2)
    return Pipeline([
        ("features", FeatureUnion([("words", words), ("chars", chars)])),
        ("classifier", LogisticRegression(C=config["C"], max_iter=config["max_iter"],
                                          class_weight=config["class_weight"], random_state=config["random_state"])),
    ])


def meaning_text(text: str) -> str:
    """What the meaning is read from: the text without its courtesy, as the n-grams see it."""
    return courtesy.core(text) or text


class TextFeatures:
    """What the pipeline's FeatureUnion gives for texts (each vectoriser's tf-idf columns side by side),
    computed directly from each vectoriser's analyser, vocabulary and idf weights: scikit-learn's
    transform spends most of a short message's time in per-call checks and in multiplying by a
    diagonal idf matrix (1.56 -> 0.27 ms a message, bench/optimisations.md item 13). A vectoriser
    set up otherwise than build_pipeline's (not l2-normalised, binary, no idf) goes through its own
    transform."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._vectorizers = [vectorizer for _, vectorizer in pipeline.steps[0][1].transformer_list]
        self._direct = all(v.norm == "l2" and v.use_idf and not v.binary for v in self._vectorizers)
        self._analyzers = [vectorizer.build_analyzer() for vectorizer in self._vectorizers]
        self._idf = [vectorizer.idf_ for vectorizer in self._vectorizers]  # a property rebuilt at each read
        widths = [len(vectorizer.vocabulary_) for vectorizer in self._vectorizers]
        self._offsets = np.cumsum([0] + widths[:-1])
        self._width = sum(widths)

    def __call__(self, texts: List[str]) -> scipy.sparse.csr_matrix:
        if not self._direct:
            return scipy.sparse.hstack([vectorizer.transform(texts) for vectorizer in self._vectorizers]).tocsr()
        rows = [self._row(text) for text in texts]
        row_starts = np.cumsum([0] + [len(columns) for columns, _ in rows])
        if not rows:
            return scipy.sparse.csr_matrix((0, self._width))
        return scipy.sparse.csr_matrix((np.concatenate([weights for _, weights in rows]),
                                        np.concatenate([columns for columns, _ in rows]), row_starts),
                                       shape=(len(texts), self._width))

    def _row(self, text: str) -> Tuple[np.ndarray, np.ndarray]:
        """One text's columns (ascending) and tf-idf weights, each vectoriser's normalised on its own."""
        columns, values = [], []
        for vectorizer, analyze, idf, offset in zip(self._vectorizers, self._analyzers, self._idf, self._offsets):
            counts: Dict[int, int] = {}
            for term in analyze(text):
                column = vectorizer.vocabulary_.get(term)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            found = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            weights = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if vectorizer.sublinear_tf:
                weights = np.log(weights) + 1
            weights *= idf[found]
            norm = np.sqrt(weights @ weights)
            if norm:
                weights /= norm
            order = np.argsort(found)
            columns.append(found[order] + offset)
            values.append(weights[order])
        return np.concatenate(columns), np.concatenate(values)


def fortran_weights(model: Any) -> Any:
    """Stores a fitted linear model's weights column-major, in place. Scoring multiplies a sparse
    row by the transposed weights; scipy copies a transposed C-ordered matrix on every call, which
    was two thirds of a message's classification time (6.1 -> 1.8 ms per message, `make bench`)."""
    classifier = model.steps[-1][1] if isinstance(model, Pipeline) else model
    if getattr(classifier, "coef_", None) is not None:
        classifier.coef_ = np.asfortranarray(classifier.coef_)
    return model


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class AspectClassifier(GraphComponent):
    """Sets every message's intent and intent ranking, and adds its `aspect_ranking`."""

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Rasa reuses a trained component from its cache when its config and data are unchanged; the
        code that builds and pickles the pipeline (this module, and the text normalisation it calls)
        must count too, or a model trained after a code change holds the old pipeline."""
        sources = (Path(__file__), Path(normalize.__code__.co_filename), Path(courtesy.__file__),
                   DATA_DIR / courtesy.COURTESY_FILE, Path(meaning.__file__))
        return hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # class_weight None: each example counts once. "balanced" weighed an example of the intents
        # that are one class ("can you do it for me?", request_right) far below one of a topic's
        # aspects, and read that very training example as a question on rights.
        # The meaning's regression: C 50 and equal weight with the n-grams placed most held-out questions
        # (C 10: 371 of 600, weights 0.3 or 0.7: 3 to 10 fewer); below a best label of 0.7 the average
        # changed the same questions as reading every message, for 43% of the messages' reading time.
        return {"C": 20.0, "max_iter": 1000, "class_weight": None, "random_state": 42, "ranking_length": 8,
                "intent_ranking_length": 10, "meaning_weight": 0.5, "meaning_gate": 0.7, "meaning_C": 50.0,
                "meaning_max_iter": 2000}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 pipeline: Optional[Pipeline] = None, categories: Optional[LogisticRegression] = None,
                 meanings: Optional[LogisticRegression] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._pipeline = pipeline
        self._text_features: Optional[TextFeatures] = None   # made from the pipeline when first needed
        self._categories = categories
        self._meanings = meanings
        self._intents: Optional[List[str]] = None   # the intents, and each label's index among them
        self._intent_of_label: Optional[np.ndarray] = None
        self._aspect_labels: Optional[np.ndarray] = None   # which labels are a topic's aspects
        self._rights: List[str] = []   # the rights, and each label's index among them (len(rights): none)
        self._right_of_label: Optional[np.ndarray] = None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "AspectClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        labelled = [(example.get(TEXT), label) for example in training_data.intent_examples
                    for label in [label_of_example(example)] if label]
        if len({label for _, label in labelled}) < 2:
            logger.warning("Fewer than two aspects in the training data: no aspect classifier trained.")
            return self._resource
        texts, labels = zip(*labelled)
        self._pipeline = fortran_weights(build_pipeline(self._config).fit(list(texts), list(labels)))
        self._text_features = None
        self._intents = None
        self._right_of_label = None
        examples = [example for example in training_data.intent_examples if label_of_example(example)]
        categories = [category_of_example(example) for example in examples]
        self._categories = None
        if len(set(categories)) > 1:
            # "balanced": most examples name no category, and a few described ones must still count;
            # on the 690 held-out questions it then reads a category in 6 that name none, all right.
            self._categories = fortran_weights(LogisticRegression(
                C=self._config["C"], max_iter=self._config["max_iter"], random_state=self._config["random_state"],
                class_weight="balanced",
            ).fit(self._features([example.get(TEXT) for example in examples]), categories))
        self._meanings = self._train_meanings(list(texts), list(labels))
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self._pipeline, directory / MODEL_FILE)
            if self._categories is not None:
                joblib.dump(self._categories, directory / CATEGORY_MODEL_FILE)
            if self._meanings is not None:
                joblib.dump(self._meanings, directory / MEANING_MODEL_FILE)
        return self._resource

    def _train_meanings(self, texts: List[str], labels: List[str]) -> Optional[LogisticRegression]:
        if not self._config["meaning_weight"]:
            return None
        read = [meaning_text(text) for text in texts]
        vectors = meaning.VectorFile.load(DATA_DIR / VECTOR_FILE)
        missing = len(vectors.missing(read))
        if missing:
            logger.info("%d training examples have no vector in %s: reading them (python -m "
                        "rasa_extensions.example_vectors keeps the file up to date).", missing, VECTOR_FILE)
        model = LogisticRegression(C=self._config["meaning_C"], max_iter=self._config["meaning_max_iter"],
                                   random_state=self._config["random_state"])
        model.fit(vectors.vectors(read), labels)
        return fortran_weights(model)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "AspectClassifier":
        pipeline = categories = meanings = None
        try:
            with model_storage.read_from(resource) as directory:
                pipeline = fortran_weights(joblib.load(directory / MODEL_FILE))
                if (directory / CATEGORY_MODEL_FILE).exists():
                    categories = fortran_weights(joblib.load(directory / CATEGORY_MODEL_FILE))
                if (directory / MEANING_MODEL_FILE).exists():
                    meanings = fortran_weights(joblib.load(directory / MEANING_MODEL_FILE))
        except (ValueError, FileNotFoundError):
            logger.warning("No trained aspect classifier in the model; aspects will not be ranked.")
        return cls(config, model_storage, resource, pipeline, categories, meanings)

    def process(self, messages: List[Message]) -> List[Message]:
        if self._pipeline is None or not messages:
            return messages
        texts = [message.get(TEXT) or "" for message in messages]
        clauses = [question_phrases().clauses(text) for text in texts]
        # One call for the messages and the clauses of those that ask several questions.
        extra = [clause for parts in clauses if len(parts) > 1 for clause in parts]
        shared = self._features(texts + extra)  # computed once for both models
        probabilities = self._with_meanings(texts + extra, self._pipeline[-1].predict_proba(shared))
        rankings = iter(self._rankings(self._pipeline.classes_, probabilities))
        whole = [next(rankings) for _ in texts]
        categories = (self._rankings(self._categories.classes_, self._categories.predict_proba(shared[:len(texts)]))
                      if self._categories is not None else [[] for _ in texts])
        for message, ranking, category, parts, row in zip(messages, whole, categories, clauses, probabilities):
            intents = self._intent_ranking(row)
            message.set(INTENT, intents[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, intents, add_to_output=True)
            message.set(ASPECT_RANKING, ranking, add_to_output=True)
            message.set(CATEGORY_RANKING, category[:CATEGORY_RANKING_LENGTH], add_to_output=True)
            message.set(RIGHT_RANKING, self._right_ranking(row), add_to_output=True)
            if len(parts) > 1:
                message.set(ASPECT_PARTS, [{"text": part, ASPECT_RANKING: next(rankings)} for part in parts],
                            add_to_output=True)
        return messages

    def _with_meanings(self, texts: List[str], probabilities: np.ndarray) -> np.ndarray:
        """For the texts the n-grams place unsurely that say enough to be read alone, the share they give
        the policy's aspects is spread over them as the average of theirs and the meaning's. Whether a
        message asks about a policy at all, or files a request, greets, thanks, stays the n-grams' reading:
        a long story ending in "I want to see what you hold about me" means data held, and asks for it.
        A message of FOLLOW_UP_WORDS or fewer may lean on the conversation ("et sur les achats de ma
        boîte ?"), which reads it when the n-grams place it nowhere; its meaning alone would place it
        (on sets A to Q, reading those too changed no single question and broke 5 conversations more
        than it mended)."""
        if self._meanings is None:
            return probabilities
        unsure = [i for i in np.flatnonzero(probabilities.max(axis=1) < self._config["meaning_gate"])
                  if len(texts[i].split()) > FOLLOW_UP_WORDS]
        if not unsure:
            return probabilities
        try:
            read = self._meanings.predict_proba(meaning.vectors([meaning_text(texts[i]) for i in unsure]))
        except (OSError, RuntimeError, ImportError):  # the reader's engine cannot run here: the n-grams answer
            logger.exception("The sentence meaning reader failed; reading messages by their words only.")
            self._meanings = None
            return probabilities
        if self._aspect_labels is None:  # worked out once per model
            self._aspect_labels = np.array([ASPECT_SEPARATOR in str(label) for label in self._pipeline.classes_])
        aspects = self._aspect_labels
        share = probabilities[np.ix_(unsure, aspects)].sum(axis=1, keepdims=True)
        ngrams = probabilities[np.ix_(unsure, aspects)] / np.maximum(share, 1e-12)
        meant = read[:, aspects] / np.maximum(read[:, aspects].sum(axis=1, keepdims=True), 1e-12)
        weight = self._config["meaning_weight"]
        probabilities[np.ix_(unsure, aspects)] = ((1 - weight) * ngrams + weight * meant) * share
        return probabilities

    def _features(self, texts: List[str]) -> scipy.sparse.csr_matrix:
        if self._text_features is None:
            self._text_features = TextFeatures(self._pipeline)
        return self._text_features(texts)

    def _intent_ranking(self, row: np.ndarray) -> List[Dict[str, Any]]:
        if self._intents is None:  # which intent each label belongs to, worked out once per model
            intents = [intent_of_label(str(label)) for label in self._pipeline.classes_]
            self._intents = sorted(set(intents))
            self._intent_of_label = np.array([self._intents.index(intent) for intent in intents])
        totals = np.bincount(self._intent_of_label, weights=row, minlength=len(self._intents))
        best = totals.argsort()[::-1][:self._config["intent_ranking_length"]]
        return [{"name": self._intents[i], "confidence": round(float(totals[i]), 4)} for i in best]

    def _right_ranking(self, row: np.ndarray) -> List[Dict[str, Any]]:
        """Each right's share of the probability of the aspects describing rights (data/rights.yml),
        over every label: the few ranked in `aspect_ranking` make one right look sure when the
        message names none ("je voudrais faire une demande concernant mes données")."""
        if self._right_of_label is None:
            of_aspect = knowledge_base().right_aspects()
            self._rights = sorted(set(of_aspect.values()))
            self._right_of_label = np.array([self._rights.index(of_aspect[str(label)]) if str(label) in of_aspect
                                             else len(self._rights) for label in self._pipeline.classes_])
        totals = np.bincount(self._right_of_label, weights=row, minlength=len(self._rights) + 1)[:len(self._rights)]
        total = totals.sum()
        if not total:
            return []
        return [{"name": self._rights[i], "confidence": round(float(totals[i] / total), 4)}
                for i in totals.argsort()[::-1][:RIGHT_RANKING_LENGTH]]

    def _rankings(self, labels: np.ndarray, probabilities: np.ndarray) -> List[List[Dict[str, Any]]]:
        length = self._config["ranking_length"]
        return [[{"name": str(labels[i]), "confidence": round(float(row[i]), 4)} for i in row.argsort()[::-1][:length]]
                for row in probabilities]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
