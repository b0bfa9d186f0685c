"""The staff FAQ: a question asked of the assistant itself, once per organisation, with the passages.

Each organisation gets a fresh conversation on Rasa's REST channel with the organisation as
metadata, exactly as the widget on its website would send it; when the answer offers its passage
("/ask_source"), that is asked too. Same NLU, same answer action, same knowledge: no second copy.
"""
from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from typing import Iterable, List

from apps.rasa_client import RasaClient, RasaUnavailable

SOURCE_PAYLOAD = "/ask_source"
CHANNEL = "staff-faq"


@dataclass(frozen=True)
class OrganizationAnswer:
    slug: str
    name: str
    replies: List[str] = field(default_factory=list)
    passages: List[str] = field(default_factory=list)
    unavailable: bool = False


async def ask_each(rasa: RasaClient, question: str, organizations: Iterable) -> List[OrganizationAnswer]:
    """The assistant's answer for each organisation, asked concurrently."""
    return list(await asyncio.gather(*(_ask(rasa, question, organization) for organization in organizations)))


async def _ask(rasa: RasaClient, question: str, organization) -> OrganizationAnswer:
    sender = f"staff-faq-{secrets.token_hex(8)}"
    metadata = {"organization": organization.slug}
    try:
        replies = await rasa.say(question, sender, metadata, input_channel=CHANNEL)
        offers_source = any(button.get("payload") == SOURCE_PAYLOAD
                            for reply in replies for button in reply.get("buttons") or [])
        passages = await rasa.say(SOURCE_PAYLOAD, sender, metadata, input_channel=CHANNEL) if offers_source else []
    except RasaUnavailable:
        return OrganizationAnswer(organization.slug, organization.name, unavailable=True)
    return OrganizationAnswer(organization.slug, organization.name,
                              replies=[reply.get("text") or "" for reply in replies if reply.get("text")],
                              passages=[reply.get("text") or "" for reply in passages if reply.get("text")])
