"""Rights requests over the REST channel, against the real servers, a temporary tracking database and
a real SMTP server (the `mail` fixture) the action server sends its mail to.

A scripted conversation, whose code is read from the mail as the person would, must leave exactly the
expected row; a cancelled or unverified one must leave none. Each test uses its own e-mail address to
find its rows and its mail among the session's.
"""
from __future__ import annotations

import re
import uuid

import pytest

from devtools.request_dialogues import filed_requests
from knowledge.loading import load_knowledge_base
from knowledge.rendering import long_date
from tracking import service
from tracking.references import new_reference
from tracking.unit_of_work import UnitOfWork

KB = load_knowledge_base()
pytestmark = pytest.mark.e2e
REFERENCE = re.compile(r"\bRR-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


rows_for = filed_requests  # the requests filed for an address, in every organisation


def unique_email(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4().hex[:8]}@example.com"


def other_than(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_scripted_request_leaves_exactly_the_expected_row_once_the_mailed_code_is_typed(assistant, tracking_db_url,
                                                                                         mail):
    sender, email = assistant.new_sender(), unique_email("jane")
    first = "I want CESI to delete my data"
    assistant.text(first, sender)
    assistant.text("Jane Doe", sender)
    refused = assistant.text(email.replace(".com", ""), sender)
    assert "valid e-mail" in refused
    summary = assistant.text(f"sorry: {email}", sender)
    assert "Jane Doe" in summary and email in summary
    asked = assistant.say("yes", sender)
    assert email in asked[0]["text"] and [b["title"] for b in asked[0]["buttons"]] == ["Resend the code"]
    assert rows_for(tracking_db_url, email) == []  # nothing before the code
    code = mail.latest_code(email)
    wrong = assistant.text(other_than(code), sender)
    assert "Tries left: 2" in wrong
    reply = assistant.text(f"{code[:3]} {code[3:]}", sender)

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
    assert f"e-mailed you the reference, the due date and the letter below at {email}" in reply

    _, ack = mail.wait_for(email, 2)  # the code, then the acknowledgement
    assert row.reference in ack["Subject"] and cesi.contact["en"] in ack.get_content()
    assert KB.rights["erasure"].citation["en"] in ack.get_content()
    [notification] = [m for m in mail.mails_to(cesi.staff_mailbox) if row.reference in m["Subject"]]
    assert long_date(row.due_at.date(), "fr") in notification.get_content()
    assert "Jane Doe" not in notification.get_content() and email not in notification.get_content()

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


def test_an_answer_on_exercising_a_right_offers_the_request_and_a_yes_files_that_question(assistant, tracking_db_url,
                                                                                          mail):
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
    assert rows_for(tracking_db_url, email) == []  # the form asks for the code first
    assistant.text(mail.latest_code(email), sender)
    rows = rows_for(tracking_db_url, email)
    assert [(row.organization, row.right, row.description) for row in rows] == [("cesi", "erasure", question)]


def _to_the_code(assistant, sender, metadata, request: str, name: str, email: str):
    """A French request up to the "oui" at its summary; the replies asking for the code."""
    for message in (request, name, email):
        assistant.text(message, sender, metadata)
    return assistant.say("oui", sender, metadata)


def test_three_wrong_codes_file_nothing_and_the_right_one_then_is_too_late(assistant, tracking_db_url, mail):
    sender, email = assistant.new_sender(), unique_email("jean.faux")
    metadata = {"organization": "acta", "language": "fr"}
    asked = _to_the_code(assistant, sender, metadata, "je veux faire effacer mes données", "Jean Faux", email)
    assert "code à 6 chiffres" in asked[0]["text"]
    code = mail.latest_code(email)
    assert "Essais restants : 2" in assistant.text(other_than(code), sender, metadata)
    assert "Essais restants : 1" in assistant.text(other_than(other_than(code)), sender, metadata)
    stopped = assistant.text(other_than(code), sender, metadata)
    assert "troisième code erroné" in stopped and "rien n'a été enregistré" in stopped
    assistant.text(code, sender, metadata)
    assert rows_for(tracking_db_url, email) == []


def test_resend_in_french_sends_a_new_code_and_only_it_files_the_request(assistant, tracking_db_url, mail):
    sender, email = assistant.new_sender(), unique_email("lea")
    metadata = {"organization": "cartesia", "language": "fr"}
    asked = _to_the_code(assistant, sender, metadata, "je veux accéder à mes données", "Léa Martin", email)
    resend = asked[0]["buttons"][0]
    assert resend["title"] == "Renvoyer le code"
    first = mail.latest_code(email)
    assert "nouveau code" in assistant.text(resend["payload"], sender, metadata)
    second = mail.latest_code(email, count=2)
    if first != second:
        assert "Essais restants" in assistant.text(first, sender, metadata)
    filed = assistant.text(second, sender, metadata)
    [row] = rows_for(tracking_db_url, email)
    assert row.reference in filed and row.language == "fr"
    ack = mail.wait_for(email, 3)[-1]
    assert ack["Subject"] == f"Votre demande à {KB.organizations['cartesia'].name} est enregistrée : référence " \
                             f"{row.reference}"
    assert KB.organizations["cartesia"].contact["fr"] in ack.get_content()
    assert "l'article 15 du RGPD" in ack.get_content()

