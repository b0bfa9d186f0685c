"""Score acceptance examples against the running assistant over the REST channel.

    python scripts/eval.py [--url http://127.0.0.1:5005] [--examples FILE] [--min-accuracy 0.95] [--no-names]

Each example is a fresh conversation; its organisation (when set) goes as `metadata.organization`,
as the website widget sends it. An answer passes when it contains one of `expect_any`, all of
`expect_all`, none of `forbid`, and is written in the question's language (devtools/scoring.py, the
rules `make bench` scores by too). Then every name of data/eval/names.yaml at the request form's
name prompt (devtools/names.py): it must be taken as typed (the request is cancelled, nothing filed).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from devtools import names  # noqa: E402
from devtools.scoring import DEFAULT_EXAMPLES, Tally, ask, failures_of, load_examples  # noqa: E402
from knowledge.loading import knowledge_base  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--examples", type=Path, default=DEFAULT_EXAMPLES)
    parser.add_argument("--min-accuracy", type=float, default=0.0, help="exit 1 below this accuracy")
    parser.add_argument("--show-answers", action="store_true", help="print every answer, not only failures")
    parser.add_argument("--no-names", action="store_true", help="skip the names at the name prompt")
    parser.add_argument("--names-organization", help="organisation of the name dialogues (default: the first by name)")
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
    organization = args.names_organization or knowledge_base().organizations_by_name()[0].slug
    names_ok = args.no_names or report_names(args.url, organization)
    return 1 if tally.accuracy < args.min_accuracy or not names_ok else 0


def report_names(url: str, organization: str) -> bool:
    """Runs the names at the name prompt; prints the misses and the figures per group and language."""
    results = list(names.run(url, organization))
    for group, name, lang, taken in results:
        if not taken:
            print(f"--- FAIL name [{group}/{lang}] {name!r} was not taken as typed")
    print("Names at the name prompt:")
    for key in sorted({(group, lang) for group, _, lang, _ in results}):
        taken = [ok for group, _, lang, ok in results if (group, lang) == key]
        print(f"  {key[0] + '/' + key[1]:22s} {sum(taken):3d}/{len(taken):<3d} {sum(taken) / len(taken):6.1%}")
    passed = sum(ok for *_, ok in results)
    print(f"Names overall: {passed}/{len(results)} = {passed / len(results):.1%}")
    return passed == len(results)


if __name__ == "__main__":
    sys.exit(main())
