"""Rights requests over the REST channel, against the real servers and a temporary tracking database.

A scripted conversation must leave exactly the expected row; a cancelled one must leave none.
Each test uses its own e-mail address to find its rows among the session's.
"""
from __future__ import annotations

import re
import uuid

import pytest

from knowledge.loading import load_knowledge_base
from knowledge.rendering import long_date
from tracking import service
from tracking.scope import operator
from tracking.references import new_reference
from tracking.unit_of_work import UnitOfWork

KB = load_knowledge_base()
pytestmark = pytest.mark.e2e
REFERENCE = re.compile(r"\bRR-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
OPERATOR = operator("test")  # the command line's access: every organisation


def rows_for(url: str, email: str):
    return [row for row in service.list_requests(caller=OPERATOR, uow=UnitOfWork(url=url))
            if row.email.lower() == email.lower()]


def unique_email(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4().hex[:8]}@example.com"


def test_scripted_request_leaves_exactly_the_expected_row(assistant, tracking_db_url):
    sender, email = assistant.new_sender(), unique_email("jane")
    first = "I want CESI to delete my data"
    assistant.text(first, sender)
    assistant.text("Jane Doe", sender)
    refused = assistant.text(email.replace(".com", ""), sender)
    assert "valid e-mail" in refused
    summary = assistant.text(f"sorry: {email}", sender)
    assert "Jane Doe" in summary and email in summary
    reply = assistant.text("yes", sender)

    rows = rows_for(tracking_db_url, email)
    assert len(rows) == 1
    row = rows[0]
    assert (row.organization, row.right, row.name, row.language, row.status.value) == \
        ("cesi", "erasure", "Jane Doe", "en", "received")
    assert row.description == first
    assert row.reference in reply and long_date(row.due_at.date(), "en") in reply
    cesi = KB.organizations["cesi"]
    assert cesi.contact["en"] in reply
    assert KB.rights["erasure"].citation["en"] in reply

    status = assistant.text(f"where is my request {row.reference}?", sender)
    assert "e-mail" in status
    found = assistant.text(email, sender)
    assert row.reference in found and long_date(row.due_at.date(), "en") in found


def test_french_request_with_questions_asked_then_cancelled_leaves_no_row(assistant, tracking_db_url):
    sender, email = assistant.new_sender(), unique_email("jean")
    assistant.text("je voudrais exercer mes droits", sender)
    assistant.text("/request_right{\"right\": \"access\"}", sender)
    assistant.text("/choose_organization{\"organization\": \"akteos\"}", sender)
    assistant.text("Jean Dupont", sender)
    summary = assistant.text(email, sender)
    assert "Jean Dupont" in summary and KB.rights["access"].label["fr"] in summary
    cancelled = assistant.text("non finalement", sender)
    assert "rien n'a été enregistré" in cancelled
    assert rows_for(tracking_db_url, email) == []


def test_unknown_reference_and_wrong_email_get_the_same_not_found(assistant, tracking_db_url):
    record = service.submit_request(organization="acta", right="access", name="Ann Lee", email=unique_email("ann"),
                                    language="en", uow=UnitOfWork(url=tracking_db_url))
    replies = []
    for reference, email in ((record.reference, unique_email("other")), (new_reference(), record.email)):
        sender = assistant.new_sender()
        assistant.text(f"where is my request {reference}?", sender)
        replies.append(assistant.text(email, sender))
    assert replies[0] == replies[1]
    assert record.reference not in replies[0]


def test_an_answer_on_exercising_a_right_offers_the_request_and_a_yes_files_that_question(assistant, tracking_db_url):
    sender, email = assistant.new_sender(), unique_email("offer")
    question = "Where should I write to CESI to have my data erased?"
    answer = assistant.say(question, sender)
    payloads = [button["payload"] for reply in answer for button in reply.get("buttons") or []]
    assert "/request_right" in payloads  # the offer, as a button in every channel
    assistant.text("yes", sender)  # or the button
    assistant.text("Jane Offer", sender)
    summary = assistant.text(email, sender)
    assert "Jane Offer" in summary and KB.organizations["cesi"].name in summary
    assistant.text("yes", sender)
    rows = rows_for(tracking_db_url, email)
    assert [(row.organization, row.right, row.description) for row in rows] == [("cesi", "erasure", question)]
