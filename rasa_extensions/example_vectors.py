"""Writes data/nlu_vectors.npz: the sentence vector (language/meaning.py) of every example the aspect
classifier trains on, so that training reads none of them again. Run it after changing the NLU examples
(a unit test says when the file misses one); training still works without it, only slower.

    python -m rasa_extensions.example_vectors
"""
from __future__ import annotations

from typing import List

from rasa.shared.nlu.training_data.loading import load_data

from language import DATA_DIR, meaning
from rasa_extensions.aspect_classifier import VECTOR_FILE, label_of_example, meaning_text


def example_texts() -> List[str]:
    """The texts the classifier's meaning is trained on, as it reads them."""
    data = load_data(str(DATA_DIR / "nlu"))
    return [meaning_text(example.get("text")) for example in data.intent_examples if label_of_example(example)]


def main() -> None:
    path = DATA_DIR / VECTOR_FILE
    texts = example_texts()
    known = meaning.VectorFile.load(path).known
    wanted = {meaning.key(text) for text in texts}
    kept = meaning.VectorFile({key: row for key, row in known.items() if key in wanted})  # none stale
    missing = len(kept.missing(texts))
    kept.vectors(texts)
    kept.save(path)
    print(f"{path}: {len(kept.known)} vectors ({missing} read now, {len(known.keys() - wanted)} dropped)")


if __name__ == "__main__":
    main()
