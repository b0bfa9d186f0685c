"""The dialogue parts that follow from the topic list (data/topics.yml), written from it.

Every policy topic has an intent `ask_<topic>` answered by the one answer action, also in the middle
of a rights request; and a policy question never changes the organisation slot (domain.yml's
`not_intent` list), so that "how long does <another> keep CVs?" during a request leaves the request's
organisation alone. Writing them by hand meant 40 same-shape rules and a list where a forgotten topic
silently changed a request's organisation. scripts/train.py writes them before training;
tests/test_topic_rules.py fails when the committed files disagree with the topics.

    python -m rasa_extensions.topic_rules          # write data/rules/topics.yml and domain.yml's list
    python -m rasa_extensions.topic_rules --check  # exit 1 if either is out of date
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Dict, Iterable, List

import yaml

from knowledge.loading import load_topics
from language import DATA_DIR

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ROOT / "domain.yml"
RULES = DATA_DIR / "rules" / "topics.yml"
ANSWER_ACTION = "action_answer_policy_question"
RIGHTS_REQUEST_FORM = "rights_request_form"
# Besides the topics, the intents whose organisation entity is not a choice of organisation.
NOT_A_CHOICE = ("ask_source", "list_organizations", "out_of_scope", "help")
_NOT_INTENT_LINE = re.compile(r"^(?P<indent>\s*)not_intent: \[[^\]]*\]$", re.MULTILINE)
HEADER = ("# Written by `python -m rasa_extensions.topic_rules` from data/topics.yml: do not edit by hand.\n"
          "# Every policy question goes to the one answer action, also during a rights request.\n")


def topic_intents(topics: Iterable[str]) -> List[str]:
    return [f"ask_{topic}" for topic in topics]


def topic_rules(topics: Iterable[str]) -> Dict[str, object]:
    rules: List[Dict[str, object]] = []
    for intent in topic_intents(topics):
        rules.append({"rule": f"answer {intent}",
                      "steps": [{"intent": intent}, {"action": ANSWER_ACTION}]})
        rules.append({"rule": f"{intent} during the rights request, then back to it",
                      "condition": [{"active_loop": RIGHTS_REQUEST_FORM}],
                      "steps": [{"intent": intent}, {"action": ANSWER_ACTION}, {"action": RIGHTS_REQUEST_FORM},
                                {"active_loop": RIGHTS_REQUEST_FORM}]})
    return {"version": "3.1", "rules": rules}


def rules_text(topics: Iterable[str]) -> str:
    return HEADER + yaml.safe_dump(topic_rules(topics), sort_keys=False, allow_unicode=True, width=120)


def domain_text(domain: str, topics: Iterable[str]) -> str:
    """domain.yml with the organisation slot's `not_intent` list written from the topics."""
    intents = ", ".join([*topic_intents(topics), *NOT_A_CHOICE])
    if len(_NOT_INTENT_LINE.findall(domain)) != 1:
        raise ValueError("domain.yml must have exactly one `not_intent: [...]` line (the organisation slot's)")
    return _NOT_INTENT_LINE.sub(lambda match: f"{match['indent']}not_intent: [{intents}]", domain)


def outdated(data_dir: Path = DATA_DIR, domain_path: Path = DOMAIN) -> List[Path]:
    """The generated files that do not match the topics (empty when all is up to date)."""
    topics = list(load_topics(data_dir)[0])
    rules_path = data_dir / "rules" / "topics.yml"
    domain = domain_path.read_text(encoding="utf-8")
    stale = []
    if not rules_path.is_file() or rules_path.read_text(encoding="utf-8") != rules_text(topics):
        stale.append(rules_path)
    if domain_text(domain, topics) != domain:
        stale.append(domain_path)
    return stale


def write(data_dir: Path = DATA_DIR, domain_path: Path = DOMAIN) -> List[Path]:
    """Writes what is out of date; returns the files written."""
    stale = outdated(data_dir, domain_path)
    topics = list(load_topics(data_dir)[0])
    for path in stale:
        if path == domain_path:
            path.write_text(domain_text(path.read_text(encoding="utf-8"), topics), encoding="utf-8")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(rules_text(topics), encoding="utf-8")
    return stale


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check; exit 1 when a file is out of date")
    args = parser.parse_args(argv)
    if args.check:
        stale = outdated()
        for path in stale:
            print(f"{path} is out of date with data/topics.yml: run python -m rasa_extensions.topic_rules",
                  file=sys.stderr)
        return 1 if stale else 0
    for path in write():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
