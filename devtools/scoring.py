"""The rules an answer to an example question must meet, shared by scripts/eval.py and the bench.

An answer passes when it contains one of `expect_any`, all of `expect_all`, none of `forbid`, and
is written in the question's language (the citation line, in the policy's language, is left out).
"""
from __future__ import annotations

import json
import os
import re
import sys
import urllib.request
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import yaml

from apps.rasa_client import REST_TOKEN_VARIABLE  # sent as a bearer token when set, as the web app does
from knowledge.matching import normalize
from language.detection import detect_language

ROOT = Path(__file__).resolve().parent.parent
ACCEPTANCE_EXAMPLES = ROOT.parent / "shared" / "examples" / "acceptance_examples.yaml"
# A clone without the shared folder beside it (a CI checkout) scores the project's own held-out set.
FALLBACK_EXAMPLES = ROOT / "data" / "eval" / "dev_questions_a.yaml"
DEFAULT_EXAMPLES = ACCEPTANCE_EXAMPLES if ACCEPTANCE_EXAMPLES.exists() else FALLBACK_EXAMPLES
CITATION = re.compile(r"\n+Source ?:")  # the citation names the policy in its own language


def load_examples(path: Path = DEFAULT_EXAMPLES) -> List[Dict[str, Any]]:
    if Path(path) == FALLBACK_EXAMPLES and not ACCEPTANCE_EXAMPLES.exists():
        print(f"note: {ACCEPTANCE_EXAMPLES} not found; using {FALLBACK_EXAMPLES.relative_to(ROOT)}", file=sys.stderr)
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def say(url: str, text: str, sender: str, metadata: Optional[Dict[str, Any]] = None,
        timeout: float = 60.0) -> List[Dict[str, Any]]:
    """One message to the assistant's REST channel, as the website widget sends it; its replies."""
    body = {"sender": sender, "message": text, **({"metadata": metadata} if metadata else {})}
    headers = {"Content-Type": "application/json"}
    token = os.environ.get(REST_TOKEN_VARIABLE, "").strip()
    if token:  # what Rasa's REST channel requires from another host (rasa_extensions/rest_channel.py)
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=json.dumps(body).encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode())


def reply_text(messages: Iterable[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages if m.get("text"))


def ask(url: str, question: str, organization: Optional[str], timeout: float = 30.0) -> str:
    """The assistant's whole reply to `question`, asked in a new conversation with the organisation as metadata."""
    metadata = {"organization": organization} if organization else None
    return reply_text(say(url, question, f"eval-{uuid.uuid4().hex[:12]}", metadata, timeout))


def content_failures(example: Dict[str, Any], answer: str) -> List[str]:
    """What the answer lacks or wrongly holds, language aside. Substrings are compared case- and
    accent-insensitively (typographic apostrophes too), as the public examples' checks are."""
    lowered = normalize(answer)
    problems = []
    if not answer.strip():
        problems.append("no answer")
    expect_any = example.get("expect_any") or []
    if expect_any and not any(normalize(s) in lowered for s in expect_any):
        problems.append(f"none of {expect_any}")
    missing = [s for s in example.get("expect_all") or [] if normalize(s) not in lowered]
    if missing:
        problems.append(f"missing {missing}")
    forbidden = [s for s in example.get("forbid") or [] if normalize(s) in lowered]
    if forbidden:
        problems.append(f"forbidden {forbidden}")
    return problems


def language_failure(example: Dict[str, Any], answer: str) -> Optional[str]:
    """Why the answer is not in the question's language, or None when it is (or cannot be told)."""
    language = detect_language(CITATION.split(answer)[0])
    if language and language != example["lang"]:
        return f"answered in {language}, asked in {example['lang']}"
    return None


def failures_of(example: Dict[str, Any], answer: str) -> List[str]:
    """Every reason the answer fails the example; empty when it passes."""
    language = language_failure(example, answer)
    return content_failures(example, answer) + ([language] if language else [])


class Tally:
    """Pass/fail counts per topic, language and organisation (and per aspect when one is given)."""

    def __init__(self) -> None:
        self.groups: Dict[str, Dict[str, List[bool]]] = defaultdict(lambda: defaultdict(list))

    def add(self, example: Dict[str, Any], passed: bool, aspect: Optional[str] = None) -> None:
        self.groups["topic"][example["topic"]].append(passed)
        self.groups["language"][example["lang"]].append(passed)
        self.groups["organisation"][str(example.get("org") or "-")].append(passed)
        if aspect:
            self.groups["aspect"][aspect].append(passed)

    @property
    def by_topic(self) -> Dict[str, List[bool]]:
        return self.groups["topic"]

    @property
    def by_lang(self) -> Dict[str, List[bool]]:
        return self.groups["language"]

    @property
    def passed(self) -> int:
        return sum(sum(results) for results in self.by_lang.values())

    @property
    def total(self) -> int:
        return sum(len(results) for results in self.by_lang.values())

    @property
    def accuracy(self) -> float:
        return self.passed / self.total if self.total else 0.0

    def as_dict(self) -> Dict[str, Any]:
        def counts(groups: Dict[str, List[bool]]) -> Dict[str, List[int]]:
            return {key: [sum(results), len(results)] for key, results in sorted(groups.items())}
        return {"passed": self.passed, "total": self.total, "by_topic": counts(self.by_topic),
                "by_lang": counts(self.by_lang)}

    def report(self) -> List[str]:
        """Lines of figures per group (topic, language, organisation, aspect), then the overall one."""
        lines = []
        for name, groups in self.groups.items():
            lines.append(f"Accuracy per {name}:")
            for key, results in sorted(groups.items()):
                lines.append(f"  {key:30s} {sum(results):4d}/{len(results):<4d} {sum(results) / len(results):6.1%}")
        lines.append(f"Overall: {self.passed}/{self.total} = {self.accuracy:.1%}")
        return lines
