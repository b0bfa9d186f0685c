"""Rasa NLU component that tags each message with the language it is written in.

It emits a `language` entity (which fills the `language` slot) only when the message says
which language it is in; ambiguous messages emit nothing, so the conversation keeps its
language. An explicit request ("in English please"), tagged as a `language` entity by the
CRFEntityExtractor that runs before this component (config.yml), wins over detection.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from language import EXPLICIT_LANGUAGE
from language.detection import detect_language

ENTITY = "language"
# Surface forms the CRF may tag for an explicit request, mapped to the slot's values (the
# EntitySynonymMapper already maps the trained ones, e.g. "English" -> "en"; this also covers
# forms the training data lacks, e.g. "englsh", "françaises").
_EXPLICIT = {"en": ("en", "eng", "angl"), "fr": ("fr", "fran")}


def _explicit_language(value: Any) -> Optional[str]:
    text = str(value or "").strip().lower()
    for lang, prefixes in _EXPLICIT.items():
        if text.startswith(prefixes):
            return lang
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ConversationLanguageExtractor(GraphComponent):
    """Adds a `language` entity with value 'fr' or 'en' when the text decides it."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ConversationLanguageExtractor":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = [e for e in message.get(ENTITIES, []) if e.get("entity") != ENTITY]
            requested = [_explicit_language(e.get("value")) for e in message.get(ENTITIES, [])
                         if e.get("entity") == ENTITY]
            text = message.get(TEXT) or ""
            explicit = next((lang for lang in requested if lang), None)
            language = explicit or detect_language(text)
            if language:
                # EXPLICIT_LANGUAGE marks a request ("in English please"), which changes the language even where
                # a detected one does not (a name typed at the name prompt: actions/request_form.py).
                entities.append({"entity": ENTITY, "value": language, "start": 0, "end": len(text),
                                 "extractor": type(self).__name__, EXPLICIT_LANGUAGE: bool(explicit)})
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
