"""Answer accuracy of a running assistant on the acceptance examples, per language and per topic."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from devtools.scoring import Tally, ask, content_failures, failures_of, load_examples


def evaluate(url: str, examples: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
    """Scored as scripts/eval.py scores (same rules), plus the score on content alone."""
    examples = examples if examples is not None else load_examples()
    strict, content = Tally(), Tally()
    failures = []
    for example in examples:
        answer = ask(url, example["question"], example.get("org"), timeout=120)
        problems = failures_of(example, answer)
        strict.add(example, not problems)
        content.add(example, not content_failures(example, answer))
        if problems:
            failures.append({"id": example["id"], "problems": problems})
    return {"strict": strict.as_dict(), "content_only": content.as_dict(), "failures": failures}
