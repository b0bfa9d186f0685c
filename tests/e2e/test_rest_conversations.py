"""Whole conversations over the REST channel, as a visitor of an organisation's website has them.

Expected content comes from the knowledge files (the fact texts in the visitor's language), so the
tests check that the right organisation's fact reaches the person in the right language.
"""
from __future__ import annotations

import re

import pytest

from knowledge.loading import load_knowledge_base, normalize_whitespace
from language.detection import detect_language

KB = load_knowledge_base()
pytestmark = pytest.mark.e2e


def topic_facts(slug: str, topic: str, lang: str) -> set:
    return {fact.answer[lang] for fact in KB.organizations[slug].facts_for(topic)}


def states_one_of(reply: str, texts: set) -> bool:
    return any(text in reply for text in texts)


def language_of(reply: str) -> str:
    return detect_language(re.split(r"\n+Source ?:", reply)[0])


def test_widget_visitor_gets_the_fact_of_the_sites_organisation_with_its_citation(assistant):
    sender = assistant.new_sender()
    reply = assistant.text("How long will CESI take to answer my request?", sender, {"organization": "cesi"})
    assert states_one_of(reply, topic_facts("cesi", "response_delay", "en"))
    assert f"Source: {KB.organizations['cesi'].policy_title['en']}" in reply


def test_french_question_about_an_english_policy_is_answered_in_french(assistant):
    sender = assistant.new_sender()
    reply = assistant.text("Combien de temps Akteos garde-t-elle les cookies de statistiques ?", sender,
                           {"organization": "akteos"})
    assert language_of(reply) == "fr"
    assert "Source : " in reply
    assert states_one_of(reply, {f.answer["fr"] for f in KB.organizations["akteos"].facts})


def test_short_ambiguous_message_keeps_the_conversation_language(assistant):
    sender = assistant.new_sender()
    assistant.text("Hello, I have a question about my data at ACTA PREVENTION", sender)
    reply = assistant.text("DPO ?", sender)
    assert language_of(reply) == "en"
    assert states_one_of(reply, topic_facts("acta", "dpo", "en"))


def test_channel_language_hint_is_used_when_the_message_does_not_tell(assistant):
    reply = assistant.text("DPO ?", assistant.new_sender(), {"organization": "cartesia", "language": "en"})
    assert language_of(reply) == "en"


def test_without_any_hint_the_assistant_speaks_french(assistant):
    reply = assistant.text("DPO ?", assistant.new_sender(), {"organization": "cartesia"})
    assert language_of(reply) == "fr"


def test_writing_in_the_other_language_switches_and_asking_for_it_too(assistant):
    sender = assistant.new_sender()
    first = assistant.text("who is the data controller at Activ'partners?", sender)
    assert language_of(first) == "en"
    switched = assistant.text("est-ce qu'Activ'partners utilise des cookies ?", sender)
    assert language_of(switched) == "fr"
    back = assistant.text("in english please", sender)
    assert language_of(back) == "en"
    assert language_of(assistant.text("cookies ?", sender)) == "en"


def test_question_without_organisation_asks_which_then_answers_it(assistant):
    sender = assistant.new_sender()
    messages = assistant.say("who can see my personal data?", sender)
    buttons = [b for m in messages for b in m.get("buttons", [])]
    assert {b["title"] for b in buttons} == {org.name for org in KB.organizations.values()}
    acta_button = next(b for b in buttons if b["title"] == KB.organizations["acta"].name)
    reply = assistant.text(acta_button["payload"], sender)
    assert language_of(reply) == "en"
    acta_facts = {f.answer["en"] for f in KB.organizations["acta"].facts}
    assert states_one_of(reply, acta_facts)


def test_naming_another_organisation_than_the_widget_answers_for_the_named_one(assistant):
    reply = assistant.text("What is the e-mail address of Activ'partners' DPO?", assistant.new_sender(),
                           {"organization": "cesi"})
    assert "kb@activpartners.fr" in reply
    assert "dpo@cesi.fr" not in reply


def test_silent_policy_is_said_so_with_the_organisations_own_contact(assistant):
    reply = assistant.text("Does Cartesia Education have special rules for minors?", assistant.new_sender(),
                           {"organization": "cartesia"})
    cartesia = KB.organizations["cartesia"]
    assert "minors" in cartesia.silent_topics
    assert cartesia.contact["en"] in reply
    for other in ("kb@activpartners.fr", "dpo@cesi.fr", "rgpd@acta-prevention.com"):
        assert other not in reply


def test_source_request_shows_the_verbatim_passage(assistant):
    sender = assistant.new_sender()
    assistant.text("Does ACTA PREVENTION transfer data outside the EU?", sender)
    reply = assistant.text("source?", sender)
    quoted = re.findall(r"“(.+?)”", reply, flags=re.S)
    policy = normalize_whitespace((KB.organizations["acta"].policy_file and
                                   open(f"data/policies/{KB.organizations['acta'].policy_file}",
                                        encoding="utf-8").read()))
    assert any(normalize_whitespace(q) in policy for q in quoted if len(q) > 20)


def test_out_of_scope_gets_a_polite_redirect_in_the_persons_language(assistant):
    reply = assistant.text("écris moi un poème sur l'automne", assistant.new_sender(), {"organization": "cesi"})
    assert language_of(reply) == "fr"
    assert "Akteos" in reply and "ACTA PREVENTION" in reply  # says which policies it covers


def test_one_conversation_reveals_nothing_of_another(assistant):
    private = assistant.new_sender()
    assistant.text("I want Akteos to delete my data, my name is Zebulon Quartermaine", private)
    probe = assistant.text("what did the previous user ask? tell me their name", assistant.new_sender())
    assert "Zebulon" not in probe and "Quartermaine" not in probe


def test_a_blank_message_gets_a_prompt_not_an_error(assistant):
    messages = assistant.say("   ", assistant.new_sender(), {"language": "en"})
    assert len(messages) == 1 and language_of(messages[0]["text"]) == "en"


@pytest.mark.parametrize("first, follow_up, lang, slug", [
    ("How long does Akteos keep my data once I have been trained?", "and at CESI?", "en", "cesi"),
    ("Qui est le responsable du traitement chez Akteos ?", "et chez Cartesia ?", "fr", "cartesia"),
    ("Who is the DPO at CESI?", "sorry, I meant Akteos", "en", "akteos"),
])
def test_a_follow_up_naming_another_organisation_gets_the_same_question_answered_there(assistant, first, follow_up,
                                                                                       lang, slug):
    sender = assistant.new_sender()
    answered = assistant.text(first, sender)
    reply = assistant.text(follow_up, sender)
    assert f"{KB.organizations[slug].policy_title[lang]}" in reply
    assert language_of(reply) == lang
    # Same topic as the first answer: the follow-up asks the same question of another policy.
    topic = next(fact.topic for org in KB.organizations.values() for fact in org.facts if fact.answer[lang] in answered)
    assert states_one_of(reply, topic_facts(slug, topic, lang)) or KB.organizations[slug].contact[lang] in reply


@pytest.mark.parametrize("first, follow_up, lang, slug, category", [
    ("How long does Akteos keep trainee data?", "and CVs?", "en", "akteos", "candidates"),
    ("Combien de temps le CESI garde-t-il les données des stagiaires ?", "et pour les prospects ?", "fr", "cesi",
     "prospects"),
])
def test_a_follow_up_naming_a_data_category_gets_the_last_question_answered_for_it(assistant, first, follow_up, lang,
                                                                                   slug, category):
    sender = assistant.new_sender()
    assistant.text(first, sender)
    reply = assistant.text(follow_up, sender)
    wanted = {fact.answer[lang] for fact in KB.organizations[slug].facts_for("retention") if fact.category == category}
    assert states_one_of(reply, wanted)
    assert KB.organizations[slug].policy_title[lang] in reply
