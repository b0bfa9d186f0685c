"""Score acceptance examples against the running assistant over the REST channel.

    python scripts/eval.py [--url http://127.0.0.1:5005] [--examples FILE] [--min-accuracy 0.95]

Each example is a fresh conversation; its organisation (when set) goes as `metadata.organization`,
as the website widget sends it. An answer passes when it contains one of `expect_any`, all of
`expect_all`, none of `forbid`, and is written in the question's language.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.request
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bot.language import detect_language  # noqa: E402

DEFAULT_EXAMPLES = ROOT.parent / "shared" / "examples" / "acceptance_examples.yaml"
CITATION = re.compile(r"\n+Source ?:")  # the citation names the policy in its own language


def ask(url: str, question: str, organization: Optional[str], timeout: float = 30.0) -> str:
    body = {"sender": f"eval-{uuid.uuid4().hex[:12]}", "message": question}
    if organization:
        body["metadata"] = {"organization": organization}
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        messages = json.loads(response.read().decode())
    return "\n".join(m.get("text", "") for m in messages if m.get("text"))


def failures_of(example: Dict, answer: str) -> List[str]:
    lowered = answer.lower()
    problems = []
    if not answer.strip():
        problems.append("no answer")
    expect_any = example.get("expect_any") or []
    if expect_any and not any(s.lower() in lowered for s in expect_any):
        problems.append(f"none of {expect_any}")
    missing = [s for s in example.get("expect_all") or [] if s.lower() not in lowered]
    if missing:
        problems.append(f"missing {missing}")
    forbidden = [s for s in example.get("forbid") or [] if s.lower() in lowered]
    if forbidden:
        problems.append(f"forbidden {forbidden}")
    language = detect_language(CITATION.split(answer)[0])
    if language and language != example["lang"]:
        problems.append(f"answered in {language}, asked in {example['lang']}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--examples", type=Path, default=DEFAULT_EXAMPLES)
    parser.add_argument("--min-accuracy", type=float, default=0.0, help="exit 1 below this accuracy")
    parser.add_argument("--show-answers", action="store_true", help="print every answer, not only failures")
    args = parser.parse_args()

    examples = yaml.safe_load(args.examples.read_text(encoding="utf-8"))
    by_topic: Dict[str, List[bool]] = defaultdict(list)
    by_lang: Dict[str, List[bool]] = defaultdict(list)
    failed = 0
    for example in examples:
        try:
            answer = ask(args.url, example["question"], example.get("org"))
        except OSError as error:
            print(f"cannot reach the assistant at {args.url} ({error}); start it with `make run`", file=sys.stderr)
            return 2
        problems = failures_of(example, answer)
        by_topic[example["topic"]].append(not problems)
        by_lang[example["lang"]].append(not problems)
        if problems or args.show_answers:
            status = "FAIL" if problems else "ok"
            print(f"--- {status} {example['id']} [{example.get('org')}/{example['lang']}] {example['question']}")
            if problems:
                failed += 1
                print(f"    problems: {'; '.join(problems)}")
            print("    answer: " + answer.replace("\n", "\n            "))

    total = len(examples)
    accuracy = (total - failed) / total if total else 0.0
    print("\nAccuracy per topic:")
    for topic, results in sorted(by_topic.items()):
        print(f"  {topic:22s} {sum(results):3d}/{len(results):<3d} {sum(results) / len(results):6.1%}")
    print("Accuracy per language:")
    for lang, results in sorted(by_lang.items()):
        print(f"  {lang:22s} {sum(results):3d}/{len(results):<3d} {sum(results) / len(results):6.1%}")
    print(f"Overall: {total - failed}/{total} = {accuracy:.1%}")
    return 1 if accuracy < args.min_accuracy else 0


if __name__ == "__main__":
    sys.exit(main())
