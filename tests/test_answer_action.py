"""The answer action, run as the action server runs it, on trackers built in the test.

Assertions are on response names and the variables they are filled with, so they hold in both
languages; the expected texts come from the knowledge files, never from this file.
"""
from __future__ import annotations

import asyncio
import re
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.policy_actions import ActionAnswerPolicyQuestion, ActionSessionStart, ActionShowSource
from knowledge.answering import answer_question
from knowledge.loading import load_knowledge_base
from knowledge.question import Question

KB = load_knowledge_base()
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def make_tracker(text: str, intent: str, *, entities: Optional[List[Dict[str, Any]]] = None,
                 slots: Optional[Dict[str, Any]] = None, metadata: Optional[Dict[str, Any]] = None,
                 confidence: float = 1.0) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence},
              "intent_ranking": [{"name": intent, "confidence": confidence}], "entities": entities or []}
    events = [{"event": "user", "text": text, "parse_data": latest, "metadata": metadata or {}}]
    return Tracker(sender_id="test-user", slots={"language": "en", **(slots or {})}, latest_message=latest,
                   events=events, paused=False, followup_action=None, active_loop={},
                   latest_action_name="action_listen")


def run(action, tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def summary_text(facts, lang):
    return facts[0].answer[lang] if len(facts) == 1 else "\n".join(f"• {f.answer[lang]}" for f in facts)


CASES = [(slug, topic, lang) for slug in KB.organizations for topic in KB.topics for lang in ("en", "fr")]


@pytest.mark.parametrize("slug,topic,lang", CASES)
def test_general_question_gets_the_topic_summary_or_says_the_policy_is_silent(slug, topic, lang):
    org = KB.organizations[slug]
    tracker = make_tracker("?", f"ask_{topic}", slots={"language": lang}, metadata={"organization": slug})
    messages, slots = run(ActionAnswerPolicyQuestion(), tracker)
    # A topic about exercising rights ends its answer with the offer to file a request (data/topics.yml).
    assert slots["request_offered"] is KB.topics[topic].offers_request
    if KB.topics[topic].offers_request:
        assert messages[-1] == {**messages[-1], "response": "utter_offer_request"}
        messages = messages[:-1]

    message = messages[0]
    if topic in org.silent_topics:
        # Silent, then the nearest rule the policy states when its file names one.
        nearest = [org.fact(fact_id) for fact_id in org.silence(topic).nearest]
        assert [m["response"] for m in messages] == ["utter_policy_silent"] + ["utter_policy_nearest"] * bool(nearest)
        assert message["contact"] == org.contact[lang]
        assert message["topic"] == KB.topics[topic].label[lang]
        if nearest:
            assert messages[1]["answer"] == summary_text(nearest, lang)
    else:
        summary = [f for f in org.facts_for(topic) if f.summary]
        assert message["response"] == "utter_policy_answer"
        assert message["answer"] == summary_text(summary, lang)
        opening, closing = ("« ", " »") if lang == "fr" else ("“", "”")
        assert all(f"{opening}{fact.source.section}{closing}" in message["sections"] for fact in summary)
        if any(fact.gap for fact in summary):  # what the policy leaves open: its contact follows
            assert messages[1] == {**messages[1], "response": "utter_policy_gap_contact",
                                   "contact": org.contact[lang]}
        else:
            assert len(messages) == 1
    assert message["policy"] == org.policy_title[lang]
    other_emails = {e for other in KB.organizations.values() if other.slug != slug
                    for e in EMAIL.findall(other.contact["en"])}
    assert not other_emails & set(EMAIL.findall(str(message))), "another organisation's contact leaked"
    assert slots["organization"] == slug


def _retention_fact(slug: str, category: str):
    return next(f for f in KB.organizations[slug].facts_for("retention") if f.category == category)


def test_specific_question_gets_the_specific_fact():
    tracker = make_tracker("how long do you keep my CV at ACTA?", "ask_retention",
                           entities=[{"entity": "data_category", "value": "candidates"}])
    messages, _ = run(ActionAnswerPolicyQuestion(), tracker)
    assert _retention_fact("acta", "candidates").answer["en"] in messages[0]["answer"]


def test_organisation_named_in_the_message_beats_the_widget_metadata():
    tracker = make_tracker("how long does CESI keep diploma data?", "ask_retention",
                           metadata={"organization": "acta"}, slots={"organization": "acta"})
    messages, slots = run(ActionAnswerPolicyQuestion(), tracker)
    assert messages[0]["policy"] == KB.organizations["cesi"].policy_title["en"]
    assert slots["organization"] == "cesi"


def test_the_organisation_chosen_in_the_conversation_beats_the_widget_metadata():
    # On Cartesia's website (each site's widget keeps its own conversation, and a session starts on
    # the site's organisation), the person asked "and at CESI?": the next question is about CESI.
    tracker = make_tracker("who is the DPO?", "ask_dpo", metadata={"organization": "cartesia"},
                           slots={"organization": "cesi"})
    messages, slots = run(ActionAnswerPolicyQuestion(), tracker)
    assert messages[0]["policy"] == KB.organizations["cesi"].policy_title["en"]


def test_a_session_starts_on_the_websites_organisation():
    tracker = make_tracker("", "session_start", metadata={"organization": "cartesia"},
                           slots={"organization": "cesi", "session_started_metadata": {"organization": "cartesia"}})
    _, slots = run(ActionSessionStart(), tracker)
    assert slots["organization"] == "cartesia"


def test_conversation_organisation_is_used_when_nothing_else_names_one():
    tracker = make_tracker("and cookies?", "ask_cookies", slots={"organization": "akteos"})
    messages, _ = run(ActionAnswerPolicyQuestion(), tracker)
    assert messages[0]["policy"] == KB.organizations["akteos"].policy_title["en"]


def test_an_answer_sets_only_the_slots_it_changes():
    # Every later action call carries the whole conversation: a slot set to the value it holds
    # only makes it longer.
    tracker = make_tracker("and cookies?", "ask_cookies", slots={"organization": "akteos", "request_offered": False})
    _, slots = run(ActionAnswerPolicyQuestion(), tracker)
    assert "organization" not in slots and "request_offered" not in slots
    assert slots["answered_sources"] and slots["last_question"]["organizations"] == ["akteos"]
    _, slots = run(ActionAnswerPolicyQuestion(), make_tracker("and cookies at CESI?", "ask_cookies",
                                                              slots={"organization": "akteos"}))
    assert slots["organization"] == "cesi"


def test_two_organisations_named_get_one_answer_each():
    tracker = make_tracker("compare the cookies of CESI and Akteos", "ask_cookies")
    messages, _ = run(ActionAnswerPolicyQuestion(), tracker)
    assert [m["policy"] for m in messages] == [KB.organizations["cesi"].policy_title["en"],
                                               KB.organizations["akteos"].policy_title["en"]]


def test_unknown_organisation_is_asked_for_and_the_question_answered_after():
    question = make_tracker("do you share my data with anyone else?", "ask_recipients", slots={"language": "fr"})
    messages, slots = run(ActionAnswerPolicyQuestion(), question)
    assert [m["response"] for m in messages] == ["utter_ask_organization"]
    # One button per organisation of the knowledge files, whose payload chooses it.
    buttons = messages[0]["buttons"]
    assert [b["title"] for b in buttons] == [org.name for org in KB.organizations_by_name()]
    assert buttons[0]["payload"] == '/choose_organization{"organization": "%s"}' % KB.organizations_by_name()[0].slug
    pending = slots["pending_question"]
    assert pending["intent"] == "ask_recipients"

    choice = make_tracker(next(b["payload"] for b in buttons if b["title"] == "ACTA PREVENTION"), "choose_organization",
                          entities=[{"entity": "organization", "value": "acta"}],
                          slots={"language": "fr", "pending_question": pending})
    messages, slots = run(ActionAnswerPolicyQuestion(), choice)
    acta = KB.organizations["acta"]
    assert messages[0]["response"] == "utter_policy_answer"
    assert messages[0]["policy"] == acta.policy_title["fr"]
    answered = [line.lstrip("• ") for line in messages[0]["answer"].split("\n")]
    assert set(answered) <= {f.answer["fr"] for f in acta.facts_for("recipients")}
    assert slots["pending_question"] is None and slots["organization"] == "acta"


def test_an_organisation_not_covered_gets_the_list_of_those_that_are():
    tracker = make_tracker("what does the Sorbonne do with cookies?", "ask_cookies")
    messages, _ = run(ActionAnswerPolicyQuestion(), tracker)
    assert [m["response"] for m in messages] == ["utter_ask_organization"]


def test_source_shows_the_verbatim_passage_of_the_last_answer():
    answer = make_tracker("how long do you keep my CV at ACTA?", "ask_retention",
                          entities=[{"entity": "data_category", "value": "candidates"}])
    _, slots = run(ActionAnswerPolicyQuestion(), answer)
    source = make_tracker("source?", "ask_source", slots={"answered_sources": slots["answered_sources"]})
    messages, _ = run(ActionShowSource(), source)
    fact = _retention_fact("acta", "candidates")
    assert fact.source.quote in [m["quote"] for m in messages]
    assert messages[0]["response"] == "utter_source_passage"


def test_source_after_an_answer_on_several_organisations_shows_each_of_them():
    answer = make_tracker("compare how long Akteos and CESI keep my data", "ask_retention",
                          entities=[{"entity": "organization", "value": "akteos"},
                                    {"entity": "organization", "value": "cesi"}])
    _, slots = run(ActionAnswerPolicyQuestion(), answer)
    assert {ref.partition("/")[0] for ref in slots["answered_sources"]} == {"akteos", "cesi"}
    source = make_tracker("source?", "ask_source", slots={"answered_sources": slots["answered_sources"]})
    messages, _ = run(ActionShowSource(), source)
    policies = " ".join(str(m.get("policy", "")) for m in messages)
    assert "Akteos" in policies and "CESI" in policies


def test_source_before_any_answer_says_so():
    messages, _ = run(ActionShowSource(), make_tracker("source?", "ask_source"))
    assert [m["response"] for m in messages] == ["utter_no_source"]


def test_unclassified_message_without_a_policy_match_gets_the_help_answer():
    tracker = make_tracker("what's the capital of Australia?", "nlu_fallback", metadata={"organization": "cesi"},
                           confidence=0.3)
    messages, _ = run(ActionAnswerPolicyQuestion(), tracker)
    assert [m["response"] for m in messages] == ["utter_default"]


def test_a_rights_request_phrased_as_a_question_first_gets_the_policys_answer():
    from actions.request_form import ActionStartRightsRequest

    tracker = make_tracker("Can I leave instructions with Cartesia about what happens to my data after I die?",
                           "request_right", entities=[{"entity": "right", "value": "post_mortem"}])
    messages, slots = run(ActionStartRightsRequest(), tracker)
    cartesia = KB.organizations["cartesia"]
    assert messages and messages[0]["response"] == "utter_policy_answer"
    assert messages[0]["policy"] == cartesia.policy_title["en"]
    assert "directive" in messages[0]["answer"].lower()
    assert slots["organization"] == "cartesia" and slots["right"] == "post_mortem"


# The names the greeting and the help list, from the knowledge files (a new organisation is listed too).
NAMES = ", ".join(org.name for org in KB.organizations_by_name())


def test_session_starts_in_the_channel_language_and_organisation():
    tracker = Tracker(sender_id="s", slots={"session_started_metadata": {"language": "en-GB", "organization": "CESI"}},
                      latest_message={}, events=[], paused=False, followup_action=None, active_loop={},
                      latest_action_name=None)
    _, slots = run(ActionSessionStart(), tracker)
    assert slots == {"language": "en", "organization": "cesi", "organization_names": NAMES}


@pytest.mark.parametrize("site, hint, language", [
    ("CESI", None, "en"),        # an English policy's website, no language from the channel
    ("cartesia", None, "fr"),
    ("CESI", "fr-FR", "fr"),     # the channel's language wins
])
def test_session_without_a_language_hint_starts_in_the_websites_policy_language(site, hint, language):
    metadata = {"organization": site, **({"language": hint} if hint else {})}
    tracker = Tracker(sender_id="s", slots={"session_started_metadata": metadata}, latest_message={}, events=[],
                      paused=False, followup_action=None, active_loop={}, latest_action_name=None)
    _, slots = run(ActionSessionStart(), tracker)
    assert slots["language"] == language


def test_session_defaults_to_french_without_a_hint():
    tracker = Tracker(sender_id="s", slots={}, latest_message={}, events=[], paused=False, followup_action=None,
                      active_loop={}, latest_action_name=None)
    _, slots = run(ActionSessionStart(), tracker)
    assert slots == {"language": "fr", "organization_names": NAMES}


@pytest.mark.parametrize("follow_up, lang, slugs", [
    ("and at CESI?", "en", ["cesi"]),
    ("sorry, I meant Cartesia", "en", ["cartesia"]),
    ("et chez ACTA ?", "fr", ["acta"]),
    ("what about CESI and Activ'partners?", "en", ["cesi", "activpartners"]),
])
def test_a_follow_up_naming_another_organisation_answers_the_last_question_there(follow_up, lang, slugs):
    first = make_tracker("How long does Akteos keep trainee data?", "ask_retention",
                         entities=[{"entity": "organization", "value": "akteos"},
                                   {"entity": "data_category", "value": "trainees"}], slots={"language": lang})
    messages, slots = run(ActionAnswerPolicyQuestion(), first)
    assert messages[0]["policy"] == KB.organizations["akteos"].policy_title[lang]
    remembered = slots["last_question"]

    second = make_tracker(follow_up, "choose_organization", slots={"language": lang, "organization": "akteos",
                                                                   "last_question": remembered})
    messages, slots = run(ActionAnswerPolicyQuestion(), second)
    # Each organisation gets the replies the same question gets when asked of it directly (its facts,
    # or that its policy is silent on trainees with the nearest rule it states), in the order named.
    expected = [reply for slug in slugs
                for reply in answer_question(KB, KB.organizations[slug], Question.from_slot(remembered), lang).replies]
    assert [(m["response"], m.get("answer"), m.get("policy")) for m in messages] == \
        [(r.response, r.variables.get("answer"), r.variables.get("policy")) for r in expected]
    assert [m["policy"] for m in messages if m["response"] in ("utter_policy_answer", "utter_policy_silent",
                                                                "utter_policy_silent_category")] == \
        [KB.organizations[slug].policy_title[lang] for slug in slugs]
    assert slots["organization"] == slugs[0] and slots["last_question"]["organizations"] == slugs
    assert {**slots["last_question"], "organizations": None, "answered": None, "said": None} == \
        {**remembered, "organizations": None, "answered": None, "said": None}
    assert slots["last_question"]["said"] == slots["answered_sources"]
    # The conversation remembers each organisation answered on the topic, with the category asked.
    assert slots["last_question"]["answered"] == [{"organization": slug, "category": "trainees"}
                                                  for slug in ["akteos", *slugs]]


def test_choosing_an_organisation_before_any_question_just_notes_it():
    messages, slots = run(ActionAnswerPolicyQuestion(), make_tracker("CESI", "choose_organization"))
    assert [m["response"] for m in messages] == ["utter_organization_chosen"] and slots == {"organization": "cesi"}


def test_a_choice_of_organisations_that_asks_for_a_ranking_is_a_comparison():
    # Read surely as a choice of organisations, it names three and asks which keeps the data longest.
    text = "Which keeps prospect data the longest: CESI, Cartesia or ACTA PREVENTION?"
    tracker = make_tracker(text, "choose_organization", entities=[{"entity": "data_category", "value": "prospects"}],
                           confidence=0.95)
    messages, _ = run(ActionAnswerPolicyQuestion(), tracker)
    assert messages[0]["response"] == "utter_comparison_longest"
    assert all(name in messages[0]["ranking"] for name in ("CESI", "Cartesia Education", "ACTA PREVENTION"))


@pytest.mark.parametrize("follow_up_text, intent, category, lang", [
    ("what about for prospects?", "help", "prospects", "en"),
    ("et pour les prospects ?", "nlu_fallback", "prospects", "fr"),
    ("and CVs?", "nlu_fallback", "candidates", "en"),
])
def test_a_follow_up_naming_a_data_category_asks_the_last_question_about_it(follow_up_text, intent, category, lang):
    first = make_tracker("How long do you keep trainee data?", "ask_retention", slots={"language": lang},
                         entities=[{"entity": "data_category", "value": "trainees"}], metadata={"organization": "acta"})
    _, slots = run(ActionAnswerPolicyQuestion(), first)
    second = make_tracker(follow_up_text, intent, entities=[{"entity": "data_category", "value": category}],
                          slots={"language": lang, "organization": "acta", "last_question": slots["last_question"]},
                          confidence=0.3)
    messages, slots = run(ActionAnswerPolicyQuestion(), second)
    assert messages[0]["response"] == "utter_policy_answer"
    answered = {line.lstrip("• ") for line in messages[0]["answer"].split("\n")}
    wanted = {fact.answer[lang] for fact in KB.organizations["acta"].facts_for("retention") if fact.category == category}
    assert answered & wanted  # the category now named, in the topic asked before
    assert Question.from_slot(slots["last_question"]).topic(KB.topics) == "retention"


def test_a_category_without_a_previous_question_is_not_a_follow_up():
    tracker = make_tracker("what about for prospects?", "help", entities=[{"entity": "data_category", "value": "prospects"}],
                           metadata={"organization": "acta"})
    messages, _ = run(ActionAnswerPolicyQuestion(), tracker)
    assert [m["response"] for m in messages] == ["utter_help"]


@pytest.mark.parametrize("which, lang", [("lequel des deux garde le plus longtemps ?", "fr"),
                                         ("which of the two keeps it the longest?", "en")])
def test_which_of_the_two_compares_the_organisations_answered_each_on_its_own_category(which, lang):
    """CVs at one organisation, training data at another, then "which of the two keeps it the
    longest?": those two are compared, each on the category asked for it (not all five on CVs)."""
    slots = {"language": lang}
    for text, slug, category in [("combien de temps ACTA PREVENTION garde les CV ?", "acta", "candidates"),
                                 ("et Cartesia, pour les données de formation ?", "cartesia", "trainees")]:
        entities = [{"entity": "organization", "value": slug}, {"entity": "data_category", "value": category}]
        _, answered = run(ActionAnswerPolicyQuestion(), make_tracker(text, "ask_retention", entities=entities, slots=slots))
        slots = {**slots, "last_question": answered["last_question"], "organization": answered["organization"]}
    messages, _ = run(ActionAnswerPolicyQuestion(), make_tracker(which, "ask_retention", slots=slots))
    ranked = [m for m in messages if m["response"] == "utter_comparison_longest"]
    assert len(ranked) == 1, messages
    expected = [(KB.organizations[slug], fact) for slug, category in [("cartesia", "trainees"), ("acta", "candidates")]
                for fact in KB.organizations[slug].facts_for("retention") if fact.category == category]
    lines = ranked[0]["ranking"].splitlines()
    assert [line.split(":")[0].lstrip("• ") for line in lines] == [org.name for org, _ in expected], lines
    assert all(fact.answer[lang] in line for (_, fact), line in zip(expected, lines))


def test_another_organisation_named_with_another_category_asks_about_that_category_there():
    """"le CESI garde les données de mon diplôme combien de temps ?" then "et ACTA pour mon CV ?":
    ACTA's period for CVs, not its silence on diplomas."""
    entities = [{"entity": "organization", "value": "cesi"}, {"entity": "data_category", "value": "diplomas"}]
    _, slots = run(ActionAnswerPolicyQuestion(), make_tracker(
        "le CESI garde les données de mon diplôme combien de temps ?", "ask_retention", entities=entities,
        slots={"language": "fr"}))
    messages, _ = run(ActionAnswerPolicyQuestion(), make_tracker(
        "et ACTA pour mon CV ?", "choose_organization", entities=[{"entity": "organization", "value": "acta"}],
        slots={"language": "fr", "organization": "cesi", "last_question": slots["last_question"]}))
    cv = [fact for fact in KB.organizations["acta"].facts_for("retention") if fact.category == "candidates"]
    assert cv and [m["answer"] for m in messages if m["response"] == "utter_policy_answer"] == [cv[0].answer["fr"]]


def test_a_message_read_only_by_its_clauses_answers_the_one_on_a_policy_topic():
    """"sorry, can you answer in English? does CESI sell my data?" (nlu_fallback as a whole): the
    second clause, sure to be on recipients, is answered as if asked alone."""
    text = "sorry, can you answer in English? does CESI sell my data?"
    tracker = make_tracker(text, "nlu_fallback", entities=[{"entity": "organization", "value": "cesi"}],
                           confidence=0.2)
    tracker.latest_message["aspect_parts"] = [
        {"text": "sorry, can you answer in english", "aspect_ranking": [{"name": "rights_list.access", "confidence": 0.05}]},
        {"text": "does cesi sell my data?", "aspect_ranking": [{"name": "recipients.sale", "confidence": 0.9}]}]
    messages, slots = run(ActionAnswerPolicyQuestion(), tracker)
    sale = [fact for fact in KB.organizations["cesi"].facts_for("recipients", "sale")]
    answers = [m["answer"] for m in messages if m["response"] == "utter_policy_answer"]
    assert sale and answers and all(fact.answer["en"] in answers[0] for fact in sale[:1])
    assert slots["last_question"]["intent"] == "ask_recipients"


def _compared_response_delays() -> Dict[str, Any]:
    _, slots = run(ActionAnswerPolicyQuestion(), make_tracker(
        "which organisation replies fastest to a data access request?", "ask_response_delay"))
    return {"last_question": slots["last_question"], "organization": slots["organization"]}


@pytest.mark.parametrize("text, confidence", [("annuler", 0.3), ("cancel my request", 0.9), ("never mind", 0.4)])
def test_a_cancel_with_nothing_under_way_says_so(text, confidence):
    messages, _ = run(ActionAnswerPolicyQuestion(), make_tracker(text, "cancel", confidence=confidence,
                                                                 slots=_compared_response_delays()))
    assert [m["response"] for m in messages] == ["utter_nothing_to_cancel"]


def test_a_question_the_classifier_barely_read_as_a_cancel_is_read_in_the_conversation():
    """"which ones don't give any deadline at all?" after a comparison of response delays, read
    (weakly) as a cancel with nothing to cancel: the delays again, the silent policies named."""
    tracker = make_tracker("which ones don't give any deadline at all?", "cancel", confidence=0.29,
                           slots=_compared_response_delays())
    messages, slots = run(ActionAnswerPolicyQuestion(), tracker)
    assert "utter_nothing_to_cancel" not in [m["response"] for m in messages]
    assert Question.from_slot(slots["last_question"]).topic(KB.topics) == "response_delay"
    silent = [slug for slug, org in KB.organizations.items() if "response_delay" in org.silent_topics]
    answered = {m.get("organization") or m.get("policy") for m in messages}
    assert silent and all(any(KB.organizations[slug].name in str(value) for value in answered) for slug in silent), messages


@pytest.mark.parametrize("text, lang", [("Which organisation keeps training records the longest?", "en"),
                                        ("quel organisme garde le plus longtemps les dossiers de formation ?", "fr")])
def test_a_ranking_the_classifier_placed_in_no_topic_is_compared_on_the_topic_its_words_match(text, lang):
    """Read (weakly) as a request for the list of organisations: still the policies' retention
    periods, longest first."""
    messages, slots = run(ActionAnswerPolicyQuestion(), make_tracker(text, "list_organizations", confidence=0.29,
                                                                    slots={"language": lang}))
    assert [m["response"] for m in messages if m["response"].startswith("utter_comparison")] == \
        ["utter_comparison_longest"], messages
    assert Question.from_slot(slots["last_question"]).topic(KB.topics) == "retention"


def test_a_correction_read_as_choosing_an_organisation_but_naming_none_is_read_in_the_conversation():
    """"non pardon, je parlais de mon CV" on ACTA's widget, read (weakly) as choosing an organisation:
    ACTA's period for CVs, not "which organisation?"."""
    site = {"organization": "acta"}
    _, slots = run(ActionAnswerPolicyQuestion(), make_tracker(
        "vous gardez mes données de prospect combien de temps ?", "ask_retention", metadata=site,
        entities=[{"entity": "data_category", "value": "prospects"}], slots={"language": "fr"}))
    messages, _ = run(ActionAnswerPolicyQuestion(), make_tracker(
        "non pardon, je parlais de mon CV", "choose_organization", confidence=0.27, metadata=site,
        entities=[{"entity": "data_category", "value": "candidates"}],
        slots={"language": "fr", "organization": "acta", "last_question": slots["last_question"]}))
    cv = [fact for fact in KB.organizations["acta"].facts_for("retention") if fact.category == "candidates"]
    assert cv and [m["answer"] for m in messages if m["response"] == "utter_policy_answer"] == [cv[0].answer["fr"]]


def test_after_a_language_switch_the_last_answer_comes_again_in_the_new_language():
    """"can you say that in English?" after a French answer: the same facts, in English."""
    site = {"organization": "cesi"}
    first, slots = run(ActionAnswerPolicyQuestion(), make_tracker(
        "vous gardez mes données de prospect combien de temps ?", "ask_retention", metadata=site,
        entities=[{"entity": "data_category", "value": "prospects"}], slots={"language": "fr"}))
    again, _ = run(ActionAnswerPolicyQuestion(), make_tracker(
        "sorry, can you say that in English?", "switch_language", metadata=site,
        slots={"language": "en", "organization": "cesi", "last_question": slots["last_question"]}))
    facts = [fact for fact in KB.organizations["cesi"].facts_for("retention") if fact.category == "prospects"]
    french = [m["answer"] for m in first if m["response"] == "utter_policy_answer"]
    english = [m["answer"] for m in again if m["response"] == "utter_policy_answer"]
    assert facts and french == [summary_text(facts, "fr")] and english == [summary_text(facts, "en")]


def test_a_language_switch_with_nothing_answered_yet_adds_nothing():
    messages, _ = run(ActionAnswerPolicyQuestion(), make_tracker("in English please", "switch_language"))
    assert messages == []


def _answers_to(text: str, intent: str, parts: List[Dict[str, Any]],
                aspect_ranking: Optional[List[Dict[str, Any]]] = None, organization: str = "cesi") -> List[str]:
    tracker = make_tracker(text, intent, entities=[{"entity": "organization", "value": organization}])
    tracker.latest_message["aspect_parts"] = parts
    tracker.latest_message["aspect_ranking"] = aspect_ranking or []
    messages, _ = run(ActionAnswerPolicyQuestion(), tracker)
    return [m for m in messages if m["response"].startswith("utter_policy_")]


def test_two_questions_on_which_the_policy_is_silent_get_both_their_answers():
    """Two silent answers cite the same passage (the contact line) but say different things: both are sent."""
    assert {silence.topic for silence in KB.organizations["cesi"].silences} >= {"hosting", "breach_notification"}
    answers = _answers_to("where is my data hosted? and what if there is a data breach?", "ask_hosting", [
        {"text": "where is my data hosted?", "aspect_ranking": [{"name": "hosting.location", "confidence": 0.9}]},
        {"text": "and what if there is a data breach?",
         "aspect_ranking": [{"name": "breach_notification.notification", "confidence": 0.9}]}])
    silent = [message["topic"] for message in answers if message["response"] == "utter_policy_silent"]
    assert silent == ["where the data is hosted", "what happens in case of a data breach"], answers


def test_a_clause_whose_answer_was_already_given_is_not_answered_twice():
    answers = _answers_to("does CESI sell my data? do they sell it?", "ask_recipients", [
        {"text": "does cesi sell my data?", "aspect_ranking": [{"name": "recipients.sale", "confidence": 0.9}]},
        {"text": "do they sell my data?", "aspect_ranking": [{"name": "recipients.sale", "confidence": 0.1}]}])
    sale = KB.organizations["cesi"].facts_for("recipients", "sale")
    assert len(answers) == 1 and sale[0].answer["en"] in answers[0]["answer"], answers


def test_a_further_question_leaves_out_the_facts_already_said():
    """The second clause's aspect shares a summary fact with the first's: said once, in the first answer."""
    akteos = KB.organizations["akteos"]
    answers = _answers_to("how is my data protected? and who can see it?", "ask_security", [
        {"text": "how is my data protected?", "aspect_ranking": [{"name": "security.technical", "confidence": 0.9}]},
        {"text": "and who can see it?", "aspect_ranking": [{"name": "security.organisational", "confidence": 0.9}]}],
        [{"name": "security.technical", "confidence": 0.7}, {"name": "security.organisational", "confidence": 0.2}],
        organization="akteos")
    assert len(answers) == 2, answers
    said = [fact for fact in akteos.facts if any(fact.answer["en"] in answer["answer"] for answer in answers)]
    assert len(said) == len(set(fact.id for fact in said)) and all(
        sum(fact.answer["en"] in answer["answer"] for answer in answers) == 1 for fact in said), answers


def test_an_unsubscribe_answer_offers_to_file_the_objection():
    tracker = make_tracker("how do I stop your newsletters?", "ask_unsubscribe",
                           entities=[{"entity": "organization", "value": "activpartners"}])
    messages, slots = run(ActionAnswerPolicyQuestion(), tracker)
    assert messages[-1]["response"] == "utter_offer_request" and slots["request_offered"] is True


def _read_as_a_choice(text: str, confidence: float, slugs: List[str], last: Optional[Question] = None):
    tracker = make_tracker(text, "choose_organization", confidence=confidence,
                           entities=[{"entity": "organization", "value": slug} for slug in slugs],
                           slots={"last_question": last.as_slot()} if last else None)
    tracker.latest_message["intent_ranking"] += [{"name": "ask_hosting", "confidence": 0.2}]
    return run(ActionAnswerPolicyQuestion(), tracker)


def test_a_question_on_two_organisations_read_unsure_as_a_choice_of_them_is_answered_for_each():
    messages, _ = _read_as_a_choice("Akteos et ACTA PREVENTION, ils hébergent mes données chez qui ?", 0.26,
                                    ["akteos", "acta"])
    answers = [m["answer"] for m in messages if m["response"] == "utter_policy_answer"]
    assert len(answers) == 2 and "OVH" in answers[0] and "Online" in answers[1], messages


@pytest.mark.parametrize("text, confidence", [("and at CESI, same thing?", 0.6), ("sorry, I meant CESI", 0.6),
                                              ("et chez CESI, qui ?", 0.95)])
def test_a_choice_of_organisation_that_asks_nothing_new_asks_the_last_question_there(text, confidence):
    last = Question(text="how long do you keep my CV?", intent="ask_retention", organizations=["akteos"],
                    entities=[{"entity": "data_category", "value": "candidates"}])
    messages, slots = _read_as_a_choice(text, confidence, ["cesi"], last)
    assert slots["last_question"]["intent"] == "ask_retention" and slots["last_question"]["organizations"] == ["cesi"]


@pytest.mark.parametrize("text, lang", [("which of the other four give the name of their DPO?", "en"),
                                        ("et les quatre autres organisations, elles ont un DPO ?", "fr"),
                                        ("and the other organisations?", "en")])
def test_the_other_organisations_are_every_one_the_conversation_was_not_about(text, lang):
    first = sorted(KB.organizations)[0]
    last = Question(text="Who is the data protection officer?", intent="ask_dpo", organizations=[first])
    tracker = make_tracker(text, "ask_dpo", slots={"last_question": last.as_slot(), "organization": first,
                                                   "language": lang})
    _, slots = run(ActionAnswerPolicyQuestion(), tracker)
    assert slots["last_question"]["organizations"] == [org.slug for org in KB.organizations_by_name() if org.slug != first]


def test_the_other_organisations_read_as_a_request_for_the_list_still_follow_the_last_question():
    """"et les quatre autres organisations, elles donnent un délai ?" read as "which organisations?":
    "the others" only follows a question, which is asked again for them."""
    first = sorted(KB.organizations)[0]
    last = Question(text="dans quel délai prévenez-vous en cas de violation de données ?",
                    intent="ask_breach_notification", organizations=[first])
    tracker = make_tracker("et les quatre autres organisations, elles donnent un délai ?", "list_organizations",
                           slots={"last_question": last.as_slot(), "organization": first, "language": "fr"})
    messages, slots = run(ActionAnswerPolicyQuestion(), tracker)
    assert slots["last_question"]["intent"] == "ask_breach_notification"
    assert slots["last_question"]["organizations"] == [org.slug for org in KB.organizations_by_name()
                                                       if org.slug != first]
    assert "utter_organization_list" not in [m.get("response") for m in messages]


def test_others_that_are_not_the_organisations_change_nothing():
    first = sorted(KB.organizations)[0]
    last = Question(text="Who is the data protection officer?", intent="ask_dpo", organizations=[first])
    tracker = make_tracker("do you share my data with the others?", "ask_recipients",
                           slots={"last_question": last.as_slot(), "organization": first})
    _, slots = run(ActionAnswerPolicyQuestion(), tracker)
    assert slots["last_question"]["organizations"] == [first]


def test_a_passage_filed_under_two_topics_is_said_once():
    """ACTA's backups (OVH and Online, 3 months) are a fact of retention, of hosting and of security:
    a message its words match in two of them gets the sentence once."""
    tracker = make_tracker("acta sauvegardes ?", "nlu_fallback", confidence=0.2,
                           entities=[{"entity": "organization", "value": "acta"}], slots={"language": "fr"})
    tracker.latest_message["intent_ranking"] += [{"name": "ask_security", "confidence": 0.17},
                                                 {"name": "ask_hosting", "confidence": 0.11}]
    messages, _ = run(ActionAnswerPolicyQuestion(), tracker)
    said = " ".join(m.get("answer") or "" for m in messages)
    assert said.count("3 mois") == 1, messages
