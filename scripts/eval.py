"""Score the assistant against the evaluation sets over the REST channel (`make eval`, after `make run`).

    python scripts/eval.py [--url http://127.0.0.1:5005] [--examples FILE ...] [--min-accuracy 0.95]
                           [--no-names] [--no-conversations] [--no-paraphrases] [--show-answers]

1. Single questions: the project's held-out sets (data/eval/dev_questions_*.yaml), with figures per
   language, topic, organisation and aspect (the aspect the trained model reads, when a model is
   found in models/), then the public acceptance examples as a final check. Each question is a new
   conversation with its organisation as `metadata.organization`, as the website widget sends it; an
   answer passes when it holds one of `expect_any`, all of `expect_all`, none of `forbid`, in the
   question's language (devtools/scoring.py, the rules `make bench` scores by too).
2. Multi-turn conversations (data/eval/conversations*.yaml, and the public conversation examples).
3. Paraphrase groups (data/eval/paraphrases*.yaml): five wordings must get the same reply.
4. Names at the request form's name prompt (data/eval/names.yaml): each must be taken as typed.
5. Rights-request dialogues (data/eval/requests*.yaml), each checked in the tracking database the
   running assistant files into (TRACKING_DB_URL, default var/tracking.db), with the code it mailed
   read from its mail sink's folder (--mail-folder, default var/mail).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from devtools import dialogues, names, request_dialogues  # noqa: E402
from devtools.scoring import ACCEPTANCE_EXAMPLES, Tally, ask, failures_of, load_examples  # noqa: E402
from knowledge.loading import knowledge_base  # noqa: E402
from tracking import config as tracking_config  # noqa: E402

DEV_SETS = sorted((ROOT / "data" / "eval").glob("dev_questions_*.yaml"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--examples", type=Path, nargs="*", help="question files (default: the dev sets, then the public examples)")
    parser.add_argument("--min-accuracy", type=float, default=0.0, help="exit 1 below this accuracy on any set")
    parser.add_argument("--show-answers", action="store_true", help="print every answer, not only failures")
    parser.add_argument("--no-names", action="store_true", help="skip the names at the name prompt")
    parser.add_argument("--no-conversations", action="store_true", help="skip the multi-turn conversations")
    parser.add_argument("--no-paraphrases", action="store_true", help="skip the paraphrase groups")
    parser.add_argument("--names-organization", help="organisation of the name dialogues (default: the first by name)")
    parser.add_argument("--no-requests", action="store_true", help="skip the rights-request dialogues")
    parser.add_argument("--mail-folder", type=Path, default=ROOT / "var" / "mail",
                        help="where the running assistant's mail sink writes (for the codes it mails)")
    args = parser.parse_args()

    try:
        ask(args.url, "bonjour", None)
    except OSError as error:
        print(f"cannot reach the assistant at {args.url} ({error}); start it with `make run`", file=sys.stderr)
        return 2
    aspect_of = _aspect_reader()
    ok = True
    files = args.examples if args.examples is not None and args.examples else DEV_SETS
    if not args.examples:
        tally = Tally()
        for path in files:
            score_questions(args.url, path, args.show_answers, aspect_of, tally)
        print(f"\n== Single questions, project's dev sets ({', '.join(p.name for p in files)})")
        print("\n".join(tally.report()))
        ok &= tally.accuracy >= args.min_accuracy
        files = [ACCEPTANCE_EXAMPLES] if ACCEPTANCE_EXAMPLES.exists() else []
    for path in files:
        tally = score_questions(args.url, path, args.show_answers, aspect_of, Tally())
        print(f"\n== Single questions, {path.name}")
        print("\n".join(tally.report()[-1:] if not args.examples else tally.report()))
        ok &= tally.accuracy >= args.min_accuracy
    if not args.no_conversations:
        for path in (*dialogues.CONVERSATIONS, dialogues.PUBLIC_CONVERSATIONS):
            if path.exists():
                ok &= report_conversations(args.url, path, args.show_answers) >= args.min_accuracy
    if not args.no_paraphrases:
        for path in dialogues.PARAPHRASES:
            ok &= report_paraphrases(args.url, path, args.show_answers) >= args.min_accuracy
    if not args.no_names:
        organization = args.names_organization or knowledge_base().organizations_by_name()[0].slug
        ok &= report_names(args.url, organization)
    if not args.no_requests:
        ok &= report_requests(args.url, args.mail_folder, args.show_answers)
    return 0 if ok else 1


def _aspect_reader() -> Callable[[str], Optional[str]]:
    """The aspect the latest trained model reads in a question (for the figures per aspect), if a model is there."""
    try:
        import asyncio

        from rasa.core.agent import Agent

        from devtools.servers import latest_model
        agent = Agent.load(str(latest_model(ROOT / "models")))
    except Exception as error:  # noqa: BLE001 - the figures per aspect are optional
        print(f"note: no figures per aspect ({error})", file=sys.stderr)
        return lambda text: None

    def aspect_of(text: str) -> Optional[str]:
        parsed = asyncio.run(agent.parse_message(text))
        ranking = parsed.get("aspect_ranking") or []
        return ranking[0]["name"] if ranking else None
    return aspect_of


def score_questions(url: str, path: Path, show_answers: bool, aspect_of: Callable[[str], Optional[str]],
                    tally: Tally) -> Tally:
    for example in load_examples(path):
        answer = ask(url, example["question"], example.get("org"))
        problems = failures_of(example, answer)
        tally.add(example, not problems, aspect_of(example["question"]) if example.get("topic") != "start_request" else None)
        if problems or show_answers:
            status = "FAIL" if problems else "ok"
            print(f"--- {status} {example['id']} [{example.get('org')}/{example['lang']}] {example['question']}")
            if problems:
                print(f"    problems: {'; '.join(problems)}")
            print("    answer: " + answer.replace("\n", "\n            "))
    return tally


def report_conversations(url: str, path: Path, show_answers: bool) -> float:
    results = list(dialogues.run_conversations(url, path))
    for result in results:
        if result["passed"] and not show_answers:
            continue
        conversation = result["conversation"]
        print(f"--- {'ok' if result['passed'] else 'FAIL'} conversation {conversation['id']}: {conversation.get('note', '')}")
        for turn in result["turns"]:
            mark = "!!" if turn.problems else "  "
            print(f"  {mark} > {turn.said}")
            print("       " + turn.reply.replace("\n", "\n       "))
            if turn.problems:
                print(f"       problems: {'; '.join(turn.problems)}")
    passed = sum(result["passed"] for result in results)
    turns = [turn for result in results for turn in result["turns"] if turn.checked]
    print(f"\n== Conversations, {path.name}: {passed}/{len(results)} = {passed / max(len(results), 1):.1%} "
          f"(checked turns {sum(not t.problems for t in turns)}/{len(turns)})")
    return passed / max(len(results), 1)


def report_paraphrases(url: str, path: Path, show_answers: bool) -> float:
    results = list(dialogues.run_paraphrases(url, path))
    for result in results:
        if result["consistent"] and all(result["correct"]) and not show_answers:
            continue
        group = result["group"]
        print(f"--- paraphrases {group['id']}: {'consistent' if result['consistent'] else 'INCONSISTENT'}, "
              f"{sum(result['correct'])}/5 correct")
        for wording, reply, problems in zip(group["wordings"], result["replies"], result["problems"]):
            print(f"   > {wording}\n     {reply.splitlines()[0] if reply else '(no reply)'}"
                  + (f"\n     problems: {'; '.join(problems)}" if problems else ""))
    consistent = sum(result["consistent"] for result in results)
    correct: List[bool] = [ok for result in results for ok in result["correct"]]
    print(f"\n== Paraphrases, {path.name}: consistent {consistent}/{len(results)} = {consistent / max(len(results), 1):.1%}; "
          f"correct wordings {sum(correct)}/{len(correct)} = {sum(correct) / max(len(correct), 1):.1%}")
    return consistent / max(len(results), 1)


def report_names(url: str, organization: str) -> bool:
    """Runs the names at the name prompt; prints the misses and the figures per group and language."""
    results = list(names.run(url, organization))
    for group, name, lang, taken in results:
        if not taken:
            print(f"--- FAIL name [{group}/{lang}] {name!r} was not taken as typed")
    print("\n== Names at the name prompt:")
    for key in sorted({(group, lang) for group, _, lang, _ in results}):
        taken = [ok for group, _, lang, ok in results if (group, lang) == key]
        print(f"  {key[0] + '/' + key[1]:22s} {sum(taken):3d}/{len(taken):<3d} {sum(taken) / len(taken):6.1%}")
    passed = sum(ok for *_, ok in results)
    print(f"Names overall: {passed}/{len(results)} = {passed / len(results):.1%}")
    return passed == len(results)


def report_requests(url: str, mail_folder: Path, show_answers: bool) -> bool:
    """Runs the request dialogues of every set; prints each one that did not file what it asked, and the
    figure per set."""
    ok = True
    for path in request_dialogues.REQUEST_SETS:
        ok &= _report_request_set(url, mail_folder, show_answers, path)
    return ok


def _report_request_set(url: str, mail_folder: Path, show_answers: bool, path: Path) -> bool:
    results = list(request_dialogues.run(url, mail_folder, tracking_config.database_url(), path))
    for result in results:
        if result.passed and not show_answers:
            continue
        case = result.case
        print(f"--- {'ok' if result.passed else 'FAIL'} request {case['id']} [{case['lang']}] {case['say']}\n"
              f"    expected {case['right']} at {case['organization']} for {case['name']!r}; filed {result.filed}")
        print("    " + "\n    ".join(line.replace("\n", " | ") for line in result.turns))
    passed = sum(result.passed for result in results)
    print(f"\n== Request dialogues, {path.name}: {passed}/{len(results)} filed as asked")
    return passed == len(results)


if __name__ == "__main__":
    sys.exit(main())
