"""The guided rights request: its form's slot extraction and validation, and how it starts.

The conversation's structure is in domain.yml (the form and its slots) and data/rules/; the
sentences are responses of domain.yml. This module decides what a message gives the form: a right,
an organisation, a name, an e-mail, a yes. A message that gives nothing (a policy question, "cancel")
makes the form reject the turn, so the rules answer it and then bring the form back.
"""
from __future__ import annotations

import secrets
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import (INTENT_CHOOSE_ORGANIZATION, SLOT_LANGUAGE, SLOT_LAST_QUESTION, SLOT_ORGANIZATION,
                                  SLOT_REQUEST_OFFERED, conversation_language, latest_metadata, latest_question, send,
                                  utter)
from language import EXPLICIT_LANGUAGE
from actions.email_verification import (SLOT_EMAIL_VERIFICATION, SLOT_EMAIL_VERIFIED, ask_for_code, is_an_answer,
                                        read_answer)
from knowledge.answering import answer_question, as_policy_question
from knowledge.loading import knowledge_base
from knowledge.model import KnowledgeBase
from knowledge.phrases import MAX_NAME_WORDS, form_phrases, question_phrases
from knowledge.question import TOPIC_INTENT_PREFIX, Question
from knowledge.rendering import contact_reply
from knowledge.organizations import named_in_text, resolve_organizations, slug_for
from knowledge.matching import normalize
from tracking.models import DESCRIPTION_MAX_LENGTH
from tracking.references import find_reference
from tracking.validation import clean_name, extract_email, is_valid_email, normalize_email

FORM_RIGHTS_REQUEST = "rights_request_form"
FORM_REQUEST_STATUS = "request_status_form"
SLOT_RIGHT = "right"
SLOT_FULL_NAME = "full_name"
SLOT_EMAIL = "email"
SLOT_CONFIRMED = "request_confirmed"
SLOT_DESCRIPTION = "request_description"
SLOT_CONFIRMATION_ID = "request_confirmation_id"  # set when the summary is first shown (confirmation_key)
SLOT_LOOKUP_REFERENCE = "lookup_reference"
SLOT_LOOKUP_EMAIL = "lookup_email"
REQUESTED_SLOT = "requested_slot"
REQUEST_SLOTS = (SLOT_RIGHT, SLOT_FULL_NAME, SLOT_EMAIL, SLOT_CONFIRMED, SLOT_DESCRIPTION, SLOT_EMAIL_VERIFIED,
                 SLOT_EMAIL_VERIFICATION, SLOT_CONFIRMATION_ID)
SUMMARY_SLOTS = (SLOT_RIGHT, SLOT_ORGANIZATION, SLOT_FULL_NAME, SLOT_EMAIL)  # what the person confirms
LOOKUP_SLOTS = (SLOT_LOOKUP_REFERENCE, SLOT_LOOKUP_EMAIL)
TYPED_SLOTS = frozenset({SLOT_FULL_NAME, SLOT_EMAIL, SLOT_LOOKUP_REFERENCE, SLOT_LOOKUP_EMAIL})

INTENT_REQUEST_RIGHT = "request_right"
INTENT_AFFIRM = "affirm"
INTENT_INFORM = "inform"  # a name or an address, as the form asks for them
# Intents that never give a right, an organisation or a lookup: the rules handle them instead.
NOT_AN_ANSWER = frozenset({"cancel", "deny", "switch_language"})
# About the assistant itself, never a name or an address: "oublie cette conversation" at the name prompt.
ABOUT_THE_ASSISTANT = frozenset({"assistant_privacy", "forget_conversation"})
# Above this confidence, a message the NLU put in another intent than `inform` is taken as that
# (a question, thanks, a greeting); below it, a message shaped like the answer is the answer.
CONFIDENT = 0.7


def _intent(tracker: Tracker) -> Optional[str]:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def _is_something_else(tracker: Tracker) -> bool:
    """Whether the NLU is confident the message is something other than a name or an address."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name") != INTENT_INFORM and float(intent.get("confidence") or 0.0) >= CONFIDENT


def _is_about_the_assistant(tracker: Tracker) -> bool:
    return _intent(tracker) in ABOUT_THE_ASSISTANT and _is_something_else(tracker)


def _text(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("text") or "").strip()


def _form_is_running(tracker: Tracker, form: str) -> bool:
    return (tracker.active_loop or {}).get("name") == form


def _is_a_correction(tracker: Tracker, slot: str) -> bool:
    """Whether a slot filled now changes an answer given earlier (not at the form's start, nor its own question)."""
    return _form_is_running(tracker, FORM_RIGHTS_REQUEST) and tracker.get_slot(REQUESTED_SLOT) not in (None, slot)


def right_in_message(kb: KnowledgeBase, question: Question, use_keywords: bool) -> Optional[str]:
    """The right a message names: one that prevails when its keywords name it (data/rights.yml), else the
    NLU's `right` entity, else (if asked) the rights' keywords, else, for a request or a question on
    rights, the right the classifier reads in its words."""
    text = normalize(question.text)
    named = kb.rights_named(text, question_phrases().denies_a_right)  # "freeze it, not delete it": restriction
    if len(named) == 1 and kb.rights[named[0]].prevails:
        return named[0]   # "qd je serai decede je veux que mon compte soit supprime": directives, whatever was tagged
    for entity in question.entities:
        if entity.get("entity") == "right" and entity.get("value") in kb.rights and not _denied(question, entity):
            return entity["value"]
    if not use_keywords or question.text.startswith("/"):
        return None
    if named:  # keywords decide, a tie leaving it open
        return named[0] if len(named) == 1 else None
    # Only for what reads as a request or a question on rights: a name typed at the right's prompt is neither.
    aspects = kb.right_aspects()
    rights_intents = {INTENT_REQUEST_RIGHT, *(TOPIC_INTENT_PREFIX + aspect.partition(".")[0] for aspect in aspects)}
    return question.described_right(aspects) if question.intent in rights_intents else None


def _denied(question: Question, entity: Dict[str, Any]) -> bool:
    """Whether a negation comes just before the entity: "please don't [delete] my account" asks no erasure."""
    start = entity.get("start")
    if not isinstance(start, int):
        return False
    before = normalize(question.text[:start])
    return question_phrases().denies_a_right(before, len(before))


def name_in_message(text: str) -> Optional[str]:
    """The full name a message gives when the form asked for it, or None if it is clearly something
    else: a cancel phrase or a formula (whole message), an e-mail address (kept by extract_email), a
    question, a sentence. The NLU's intent plays no part: "Pierre Merci" or "Marc Stop" is a name."""
    phrases = form_phrases()
    if text.startswith("/") or phrases.is_cancel(text) or phrases.is_formula(text):
        return None
    candidate = phrases.name_prefix.sub("", text, count=1).strip()
    if not candidate or extract_email(candidate):
        return None
    # Digits and symbols are allowed: a name is shown back in the summary, where it can be corrected.
    if "?" in candidate or "@" in candidate or len(candidate.split()) > MAX_NAME_WORDS or phrases.is_sentence(candidate):
        return None
    return candidate


def _name_beside_address(text: str) -> Optional[str]:
    """The name a message gives beside its e-mail address ("Jo Smith, jo@example.org"), if any."""
    found = extract_email(text)
    return name_in_message(text.replace(found, " ").strip(" ,;:-–()<>")) if found else None


def email_attempt(text: str, intent: Optional[str]) -> Optional[str]:
    """The address a message gives ("sorry: jo@example.com"), or what was typed in its place when it
    is clearly an attempt (so it is refused with a message), or None when the message is something else."""
    found = extract_email(text)
    if found:
        return found
    phrases = form_phrases()
    if text.startswith("/") or phrases.is_cancel(text) or phrases.is_formula(text):
        return None
    if "@" in text or intent == INTENT_INFORM or (len(text.split()) == 1 and "?" not in text):
        return text
    return None


def new_confirmation_id() -> str:
    return secrets.token_urlsafe(16)


def confirmation_key(tracker: Tracker) -> Optional[str]:
    """The idempotency key of the request this conversation's summary files (tracking/service.py): the
    same for every "yes" to the same summary, so a confirmation retried after a failure files nothing
    twice; another for a changed summary or a later request (the id is reset with the form's slots)."""
    confirmation = tracker.get_slot(SLOT_CONFIRMATION_ID)
    return f"{tracker.sender_id}/{confirmation}" if confirmation else None


def previous_value(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message (what a correction replaces)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def language_kept(tracker: Tracker) -> List[EventType]:
    """While a form asks for something typed as is (a name, an address, a reference), the language
    detected in the answer does not change the conversation's: "Nina Non" is a name, not French.
    Only an explicit request ("en français") does."""
    if tracker.get_slot(REQUESTED_SLOT) not in TYPED_SLOTS:
        return []
    entities = (tracker.latest_message or {}).get("entities") or []
    detected = [e for e in entities if e.get("entity") == SLOT_LANGUAGE and not e.get(EXPLICIT_LANGUAGE)]
    before = previous_value(tracker, SLOT_LANGUAGE)
    if detected and before and tracker.get_slot(SLOT_LANGUAGE) != before:
        return [SlotSet(SLOT_LANGUAGE, before)]
    return []


class ActionStartRightsRequest(Action):
    """Starts a request afresh: keeps the person's words as its description, and what they already say."""

    def name(self) -> Text:
        return "action_start_rights_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        if _form_is_running(tracker, FORM_RIGHTS_REQUEST):
            return []  # "I want to delete my data" again mid-form: the form carries on
        kb = knowledge_base()
        question = latest_question(tracker)
        # Accepting the offer of an answer (its button, or a yes) files the question just answered:
        # its words are the description and the right it names is the right. "Can you do it for me?"
        # refers to it too, offer or not ("how do I get them to delete my data?" answered by a fact).
        last = Question.from_slot(tracker.get_slot(SLOT_LAST_QUESTION))
        offered = last if last and (tracker.get_slot(SLOT_REQUEST_OFFERED) or (
            question.intent == INTENT_REQUEST_RIGHT and right_in_message(kb, last, use_keywords=True))) else None
        # "yes", its button, or "can you do it for me?" (a request that names no right of its own).
        accepts = question.text.startswith("/") or question.intent == INTENT_AFFIRM or \
            right_in_message(kb, question, use_keywords=True) is None
        basis = offered if offered and accepts else question
        description = "" if basis.text.startswith("/") else basis.text[:DESCRIPTION_MAX_LENGTH]
        organizations = resolve_organizations(kb, question.text, question.entity_values("organization"),
                                              latest_metadata(tracker), tracker.get_slot(SLOT_ORGANIZATION))
        if organizations and description and basis is question:
            # "Can I leave instructions for after my death?": the policy's word first, then the form.
            # Then where such requests go, as its policy says: the person knows it before the form.
            org, lang = kb.organizations[organizations[0]], conversation_language(tracker)
            policy_answer = answer_question(kb, org, as_policy_question(question, kb) or question, lang)
            if policy_answer:
                send(dispatcher, policy_answer)
            utter(dispatcher, contact_reply("utter_request_destination", org, lang))
        right = right_in_message(kb, question, use_keywords=True) or (
            right_in_message(kb, basis, use_keywords=True) if basis is not question else None)
        return [SlotSet(slot, None) for slot in (*REQUEST_SLOTS, REQUESTED_SLOT)] + [
            SlotSet(SLOT_RIGHT, right),
            SlotSet(SLOT_DESCRIPTION, description),
            SlotSet(SLOT_ORGANIZATION, organizations[0] if organizations else None),
            SlotSet(SLOT_FULL_NAME, _introduced_name(kb, question.text)),
            SlotSet(SLOT_REQUEST_OFFERED, False),
        ]


def _typed_name(kb: KnowledgeBase, text: str) -> Optional[str]:
    """The name a message is, alone ("Nguyễn Thị Mai"), naming no organisation and no right; else None."""
    name = form_phrases().only_a_name(text)
    return name if name and not named_in_text(kb, text) and kb.right_named(normalize(text)) is None else None


def _introduced_name(kb: KnowledgeBase, text: str) -> Optional[str]:
    """The name the opening message gives ("je suis Jean Dupont, supprimez mes données"): the form then
    does not ask for it, and the summary shows it to confirm or correct. Not an organisation's name."""
    name = form_phrases().introduced_name(text)
    return clean_name(name) if name and not named_in_text(kb, name) else None


class ValidateRightsRequestForm(FormValidationAction):
    """Right, organisation, full name, e-mail, confirmation: extracted from each message, then checked."""

    def name(self) -> Text:
        return f"validate_{FORM_RIGHTS_REQUEST}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        if requested and form_phrases().is_cancel(_text(tracker)):
            # "annuler", "never mind", "non": the form ends here, unconfirmed or unverified, so the
            # submit rule files nothing and says so. Only these phrases stop a request, never an intent guess.
            return [SlotSet(REQUESTED_SLOT, None)]
        confirmed = {slot: tracker.get_slot(slot) for slot in SUMMARY_SLOTS}
        events = language_kept(tracker) + await super().run(dispatcher, tracker, domain)
        changed = any(event.get("name") in confirmed and event.get("value") != confirmed[event["name"]]
                      for event in events)
        if changed and requested in (SLOT_CONFIRMED, SLOT_EMAIL_VERIFIED):
            # "actually it's jo@example.org" at the summary or while the code is awaited: another request
            # (a new confirmation id, even when a "yes" comes with the change), whose address is checked
            # again (after a failed filing the form is back at the summary with the address verified);
            # while the code is awaited the changed summary is confirmed again too.
            events += [SlotSet(SLOT_EMAIL_VERIFIED, None), SlotSet(SLOT_CONFIRMATION_ID, new_confirmation_id())]
            if requested == SLOT_EMAIL_VERIFIED:
                events.append(SlotSet(SLOT_CONFIRMED, None))
        return events

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> List[Text]:
        organization = knowledge_base().organization(tracker.get_slot(SLOT_ORGANIZATION))
        if organization is not None and not organization.verify_email:
            # Its data turns the e-mail check off (data/knowledge/README.md: weaker).
            return [slot for slot in domain_slots if slot != SLOT_EMAIL_VERIFIED]
        return domain_slots

    def extract_right(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: DomainDict) -> Dict[Text, Any]:
        intent = _intent(tracker)
        asked = tracker.get_slot(REQUESTED_SLOT) == SLOT_RIGHT
        if intent in NOT_AN_ANSWER or not (asked or intent == INTENT_REQUEST_RIGHT):
            return {}
        right = right_in_message(knowledge_base(), latest_question(tracker), use_keywords=True)
        return {SLOT_RIGHT: right} if right and right != tracker.get_slot(SLOT_RIGHT) else {}

    def validate_right(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> Dict[Text, Any]:
        kb = knowledge_base()
        if value not in kb.rights:
            return {SLOT_RIGHT: None}
        if _is_a_correction(tracker, SLOT_RIGHT):
            dispatcher.utter_message(response="utter_request_right_changed", right=kb.rights[value].label[conversation_language(tracker)])
        return {SLOT_RIGHT: value}

    def extract_organization(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[Text, Any]:
        kb = knowledge_base()
        intent, current = _intent(tracker), tracker.get_slot(SLOT_ORGANIZATION)
        if intent not in NOT_AN_ANSWER and (tracker.get_slot(REQUESTED_SLOT) == SLOT_ORGANIZATION
                                            or intent in (INTENT_REQUEST_RIGHT, INTENT_CHOOSE_ORGANIZATION)):
            named = named_in_text(kb, _text(tracker))
            if named and named[0] != slug_for(kb, current):
                return {SLOT_ORGANIZATION: named[0]}
        if current is None:
            from_channel = slug_for(kb, latest_metadata(tracker).get("organization"))
            if from_channel:
                return {SLOT_ORGANIZATION: from_channel}
        return {}

    def validate_organization(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[Text, Any]:
        kb = knowledge_base()
        slug = slug_for(kb, value)
        before = slug_for(kb, previous_value(tracker, SLOT_ORGANIZATION))
        if slug is None:
            # Not an organisation we know (a word the tagger took for one): keep what we had.
            return {SLOT_ORGANIZATION: before}
        if before and before != slug and _is_a_correction(tracker, SLOT_ORGANIZATION):
            dispatcher.utter_message(response="utter_request_organization_changed",
                                     organization=kb.organizations[slug].name)
        return {SLOT_ORGANIZATION: slug}

    def extract_full_name(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Dict[Text, Any]:
        requested, text = tracker.get_slot(REQUESTED_SLOT), _text(tracker)
        if requested != SLOT_FULL_NAME and _form_is_running(tracker, FORM_RIGHTS_REQUEST):
            # "no, my name is Jo Smith" at a later question corrects the name (typed, or read at the start);
            # a name alone typed where the right or the organisation was asked is kept.
            kb = knowledge_base()
            name = _introduced_name(kb, text) if requested else None
            if name is None and requested in (SLOT_RIGHT, SLOT_ORGANIZATION):
                name = _typed_name(kb, text)
            return {SLOT_FULL_NAME: name} if name and name != tracker.get_slot(SLOT_FULL_NAME) else {}
        if requested != SLOT_FULL_NAME or _is_about_the_assistant(tracker):
            return {}
        if named_in_text(knowledge_base(), text):
            return {}  # "ah non, c'est chez <organisation>": a correction of the organisation, not a name
        # "Jo Smith, jo@example.org": the name beside the address (which extract_email keeps).
        name = name_in_message(text) or _name_beside_address(text)
        return {SLOT_FULL_NAME: name} if name else {}

    def validate_full_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Dict[Text, Any]:
        name = clean_name(str(value or ""))
        if name is None:
            dispatcher.utter_message(response="utter_invalid_full_name")
        elif tracker.get_slot(REQUESTED_SLOT) in (SLOT_RIGHT, SLOT_ORGANIZATION) and name == form_phrases().only_a_name(_text(tracker)):
            # The name alone, typed where something else was asked: kept, and said so before that question again.
            dispatcher.utter_message(response="utter_request_name_noted", full_name=name)
        return {SLOT_FULL_NAME: name}

    def extract_email(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot(REQUESTED_SLOT) != SLOT_EMAIL:
            # An address given before it is asked for is kept; "actually it's jo@example.org" at the
            # summary corrects the one given.
            found = extract_email(_text(tracker))
            current = tracker.get_slot(SLOT_EMAIL)
            if found and (current is None or normalize_email(found) != current) \
                    and _form_is_running(tracker, FORM_RIGHTS_REQUEST):
                return {SLOT_EMAIL: found}
            return {}
        if _is_about_the_assistant(tracker):
            return {}
        attempt = email_attempt(_text(tracker), _intent(tracker))
        return {SLOT_EMAIL: attempt} if attempt else {}

    def validate_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> Dict[Text, Any]:
        if is_valid_email(str(value or "")):
            address = normalize_email(str(value))
            if tracker.get_slot(REQUESTED_SLOT) in (SLOT_FULL_NAME, SLOT_RIGHT, SLOT_ORGANIZATION) \
                    and not _name_beside_address(_text(tracker)):
                # The address alone, typed where the name (or the right, or the organisation) was asked:
                # kept, and said so before that question again.
                dispatcher.utter_message(response="utter_request_email_noted", email=address)
            return {SLOT_EMAIL: address}
        dispatcher.utter_message(response="utter_invalid_email")
        return {SLOT_EMAIL: None}

    def extract_request_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        # Only a yes fills it; a no or "cancel" is left to the cancel rules (nothing is written).
        if tracker.get_slot(REQUESTED_SLOT) == SLOT_CONFIRMED and _intent(tracker) == INTENT_AFFIRM:
            return {SLOT_CONFIRMED: True}
        return {}


    def extract_email_verified(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        # The message itself goes to the validator (within this action: it is never a slot value Rasa
        # sees); anything else than a code or "resend" is left to the rules, then the form asks again.
        text = _text(tracker)
        if tracker.get_slot(REQUESTED_SLOT) != SLOT_EMAIL_VERIFIED or not is_an_answer(text):
            return {}
        return {SLOT_EMAIL_VERIFIED: text}

    def validate_email_verified(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        if not isinstance(value, str):
            return {SLOT_EMAIL_VERIFIED: None}
        return read_answer(dispatcher, value, tracker.get_slot(SLOT_EMAIL_VERIFICATION),
                           email=tracker.get_slot(SLOT_EMAIL) or "", conversation=tracker.sender_id)


class ActionAskEmailVerified(Action):
    """The question after the summary: the code sent to the address (sent now, or a reminder of it)."""

    def name(self) -> Text:
        return f"action_ask_{SLOT_EMAIL_VERIFIED}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        kb = knowledge_base()
        organization = kb.organization(tracker.get_slot(SLOT_ORGANIZATION))
        right = kb.rights.get(tracker.get_slot(SLOT_RIGHT) or "")
        email = tracker.get_slot(SLOT_EMAIL)
        if organization is None or right is None or not email:
            return []  # the form asks for these before
        return await ask_for_code(dispatcher, tracker.get_slot(SLOT_EMAIL_VERIFICATION), email=email,
                                  organization=organization, right=right, lang=conversation_language(tracker),
                                  conversation=tracker.sender_id)


class ActionAskRequestConfirmed(Action):
    """The summary of the request, with an explicit yes/no question; the first time, its confirmation id."""

    def name(self) -> Text:
        return f"action_ask_{SLOT_CONFIRMED}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        kb = knowledge_base()
        lang = conversation_language(tracker)
        right = kb.rights.get(tracker.get_slot(SLOT_RIGHT) or "")
        organization = kb.organization(tracker.get_slot(SLOT_ORGANIZATION))
        dispatcher.utter_message(response="utter_ask_request_confirmed",
                                 right=right.label[lang] if right else "",
                                 organization=organization.name if organization else "",
                                 full_name=tracker.get_slot(SLOT_FULL_NAME) or "",
                                 email=tracker.get_slot(SLOT_EMAIL) or "")
        if tracker.get_slot(SLOT_CONFIRMATION_ID):
            return []  # shown again (after a failed filing, a question): the same confirmation
        return [SlotSet(SLOT_CONFIRMATION_ID, new_confirmation_id())]


class ValidateRequestStatusForm(FormValidationAction):
    """The reference and the e-mail given at filing, for a status lookup."""

    def name(self) -> Text:
        return f"validate_{FORM_REQUEST_STATUS}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        return language_kept(tracker) + await super().run(dispatcher, tracker, domain)

    def extract_lookup_reference(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[Text, Any]:
        text, intent = _text(tracker), _intent(tracker)
        reference = find_reference(text)
        if reference:
            return {SLOT_LOOKUP_REFERENCE: reference}
        if (tracker.get_slot(REQUESTED_SLOT) == SLOT_LOOKUP_REFERENCE and intent not in NOT_AN_ANSWER
                and not _is_something_else(tracker) and not text.startswith("/")):
            return {SLOT_LOOKUP_REFERENCE: text}
        return {}

    def validate_lookup_reference(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        reference = find_reference(str(value or ""))
        if reference is None:
            dispatcher.utter_message(response="utter_invalid_reference")
        return {SLOT_LOOKUP_REFERENCE: reference}

    def extract_lookup_email(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[Text, Any]:
        text = _text(tracker)
        found = extract_email(text)
        if found:
            return {SLOT_LOOKUP_EMAIL: found}
        if tracker.get_slot(REQUESTED_SLOT) != SLOT_LOOKUP_EMAIL:
            return {}
        attempt = email_attempt(text, _intent(tracker)) if not _is_something_else(tracker) else None
        return {SLOT_LOOKUP_EMAIL: attempt} if attempt else {}

    def validate_lookup_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[Text, Any]:
        if is_valid_email(str(value or "")):
            return {SLOT_LOOKUP_EMAIL: normalize_email(str(value))}
        dispatcher.utter_message(response="utter_invalid_email")
        return {SLOT_LOOKUP_EMAIL: None}

