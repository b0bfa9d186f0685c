"""The e-mail check before a request is filed, against a real SMTP server (aiosmtpd) and the project's
own mail client: only the person who reads the code sent to the address can file in its name."""
from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from devtools.servers import free_port
from knowledge.loading import load_knowledge_base
from knowledge.texts import text
from tracking import clock, service, verification
from mail_flow import EMAIL, code_in, other_than
from tracking.scope import operator

OPERATOR = operator("test")  # the command line's access: every organisation

KB = load_knowledge_base()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_code_mail_arrives_with_a_six_digit_code_in_the_conversations_language(conversation, mail_sink, lang):
    talk = conversation(lang=lang)
    assert talk.ask() == ["utter_verification_code_sent"]
    assert talk.message("utter_verification_code_sent")["email"] == EMAIL
    [mail] = mail_sink.mails_to(EMAIL)
    assert mail["From"] == "assistant@privacy.test"
    assert mail["Subject"] == text("mail.code_subject", lang, organization=KB.organizations["cesi"].name)
    code = code_in(mail)
    assert KB.rights["erasure"].label[lang] in mail.get_content()
    assert code not in repr(talk.slots)  # the conversation keeps an HMAC of it, never the code


def test_the_form_asks_again_without_sending_another_code(conversation, mail_sink):
    talk = conversation()
    talk.ask()
    assert talk.ask() == ["utter_ask_email_verified"]
    assert len(mail_sink.mails_to(EMAIL)) == 1


def test_a_wrong_code_is_refused_three_times_then_nothing_is_filed(conversation, mail_sink):
    talk = conversation()
    talk.ask()
    code = code_in(mail_sink.mails_to(EMAIL)[0])
    assert talk.say(other_than(code)) == ["utter_verification_code_wrong", "utter_ask_email_verified"]
    assert talk.message("utter_verification_code_wrong")["tries_left"] == 2
    assert talk.say(f"code: {other_than(other_than(code))}") == ["utter_verification_code_wrong",
                                                                "utter_ask_email_verified"]
    assert talk.message("utter_verification_code_wrong")["tries_left"] == 1
    assert talk.say(other_than(code)) == ["utter_verification_failed"]  # the submit rule adds nothing
    assert talk.filed and service.list_requests(caller=OPERATOR) == []
    assert talk.slots["requested_slot"] is None and talk.slots["email_verified"] is None  # reset for a new start


def test_the_right_code_files_exactly_one_row(conversation, mail_sink):
    talk = conversation()
    talk.ask()
    code = code_in(mail_sink.mails_to(EMAIL)[0])
    replies = talk.say(f"my code is {code[:3]} {code[3:]}")
    assert replies[:2] == ["utter_request_filed", "utter_request_acknowledged"]
    [row] = service.list_requests(caller=OPERATOR)
    assert (row.organization, row.right, row.name, row.email) == ("cesi", "erasure", "Zoë Quillfeather", EMAIL)
    assert row.email_verified_at is not None  # the console shows the address as verified
    assert talk.message("utter_request_filed")["reference"] == row.reference


def test_an_expired_code_files_nothing(conversation, mail_sink, monkeypatch):
    talk = conversation()
    talk.ask()
    code = code_in(mail_sink.mails_to(EMAIL)[0])
    later = clock.utcnow() + verification.VALID_FOR + timedelta(seconds=1)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    assert talk.say(code) == ["utter_verification_expired"]
    assert service.list_requests(caller=OPERATOR) == []


def test_resend_sends_a_new_code_and_the_old_one_no_longer_works(conversation, mail_sink):
    talk = conversation(lang="fr")
    talk.ask()
    assert talk.say("Renvoyer le code") == ["utter_verification_code_resent"]
    first, second = (code_in(mail) for mail in mail_sink.mails_to(EMAIL))
    if first != second:  # one chance in a million that they are the same
        assert talk.say(first)[0] == "utter_verification_code_wrong"
    assert talk.say(second)[0] == "utter_request_filed"
    assert len(service.list_requests(caller=OPERATOR)) == 1


def test_resends_are_capped(conversation, mail_sink):
    talk = conversation()
    talk.ask()
    for _ in range(verification.MAX_RESENDS):
        assert talk.say("resend") == ["utter_verification_code_resent"]
    assert talk.say("send it again") == ["utter_verification_resend_limit", "utter_ask_email_verified"]
    assert len(mail_sink.mails_to(EMAIL)) == 1 + verification.MAX_RESENDS


def test_a_wrong_length_spends_no_try(conversation, mail_sink):
    talk = conversation()
    talk.ask()
    assert talk.say("12345") == ["utter_verification_code_length", "utter_ask_email_verified"]
    assert verification.Verification.from_slot(talk.slots["email_verification"]).tries_left == verification.TRIES


def test_a_question_while_the_code_is_awaited_is_left_to_the_rules_then_asked_again(conversation, mail_sink):
    talk = conversation()
    talk.ask()
    assert talk.say("who is the data protection officer?", "ask_dpo") == []  # rejected: a rule answers it
    assert talk.ask() == ["utter_ask_email_verified"]
    assert len(mail_sink.mails_to(EMAIL)) == 1


@pytest.mark.parametrize("phrase", ["cancel", "annuler", "/cancel"])
def test_cancelling_while_the_code_is_awaited_files_nothing(conversation, mail_sink, phrase):
    talk = conversation()
    talk.ask()
    assert talk.say(phrase, "cancel") == ["utter_request_cancelled"]
    assert service.list_requests(caller=OPERATOR) == []


def test_another_address_while_the_code_is_awaited_goes_back_to_the_summary_and_gets_its_own_code(conversation,
                                                                                                  mail_sink):
    talk = conversation()
    talk.ask()
    assert talk.say("sorry, it's actually jo.other@example.org") == ["utter_ask_request_confirmed"]
    assert talk.message("utter_ask_request_confirmed")["email"] == "jo.other@example.org"
    talk.say("yes", "affirm")
    assert talk.message("utter_verification_code_sent")  # a fresh check for the new address
    code = code_in(mail_sink.mails_to("jo.other@example.org")[0])
    assert talk.say(code)[0] == "utter_request_filed"
    assert [row.email for row in service.list_requests(caller=OPERATOR)] == ["jo.other@example.org"]


def test_the_smtp_server_down_gives_a_clear_message_files_nothing_and_resend_works_once_it_is_back(
        conversation, mail_sink, monkeypatch):
    monkeypatch.setenv("SMTP_PORT", str(free_port()))  # nothing listens there
    talk = conversation(lang="fr")
    assert talk.ask() == ["utter_verification_code_not_sent"]
    assert talk.say("123456") == ["utter_verification_code_not_sent"]  # no code was sent: none can match
    assert service.list_requests(caller=OPERATOR) == []
    monkeypatch.setenv("SMTP_PORT", str(mail_sink.port))
    assert talk.say("renvoyer le code") == ["utter_verification_code_sent"]
    assert talk.say(code_in(mail_sink.mails_to(EMAIL)[0]))[0] == "utter_request_filed"


class _Refusing:
    async def handle_RCPT(self, server, session, envelope, address, options):
        return "550 5.1.1 mailbox unavailable"


@contextlib.contextmanager
def _refusing_server(port: int):
    controller = Controller(_Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield
    finally:
        controller.stop()


def test_a_server_refusing_the_address_gives_the_same_clear_message(conversation, mail_sink, monkeypatch):
    port = free_port()
    monkeypatch.setenv("SMTP_PORT", str(port))
    with _refusing_server(port):
        talk = conversation()
        assert talk.ask() == ["utter_verification_code_not_sent"]
    assert service.list_requests(caller=OPERATOR) == []


def test_the_not_sent_message_says_nothing_was_recorded_in_each_language(domain):
    variations = domain["responses"]["utter_verification_code_not_sent"]
    by_language = {v["condition"][0]["value"]: v["text"] for v in variations}
    assert "nothing was recorded" in by_language["en"] and "rien n'a été enregistré" in by_language["fr"]


def test_an_organisation_with_verification_off_files_at_the_yes(conversation, mail_sink, monkeypatch):
    import dataclasses

    from actions import request_actions, request_form

    unchecked = dataclasses.replace(KB, organizations={
        **KB.organizations, "cesi": dataclasses.replace(KB.organizations["cesi"], verify_email=False)})
    for module in (request_form, request_actions):
        monkeypatch.setattr(module, "knowledge_base", lambda: unchecked)
    talk = conversation()
    talk.slots.update(request_confirmed=None, requested_slot="request_confirmed")
    assert talk.say("yes", "affirm")[:2] == ["utter_request_filed", "utter_request_acknowledged"]
    assert len(service.list_requests(caller=OPERATOR)) == 1
    assert [mail["Subject"] for mail in mail_sink.mails_to(EMAIL)] == \
        [text("mail.ack_subject", "en", organization="CESI", reference=service.list_requests(caller=OPERATOR)[0].reference)]


def test_a_code_typed_from_another_conversation_does_not_count(conversation, mail_sink):
    mine, theirs = conversation(sender="mine"), conversation(sender="theirs")
    mine.ask()
    theirs.ask()
    mine_code, their_code = (code_in(mail) for mail in mail_sink.mails_to(EMAIL))
    if mine_code != their_code:
        assert mine.say(their_code)[0] == "utter_verification_code_wrong"
