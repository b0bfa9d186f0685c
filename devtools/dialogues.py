"""Multi-turn conversations and paraphrase groups, run over the REST channel like the website widget.

Conversations (data/eval/conversations*.yaml, and the public conversation_examples.yaml beside the
acceptance examples): each is one sender; `meta` goes as metadata with every turn; a turn passes
when its reply holds one of `expect_any`, all of `expect_all` and none of `forbid`.
Paraphrase groups (data/eval/paraphrases.yaml): five wordings of one question, each in a new
conversation; the group is consistent when the five replies say the same things (the same lines, in any
order: the same facts, sources and offers), correct when each passes.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterator, List

import yaml

from devtools.scoring import ACCEPTANCE_EXAMPLES, ROOT, ask, content_failures, reply_text, say

CONVERSATIONS = sorted((ROOT / "data" / "eval").glob("conversations*.yaml"))  # the project's held-out sets
PUBLIC_CONVERSATIONS = ACCEPTANCE_EXAMPLES.parent / "conversation_examples.yaml"
PARAPHRASES = sorted((ROOT / "data" / "eval").glob("paraphrases*.yaml"))  # one group list per set


def load(path: Path) -> List[Dict[str, Any]]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []


@dataclass
class TurnResult:
    said: str
    reply: str
    problems: List[str]
    checked: bool


def run_conversation(url: str, conversation: Dict[str, Any]) -> List[TurnResult]:
    """Every turn of one conversation, in one new conversation of the assistant."""
    sender = f"eval-conv-{uuid.uuid4().hex[:12]}"
    metadata = conversation.get("meta") or None
    results = []
    for turn in conversation["turns"]:
        reply = _reply_with_buttons(say(url, turn["say"], sender, metadata))
        checked = any(turn.get(key) for key in ("expect_any", "expect_all", "forbid"))
        problems = content_failures(turn, reply) if checked else []
        results.append(TurnResult(turn["say"], reply, problems, checked))
    return results


def _reply_with_buttons(messages: List[Dict[str, Any]]) -> str:
    """The reply as checked: its texts and its button titles."""
    titles = [button.get("title", "") for m in messages for button in m.get("buttons") or []]
    return "\n".join([reply_text(messages)] + titles)


def run_conversations(url: str, path: Path) -> Iterator[Dict[str, Any]]:
    for conversation in load(path):
        turns = run_conversation(url, conversation)
        yield {"conversation": conversation, "turns": turns,
               "passed": all(not turn.problems for turn in turns)}


def run_paraphrases(url: str, path: Path) -> Iterator[Dict[str, Any]]:
    for group in load(path):
        replies = [ask(url, wording, group.get("org")) for wording in group["wordings"]]
        problems = [content_failures(group, reply) for reply in replies]
        yield {"group": group, "replies": replies, "consistent": len({_said(reply) for reply in replies}) == 1,
               "correct": [not p for p in problems], "problems": problems}


def _said(reply: str) -> FrozenSet[str]:
    """What a reply says, whatever the order: its lines without list bullets (one fact has none), and
    the sections a source line cites as a set."""
    lines = (line.strip().lstrip("•").strip() for line in reply.splitlines() if line.strip())
    return frozenset("; ".join(sorted(line.split("; "))) for line in lines)
