"""Show why the assistant answers a question the way it does: NLU ranking, then fact scores.

    python scripts/explain.py "combien de temps ACTA garde mon CV ?" [--org acta] [--model models]

For data authors tuning keywords in data/knowledge/ and examples in data/nlu/.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.conversation import Question  # noqa: E402
from knowledge.selection import _score, select_facts  # noqa: E402
from knowledge.loading import knowledge_base  # noqa: E402
from knowledge.organizations import resolve_organizations  # noqa: E402
from knowledge.matching import keyword_spans, normalize  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", nargs="+")
    parser.add_argument("--org", help="the organisation the widget would send as metadata")
    parser.add_argument("--model", default="models")
    args = parser.parse_args()

    from rasa.core.agent import Agent
    from rasa.model import get_local_model

    agent = Agent.load(get_local_model(str(ROOT / args.model)))
    kb = knowledge_base()
    for text in args.questions:
        parse = asyncio.run(agent.parse_message(text))
        question = Question(text=text, intent=parse["intent"]["name"], intent_ranking=parse["intent_ranking"],
                            entities=parse["entities"])
        print(f"\n{text}\n  intents: " + ", ".join(f"{i['name']} {i['confidence']:.2f}" for i in parse["intent_ranking"][:4]))
        print("  entities: " + ", ".join(f"{e['entity']}={e['value']}" for e in parse["entities"]))
        slugs = resolve_organizations(kb, text, question.entity_values("organization"), {"organization": args.org}, None)
        for slug in slugs:
            org = kb.organizations[slug]
            confidences = question.topic_confidences(kb.topics)
            category, topic = question.data_category(kb.data_categories), question.topic(kb.topics)
            for scored in _score(org, normalize(text), confidences, category, topic)[:5]:
                matched = [k for _, _, k in keyword_spans(normalize(text), scored.fact.keywords)]
                print(f"  {slug}: {scored.total:5.2f} (keywords {scored.keyword_score:4.2f}) {scored.fact.id} {matched}")
            selection = select_facts(org, text, confidences, topic, category, strict=topic is None)
            print(f"  -> {selection and (('silent ' + str(selection.topic)) if selection.silent else [f.id for f in selection.facts])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
