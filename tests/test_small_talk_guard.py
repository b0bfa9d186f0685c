"""A message read as small talk but carrying a policy question goes to the answer action (nlu_fallback)."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from rasa_extensions.small_talk_guard import SmallTalkGuard

GUARD = SmallTalkGuard({"intents": ["greet", "thank", "bot_challenge", "switch_language", "deny"],
                        "unsure": {"request_right": 0.5},
                        "lone_question_intents": ["affirm", "deny", "greet", "thank", "help"],
                        "fact_question_intents": ["request_right"], "topic_over_ambiguity": 0.2,
                        "request_intents": ["request_right"], "fact_question_topic": 0.15, "wished_request": 0.25,
                        "exercised_request": 0.1,
                        "wish_intents": ["cancel"], "concern_topic": 0.1, "closing_intents": ["goodbye"]})


def _read(text, intent, others=(), entities=(), parts=(), confidence=0.6, aspects=()):
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": confidence},
                            "aspect_ranking": [{"name": name, "confidence": c} for name, c in aspects],
                            "intent_ranking": [{"name": intent, "confidence": confidence}] + [
                                {"name": name, "confidence": c} for name, c in others],
                            "entities": list(entities),
                            "aspect_parts": [{"text": clause, "aspect_ranking": [{"name": aspect, "confidence": c}]}
                                             for clause, aspect, c in parts]})
    GUARD.process([message])
    return message.get("intent")["name"]


@pytest.mark.parametrize("text, intent, others, expected", [
    # A data category named, or a policy topic the classifier also finds likely: not small talk.
    ("and if I got a diploma?", "bot_challenge", [], "nlu_fallback"),
    ("merci, et pour les prospects ?", "thank", [], "nlu_fallback"),
    ("hello, where do you host the data?", "greet", [("ask_hosting", 0.35)], "nlu_fallback"),
    ("no, I meant my diploma", "deny", [], "nlu_fallback"),
    # Small talk stays small talk.
    ("are you a bot?", "bot_challenge", [("greet", 0.3)], "bot_challenge"),
    ("thanks, that was helpful", "thank", [("ask_security", 0.05)], "thank"),
    ("hi", "greet", [], "greet"),
    ("merci CV", "thank", [], "thank"),  # too short to be a question
    # Intents outside the small-talk list are never touched.
    ("et pour les prospects ?", "ask_retention", [], "ask_retention"),
    ("no, not at all", "deny", [], "deny"),
])
def test_small_talk_carrying_a_policy_question_goes_to_the_answer_action(text, intent, others, expected):
    assert _read(text, intent, others) == expected


def test_a_language_switch_that_also_asks_a_policy_question_goes_to_the_answer_action():
    """"sorry, can you answer in English? does CESI sell my data?": its second question is sure to be
    on recipients, though the whole message reads as a language switch."""
    asks = [("sorry, can you answer in english", "rights_list.access", 0.05),
            ("does cesi sell my data?", "recipients.sale", 0.9)]
    assert _read("sorry, can you answer in English? does CESI sell my data?", "switch_language", parts=asks) == \
        "nlu_fallback"
    only_switch = [("sorry, can you answer", "rights_list.access", 0.05), ("in english from now on", "greet", 0.6)]
    assert _read("sorry, can you answer, in english from now on", "switch_language", parts=only_switch) == "switch_language"


@pytest.mark.parametrize("text, confidence, expected", [
    # Barely a rights request, naming a data category and no right: a policy question.
    ("mais j'ai eu mon titre RNCP", 0.49, "nlu_fallback"),
    ("but I got my diploma in the end", 0.4, "nlu_fallback"),
    # A right named, or a request the classifier is sure of: the request form.
    ("pouvez-vous effacer mon CV ?", 0.45, "request_right"),
    ("I want to access the data you hold about my diploma", 0.4, "request_right"),
    ("je veux faire une demande au sujet de mon CV", 0.8, "request_right"),
])
def test_a_rights_request_read_barely_and_naming_no_right_is_a_policy_question(text, confidence, expected):
    assert _read(text, "request_right", confidence=confidence) == expected


def test_an_unsure_request_that_says_what_the_person_wants_is_no_policy_question():
    """Read barely as a request, and likely as a question on purposes, but only saying what is wanted."""
    wish = "Arrêtez de m'envoyer vos offres publicitaires, je ne veux plus que mes coordonnées servent à ça"
    assert _read(wish, "request_right", [("ask_purposes", 0.34)], confidence=0.42) == "request_right"
    told = "Mes coordonnées servent à quoi dans vos offres publicitaires, au juste"
    assert _read(told, "request_right", [("ask_purposes", 0.34)], confidence=0.42) == "nlu_fallback"


@pytest.mark.parametrize("text, intent, expected", [
    # A lone question word read as a yes, a no or small talk: a question about the last answer.
    ("why?", "affirm", "nlu_fallback"),
    ("and how?", "deny", "nlu_fallback"),
    ("pourquoi ?", "thank", "nlu_fallback"),
    # Not only question words, or no question at all: left alone.
    ("yes", "affirm", "affirm"),
    ("ok, why not", "affirm", "affirm"),
    ("pourquoi ?", "ask_purposes", "ask_purposes"),
    # A longer question about the assistant is its own.
    ("what do you keep about me?", "assistant_privacy", "assistant_privacy"),
    ("what do you keep about me?", "help", "help"),
])
def test_a_lone_question_word_is_never_small_talk(text, intent, expected):
    assert _read(text, intent) == expected


@pytest.mark.parametrize("text, others, expected", [
    # A question for a fact about requests is a policy question on its likeliest topic.
    ("Quel est le délai de traitement d'une demande d'exercice de mes droits (accès, rectification, "
     "opposition) adressée au CESI ?", [("ask_response_delay", 0.21), ("ask_rights_list", 0.1)], "ask_response_delay"),
    ("and what documents go with an erasure request?", [("ask_identity_proof", 0.3)], "ask_identity_proof"),
    ("à qui j'envoie ma demande de suppression ?", [("ask_rights_contact", 0.25)], "ask_rights_contact"),
    ("Quel est le délai de traitement d'une demande d'exercice de mes droits ?", [("ask_response_delay", 0.18)],
     "ask_response_delay"),
    # Asking to be told something, naming no right to exercise: a policy question too.
    ("Good morning, could you please set out the rights I can exercise with Cartesia concerning my data?",
     [("ask_rights_list", 0.31)], "ask_rights_list"),
    ("Bonjour, pourriez-vous m'indiquer à qui adresser ma demande ?", [("ask_rights_contact", 0.2)],
     "ask_rights_contact"),
    ("j'aimerais savoir ce qu'on va me demander pour ma demande", [("ask_identity_proof", 0.2)], "ask_identity_proof"),
    # Asking for something to be done, or how to do it: the request (the form, or its offer).
    ("please delete my data at CESI and let me know when it is done", [("ask_rights_list", 0.3)], "request_right"),
    ("can you delete my data at CESI?", [("ask_rights_list", 0.3)], "request_right"),
    ("how do I get my data deleted?", [("ask_rights_contact", 0.3)], "request_right"),
    ("je veux que vous supprimiez mes données", [("ask_rights_list", 0.3)], "request_right"),
    # A question for a fact the classifier places in no topic stays what it was read as.
    ("what I want is my data deleted", [("ask_rights_list", 0.1)], "request_right"),
    # A question asking nothing to be done asks how things are, even naming what is sent or kept.
    ("Activ'partners et ACTA PREVENTION demandent-ils à mon employeur de me prévenir quand il leur transmet "
     "mes données ?", [("ask_recipients", 0.19)], "ask_recipients"),
    ("do you delete my data when my course ends?", [("ask_retention", 0.3)], "ask_retention"),
    ("pouvez-vous bloquer l'utilisation de mes données sans les supprimer ?", [("ask_rights_list", 0.3)],
     "request_right"),
    ("can I have a copy of my file?", [("ask_rights_list", 0.3)], "request_right"),
    ("Comment j'accède à mes données chez ACTA PREVENTION ?", [("ask_security", 0.3)], "request_right"),
])
def test_a_rights_request_asked_as_a_question_for_a_fact_is_a_policy_question(text, others, expected):
    assert _read(text, "request_right", others, confidence=0.62) == expected


@pytest.mark.parametrize("others, expected", [
    # Two policy topics nearly tied: either is a policy question, the likelier one is answered.
    ([("ask_rights_list", 0.29), ("ask_rights_contact", 0.28)], "ask_rights_list"),
    # A topic tied with something else, or topics too unsure, stay a fallback.
    ([("ask_rights_list", 0.29), ("out_of_scope", 0.28)], "nlu_fallback"),
    ([("ask_rights_list", 0.15), ("ask_rights_contact", 0.14)], "nlu_fallback"),
])
def test_a_fallback_between_two_policy_topics_is_the_likelier_topic(others, expected):
    assert _read("comment faire supprimer mes données ?", "nlu_fallback", others, confidence=0.2) == expected


@pytest.mark.parametrize("text, others, expected", [
    # Between a request and a topic: what the person wants is the request, a question the topic.
    ("I want my data transferred to another provider in a reusable format",
     [("ask_rights_list", 0.5), ("request_right", 0.49)], "request_right"),
    ("can my data be transferred to another provider in a reusable format?",
     [("request_right", 0.5), ("ask_rights_list", 0.49)], "ask_rights_list"),
    ("comment transférer mes données chez un autre organisme",
     [("request_right", 0.5), ("ask_rights_list", 0.49)], "ask_rights_list"),
    # "can" asks only where it opens a clause: "so I can move" tells why.
    ("I'd like to receive my data in a CSV file so I can move to another training provider",
     [("ask_rights_list", 0.49), ("request_right", 0.5)], "request_right"),
    ("I'm moving to another provider, can my data be sent to them in a CSV file",
     [("ask_rights_list", 0.49), ("request_right", 0.5)], "ask_rights_list"),
])
def test_a_fallback_between_a_request_and_a_topic_is_the_request_unless_the_message_asks(text, others, expected):
    assert _read(text, "nlu_fallback", others, confidence=0.2) == expected


@pytest.mark.parametrize("text, others, expected", [
    # Only says what the person wants done: the request, though the question on that right ranks first.
    ("I'd like to leave instructions about what happens to my data after my death", [("request_right", 0.37)],
     "request_right"),
    ("Bonjour, je souhaite que mes données soient effacées", [("request_right", 0.3)], "request_right"),
    # The wish after the story that leads to it, in a sentence or a conclusion of its own.
    ("My father died last spring. I don't want my family to go through that, so I'd like to leave instructions "
     "about what happens to my data after my death", [("request_right", 0.3)], "request_right"),
    # A story ending in a wish to be told, or a wish inside a sentence: the question.
    ("My father died last spring. I'd like to understand what happens to data after a death",
     [("request_right", 0.3)], "ask_rights_list"),
    ("the staff said they want to delete my data after my death", [("request_right", 0.3)], "ask_rights_list"),
    # Asks (a "?", or to be told), or the request is too unlikely: the question.
    ("I'd like to leave instructions for after my death, is that possible?", [("request_right", 0.37)],
     "ask_rights_list"),
    ("je voudrais savoir ce que deviennent mes données après mon décès", [("request_right", 0.37)], "ask_rights_list"),
    ("I'd like to leave instructions about my data after my death", [("request_right", 0.1)], "ask_rights_list"),
])
def test_a_message_that_only_says_what_the_person_wants_is_the_request(text, others, expected):
    assert _read(text, "ask_rights_list", others, confidence=0.59) == expected


@pytest.mark.parametrize("text, intent, others, aspects, expected", [
    # The questions about a right count with the request: "a copy of all you have" is the access right.
    ("I would like a copy of all the information you have collected about me", "ask_data_collected",
     [("ask_rights_list", 0.32), ("request_right", 0.11)], [("rights_list.access", 0.31)], "request_right"),
    ("I would like a copy of all the information you have collected about me", "ask_data_collected",
     [("request_right", 0.11)], [("data_collected.categories", 0.42)], "ask_data_collected"),
    # A wish read as a cancel, with no form to cancel: the request it says.
    ("Ne m'envoyez plus rien, je ne veux plus être démarché", "cancel", [("request_right", 0.41)], [],
     "request_right"),
    ("stop, I don't want to go on", "cancel", [("request_right", 0.05)], [], "cancel"),
    # A wish the classifier placed nowhere: the request it says, when likely enough.
    ("Arrêtez de m'envoyer vos offres publicitaires, je ne veux plus que mes coordonnées servent à ça",
     "nlu_fallback", [("request_right", 0.18)], [("rights_list.objection", 0.1)], "request_right"),
    ("Arrêtez, je ne sais plus quoi penser", "nlu_fallback", [("request_right", 0.05)], [], "nlu_fallback"),
    # Asked as a question, but asking the organisation to exercise the right it names: the request.
    ("pouvez-vous bloquer l'utilisation de mes données sans les supprimer ?", "ask_rights_list",
     [("request_right", 0.07)], [("rights_list.restriction", 0.69)], "request_right"),
    # The act stated ("I withdraw …", "je m'oppose à …") is the request, as a wish is.
    ("I withdraw my consent to receiving your newsletters and informative emails.", "ask_unsubscribe",
     [("request_right", 0.12)], [("rights_list.consent_withdrawal", 0.2)], "request_right"),
    ("Je m'oppose à ce que le CESI utilise mes réponses à l'enquête de suivi des diplômés.", "ask_purposes",
     [("request_right", 0.1)], [("rights_list.objection", 0.18)], "request_right"),
    # Asking to have a right it names exercised, after a story: the request, even barely likely.
    ("Je n'ai jamais rien acheté chez vous, je ne vois pas pourquoi vous garderiez mon nom : effacez tout, "
     "s'il vous plaît.", "ask_purposes", [("request_right", 0.14)], [("purposes.overview", 0.42)], "request_right"),
    # Asked politely whether it could be done, naming the right: the request.
    ("Serait-il possible de récupérer mes données dans un format lisible par machine ?", "ask_rights_list",
     [("request_right", 0.07)], [("rights_list.portability", 0.6)], "request_right"),
    # Asking to be told about it, or how to go about it: the question.
    ("pouvez-vous me dire si je peux bloquer l'utilisation de mes données ?", "ask_rights_list",
     [("request_right", 0.07)], [("rights_list.restriction", 0.69)], "ask_rights_list"),
    ("how do I get my data deleted?", "ask_rights_list", [("request_right", 0.07)],
     [("rights_list.erasure", 0.69)], "ask_rights_list"),
    ("how can I get my data deleted at Activ'partners?", "ask_rights_list", [("request_right", 0.07)],
     [("rights_list.erasure", 0.69)], "ask_rights_list"),
])
def test_a_wish_is_the_request_when_the_request_and_the_questions_on_rights_are_likely(text, intent, others,
                                                                                         aspects, expected):
    assert _read(text, intent, others, confidence=0.52, aspects=aspects) == expected


@pytest.mark.parametrize("text, others, expected", [
    # A worry told, read as a request naming no right, wishing nothing, asking nothing: the policy question.
    ("I'm uneasy that they might find new uses for the information I gave them for a single service.",
     [("ask_purposes", 0.14)], "ask_purposes"),
    # It asks (the request the last answer offered), names a right, or says a wish: the request.
    ("ok, can you do it for me?", [("ask_rights_list", 0.14)], "request_right"),
    ("I'm uneasy about it all, delete my data", [("ask_purposes", 0.14)], "request_right"),
    ("I'd like you to handle it for me", [("ask_purposes", 0.14)], "request_right"),
    # Too unsure of any topic: the request.
    ("hold off on using my data until the dispute is settled", [("ask_rights_list", 0.01)], "request_right"),
])
def test_a_worry_told_as_a_request_naming_no_right_is_the_policy_question(text, others, expected):
    assert _read(text, "request_right", others, confidence=0.57) == expected


@pytest.mark.parametrize("text, expected", [
    ("what's that good for?", "nlu_fallback"),
    ("and who can see it?", "nlu_fallback"),
    ("ok bye!", "goodbye"),
    ("thanks, goodbye", "goodbye"),
])
def test_a_message_that_asks_is_no_farewell(text, expected):
    assert _read(text, "goodbye", [("out_of_scope", 0.18)], confidence=0.41) == expected

