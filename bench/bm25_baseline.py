"""The plain FAQ search a person would otherwise get: BM25 over the five policy texts, top-1 passage.

Passages are the policies' paragraphs (blank-line separated), a short heading joined to the
paragraph under it. A question that names its organisation (the example's `org`, as the widget
would) searches that policy only; otherwise all five. The top passage is the answer, scored by
the same rules as the assistant's (devtools/scoring.py).
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

from devtools.scoring import Tally, content_failures, failures_of, load_examples

POLICIES = Path(__file__).resolve().parent.parent / "data" / "policies"
HEADING_MAX_WORDS = 12
K1, B = 1.5, 0.75
_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> List[str]:
    folded = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")
    return _TOKEN.findall(folded)


@dataclass
class Passage:
    organization: str
    text: str


def passages(policies: Path = POLICIES) -> List[Passage]:
    found = []
    for path in sorted(policies.glob("*.txt")):
        organization = path.name.split(".")[0]
        heading = ""
        for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
            block = block.strip()
            if not block:
                continue
            if len(block.split()) <= HEADING_MAX_WORDS:
                heading = f"{heading}\n{block}" if heading else block
                continue
            found.append(Passage(organization, f"{heading}\n{block}" if heading else block))
            heading = ""
    return found


class BM25:
    """Okapi BM25 (k1 = 1.5, b = 0.75) over a fixed list of passages."""

    def __init__(self, items: List[Passage]) -> None:
        self.items = items
        self.docs = [Counter(tokens(p.text)) for p in items]
        self.lengths = [sum(doc.values()) for doc in self.docs]
        self.average = sum(self.lengths) / len(self.lengths)
        frequency = Counter(term for doc in self.docs for term in doc)
        n = len(self.docs)
        self.idf = {term: math.log(1 + (n - df + 0.5) / (df + 0.5)) for term, df in frequency.items()}

    def score(self, query: List[str], index: int) -> float:
        doc, length = self.docs[index], self.lengths[index]
        total = 0.0
        for term in query:
            tf = doc.get(term, 0)
            if tf:
                total += self.idf[term] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / self.average))
        return total

    def top(self, question: str, organization: Optional[str] = None) -> Optional[Passage]:
        query = tokens(question)
        candidates = [i for i, p in enumerate(self.items) if organization in (None, p.organization)]
        if not candidates:
            return None
        best = max(candidates, key=lambda i: self.score(query, i))
        return self.items[best] if self.score(query, best) > 0 else None


def evaluate(examples: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
    """The baseline's accuracy on the examples, strict (same rules) and on content alone."""
    examples = examples if examples is not None else load_examples()
    index = BM25(passages())
    strict, content = Tally(), Tally()
    for example in examples:
        passage = index.top(example["question"], example.get("org"))
        answer = passage.text if passage else ""
        strict.add(example, not failures_of(example, answer))
        content.add(example, not content_failures(example, answer))
    return {"strict": strict.as_dict(), "content_only": content.as_dict(), "passages": len(index.items)}
