"""Rasa's logistic-regression intent classifier, with its weights stored for fast scoring.

Identical in training and output to `LogisticRegressionClassifier`; its weights are kept
column-major (rasa_extensions.aspect_classifier.fortran_weights), which saves scipy a copy of
the whole weight matrix on every message.
"""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_extensions.aspect_classifier import fortran_weights


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LogisticRegressionIntentClassifier(LogisticRegressionClassifier):
    def train(self, training_data: TrainingData) -> Resource:
        resource = super().train(training_data)
        fortran_weights(self.clf)
        return resource

    def process(self, messages: List[Message]) -> List[Message]:
        if getattr(self.clf, "coef_", None) is not None and not self.clf.coef_.flags.f_contiguous:
            fortran_weights(self.clf)  # loaded from disk: once
        return super().process(messages)
