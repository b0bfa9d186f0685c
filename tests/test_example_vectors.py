"""data/nlu_vectors.npz holds the sentence vector of every example the aspect classifier trains on, so that
training reads none again (a fresh machine trains within its two minutes); a changed example without its
vector would still train, more slowly."""
from language import DATA_DIR, meaning
from rasa_extensions.aspect_classifier import VECTOR_FILE
from rasa_extensions.example_vectors import example_texts


def test_every_training_example_has_its_vector_in_the_data_folder():
    texts = example_texts()
    missing = meaning.VectorFile.load(DATA_DIR / VECTOR_FILE).missing(texts)
    assert len(texts) > 1000 and not missing, (
        f"{len(missing)} examples have no vector, e.g. {missing[:3]}: run python -m rasa_extensions.example_vectors")
