"""Score acceptance examples against the running assistant over the REST channel.

    python scripts/eval.py [--url http://127.0.0.1:5005] [--examples FILE] [--min-accuracy 0.95]

Each example is a fresh conversation; its organisation (when set) goes as `metadata.organization`,
as the website widget sends it. An answer passes when it contains one of `expect_any`, all of
`expect_all`, none of `forbid`, and is written in the question's language (devtools/scoring.py, the
rules `make bench` scores by too).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from devtools.scoring import DEFAULT_EXAMPLES, Tally, ask, failures_of, load_examples  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--examples", type=Path, default=DEFAULT_EXAMPLES)
    parser.add_argument("--min-accuracy", type=float, default=0.0, help="exit 1 below this accuracy")
    parser.add_argument("--show-answers", action="store_true", help="print every answer, not only failures")
    args = parser.parse_args()

    tally = Tally()
    for example in load_examples(args.examples):
        try:
            answer = ask(args.url, example["question"], example.get("org"))
        except OSError as error:
            print(f"cannot reach the assistant at {args.url} ({error}); start it with `make run`", file=sys.stderr)
            return 2
        problems = failures_of(example, answer)
        tally.add(example, not problems)
        if problems or args.show_answers:
            status = "FAIL" if problems else "ok"
            print(f"--- {status} {example['id']} [{example.get('org')}/{example['lang']}] {example['question']}")
            if problems:
                print(f"    problems: {'; '.join(problems)}")
            print("    answer: " + answer.replace("\n", "\n            "))

    print("\nAccuracy per topic:")
    for topic, results in sorted(tally.by_topic.items()):
        print(f"  {topic:22s} {sum(results):3d}/{len(results):<3d} {sum(results) / len(results):6.1%}")
    print("Accuracy per language:")
    for lang, results in sorted(tally.by_lang.items()):
        print(f"  {lang:22s} {sum(results):3d}/{len(results):<3d} {sum(results) / len(results):6.1%}")
    print(f"Overall: {tally.passed}/{tally.total} = {tally.accuracy:.1%}")
    return 1 if tally.accuracy < args.min_accuracy else 0


if __name__ == "__main__":
    sys.exit(main())
