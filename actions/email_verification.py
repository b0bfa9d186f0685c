"""The rights-request form's e-mail check: send a 6-digit code to the address given, read it back.

After the summary is confirmed the form asks for `email_verified`: its ask action sends the code
(`send_code`) or reminds the person of it; the form's validator reads each answer (`read_answer`):
the code (digits anywhere, spaces allowed), "resend", or something else left to the rules (a policy
question, "cancel"). The logic and the mail are in tracking/verification.py and tracking/notifications.py;
this module only turns their outcomes into the domain's responses and slots.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from knowledge.model import Organization, Right
from knowledge.phrases import form_phrases
from tracking import mail, verification
from tracking.mail import MailError
from tracking.notifications import verification_mail
from tracking.pii import PII
from tracking.verification import CODE_DIGITS, Outcome, Verification

logger = logging.getLogger(__name__)

SLOT_EMAIL_VERIFIED = "email_verified"          # True once verified, False when it failed (the form ends)
SLOT_EMAIL_VERIFICATION = "email_verification"  # the Verification under way, as a dict


def is_an_answer(text: str) -> bool:
    """Whether a message answers the code question: digits, or a request for a new code."""
    return not text.startswith("/") and (form_phrases().is_resend(text) or verification.typed_code(text) is not None)


def _state(slot_value: Any, email: str, key: bytes) -> Verification:
    """The verification under way for this address, or a fresh one (none yet, or the address changed)."""
    state = Verification.from_slot(slot_value)
    return state if state is not None and state.is_for(email, key) else verification.start(email, key)


async def ask_for_code(dispatcher: CollectingDispatcher, slot_value: Any, *, email: str, organization: Organization,
                       right: Right, lang: str, conversation: str) -> List[EventType]:
    """The form's question: a reminder while a code is live, else a code sent now (or why it was not)."""
    try:
        key = verification.secret_key()
    except OSError as error:  # the secret file cannot be read or written
        logger.error("No verification key: %s", type(error).__name__)
        dispatcher.utter_message(response="utter_verification_code_not_sent", email=email)
        return []
    state = _state(slot_value, email, key)
    if state.has_live_code:
        dispatcher.utter_message(response="utter_ask_email_verified", email=email)
        return []
    issued, code = verification.issue(state, email, conversation, key)
    try:
        # smtplib blocks: in a thread, so that other conversations go on meanwhile.
        await asyncio.to_thread(mail.send, verification_mail(email, code, organization, right, lang))
    except MailError:
        dispatcher.utter_message(response="utter_verification_code_not_sent", email=email)
        return [SlotSet(SLOT_EMAIL_VERIFICATION, state.without_code().to_slot())]
    logger.info("Verification code %d sent to %s", issued.sent, PII(email, "email"))
    response = "utter_verification_code_sent" if state.sent == 0 else "utter_verification_code_resent"
    dispatcher.utter_message(response=response, email=email)
    return [SlotSet(SLOT_EMAIL_VERIFICATION, issued.to_slot())]


def read_answer(dispatcher: CollectingDispatcher, text: str, slot_value: Any, *, email: str,
                conversation: str) -> Dict[str, Any]:
    """The slots an answer to the code question sets: verified, asked again, or the request stopped."""
    key = verification.secret_key()
    state = _state(slot_value, email, key)
    if form_phrases().is_resend(text):
        if not state.can_resend:
            dispatcher.utter_message(response="utter_verification_resend_limit")
            return {SLOT_EMAIL_VERIFIED: None}
        return {SLOT_EMAIL_VERIFIED: None, SLOT_EMAIL_VERIFICATION: state.without_code().to_slot()}
    typed = verification.typed_code(text) or ""
    if len(typed) != CODE_DIGITS:
        dispatcher.utter_message(response="utter_verification_code_length")
        return {SLOT_EMAIL_VERIFIED: None}
    outcome, state = verification.check(state, typed, email, conversation, key)
    slots: Dict[str, Optional[Any]] = {SLOT_EMAIL_VERIFICATION: state.to_slot()}
    if outcome is Outcome.VERIFIED:
        return {**slots, SLOT_EMAIL_VERIFIED: True}
    if outcome is Outcome.WRONG:
        dispatcher.utter_message(response="utter_verification_code_wrong", tries_left=state.tries_left)
        return {**slots, SLOT_EMAIL_VERIFIED: None}
    if outcome is Outcome.NO_CODE:  # the last send failed: the form's question tries again
        return {**slots, SLOT_EMAIL_VERIFIED: None}
    # Too many wrong codes, or too late: the request stops here, unfiled; the submit rule says nothing more.
    logger.info("E-mail verification failed (%s) for %s", outcome.value, PII(email, "email"))
    failed = "utter_verification_failed" if outcome is Outcome.NO_TRIES_LEFT else "utter_verification_expired"
    dispatcher.utter_message(response=failed)
    return {**slots, SLOT_EMAIL_VERIFIED: False, REQUESTED_SLOT: None}
