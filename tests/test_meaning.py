"""The meaning of a sentence (language/meaning.py): two wordings of one question, in either language, read
alike even when they share no word; known texts' vectors are kept in a file and reused."""
import numpy as np

from language import meaning


def test_one_question_in_two_languages_reads_closer_than_another_question_in_the_same_language():
    cv_en, cv_fr, dpo_en, dpo_fr = meaning.vectors([
        "How long do you keep my CV?", "combien de temps gardez-vous mon curriculum vitae ?",
        "Who is your data protection officer?", "qui est votre délégué à la protection des données ?"])
    assert cv_en @ cv_fr > cv_en @ dpo_en
    assert dpo_fr @ dpo_en > dpo_fr @ cv_fr
    assert abs(float(np.linalg.norm(cv_en)) - 1.0) < 1e-3


def test_a_vector_file_gives_back_what_it_kept_and_reads_only_the_texts_it_lacks(tmp_path, monkeypatch):
    path = tmp_path / "vectors.npz"
    kept = meaning.VectorFile()
    first = kept.vectors(["who gets my data?", "qui reçoit mes données ?"])
    kept.known[b"eleven byte\x00"] = kept.known[meaning.key("who gets my data?")]  # as 1 key in 256 does
    kept.save(path)
    assert b"eleven byte\x00" in meaning.VectorFile.load(path).known

    read = []
    monkeypatch.setattr(meaning, "vectors",
                        lambda texts: read.extend(texts) or np.ones((len(texts), meaning.DIMENSION)))
    loaded = meaning.VectorFile.load(path)
    again = loaded.vectors(["qui reçoit mes données ?", "who gets my data?", "a new text"])
    assert read == ["a new text"]
    assert np.allclose(again[:2], first[::-1], atol=2e-3)  # float16 in the file


def test_a_vector_file_from_another_model_is_not_used(tmp_path, monkeypatch):
    path = tmp_path / "vectors.npz"
    kept = meaning.VectorFile({meaning.key("hello"): np.zeros(meaning.DIMENSION, dtype=np.float16)})
    kept.save(path)
    assert meaning.VectorFile.load(path).missing(["hello"]) == []
    monkeypatch.setattr(meaning, "MODEL", "another model")
    assert meaning.VectorFile.load(path).missing(["hello"]) == ["hello"]
