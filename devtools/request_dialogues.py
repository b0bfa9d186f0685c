"""Rights-request dialogues over REST, each checked in the tracking database (`make eval`, part 5).

The dialogue answers whatever the form asks, as a person would: the organisation's name, the
right's label, the name, the e-mail address, "yes", then the code the assistant mailed (read from the
mail sink's folder). It passes when exactly one request was filed for that address, with the right,
the organisation and the name as typed.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List

import yaml

from devtools.mailbox import MailSink
from devtools.scoring import reply_text, say
from knowledge.loading import knowledge_base
from tracking import service
from tracking.scope import operator
from tracking.unit_of_work import UnitOfWork

REQUESTS = Path(__file__).resolve().parent.parent / "data" / "eval" / "requests.yaml"
REQUEST_SETS = sorted(REQUESTS.parent.glob("requests*.yaml"))  # requests.yaml, and the held-out sets beside it
MAX_TURNS = 9
YES = {"en": "yes", "fr": "oui"}
# How a reply says what it waits for (as a person reads it): the first that matches is answered.
# The e-mail and name prompts are read on the reply's last line: the right's prompt ends "I will then ask
# for your name and e-mail address".
ASKS = {"code": ("6-digit code", "code à 6 chiffres"), "confirm": ("confirm",),
        "right": ("which right", "quel droit"),
        "organization": ("which organisation", "which organization", "which one", "quel organisme", "lequel"),
        "email": ("e-mail", "mail"), "name": ("name", "nom")}


@dataclass
class RequestResult:
    case: Dict[str, Any]
    filed: List[Dict[str, Any]]
    turns: List[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        case = self.case
        return self.filed == [{"right": case["right"], "organization": case["organization"], "name": case["name"]}]


def _waits_for(reply: str) -> str:
    last = reply.lower().strip().splitlines()[-1] if reply.strip() else ""
    text = reply.lower()
    for what, words in ASKS.items():
        if any(word in (last if what in ("name", "email") else text) for word in words):
            return what
    return ""


def run_one(url: str, case: Dict[str, Any], mail: MailSink, tracking_db_url: str) -> RequestResult:
    kb = knowledge_base()
    sender, email = f"eval-request-{uuid.uuid4().hex[:10]}", f"request.{uuid.uuid4().hex[:8]}@example.org"
    metadata = {"organization": case["org"]} if case.get("org") else {}
    answers = {"organization": kb.organizations[case["organization"]].name,
               "right": kb.rights[case["right"]].label[case["lang"]],
               "name": case["name"], "email": email, "confirm": YES[case["lang"]]}
    turns: List[str] = []
    message = case["say"]
    for _ in range(MAX_TURNS):
        reply = reply_text(say(url, message, sender, metadata))
        turns += [f"> {message}", reply]
        what = _waits_for(reply)
        if what == "code":
            try:
                message = mail.latest_code(email)
            except TimeoutError:  # the reply spoke of a code that never came: the dialogue failed here
                turns.append("(no code mailed)")
                break
            turns += [f"> {message}", reply_text(say(url, message, sender, metadata))]
            break
        if what not in answers:
            break
        message = answers.pop(what)
    return RequestResult(case, [{"right": row.right, "organization": row.organization, "name": row.name}
                                for row in filed_requests(tracking_db_url, email)], turns)


def filed_requests(tracking_db_url: str, email: str) -> List[Any]:
    """The requests filed for `email`, as the staff's command line (every organisation) lists them."""
    return [row for row in service.list_requests(caller=operator("eval"), uow=UnitOfWork(url=tracking_db_url))
            if row.email.lower() == email.lower()]


def run(url: str, mail_folder: Path, tracking_db_url: str, path: Path = REQUESTS) -> Iterator[RequestResult]:
    mail = MailSink(mail_folder, 0)  # only read: the running assistant's sink writes the folder
    for case in yaml.safe_load(path.read_text(encoding="utf-8")):
        yield run_one(url, case, mail, tracking_db_url)
