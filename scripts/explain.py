"""Show why the assistant answers a question the way it does: NLU ranking, then fact scores.

    python scripts/explain.py "combien de temps gardez-vous mon CV ?" [--org SLUG] [--model models] [--top 5]

Each question is parsed by the latest model in --model, loaded here (no server needed; `make train`
first). The selection shown comes from knowledge.selection.selection_for, which the answer action
calls, so what is explained is what is answered; the scores beside it are
knowledge.selection.scored_facts, which that selection ranks the facts with.
For data authors tuning keywords in data/knowledge/ and examples in data/nlu/.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.servers import latest_model  # noqa: E402
from knowledge.loading import knowledge_base  # noqa: E402
from knowledge.model import KnowledgeBase, Organization  # noqa: E402
from knowledge.organizations import resolve_organizations  # noqa: E402
from knowledge.question import Question  # noqa: E402
from knowledge.selection import Selection, scored_facts, selection_for  # noqa: E402


def describe(org: Organization, selection: Optional[Selection]) -> str:
    if selection is None:
        return "nothing in this policy fits: no policy answer (the bot replies to the intent instead)"
    if selection.silent:
        return f"the policy is silent on {selection.topic}"
    summary = [fact.id for fact in org.facts_for(selection.topic) if fact.summary]
    kind = "the topic's summary" if [fact.id for fact in selection.facts] == summary else "the facts asked about"
    return f"{kind}, {selection.topic}: " + ", ".join(fact.id for fact in selection.facts)


def explain(kb: KnowledgeBase, question: Question, organization: Optional[str], top: int) -> List[str]:
    ranking = ", ".join(f"{i['name']} {i['confidence']:.2f}" for i in question.intent_ranking[:4])
    lines = [question.text, f"  intents: {ranking}",
             "  entities: " + (", ".join(f"{e['entity']}={e['value']}" for e in question.entities) or "none")]
    # As the answer action does, with the widget's organisation as metadata and nothing in the conversation.
    slugs = resolve_organizations(kb, question.text, question.entity_values("organization"),
                                  {"organization": organization}, None)
    if not slugs:
        lines.append("  no organisation named: the bot asks which one (or pass --org)")
    topic, category = question.topic(kb.topics), question.data_category(kb.data_categories)
    confidences = question.topic_confidences(kb.topics)
    for slug in slugs:
        org = kb.organizations[slug]
        mode = f"topic {topic}" if topic else "no topic intent: a clear keyword match only"
        lines.append(f"  {slug} ({mode}, category {category or '-'})")
        for scored in scored_facts(org, question.text, confidences, category, topic)[:top]:
            lines.append(f"    {scored.total:5.2f}  keywords {scored.keyword_score:5.2f}"
                         f"{'' if scored.distinctive else ' (not distinctive)'}  {scored.fact.id}"
                         f"  {list(scored.keywords)}")
        lines.append(f"    -> {describe(org, selection_for(kb, org, question))}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", nargs="+")
    parser.add_argument("--org", help="the organisation the widget would send as metadata")
    parser.add_argument("--model", default="models", help="directory of trained models (default: models)")
    parser.add_argument("--top", type=int, default=5, help="how many scored facts to show (default 5)")
    args = parser.parse_args()

    import skops.io  # noqa: F401  (before Rasa imports TensorFlow: see rasa_extensions/launcher.py)
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # not a debug line per parse on stdout
    agent = Agent.load(str(latest_model(ROOT / args.model)))
    kb = knowledge_base()
    for text in args.questions:
        question = Question.from_message(asyncio.run(agent.parse_message(text)))
        print("\n" + "\n".join(explain(kb, question, args.org, args.top)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
