"""The rights-request form's validation and the actions that file, cancel and look up requests.

Run as the action server runs them, on trackers built in the test, against a temporary SQLite
database created by the Alembic migrations. Assertions are on response names, variables and
events, so they hold in both languages; expected texts come from the knowledge files.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import OperationalError

from knowledge.loading import load_knowledge_base
from actions.request_actions import (ActionCancelRightsRequest, ActionLookupRequestStatus, ActionSubmitRightsRequest,
                                     long_date)
from actions.request_form import (ActionAskRequestConfirmed, ActionStartRightsRequest, ValidateRequestStatusForm,
                                  ValidateRightsRequestForm)
from tracking import config, service, transient
from tracking.scope import operator

KB = load_knowledge_base()
NAME, EMAIL = "Zoé O'Brien-Łukasz", "zoe.obrien@example.org"
OPERATOR = operator("test")  # the command line's access: every organisation


def make_tracker(text: str, intent: str, *, entities: Optional[List[Dict[str, Any]]] = None,
                 slots: Optional[Dict[str, Any]] = None, metadata: Optional[Dict[str, Any]] = None,
                 active_loop: Optional[str] = None, confidence: float = 0.95,
                 history: Optional[List[Dict[str, Any]]] = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence},
              "intent_ranking": [{"name": intent, "confidence": confidence}], "entities": entities or []}
    events = list(history or []) + [{"event": "user", "text": text, "parse_data": latest,
                                     "metadata": metadata or {}, "input_channel": "rest"}]
    return Tracker(sender_id="test-user", slots={"language": "en", **(slots or {})}, latest_message=latest,
                   events=events, paused=False, followup_action=None,
                   active_loop={"name": active_loop} if active_loop else {}, latest_action_name="action_listen")


def run(action, tracker: Tracker, domain: Optional[dict] = None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or {}))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(messages) -> List[str]:
    return [m["response"] for m in messages]


IN_FORM = {"active_loop": "rights_request_form"}


# --- validation ---------------------------------------------------------------------------------

def test_email_in_a_sentence_is_extracted_and_kept(domain):
    tracker = make_tracker("sorry: Jo@Example.COM", "inform", slots={"requested_slot": "email"}, **IN_FORM)
    messages, slots = run(ValidateRightsRequestForm(), tracker, domain)
    assert messages == []
    assert slots["email"] == "Jo@example.com"


@pytest.mark.parametrize("typed", ["jo@example", "jo.example.com", "jo@@example.com", "jo@example.c"])
def test_malformed_email_is_refused_with_a_message_and_asked_again(domain, typed):
    tracker = make_tracker(typed, "inform", slots={"requested_slot": "email"}, **IN_FORM)
    messages, slots = run(ValidateRightsRequestForm(), tracker, domain)
    assert responses(messages) == ["utter_invalid_email"]
    assert slots == {"email": None}


def test_full_name_is_taken_after_my_name_is(domain):
    tracker = make_tracker("my name is Jane van Doe", "inform", slots={"requested_slot": "full_name"}, **IN_FORM)
    _, slots = run(ValidateRightsRequestForm(), tracker, domain)
    assert slots["full_name"] == "Jane van Doe"


@pytest.mark.parametrize("text,intent", [("in english please", "switch_language"),
                                         ("who is the DPO?", "ask_dpo"),
                                         ("which organisations do you cover?", "list_organizations")])
def test_what_is_not_an_answer_fills_nothing_so_the_rules_handle_it(domain, text, intent):
    for requested in ("full_name", "email", "request_confirmed"):
        tracker = make_tracker(text, intent, slots={"requested_slot": requested, "right": "erasure",
                                                    "organization": "cesi"}, **IN_FORM)
        messages, slots = run(ValidateRightsRequestForm(), tracker, domain)
        assert slots == {} and messages == [], (requested, slots)


def test_change_of_right_mid_form_updates_the_slot(domain):
    tracker = make_tracker("actually I only want to see my data", "request_right",
                           entities=[{"entity": "right", "value": "access"}],
                           slots={"requested_slot": "full_name", "right": "erasure", "organization": "cesi"}, **IN_FORM)
    messages, slots = run(ValidateRightsRequestForm(), tracker, domain)
    assert slots["right"] == "access"
    assert messages[0]["response"] == "utter_request_right_changed"
    assert messages[0]["right"] == KB.rights["access"].label["en"]


def test_change_of_organisation_mid_form_updates_the_slot(domain):
    history = [{"event": "slot", "name": "organization", "value": "akteos"}]
    tracker = make_tracker("ah non, c'est chez Cartesia", "choose_organization", history=history,
                           slots={"requested_slot": "full_name", "right": "access", "organization": "akteos",
                                  "language": "fr"}, **IN_FORM)
    messages, slots = run(ValidateRightsRequestForm(), tracker, domain)
    assert slots["organization"] == "cartesia" and "full_name" not in slots
    assert responses(messages) == ["utter_request_organization_changed"]


@pytest.mark.parametrize("text", ["sorry, my name is Jo Smith-Brown", "I'm Jo Smith-Brown, not Jo Smith"])
def test_a_name_given_again_at_the_summary_corrects_it(domain, text):
    base = {"requested_slot": "request_confirmed", "right": "access", "organization": "cesi",
            "full_name": "Jo Smith", "email": EMAIL}
    _, slots = run(ValidateRightsRequestForm(), make_tracker(text, "inform", slots=base, **IN_FORM), domain)
    assert slots["full_name"] == "Jo Smith-Brown"
    _, slots = run(ValidateRightsRequestForm(), make_tracker("I'm sure, yes", "affirm", slots=base, **IN_FORM), domain)
    assert "full_name" not in slots


@pytest.mark.parametrize("text", ["Nguyễn Thị Mai", "Jean de La Fontaine", "Aoife O'Brien-Walsh"])
def test_a_name_typed_where_the_right_was_asked_is_kept_and_said_so(domain, text):
    base = {"requested_slot": "right", "organization": "cartesia"}
    messages, slots = run(ValidateRightsRequestForm(), make_tracker(text, "nlu_fallback", slots=base, **IN_FORM), domain)
    assert slots["full_name"] == text and slots.get("right") is None
    assert responses(messages) == ["utter_request_name_noted"]


@pytest.mark.parametrize("text", ["Accès", "Effacement Total", "je ne sais pas", "Cartesia Education", "Droit D'Accès"])
def test_a_right_an_organisation_or_a_sentence_at_the_right_prompt_is_no_name(domain, text):
    base = {"requested_slot": "right", "organization": "cartesia"}
    _, slots = run(ValidateRightsRequestForm(), make_tracker(text, "inform", slots=base, **IN_FORM), domain)
    assert "full_name" not in slots


@pytest.mark.parametrize("requested", ["full_name", "right", "organization"])
def test_an_address_typed_at_another_prompt_is_kept_and_said_so(domain, requested):
    base = {"requested_slot": requested, "right": "access", "organization": "cesi"}
    messages, slots = run(ValidateRightsRequestForm(), make_tracker("jo@example.org", "inform", slots=base, **IN_FORM),
                          domain)
    assert slots["email"] == "jo@example.org" and "full_name" not in slots
    assert responses(messages) == ["utter_request_email_noted"]


def test_an_address_typed_at_the_name_prompt_with_the_name_beside_it_gives_both(domain):
    base = {"requested_slot": "full_name", "right": "access", "organization": "cesi"}
    # With the name beside it, both are taken, and nothing needs saying.
    messages, slots = run(ValidateRightsRequestForm(),
                          make_tracker("Jo Smith, jo@example.org", "inform", slots=base, **IN_FORM), domain)
    assert slots["email"] == "jo@example.org" and slots["full_name"] == "Jo Smith" and responses(messages) == []


def test_yes_confirms_and_no_ends_the_request_unconfirmed(domain):
    base = {"requested_slot": "request_confirmed", "right": "access", "organization": "cesi",
            "full_name": NAME, "email": EMAIL}
    _, slots = run(ValidateRightsRequestForm(), make_tracker("yes", "affirm", slots=base, **IN_FORM), domain)
    assert slots["request_confirmed"] is True
    _, slots = run(ValidateRightsRequestForm(), make_tracker("no", "deny", slots=base, **IN_FORM), domain)
    assert slots == {"requested_slot": None}  # the form stops; the submit rule files nothing
    _, slots = run(ValidateRightsRequestForm(), make_tracker("no, it's wrong", "deny", slots=base, **IN_FORM), domain)
    assert slots == {}  # not the closed phrase: left to the rules (a no at the summary cancels)


def test_organisation_comes_from_the_channel_when_the_message_names_none(domain):
    tracker = make_tracker("I want to delete my data", "request_right", metadata={"organization": "acta"},
                           entities=[{"entity": "right", "value": "erasure"}])
    _, slots = run(ActionStartRightsRequest(), tracker)
    assert slots["organization"] == "acta" and slots["right"] == "erasure"
    assert slots["request_description"] == "I want to delete my data"
    assert slots["full_name"] is None and slots["email"] is None


@pytest.mark.parametrize("text, name", [
    ("Hi, I'm Anna Schmidt (anna.schmidt@example.org) and I want CESI to delete all my data", "Anna Schmidt"),
    ("Bonjour, je m'appelle Marie de La Fontaine et je voudrais effacer mes données", "Marie de La Fontaine"),
    ("je suis Hélène d'Arcy, effacez tout chez ACTA", "Hélène d'Arcy"),
    ("this is Ilse van den Berg: please erase my account", "Ilse van den Berg"),
    # No name introduced: a word after "je suis" / "I'm", one name alone, an organisation's name.
    ("je suis client chez Akteos et je veux mes données", None),
    ("I'm not sure, but delete my data", None),
    ("I'm Anna, delete my data", None),
    ("c'est ACTA PREVENTION qui a mes données, supprimez-les", None),
])
def test_a_name_the_opening_message_introduces_is_the_requests_name(text, name):
    _, slots = run(ActionStartRightsRequest(), make_tracker(text, "request_right",
                                                            entities=[{"entity": "right", "value": "erasure"}]))
    assert slots["full_name"] == name


def test_start_without_a_clear_right_leaves_it_to_ask():
    _, slots = run(ActionStartRightsRequest(), make_tracker("je voudrais exercer mes droits", "request_right"))
    assert slots["right"] is None and slots["organization"] is None


def test_the_form_asks_for_the_organisation_with_one_button_each(domain):
    from actions.policy_actions import ActionAskRequestOrganization

    action = ActionAskRequestOrganization()
    # Rasa's form calls this action instead of the plain response because the domain lists it.
    assert action.name() in [a if isinstance(a, str) else next(iter(a)) for a in domain["actions"]]
    assert f"utter_ask_{IN_FORM['active_loop']}_organization" in domain["responses"]
    messages, _ = run(action, make_tracker("I want to access my data", "request_right", active_loop="rights_request_form"))
    assert responses(messages) == ["utter_ask_rights_request_form_organization"]
    assert [button["title"] for button in messages[0]["buttons"]] == [org.name for org in KB.organizations_by_name()]


def test_summary_shows_the_right_label_in_the_conversation_language():
    tracker = make_tracker("x", "inform", slots={"right": "erasure", "organization": "cesi", "full_name": NAME,
                                                 "email": EMAIL, "language": "fr"})
    messages, _ = run(ActionAskRequestConfirmed(), tracker)
    assert messages[0]["response"] == "utter_ask_request_confirmed"
    assert messages[0]["right"] == KB.rights["erasure"].label["fr"]
    assert messages[0]["organization"] == "CESI" and messages[0]["email"] == EMAIL


# --- filing, cancelling, looking up ---------------------------------------------------------------

def _confirmed(slug: str, right: str, lang: str) -> Dict[str, Any]:
    return {"organization": slug, "right": right, "full_name": NAME, "email": EMAIL, "request_confirmed": True,
            "email_verified": True, "request_description": f"I want {slug} to act on my data", "language": lang}


@pytest.mark.parametrize("slug", sorted(KB.organizations))
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_confirmed_request_writes_one_row_and_answers_with_reference_contact_proof_and_letter(tracking_db, mail_sink,
                                                                                              slug, lang, caplog):
    caplog.set_level(logging.DEBUG)
    org = KB.organizations[slug]
    messages, slots = run(ActionSubmitRightsRequest(), make_tracker("yes", "affirm", slots=_confirmed(slug, "erasure", lang)))

    rows = service.list_requests(caller=OPERATOR)
    assert len(rows) == 1
    row = rows[0]
    assert (row.organization, row.right, row.name, row.email, row.language) == (slug, "erasure", NAME, EMAIL, lang)
    assert row.description == f"I want {slug} to act on my data"
    proof = "utter_request_identity_proof_silent" if "identity_proof" in org.silent_topics else "utter_request_identity_proof"
    assert responses(messages) == ["utter_request_filed", "utter_request_acknowledged", "utter_request_contact", proof,
                                   "utter_request_letter"]
    filed, acknowledged, contact, _, letter = messages
    assert filed["reference"] == row.reference and filed["due_date"] == long_date(row.due_at.date(), lang)
    assert acknowledged["email"] == EMAIL and len(mail_sink.mails_to(EMAIL)) == 1
    # the organisation's contact inside the sentence, without a full stop of its own before the response's
    assert org.contact[lang].startswith(contact["contact"]) and not contact["contact"].endswith(".")
    for part in (org.contact[lang], KB.rights["erasure"].citation[lang], KB.rights["erasure"].request[lang], NAME,
                 EMAIL, row.reference):
        assert part in letter["letter"]
    assert all(slots[name] is None for name in ("right", "full_name", "email", "request_confirmed", "email_verified",
                                                 "email_verification"))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert EMAIL not in logged and NAME not in logged


def test_identity_proof_facts_come_from_the_knowledge_file(tracking_db, mail_sink):
    slug = next(s for s, o in KB.organizations.items() if o.facts_for("identity_proof"))
    messages, _ = run(ActionSubmitRightsRequest(), make_tracker("yes", "affirm", slots=_confirmed(slug, "access", "en")))
    proof = messages[3]
    assert all(fact.answer["en"] in proof["facts"] for fact in KB.organizations[slug].facts_for("identity_proof")
               if fact.summary)


def test_database_failure_gets_an_apology_and_the_summary_again_with_the_answers_kept(tmp_path, monkeypatch):
    # A database the migrations never ran on: every attempt fails.
    monkeypatch.setenv(config.URL_VARIABLE, f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setattr(transient, "RETRY_DELAYS", (0, 0))
    slots = {**_confirmed("cesi", "access", "en"), "request_confirmation_id": "c1"}
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSubmitRightsRequest().run(dispatcher, make_tracker("123456", "inform", slots=slots), {}))
    assert responses(dispatcher.messages) == ["utter_request_failed"]
    # The form again, at its summary: only the "yes" is undone; the address stays verified, the confirmation the same.
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"} == {"request_confirmed": None,
                                                                              "requested_slot": None}
    assert [e["name"] for e in events if e["event"] == "active_loop"] == ["rights_request_form"]
    config.dispose_engines()


def test_a_confirmation_filed_twice_is_one_row_with_the_same_reference(tracking_db, mail_sink):
    slots = {**_confirmed("cesi", "access", "en"), "request_confirmation_id": "c1"}
    first, _ = run(ActionSubmitRightsRequest(), make_tracker("yes", "affirm", slots=slots))
    again, _ = run(ActionSubmitRightsRequest(), make_tracker("yes", "affirm", slots=slots))
    [row] = service.list_requests(caller=OPERATOR)
    assert first[0]["reference"] == again[0]["reference"] == row.reference
    other, _ = run(ActionSubmitRightsRequest(), make_tracker("yes", "affirm",
                                                              slots={**slots, "request_confirmation_id": "c2"}))
    assert other[0]["reference"] != row.reference and len(service.list_requests(caller=OPERATOR)) == 2


def test_a_filing_whose_answer_was_lost_is_retried_without_a_second_row(tracking_db, mail_sink, monkeypatch):
    """The database committed, then the connection dropped before the answer: the retry finds the row."""
    monkeypatch.setattr(transient, "RETRY_DELAYS", (0, 0))
    submit, calls = service.submit_request, []

    def committed_then_lost(**kwargs):
        calls.append(kwargs["idempotency_key"])
        record = submit(**kwargs)
        if len(calls) == 1:
            raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))
        return record

    monkeypatch.setattr(service, "submit_request", committed_then_lost)
    slots = {**_confirmed("acta", "erasure", "fr"), "request_confirmation_id": "c1"}
    messages, _ = run(ActionSubmitRightsRequest(), make_tracker("oui", "affirm", slots=slots))
    [row] = service.list_requests(caller=OPERATOR)
    assert responses(messages)[0] == "utter_request_filed" and messages[0]["reference"] == row.reference
    assert len(calls) == 2 and calls[0] == calls[1] and "c1" in calls[0]


def test_the_summary_gets_a_confirmation_id_once_and_a_changed_summary_a_new_one(domain):
    base = {"right": "erasure", "organization": "cesi", "full_name": NAME, "email": EMAIL}
    _, slots = run(ActionAskRequestConfirmed(), make_tracker("x", "inform", slots=base))
    confirmation = slots["request_confirmation_id"]
    assert confirmation
    _, slots = run(ActionAskRequestConfirmed(),
                   make_tracker("x", "inform", slots={**base, "request_confirmation_id": confirmation}))
    assert slots == {}  # shown again (after a failed filing): the same confirmation
    # After a failed filing the form is back at the summary with the address verified: a correction
    # there is another request, whose address is checked again.
    retry = {**base, "requested_slot": "request_confirmed", "request_confirmation_id": confirmation,
             "email_verified": True}
    _, slots = run(ValidateRightsRequestForm(), make_tracker("actually it's jo@example.org", "inform", slots=retry,
                                                             **IN_FORM), domain)
    assert slots["email"] == "jo@example.org"
    assert slots["email_verified"] is None and slots["request_confirmation_id"] not in (None, confirmation)
    _, slots = run(ValidateRightsRequestForm(), make_tracker("yes", "affirm", slots=retry, **IN_FORM), domain)
    assert slots == {"request_confirmed": True}  # the same summary confirmed again: nothing else changes


def test_unconfirmed_request_is_not_written(tracking_db):
    slots = {**_confirmed("cesi", "access", "en"), "request_confirmed": None}
    messages, _ = run(ActionSubmitRightsRequest(), make_tracker("x", "affirm", slots=slots))
    assert responses(messages) == ["utter_request_cancelled"]
    assert service.list_requests(caller=OPERATOR) == []


def test_cancel_writes_nothing_and_empties_the_form(tracking_db):
    messages, slots = run(ActionCancelRightsRequest(), make_tracker("cancel", "cancel", slots=_confirmed("cesi", "access", "en")))
    assert responses(messages) == ["utter_request_cancelled"]
    assert all(slots[name] is None for name in ("right", "full_name", "email", "request_confirmed",
                                                 "request_description", "requested_slot"))
    assert service.list_requests(caller=OPERATOR) == []


def test_status_lookup_with_the_filing_email_gives_status_and_due_date(tracking_db):
    record = service.submit_request(organization="acta", right="access", name=NAME, email=EMAIL, language="fr")
    tracker = make_tracker(EMAIL, "inform", slots={"lookup_reference": record.reference.lower(),
                                                   "lookup_email": EMAIL.upper(), "language": "fr"})
    messages, slots = run(ActionLookupRequestStatus(), tracker)
    assert responses(messages) == ["utter_request_status"]
    assert messages[0]["reference"] == record.reference
    assert messages[0]["due_date"] == long_date(record.due_at.date(), "fr")
    assert slots["lookup_reference"] is None and slots["lookup_email"] is None


@pytest.mark.parametrize("wrong", ["reference", "email"])
def test_wrong_email_or_unknown_reference_get_the_same_not_found(tracking_db, wrong):
    record = service.submit_request(organization="acta", right="access", name=NAME, email=EMAIL, language="en")
    reference = "RR-2222-3333" if wrong == "reference" else record.reference
    email = "someone.else@example.org" if wrong == "email" else EMAIL
    messages, _ = run(ActionLookupRequestStatus(),
                      make_tracker("x", "inform", slots={"lookup_reference": reference, "lookup_email": email}))
    assert messages == [{**messages[0], "response": "utter_request_not_found"}]
    assert "reference" not in messages[0] or not messages[0].get("reference")


def test_status_form_takes_the_reference_from_the_question_and_refuses_a_bad_email(domain):
    tracker = make_tracker("where is my request rr-7k3f-2qxd?", "ask_request_status")
    _, slots = run(ValidateRequestStatusForm(), tracker, domain)
    assert slots["lookup_reference"] == "RR-7K3F-2QXD"
    tracker = make_tracker("jo@example", "inform", slots={"requested_slot": "lookup_email",
                                                         "lookup_reference": "RR-7K3F-2QXD"},
                           active_loop="request_status_form")
    messages, slots = run(ValidateRequestStatusForm(), tracker, domain)
    assert responses(messages) == ["utter_invalid_email"] and slots == {"lookup_email": None}


def test_policy_question_mid_form_is_answered_without_changing_the_request_organisation():
    from actions.policy_actions import ActionAnswerPolicyQuestion
    tracker = make_tracker("how long does CESI keep my CV?", "ask_retention",
                           entities=[{"entity": "organization", "value": "cesi"}],
                           slots={"organization": "akteos", "requested_slot": "full_name", "right": "access"},
                           **IN_FORM)
    messages, slots = run(ActionAnswerPolicyQuestion(), tracker)
    # CESI's policy gives no period for CVs: it says so (then its nearest rule), for CESI.
    assert messages[0]["response"] == "utter_policy_silent_category"
    assert messages[0]["policy"] == KB.organizations["cesi"].policy_title["en"]
    assert "organization" not in slots


@pytest.mark.parametrize("text,tagged,right", [
    # Instructions for after death are the directives, whatever else they ask done then.
    ("qd je serai decede je veux que mon compte soit supprime, notez le svp", "supprime", "post_mortem"),
    ("after my death, please delete everything you hold on me", "delete", "post_mortem"),
    # A name that starts like a death word names no right.
    ("Diego Mortensen, please delete my account", "delete", "erasure"),
])
def test_directives_for_after_death_prevail_over_the_right_they_describe(domain, text, tagged, right):
    assert _right_read_with_erasure_tagged(domain, text, tagged, {"requested_slot": "right"}) == right


def _right_read_with_erasure_tagged(domain, text: str, word: str, slots: Dict[str, Any]) -> Optional[str]:
    """The right the form reads in `text` when the tagger marked `word` as an erasure."""
    start = text.index(word)
    tagged = [{"entity": "right", "value": "erasure", "start": start, "end": start + len(word)}]
    tracker = make_tracker(text, "request_right", entities=tagged, slots={"organization": "cesi", **slots}, **IN_FORM)
    _, read = run(ValidateRightsRequestForm(), tracker, domain)
    return read.get("right")


@pytest.mark.parametrize("text,right", [("actually I only want to see my data", "access"),
                                        ("finalement je veux qu'ils effacent tout", "erasure"),
                                        ("je voudrais exercer mes droits", None),
                                        # a word between a phrase's words still names it
                                        ("je veux récupérer toutes mes données", "portability"),
                                        # a right named only where it is denied is not the one asked
                                        ("please freeze the use of my data for now, not delete it", "restriction"),
                                        ("limitez l'usage de mes données, sans les effacer", "restriction"),
                                        # a right refused earlier in its clause is not the one asked
                                        ("I don't want my account closed or anything removed, I just need "
                                         "the email address on it corrected", "rectification"),
                                        ("je ne veux pas que vous supprimiez mon compte, mais corrigez mon nom",
                                         "rectification"),
                                        ("I'm not asking you to delete anything: transfer my records to my new "
                                         "provider in a format it can import", "portability"),
                                        # incomplete data completed is rectification (GDPR art. 16)
                                        ("il manque mon nouveau diplôme dans ma fiche, faites-la compléter",
                                         "rectification"),
                                        ("my record is incomplete, please add my second first name", "rectification"),
                                        ("supprimez complètement mon compte", "erasure")])
def test_right_named_without_an_entity_is_found_by_its_keywords(domain, text, right):
    tracker = make_tracker(text, "request_right", slots={"requested_slot": "full_name", "right": "objection",
                                                         "organization": "cesi"}, **IN_FORM)
    _, slots = run(ValidateRightsRequestForm(), tracker, domain)
    assert slots.get("right") == right


@pytest.mark.parametrize("text,word,right", [
    ("please don't delete my account, I just want you to stop using my data for marketing", "delete", "objection"),
    ("n'effacez pas mes données, mais arrêtez de m'envoyer de la prospection", "effacez", "objection"),
    ("please delete my account", "delete", "erasure"),
])
def test_a_right_the_tagger_finds_where_it_is_denied_is_not_the_one_asked(domain, text, word, right):
    slots = {"requested_slot": "full_name", "right": "access"}
    assert _right_read_with_erasure_tagged(domain, text, word, slots) == right


def test_email_corrected_at_the_summary(domain):
    tracker = make_tracker("oops, it's actually jo.smith@example.org", "inform",
                           slots={"requested_slot": "request_confirmed", "right": "access", "organization": "cesi",
                                  "full_name": NAME, "email": EMAIL}, **IN_FORM)
    _, slots = run(ValidateRightsRequestForm(), tracker, domain)
    assert slots["email"] == "jo.smith@example.org"


def test_right_and_organisation_named_at_the_start_are_not_announced_as_changes(domain):
    tracker = make_tracker("je veux accéder à mes données chez Akteos", "request_right",
                           entities=[{"entity": "right", "value": "access"}],
                           slots={"right": "access", "organization": "akteos", "language": "fr"}, **IN_FORM)
    messages, _ = run(ValidateRightsRequestForm(), tracker, domain)
    assert messages == []


@pytest.mark.parametrize("right", sorted(KB.rights))
def test_every_right_has_its_letter_wording_and_citation_in_both_languages(right):
    spec = KB.rights[right]
    for lang in ("en", "fr"):
        assert spec.citation.get(lang, "").strip() and spec.request.get(lang, "").strip()
    assert spec.keywords


@pytest.mark.parametrize("name", ["Robert'); DROP TABLE requests;--", "Zoé 🌸 d'Arc", "A" * 150])
def test_unusual_names_are_kept_verbatim(domain, name):
    tracker = make_tracker(name, "inform", slots={"requested_slot": "full_name"}, **IN_FORM)
    _, slots = run(ValidateRightsRequestForm(), tracker, domain)
    assert slots["full_name"] == name


@pytest.mark.parametrize("intent,confidence", [("out_of_scope", 0.6), ("nlu_fallback", 0.3), ("inform", 0.5)])
def test_a_name_with_digits_or_markup_is_taken_when_the_nlu_is_unsure(domain, intent, confidence):
    name = "<img src=x onerror=alert(1)>"
    tracker = make_tracker(name, intent, slots={"requested_slot": "full_name"}, confidence=confidence, **IN_FORM)
    _, slots = run(ValidateRightsRequestForm(), tracker, domain)
    assert slots["full_name"] == name


def test_an_address_given_for_the_name_is_kept_as_the_address_and_the_name_asked_again(domain):
    tracker = make_tracker("jo@example.com", "inform", slots={"requested_slot": "full_name"}, **IN_FORM)
    _, slots = run(ValidateRightsRequestForm(), tracker, domain)
    assert slots.get("full_name") is None and slots["email"] == "jo@example.com"


def test_due_dates_read_as_people_write_them_in_each_language():
    from datetime import date

    assert long_date(date(2026, 12, 22), "en") == "22 December 2026"
    assert long_date(date(2026, 12, 22), "fr") == "22 décembre 2026"


@pytest.mark.parametrize("accept, intent", [("/request_right", "request_right"), ("yes", "affirm"), ("oui", "affirm"),
                                            ("can you do it for me?", "request_right"),
                                            ("pouvez-vous le faire pour moi ?", "request_right")])
def test_accepting_the_offer_of_an_answer_files_the_question_just_answered(accept, intent):
    from knowledge.question import Question

    asked = Question(text="How do I get Akteos to erase my data?", intent="ask_rights_contact")
    tracker = make_tracker(accept, intent, slots={"organization": "akteos", "request_offered": True,
                                                  "last_question": asked.as_slot()})
    messages, slots = run(ActionStartRightsRequest(), tracker)
    assert messages == []  # the answer was just given: not repeated
    assert (slots["right"], slots["organization"], slots["request_description"]) == \
        ("erasure", "akteos", "How do I get Akteos to erase my data?")
    assert slots["request_offered"] is False


def test_without_an_offer_a_request_keeps_its_own_words():
    from knowledge.question import Question

    earlier = Question(text="How do I get Akteos to erase my data?", intent="ask_rights_contact")
    tracker = make_tracker("I want to access my data", "request_right",
                           slots={"organization": "akteos", "request_offered": False, "last_question": earlier.as_slot()})
    _, slots = run(ActionStartRightsRequest(), tracker)
    assert (slots["right"], slots["request_description"]) == ("access", "I want to access my data")


def test_can_you_do_it_for_me_files_the_question_just_answered_even_without_an_offer():
    from knowledge.question import Question

    earlier = Question(text="how do I get Cartesia to delete my data?", intent="ask_rights_contact")
    tracker = make_tracker("can you do it for me?", "request_right",
                           slots={"organization": "cartesia", "request_offered": False, "last_question": earlier.as_slot()})
    _, slots = run(ActionStartRightsRequest(), tracker)
    assert (slots["right"], slots["request_description"]) == ("erasure", "how do I get Cartesia to delete my data?")


def _ranked(**confidences: float):
    return [{"name": name.replace("__", "."), "confidence": value} for name, value in confidences.items()]


@pytest.mark.parametrize("intent,ranking,right", [
    # A request in plain words: the request class holds most of the mass, the rights' aspects the rest.
    ("request_right", _ranked(request__right=0.95, rights_list__portability=0.03, rights_list__restriction=0.004), "portability"),
    ("ask_rights_list", _ranked(rights_list__post_mortem=0.6, rights_list__overview=0.3), "post_mortem"),
    # Spread over several rights ("can you do it for me?"): no right, the form asks.
    ("request_right", _ranked(rights_list__restriction=0.03, rights_list__access=0.03, rights_list__erasure=0.026), None),
    # Not a request (a name typed at the right's prompt): the classifier's reading is not asked.
    ("inform", _ranked(rights_list__access=0.9), None),
])
def test_a_request_that_names_no_right_gets_the_one_the_classifier_reads_in_it(intent, ranking, right):
    from actions.request_form import right_in_message
    from knowledge.question import Question

    question = Question(text="je veux que vous m'envoyiez tout pour que je l'emmène ailleurs", intent=intent,
                        aspect_ranking=ranking)
    assert right_in_message(KB, question, use_keywords=True) == right


@pytest.mark.parametrize("explicit,kept", [(False, "en"), (True, "fr")])
def test_a_name_that_looks_french_keeps_the_conversation_in_its_language(domain, explicit, kept):
    """'Nina Non' at the name prompt is a name: only an explicit request switches the language."""
    history = [{"event": "slot", "name": "language", "value": "en"}]
    entity = {"entity": "language", "value": "fr", "extractor": "ConversationLanguageExtractor", "explicit": explicit}
    tracker = make_tracker("Nina Non", "inform", entities=[entity], history=history,
                           slots={"requested_slot": "full_name", "language": "fr"}, **IN_FORM)
    _, slots = run(ValidateRightsRequestForm(), tracker, domain)
    assert slots.get("full_name") == "Nina Non"
    assert slots.get("language", "fr") == kept


def test_accepting_the_offer_after_an_unsubscribe_answer_files_an_objection():
    """Stopping marketing is objecting to it: the unsubscribe answer offers the form, which knows the right
    from the classifier's reading of the question (data/rights.yml), though the words name none."""
    from knowledge.question import Question

    asked = Question(text="je veux plus recevoir vos mails de pub", intent="ask_unsubscribe",
                     aspect_ranking=_ranked(unsubscribe__how=0.9, rights_list__erasure=0.05))
    tracker = make_tracker("oui", "affirm", slots={"organization": "cartesia", "request_offered": True,
                                                   "last_question": asked.as_slot()})
    _, slots = run(ActionStartRightsRequest(), tracker)
    assert (slots["right"], slots["organization"]) == ("objection", "cartesia")


@pytest.mark.parametrize("text, ranking, right", [
    # The rights' share over every label: a request that names none spreads it, and the form asks.
    ("je voudrais faire une demande concernant mes données", [("erasure", 0.52), ("rectification", 0.17)], None),
    ("envoyez-moi tout ce que vous avez sur moi", [("access", 0.69), ("portability", 0.10)], "access"),
])
def test_a_request_gets_the_right_the_classifier_reads_only_when_one_stands_out(text, ranking, right):
    tracker = make_tracker(text, "request_right", slots={"organization": "akteos"})
    tracker.latest_message["right_ranking"] = [{"name": name, "confidence": share} for name, share in ranking]
    tracker.latest_message["aspect_ranking"] = [{"name": f"rights_list.{ranking[0][0]}", "confidence": 0.002}]
    _, slots = run(ActionStartRightsRequest(), tracker)
    assert slots["right"] == right
