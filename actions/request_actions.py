"""Filing, cancelling and looking up a rights request: the actions that end the request forms.

Every read and write goes through the one request service (tracking.service); what the person
reads comes from domain.yml responses filled with knowledge-file data (contact, identity proof,
the right's GDPR article and letter wording in data/rights.yml).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import SLOT_ORGANIZATION, conversation_language, utter
from knowledge.loading import knowledge_base
from knowledge.rendering import contact_reply, long_date, render_identity_proof, render_letter
from knowledge.texts import text
from actions.email_verification import SLOT_EMAIL_VERIFIED
from actions.request_form import (FORM_RIGHTS_REQUEST, LOOKUP_SLOTS, REQUEST_SLOTS, REQUESTED_SLOT, SLOT_CONFIRMED,
                                  SLOT_DESCRIPTION, SLOT_EMAIL, SLOT_FULL_NAME, SLOT_LOOKUP_EMAIL,
                                  SLOT_LOOKUP_REFERENCE, SLOT_RIGHT, confirmation_key)
from tracking import service
from tracking.transient import DatabaseUnavailable, retried
from tracking.clock import utcnow
from tracking.notifications import announce_filed_request

logger = logging.getLogger(__name__)


def _reset(slots) -> List[EventType]:
    return [SlotSet(slot, None) for slot in (*slots, REQUESTED_SLOT)]


def _back_to_the_summary() -> List[EventType]:
    """The form again, at its summary, with everything else kept (the address stays verified and the
    confirmation id the same): the next "yes" files the request, once, whatever the failed try did."""
    return [SlotSet(SLOT_CONFIRMED, None), SlotSet(REQUESTED_SLOT, None), ActiveLoop(FORM_RIGHTS_REQUEST)]


class ActionSubmitRightsRequest(Action):
    """Writes the confirmed request whose address was verified (one row), mails the acknowledgement and
    the staff notification, and tells the person what happens next.

    Filing is idempotent (keyed by the conversation's confirmation, request_form.confirmation_key) and
    ridden through a brief database outage (tracking.transient); a longer one gets the apology and the
    summary again, and the person's next "yes" files the request exactly once."""

    def name(self) -> Text:
        return "action_submit_rights_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        kb = knowledge_base()
        lang = conversation_language(tracker)
        reset = _reset(REQUEST_SLOTS)
        verified = tracker.get_slot(SLOT_EMAIL_VERIFIED)
        if verified is False:
            return reset  # the code was wrong three times or too late: the person was told, nothing is filed
        organization = kb.organization(tracker.get_slot(SLOT_ORGANIZATION))
        needs_check = organization is None or organization.verify_email
        if tracker.get_slot(SLOT_CONFIRMED) is not True or (needs_check and verified is not True):
            dispatcher.utter_message(response="utter_request_cancelled")
            return reset
        # The code was typed in this very message (or earlier, when a failed filing is confirmed again).
        verified_at = utcnow() if verified is True else None
        try:
            record = await retried(lambda: service.submit_request(
                organization=tracker.get_slot(SLOT_ORGANIZATION) or "", right=tracker.get_slot(SLOT_RIGHT) or "",
                name=tracker.get_slot(SLOT_FULL_NAME) or "", email=tracker.get_slot(SLOT_EMAIL) or "",
                description=tracker.get_slot(SLOT_DESCRIPTION) or "", language=lang,
                channel=tracker.get_latest_input_channel(), email_verified_at=verified_at,
                idempotency_key=confirmation_key(tracker)))
        except DatabaseUnavailable as error:
            logger.error("Filing a rights request failed, the form is back at its summary: %s", error)
            dispatcher.utter_message(response="utter_request_failed")
            return _back_to_the_summary()
        except Exception as error:  # noqa: BLE001 — whatever failed, the person is told, and nothing is claimed
            # The type only: a driver's message may quote the values it was given.
            logger.error("Filing a rights request failed: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_request_failed")
            return reset
        org, right = kb.organizations[record.organization], kb.rights[record.right]
        dispatcher.utter_message(response="utter_request_filed", reference=record.reference,
                                 organization=org.name, due_date=long_date(record.due_at.date(), lang))
        # The acknowledgement to the person and the notification to staff; smtplib blocks, hence a thread.
        try:
            acknowledged = await asyncio.to_thread(announce_filed_request, record, kb)
        except Exception as error:  # noqa: BLE001 — the request is filed whatever happens to its mails
            logger.error("Mailing about request %s failed: %s", record.reference, type(error).__name__)
            acknowledged = False
        if acknowledged:
            dispatcher.utter_message(response="utter_request_acknowledged", email=record.email)
        else:
            dispatcher.utter_message(response="utter_request_acknowledgement_failed")
        utter(dispatcher, contact_reply("utter_request_contact", org, lang))
        utter(dispatcher, render_identity_proof(org, lang))
        utter(dispatcher, render_letter(org, right, lang, reference=record.reference, full_name=record.name,
                                        email=record.email, description=record.description))
        return reset


class ActionCancelRightsRequest(Action):
    """Drops the request (or status lookup) under way: nothing is written, its slots are emptied."""

    def name(self) -> Text:
        return "action_cancel_rights_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_request_cancelled")
        return _reset(REQUEST_SLOTS + LOOKUP_SLOTS)


class ActionLookupRequestStatus(Action):
    """Status and due date of a request, for whoever gives its reference and the e-mail it was filed with."""

    def name(self) -> Text:
        return "action_lookup_request_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        kb = knowledge_base()
        lang = conversation_language(tracker)
        reset = _reset(LOOKUP_SLOTS)
        try:
            record = service.find_for_requester(tracker.get_slot(SLOT_LOOKUP_REFERENCE) or "",
                                                tracker.get_slot(SLOT_LOOKUP_EMAIL) or "")
        except Exception as error:  # noqa: BLE001
            logger.error("Looking up a rights request failed: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_request_lookup_failed")
            return reset
        if record is None:
            # The same answer for an unknown reference and a wrong e-mail: nothing to probe.
            dispatcher.utter_message(response="utter_request_not_found")
            return reset
        org = kb.organization(record.organization)
        dispatcher.utter_message(response="utter_request_status", reference=record.reference,
                                 organization=org.name if org else record.organization,
                                 status=text(f"status.{record.status.value}", lang),
                                 due_date=long_date(record.effective_due_at().date(), lang))
        return reset
