"""The NLU examples' entity annotations agree with each other."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import yaml

NLU = Path(__file__).resolve().parent.parent / "data" / "nlu"
ANNOTATION = re.compile(r"\[([^\]]+)\](\{\s*\"entity\"[^}]*\})")  # the JSON form, which can carry a value


def test_no_two_examples_map_the_same_words_to_different_values():
    """Rasa keeps one value per annotated text (the last one read, with only a warning at training):
    "[stop processing]" filed as an objection in one example and a restriction in another would make
    every "stop processing" one of them, whichever file came last."""
    values = defaultdict(set)
    for path in sorted(NLU.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            for text, annotation in ANNOTATION.findall(str(block.get("examples") or "")):
                entity = json.loads(annotation)
                if "value" in entity:
                    values[(entity["entity"], text.lower())].add(entity["value"])
    conflicts = {key: sorted(found) for key, found in values.items() if len(found) > 1}
    assert values and not conflicts
