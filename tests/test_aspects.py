"""Aspect-level answers: the aspect asked selects its facts, a silence is said with the nearest rule,
a data category the policy gives nothing for is named as such, organisations are compared on the
periods their policies state, and short follow-ups stay in the conversation's topic.

Questions are built as the NLU hands them over (intent and aspect rankings), so these hold for any
wording the classifiers read the same way; the expected facts come from the knowledge files.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from knowledge.answering import answer_question
from knowledge.clauses import other_questions, unplaced_clauses
from knowledge.follow_up import follow_up
from knowledge.comparison import compare
from knowledge.loading import load_knowledge_base
from knowledge.organizations import named_in_text, organizations_asked, picked_out, remembered_with
from knowledge.phrases import question_phrases
from knowledge.question import Question, aspect_name
from knowledge.rendering import render_comparison, render_selection
from knowledge.selection import selection_for

KB = load_knowledge_base()
ROOT = Path(__file__).resolve().parent.parent
ORDERINGS = {ordering.name: ordering for ordering in question_phrases().orderings}
CASES = [(slug, topic, aspect) for slug, org in KB.organizations.items() for topic, spec in KB.topics.items()
         for aspect in spec.aspects]


def asked(text: str, topic: str, aspect: str, category: str = None) -> Question:
    entities = [{"entity": "data_category", "value": category}] if category else []
    return Question(text=text, intent=f"ask_{topic}", intent_ranking=[{"name": f"ask_{topic}", "confidence": 0.9}],
                    entities=entities, aspect_ranking=[{"name": aspect_name(topic, aspect), "confidence": 0.8}])


@pytest.mark.parametrize("slug,topic,aspect", CASES)
def test_every_aspect_gets_its_facts_or_the_policy_silence_with_its_nearest_rule(slug, topic, aspect):
    org = KB.organizations[slug]
    selection = selection_for(KB, org, asked("?", topic, aspect))
    silence = org.silence(topic, aspect)
    if org.facts_for(topic, aspect) and not (silence and silence.aspect is None):
        assert not selection.silent
        assert selection.facts and all(aspect in fact.aspects and fact.topic == topic for fact in selection.facts)
    else:
        assert selection.silent and silence is not None
        assert [fact.id for fact in selection.facts] == list(silence.nearest)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_silent_aspect_is_named_then_the_nearest_rule_is_given_with_its_source(lang):
    org, silence = next((org, entry) for org in KB.organizations.values() for entry in org.silences
                        if entry.aspect and entry.nearest)
    rendered = answer_question(KB, org, asked("?", silence.topic, silence.aspect), lang)
    silent, nearest = rendered.replies
    assert silent.response == "utter_policy_silent"
    assert silent.variables["topic"] == KB.topics[silence.topic].aspects[silence.aspect].label[lang]
    assert nearest.response == "utter_policy_nearest"
    assert all(org.fact(fact_id).answer[lang] in nearest.variables["answer"] for fact_id in silence.nearest)
    assert rendered.sources[:len(silence.nearest)] == [f"{org.slug}/{fact_id}" for fact_id in silence.nearest]


@pytest.mark.parametrize("slug", sorted(KB.organizations))
def test_a_data_category_the_policy_gives_no_period_for_is_named_as_such(slug):
    org = KB.organizations[slug]
    for category in KB.data_categories:
        facts = [f for f in org.facts_for("retention") if f.category == category]
        rendered = answer_question(KB, org, asked("?", "retention", "period", category), "en")
        first = rendered.replies[0]
        if facts:
            assert first.response == "utter_policy_answer"
            assert all(any(f.answer["en"] in first.variables["answer"] for f in facts[:1]) for _ in [0])
        else:
            assert first.response == "utter_policy_silent_category"
            assert first.variables["category"] == KB.data_categories[category].label["en"]


def test_organisations_are_ranked_by_the_periods_their_policies_state():
    orgs = KB.organizations_by_name()
    question = asked("which one keeps prospect data the longest?", "retention", "period", "prospects")
    longest, shortest = compare(KB, orgs, question, ORDERINGS["longest"]), compare(KB, orgs, question, ORDERINGS["shortest"])
    days = [fact.duration.in_days for _, fact in longest.ranked]
    assert days == sorted(days, reverse=True) and len(days) >= 2
    assert [org for org, _ in shortest.ranked] == [org for org, _ in longest.ranked][::-1] or \
        [f.duration.in_days for _, f in shortest.ranked] == sorted(days)
    for org, fact in longest.ranked:
        assert fact.category == "prospects" and fact.duration
    # Every organisation is either ranked or named as stating no period: none is left out, none guessed.
    assert {o.slug for o, _ in longest.ranked} | {o.slug for o in longest.without_figure} == {o.slug for o in orgs}
    for org in longest.without_figure:
        assert not [f for f in org.facts_for("retention") if f.category == "prospects" and f.duration]


@pytest.mark.parametrize("text, several, expected", [
    ("which organisation keeps prospect data the longest?", False, "longest"),
    ("lequel garde les CV le plus longtemps ?", False, "longest"),
    ("who answers the fastest", False, "shortest"),
    ("quel organisme répond le plus rapidement, enfin le plus vite ?", False, "shortest"),
    ("which policy is the oldest?", False, "oldest"),
    ("quelle est la politique la plus récente ?", False, "newest"),
    ("how long do you keep my data?", False, None),
    ("combien de temps gardez-vous mes données ?", False, None),
    # A comparative compares only the organisations a message names: "no longer" alone compares nothing.
    ("whose cookies last longer, Akteos's or Cartesia's?", True, "longest"),
    ("le CESI garde-t-il mes données plus longtemps qu'Akteos ?", True, "longest"),
    ("la charte d'ACTA est-elle plus ancienne que celle d'Akteos ?", True, "oldest"),
    ("what happens to my data when I am no longer a trainee?", False, None),
])
def test_rankings_are_read_in_both_languages(text, several, expected):
    ordering = question_phrases().ordering(text, several_named=several)
    assert (ordering.name if ordering else None) == expected


def test_every_ranking_has_its_replies_in_both_languages():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    for ordering in question_phrases().orderings:
        for response in (f"utter_comparison_{ordering.name}", f"utter_comparison_without_{ordering.measure}",
                         "utter_comparison_tie"):
            languages = {c["value"] for variant in domain[response] for c in variant.get("condition", [])}
            assert languages == {"en", "fr"}, response


def test_organisations_stating_the_same_figure_are_said_to_tie():
    """"Which one keeps prospect data longer?" when both policies say three years: both are named as
    stating the same figure; a ranking with a clear first names no tie."""
    question = asked("which one keeps prospect data longer?", "retention", "period", "prospects")
    orgs = [KB.organizations["cesi"], KB.organizations["acta"]]
    comparison = compare(KB, orgs, question, ORDERINGS["longest"])
    figures = {fact.figure("duration") for _, fact in comparison.ranked}
    assert len(comparison.ranked) == 2 and len(figures) == 1  # the policies' own figures tie
    ties = [reply for reply in render_comparison(comparison, ORDERINGS["longest"], "en").replies
            if reply.response == "utter_comparison_tie"]
    assert [reply.variables["organizations"] for reply in ties] == ["CESI, ACTA PREVENTION"]
    clear = compare(KB, [KB.organizations["cesi"], KB.organizations["cartesia"]],
                    asked("which keeps trainee data longer?", "retention", "period", "trainees"), ORDERINGS["longest"])
    assert "utter_comparison_tie" not in [r.response for r in render_comparison(clear, ORDERINGS["longest"], "en").replies]


def test_policies_are_ranked_by_the_dates_they_state():
    orgs = KB.organizations_by_name()
    question = asked("which organisation has the oldest policy?", "policy_date", "date")
    oldest = compare(KB, orgs, question, ORDERINGS["oldest"])
    dates = [fact.date for _, fact in oldest.ranked]
    assert len(dates) >= 2 and dates == sorted(dates)
    # A policy that gives no date is named as such.
    for org in oldest.without_figure:
        assert not [f for f in org.facts_for("policy_date") if f.date]
    assert [o for o, _ in compare(KB, orgs, question, ORDERINGS["newest"]).ranked] == [o for o, _ in oldest.ranked][::-1]


def test_a_comparison_finds_the_aspect_with_figures_when_the_one_read_has_none():
    orgs = [KB.organizations["akteos"], KB.organizations["cartesia"]]
    # Read as the kinds of cookies, which state no period: the lifetimes are compared.
    question = asked("whose cookies last longer, Akteos's or Cartesia's?", "cookies", "kinds")
    longest = compare(KB, orgs, question, ORDERINGS["longest"])
    assert [org.slug for org, _ in longest.ranked] == ["cartesia", "akteos"]
    assert all(fact.topic == "cookies" and fact.duration for _, fact in longest.ranked)


@pytest.mark.parametrize("text, every", [
    ("what are the response delays of all five?", True),
    ("et pour les cinq organismes ?", True),
    ("compare each organisation's cookies", True),
    ("do you keep all my data?", False),
    ("tous mes droits ?", False),
    # Five counted things are not the five organisations.
    ("After the five years, Activ'partners archives my data. How long is that extra period?", False),
    ("les cinq ans de conservation, ils commencent quand ?", False),
    ("which of the five keeps it the longest?", True),
])
def test_a_question_about_every_organisation_is_recognised(text, every):
    assert question_phrases().asks_all_organizations(text) is every


def _parsed(text, intent, confidence, aspects, others=()):
    return Question(text=text, intent=intent, intent_ranking=[{"name": intent, "confidence": confidence},
                                                              *({"name": n, "confidence": c} for n, c in others)],
                    aspect_ranking=[{"name": name, "confidence": c} for name, c in aspects])


def test_a_short_follow_up_stays_in_the_conversation_topic_when_it_is_likely_enough():
    last = asked("which analytics tools put cookies on my computer?", "cookies", "tools")
    # "how long do they last?" alone reads as retention, but cookie lifetime is a close second.
    message = _parsed("how long do they last?", "ask_retention", 0.55,
                      [("retention.period", 0.6), ("cookies.lifetime", 0.3), ("response_delay.delay", 0.1)],
                      others=[("ask_cookies", 0.2), ("ask_response_delay", 0.1)])
    resolved = follow_up(message, last, KB)
    assert resolved.topic(KB.topics) == "cookies" and resolved.aspect("cookies") == "lifetime"


def test_a_clear_new_question_is_not_bent_into_the_last_topic():
    last = asked("which analytics tools put cookies on my computer?", "cookies", "tools")
    message = _parsed("who is the DPO?", "ask_dpo", 0.95, [("dpo.exists", 0.9), ("cookies.tools", 0.02)])
    assert follow_up(message, last, KB).topic(KB.topics) == "dpo"
    long_message = _parsed("and how long do you keep the data of people who registered for a course?",
                           "ask_retention", 0.6, [("retention.period", 0.5), ("cookies.lifetime", 0.4)])
    assert follow_up(long_message, last, KB) is long_message


def test_a_short_follow_up_keeps_the_data_category_of_the_last_question():
    last = asked("where are ACTA's backups stored?", "hosting", "providers", "backups")
    message = _parsed("et combien de temps elles sont gardées ?", "ask_retention", 0.9,
                      [("retention.period", 0.9)])
    resolved = follow_up(message, last, KB)
    assert resolved.topic(KB.topics) == "retention" and resolved.data_category(KB.data_categories) == "backups"
    prospects = Question(text="et pour les prospects ?", intent="ask_retention",
                         intent_ranking=[{"name": "ask_retention", "confidence": 0.9}],
                         entities=[{"entity": "data_category", "value": "prospects"}])
    assert follow_up(prospects, last, KB).data_category(KB.data_categories) == "prospects"


def test_a_follow_up_keeping_the_category_is_read_where_it_is_answered_per_category():
    """"how long are they kept there?" after where the backups are: read first as cookie lifetimes,
    retention nearly as likely; "they" are the backups, and their period is answered."""
    last = asked("where does ACTA store its backups?", "hosting", "providers", "backups")
    message = _parsed("how long are they kept there?", "ask_cookies", 0.55,
                      [("cookies.lifetime", 0.55), ("retention.period", 0.42)], others=[("ask_retention", 0.42)])
    resolved = follow_up(message, last, KB)
    assert resolved.topic(KB.topics) == "retention" and resolved.data_category(KB.data_categories) == "backups"
    answer = answer_question(KB, KB.organizations["acta"], resolved, "en").replies[0].variables["answer"]
    assert "3 months" in answer
    # Sure of its own reading, or staying in the last topic: not bent.
    sure = _parsed("how long are they kept there?", "ask_cookies", 0.9,
                   [("cookies.lifetime", 0.9)], others=[("ask_retention", 0.05)])
    assert follow_up(sure, last, KB).topic(KB.topics) == "cookies"
    cookies = asked("which cookies do you use?", "cookies", "kinds", "cookies")
    assert follow_up(message, cookies, KB).topic(KB.topics) == "cookies"


def test_a_short_follow_up_keeps_a_category_the_last_question_named_untagged_or_described():
    """"pour l'égalité des chances, quels documents ?" (no tag, the category's words), or a described
    category, then "ils gardent ça combien de temps ?": the period asked is the category's."""
    message = _parsed("ils gardent ça combien de temps ?", "ask_retention", 0.9, [("retention.period", 0.9)])
    named = asked("pour le programme égalité des chances, quels documents ?", "data_collected", "documents")
    assert follow_up(message, named, KB).data_category(KB.data_categories) == "equal_opportunity"
    described = replace(asked("I only asked for a brochure, never signed up", "data_collected", "categories"),
                        category_ranking=[{"name": "prospects", "confidence": 0.9}])
    assert follow_up(message, described, KB).data_category(KB.data_categories) == "prospects"


def test_a_follow_up_describing_another_category_asks_the_last_question_about_that_one():
    """"Cartesia garde les cookies combien de temps ?" then "and if I only asked for info and never
    enrolled?": the category is the one the follow-up describes, not the cookies asked before."""
    last = asked("Cartesia garde les cookies combien de temps ?", "retention", "period", "cookies")
    message = replace(_parsed("and if I only asked for info and never enrolled?", "ask_retention", 0.8,
                              [("retention.period", 0.9)]),
                      category_ranking=[{"name": "prospects", "confidence": 0.9}])
    resolved = follow_up(message, last, KB)
    assert resolved.data_category(KB.data_categories) == "prospects"
    assert [fact.category for fact in selection_for(KB, KB.organizations["cartesia"], resolved).facts] == ["prospects"]


def test_a_follow_up_naming_a_category_keeps_its_own_aspect_when_sure_of_it():
    """"what data does Activ'partners collect about participants?" then "and info about a
    disability?": the sensitive data collected (kept until the end of the training); "and about
    clients?" (no aspect of its own) asks the categories again."""
    last = asked("what data does Activ'partners collect about training participants?", "data_collected",
                 "categories", "trainees")
    disability = _parsed("and info about a disability?", "ask_data_collected", 0.96,
                         [("data_collected.sensitive", 0.95), ("data_collected.categories", 0.03)])
    resolved = follow_up(disability, last, KB)
    assert resolved.aspect("data_collected") == "sensitive"
    facts = selection_for(KB, KB.organizations["activpartners"], resolved).facts
    assert [fact.id for fact in facts] == ["activpartners-data_collected-disability"]
    clients = _parsed("and about clients?", "ask_data_collected", 0.9,
                      [("data_collected.categories", 0.5), ("data_collected.when", 0.4)])
    assert follow_up(clients, last, KB).aspect("data_collected") == "categories"


@pytest.mark.parametrize("text, intent, follows", [
    ("how?", "out_of_scope", True),
    ("and why?", "nlu_fallback", True),
    ("pourquoi ?", "nlu_fallback", True),
    ("comment ?", "out_of_scope", True),
    ("how do I bake bread?", "out_of_scope", False),
    ("how?", "help", False),
    # "why?" read as a yes reaches the answer action as nlu_fallback (the small-talk guard).
    ("why?", "nlu_fallback", True),
    # Read in a topic, a short question keeps it ("how long?" after cookies: their lifetime).
    ("how long?", "ask_retention", False),
])
def test_a_bare_question_word_after_an_answer_asks_about_that_answer(text, intent, follows):
    last = asked("can I refuse your cookies?", "cookies", "consent")
    message = Question(text=text, intent=intent, intent_ranking=[{"name": intent, "confidence": 0.4}])
    assert (follow_up(message, last, KB).intent == "ask_cookies") is follows


def test_a_follow_up_on_another_category_after_a_cookie_lifetime_asks_that_categorys_period():
    """"Cartesia garde les cookies combien de temps ?" (the cookies' lifetime) then "et mes infos
    d'inscription à une formation ?": the retention period of that data, not the cookies again."""
    last = asked("Cartesia garde les cookies combien de temps ?", "cookies", "lifetime", "cookies")
    message = _parsed("et mes infos d'inscription à une formation ?", "ask_retention", 0.86, [("retention.period", 0.9)])
    resolved = follow_up(message, last, KB)
    assert resolved.topic(KB.topics) == "retention" and resolved.data_category(KB.data_categories) == "trainees"
    facts = selection_for(KB, KB.organizations["cartesia"], resolved).facts
    assert facts and {fact.category for fact in facts} == {"trainees"}


@pytest.mark.parametrize("text, tagged, expected", [
    ("I'm not a customer yet, how long do you keep my details?", "customers", "prospects"),
    ("si je deviens jamais client, mes coordonnées restent chez vous combien d'années ?", None, "prospects"),
    ("je n'ai jamais été client, vous gardez mes infos ?", None, "prospects"),
    ("je n'ai pas de compte client, combien de temps ?", None, "prospects"),
    ("I'm no longer a customer, how long do you keep my data?", None, "customers"),
    ("je ne suis plus client, combien de temps gardez-vous mes données ?", None, "customers"),
    ("vous ne gardez pas les données clients plus de 5 ans ?", None, "customers"),
    ("how long do you keep customer data?", "customers", "customers"),
    ("I'm not a student, how long do you keep my data?", None, None),
    # The diploma denied, the training named: the trainee's file (its period, not the diploma's).
    ("I finished my training and didn't get any diploma, how long do you keep my file?", None, "trainees"),
    ("je n'ai pas eu de diplôme, vous gardez mon dossier combien de temps ?", None, None),
    ("I'm not a student yet, I only asked for a brochure", "trainees", "prospects"),  # the next category read
])
def test_a_category_the_person_denies_being_in_reads_as_the_one_meant(text, tagged, expected):
    """"Not a customer (yet)", "jamais été client": a prospect; "no longer a customer" is still one;
    a negation of the verb ("vous ne gardez pas les données clients") denies no category."""
    entities = [{"entity": "data_category", "value": tagged}] if tagged else []
    described = [{"name": "prospects", "confidence": 0.8}] if "brochure" in text else []
    assert Question(text=text, intent="ask_retention", entities=entities,
                    category_ranking=described).data_category(KB.data_categories) == expected


def test_every_category_meant_by_a_denial_is_a_known_data_category():
    meant = {category.when_negated for category in KB.data_categories.values()} - {None}
    assert meant and meant <= set(KB.data_categories)


@pytest.mark.parametrize("text, entities, expected", [
    ("et les données du programme de prévention ?", [{"entity": "data_category", "value": "programme de"}],
     "prevention_program"),
    ("et dans vos sauvegardes, mes données restent combien de temps ?", [], "backups"),
    ("how long is my CV kept?", [], "candidates"),
    ("sorry, I meant the HR people who order the courses", [], "customers"),   # those who order for others
    ("et pour les prescripteurs ?", [], "customers"),
    ("I entered your prize draw last month. How long do you keep my details?", [], "prospects"),
    ("how long do you keep my data?", [], None),
    ("comment supprimer mes données ?", [], None),
])
def test_a_data_category_the_tagger_missed_is_read_from_its_words(text, entities, expected):
    question = Question(text=text, intent="ask_retention", entities=entities)
    assert question.data_category(KB.data_categories) == expected


@pytest.mark.parametrize("text, intent, follows", [
    ("et pour les prospects ?", "ask_unsubscribe", True),
    ("and CVs at CESI?", "ask_recipients", True),
    ("what about diplomas?", "ask_retention", True),
    ("can I refuse cookies?", "ask_cookies", False),
    ("who sees my CV?", "ask_recipients", False),
])
def test_a_message_naming_only_a_data_category_asks_the_last_question_about_it(text, intent, follows):
    last = asked("how long does Akteos keep trainee data?", "retention", "period", "trainees")
    message = Question(text=text, intent=intent, intent_ranking=[{"name": intent, "confidence": 0.9}])
    resolved = follow_up(message, last, KB)
    assert (resolved.intent == "ask_retention") is follows


def test_asking_which_body_to_complain_to_is_not_a_question_about_every_organisation():
    assert not question_phrases().asks_which_organization(
        "si je suis pas content, je fais une reclamation aupres de quel organisme ?")


def _slugs(text, last_text=None, website=None, intent="ask_response_delay"):
    last = None
    if last_text:
        last = Question(text=last_text, intent="ask_dpo",
                        entities=[{"entity": "organization", "value": s} for s in named_in_text(KB, last_text)])
    return organizations_asked(KB, Question(text=text, intent=intent), last,
                               {"organization": website} if website else None, None)


EVERY = [org.slug for org in KB.organizations_by_name()]


@pytest.mark.parametrize("text, last_text, website, expected", [
    # "each of them" after a question on two organisations: those two, in either language.
    ("and how long does each of them take to reply?", "Who are the DPOs of CESI and ACTA PREVENTION?", None,
     ["cesi", "acta"]),
    ("et les deux répondent en combien de temps ?", "qui sont les DPO d'Akteos et de Cartesia ?", "cesi",
     ["akteos", "cartesia"]),
    # After a question on one organisation, "each of them" is every organisation, "both" changes nothing.
    ("and how long does each of them take to reply?", "who is Akteos's DPO?", None, EVERY),
    ("can I use both rights?", "who is Akteos's DPO?", "akteos", ["akteos"]),
    # "which organisation …" at the start asks about every one; named organisations are kept.
    ("Which organisation commits to notifying a data breach within hours?", None, "akteos", EVERY),
    ("quel organisme a la politique la plus ancienne ?", None, None, EVERY),
    ("which organisation, Akteos or CESI, answers faster?", None, None, ["akteos", "cesi"]),
    # "à quel organisme" asks for an authority: the website's organisation answers.
    ("si je suis pas content, je me plains à quel organisme ?", None, "cartesia", ["cartesia"]),
    ("how long do you keep my data?", None, "cesi", ["cesi"]),
])
def test_the_organisations_a_question_is_about(text, last_text, website, expected):
    assert _slugs(text, last_text, website) == expected


@pytest.mark.parametrize("text, website, expected", [
    ("which company is actually behind this site's privacy policy?", "cartesia", ["cartesia"]),
    ("quelle entreprise est responsable de mes données ?", "acta", ["acta"]),
    ("which company is the data controller, Akteos or CESI?", None, ["akteos", "cesi"]),
])
def test_which_company_on_the_controller_asks_who_the_organisation_is(text, website, expected):
    assert _slugs(text, None, website, intent="ask_controller") == expected


@pytest.mark.parametrize("text, current, website, expected", [
    ("compare avec Cartesia", "akteos", "cesi", ["akteos", "cartesia"]),
    ("and how does that compare with CESI?", None, "acta", ["acta", "cesi"]),
    ("et par rapport à ACTA ?", "acta", "cesi", ["acta"]),
    ("and at CESI?", "akteos", None, ["cesi"]),
])
def test_compare_with_another_organisation_keeps_the_conversations_own(text, current, website, expected):
    assert organizations_asked(KB, Question(text=text, intent="choose_organization"), None,
                               {"organization": website} if website else None, current) == expected


def test_a_question_of_its_own_that_names_a_category_is_not_bent_into_the_last_question():
    last = asked("est-ce que vous utilisez des cookies ?", "cookies", "kinds", "cookies")
    message = Question(text="how long do you keep my CV and who can see it?", intent="ask_retention",
                       intent_ranking=[{"name": "ask_retention", "confidence": 0.8}],
                       entities=[{"entity": "data_category", "value": "candidates"}])
    assert follow_up(message, last, KB).intent == "ask_retention"
    for text in ("and the data about my diploma?", "what about CVs?", "et pour les prospects ?"):
        message = Question(text=text, intent="ask_data_collected",
                           intent_ranking=[{"name": "ask_data_collected", "confidence": 0.5}])
        assert follow_up(message, last, KB).intent == "ask_cookies", text


@pytest.mark.parametrize("text", ["no, I meant the customers' data", "non, je parlais des données des clients",
                                  "sorry, I was asking about customers", "pardon, je voulais dire les clients"])
def test_a_correction_of_the_data_category_asks_the_last_question_about_it(text):
    """"Combien de temps ACTA garde les CV ?" then "non, je parlais des données des clients": the retention
    of customers' data, not the topic the correction alone reads as."""
    last = _answered_at(asked("Combien de temps ACTA garde les CV ?", "retention", "period", "candidates"), "acta")
    message = Question(text=text, intent="ask_recipients", intent_ranking=[{"name": "ask_recipients", "confidence": 0.6}],
                       entities=[{"entity": "data_category", "value": "customers"}],
                       aspect_ranking=[{"name": "recipients.sale", "confidence": 0.5}])
    read = follow_up(message, last, KB)
    assert read.intent == "ask_retention" and read.data_category(KB.data_categories) == "customers"
    # A plain "no" before a question of its own is no correction: that question is read.
    own = replace(message, text="no, and who do you share my customer data with?")
    assert follow_up(own, last, KB).intent == "ask_recipients"


@pytest.mark.parametrize("text, entities, category", [
    # A situation told without a question, naming a category (in its language "comment" asks nothing).
    ("I'm not a customer yet, I only left a comment on your website",
     [{"entity": "data_category", "value": "logs"}, {"entity": "language", "value": "en"}], "logs"),
    # A situation told, then "what about me?".
    ("I'm not a student yet actually, I just asked for a brochure. what about me?",
     [{"entity": "data_category", "value": "prospects"}], "prospects"),
    ("je n'ai jamais été inscrit, j'ai juste demandé une brochure, et moi ?",
     [{"entity": "data_category", "value": "prospects"}], "prospects"),
])
def test_a_situation_told_after_an_answer_asks_the_last_question_about_it(text, entities, category):
    last = _answered_at(asked("how long do you keep my data after my training?", "retention", "period", "trainees"),
                        "akteos")
    message = Question(text=text, intent="ask_data_collected",
                       intent_ranking=[{"name": "ask_data_collected", "confidence": 0.6}], entities=entities,
                       aspect_ranking=[{"name": "data_collected.categories", "confidence": 0.6}])
    read = follow_up(message, last, KB)
    assert read.intent == "ask_retention" and read.data_category(KB.data_categories) == category
    # Asking a question of its own ("what do you collect?"), it is read as that question.
    own = replace(message, text="I'm not a customer yet, I only left a comment: what do you collect about me?")
    assert follow_up(own, last, KB).intent == "ask_data_collected"


def _sure(text: str, topic: str, aspect: str, category: str, confidence: float) -> Question:
    return Question(text=text, intent=f"ask_{topic}", intent_ranking=[{"name": f"ask_{topic}", "confidence": confidence}],
                    entities=[{"entity": "data_category", "value": category}],
                    aspect_ranking=[{"name": aspect_name(topic, aspect), "confidence": confidence}])


@pytest.mark.parametrize("text, sure, asks_its_own", [
    # Sure of another topic, and more than a category: its own question.
    ("and the other kinds of cookies?", 0.99, True),
    ("et les autres types de cookies ?", 0.95, True),
    # Only a category, or not sure of its topic: the last question, about that category.
    ("and cookies?", 0.99, False),
    ("and the other kinds of cookies?", 0.6, False),
])
def test_a_follow_up_sure_of_another_topic_asks_its_own_question(text, sure, asks_its_own):
    last = asked("where are those social networks based?", "recipients", "location")
    read = follow_up(_sure(text, "cookies", "kinds", "cookies", sure), last, KB)
    assert (read.intent == "ask_cookies") is asks_its_own and read.data_category(KB.data_categories) == "cookies"


@pytest.mark.parametrize("text, count", [
    ("how long do you keep my CV and who can see it?", 2),
    ("Combien de temps gardez-vous mes données ? Et où sont-elles hébergées ?", 2),
    ("what cookies do you use, and can I refuse them?", 2),
    ("qui est le DPO et comment le contacter ?", 2),
    # A short opener goes with the question after it.
    ("sorry, can you answer in English? does CESI sell my data?", 2),
    ("ok, and where are my backups stored?", 1),
    # One question: lists, alternatives and short tails are not cut.
    ("do you keep my name, address and phone number?", 1),
    ("et pour les prospects ou les clients ?", 1),
    ("how long and where is my data kept?", 1),
    ("combien de temps ?", 1),
    # What happened, then the question about it: one question, read with its context.
    ("I sent my resume for a job and didn't get hired, how long will they hold on to it?", 1),
    ("j'ai fini ma formation l'an dernier et je suis parti, combien de temps gardez-vous mes notes ?", 1),
    ("my data is with you, where is it stored?", 1),
    # "When I …" says when, it does not ask ("when do I …" would).
    ("when i email the DPO about my data, do i have to attach a copy of my passport?", 1),
    ("quand j'envoie ma demande au DPO, je dois joindre une pièce d'identité ?", 1),
    ("when do you delete my data, and who can see it?", 2),
    ("when i signed up, what did you collect? and who sees it?", 2),
    # An indirect question asks, wherever its question word stands.
    ("I'd like to know how long you keep my CV, and who can see it?", 2),
    ("do you sell my data, and where is it stored?", 2),
    # Each "?" ends a question, with a question word or not; a word or two before it is context.
    ("on what legal basis do you use my data? and can I object to it?", 2),
    ("sur quelle base legale vous traitez mes infos ? et je peux m'y opposer ?", 2),
    ("Akteos? they keep my CV how long?", 1),
    # After "and"/"et", a condition or a "whether" opens another question.
    ("à qui j'écris pour faire effacer mes données, et si ça ne bouge pas je peux me plaindre où ?", 2),
    ("tell me how long you keep my CV and whether you share it", 2),
    ("combien de temps gardez-vous mon CV si je ne suis pas pris ?", 1),
    # A question after what sets the scene, or by French inversion; "et où" without its accent.
    ("those share buttons on your site — do they drop cookies, and where are those companies based?", 2),
    ("pourriez-vous me dire ce que ce prestataire reçoit, et où il est établi ?", 2),
    ("conservent-ils mes données, et qui peut les voir ?", 2),
    ("je pense que vous gardez mes données, et combien de temps ?", 1),
])
def test_a_message_asking_several_questions_is_cut_into_them(text, count):
    assert len(question_phrases().clauses(text)) == count


def test_each_question_of_a_message_gets_its_answer():
    message = Question(text="how long do you keep my CV and who can see it?", intent="ask_retention",
                       entities=[{"entity": "data_category", "value": "candidates"}],
                       parts=[{"text": "how long do you keep my cv",
                               "aspect_ranking": [{"name": "retention.period", "confidence": 0.9}]},
                              {"text": "who can see it?",
                               "aspect_ranking": [{"name": "security.organisational", "confidence": 0.6},
                                                  {"name": "recipients.who", "confidence": 0.3}]}])
    others = other_questions(message, KB)
    assert [other.topic(KB.topics) for other in others] == ["security"]
    assert others[0].data_category(KB.data_categories) == "candidates"
    # A clause on the message's own topic adds nothing; one the classifier places nowhere is read by
    # its words alone, and "if i leave" names no fact.
    unsure = Question(text="x", intent="ask_retention", parts=[
        {"text": "if i leave", "aspect_ranking": [{"name": "rights_list.erasure", "confidence": 0.3}]},
        {"text": "how long do you keep it", "aspect_ranking": [{"name": "retention.period", "confidence": 0.9}]}])
    assert other_questions(unsure, KB) == []
    [vague] = unplaced_clauses(unsure, KB)
    assert vague.topic(KB.topics) is None
    assert all(answer_question(KB, org, vague, "en") is None for org in KB.organizations.values())


def _security_question(parts):
    return Question(text="x", intent="ask_security", aspect_ranking=[
        {"name": "security.organisational", "confidence": 0.64}, {"name": "security.technical", "confidence": 0.19}],
        parts=parts)


def test_a_clause_on_another_aspect_of_the_same_topic_is_a_question_of_its_own():
    """"Akteos chiffre mes données ? et qui chez eux peut les consulter ?": the message reads as access
    only; its first clause asks about encryption, and gets that answer too."""
    message = _security_question([
        {"text": "akteos chiffre mes donnees", "aspect_ranking": [{"name": "security.technical", "confidence": 0.97}]},
        {"text": "qui chez eux peut les consulter ?",
         "aspect_ranking": [{"name": "security.organisational", "confidence": 0.96}]}])
    [encryption] = other_questions(message, KB)
    assert encryption.topic(KB.topics) == "security" and encryption.aspect("security") == "technical"
    answer = answer_question(KB, KB.organizations["akteos"], encryption, "fr")
    assert "chiffrement" in answer.replies[0].variables["answer"]
    # A clause unsure of its aspect, or on the aspect the message already asks, adds nothing.
    unsure = _security_question([
        {"text": "akteos chiffre mes donnees", "aspect_ranking": [{"name": "security.technical", "confidence": 0.3}]},
        {"text": "qui peut les consulter chez eux ?",
         "aspect_ranking": [{"name": "security.organisational", "confidence": 0.96}]}])
    assert other_questions(unsure, KB) == []


def test_a_clause_first_read_in_the_message_topic_is_no_other_question():
    """"why do u collect my data?? what's it used for": both clauses ask about purposes (the first one's
    likeliest aspect), though what is collected adds up to more in the first (0.31 + 0.23)."""
    def part(text, ranking):
        return {"text": text, "aspect_ranking": [{"name": name, "confidence": c} for name, c in ranking]}
    message = Question(text="why do u collect my data?? what's it used for", intent="ask_purposes",
                       intent_ranking=[{"name": "ask_purposes", "confidence": 0.99}],
                       aspect_ranking=[{"name": "purposes.overview", "confidence": 0.98}],
                       parts=[part("why do u collect my data", [("purposes.overview", 0.42),
                                                                ("data_collected.categories", 0.31),
                                                                ("data_collected.when", 0.23)]),
                              part("what's it used for", [("purposes.overview", 0.53)])])
    assert other_questions(message, KB) == []
    # First read in another topic, it is another question.
    message.parts[0] = part("and what do you collect", [("data_collected.categories", 0.55),
                                                        ("purposes.overview", 0.3)])
    assert [other.topic(KB.topics) for other in other_questions(message, KB)] == ["data_collected"]


def test_a_clause_naming_another_data_category_asks_the_same_question_about_it():
    message = Question(text="how long will the data on our trainees be kept, and what about the invoices?",
                       intent="ask_retention", entities=[{"entity": "data_category", "value": "trainees"}],
                       aspect_ranking=[{"name": "retention.period", "confidence": 0.94}],
                       parts=[{"text": "how long will the data on our trainees be kept",
                               "aspect_ranking": [{"name": "retention.period", "confidence": 0.95}]},
                              {"text": "what about the invoices?",
                               "aspect_ranking": [{"name": "help", "confidence": 0.1}]}])
    [invoices] = other_questions(message, KB)
    assert invoices.topic(KB.topics) == "retention"
    assert invoices.data_category(KB.data_categories) == "legal_documents"
    # Both clauses on the message's own category: one question.
    same = replace(message, parts=[message.parts[0], {"text": "and how long for trainees after that?",
                                                      "aspect_ranking": [{"name": "retention.period", "confidence": 0.9}]}])
    assert other_questions(same, KB) == []


def test_a_clause_placed_in_no_topic_is_answered_by_the_fact_it_names():
    message = Question(text="who is netopen and why do they have my data??", intent="nlu_fallback", parts=[
        {"text": "who is netopen", "aspect_ranking": [{"name": "controller.identity", "confidence": 0.24}]},
        {"text": "why do they have my data??", "aspect_ranking": [{"name": "purposes.overview", "confidence": 0.68}]}])
    [purposes] = other_questions(message, KB)
    assert purposes.topic(KB.topics) == "purposes"
    [named] = unplaced_clauses(message, KB)
    answer = answer_question(KB, KB.organizations["activpartners"], named, "en")
    assert answer is not None and "Netopen" in answer.replies[0].variables["answer"]


def test_asking_for_the_other_end_of_a_ranking_asks_the_last_question_again():
    last = asked("which organisation replies the fastest?", "response_delay", "delay")
    message = Question(text="and the slowest?", intent="nlu_fallback")
    resolved = follow_up(message, last, KB)
    assert resolved.topic(KB.topics) == "response_delay"
    assert question_phrases().ordering(resolved.text, several_named=False).name == "longest"
    assert organizations_asked(KB, resolved, last, {"organization": "cesi"}, None) == EVERY


def test_the_organisation_chosen_in_the_conversation_wins_over_the_websites():
    # On Cartesia's website, after "and at Akteos?", "can I refuse them?" is about Akteos.
    question = Question(text="can I refuse them?", intent="ask_cookies")
    assert organizations_asked(KB, question, None, {"organization": "cartesia"}, "akteos") == ["akteos"]
    assert organizations_asked(KB, question, None, {"organization": "cartesia"}, None) == ["cartesia"]


def test_a_fact_from_another_topic_joins_only_for_a_part_left_out_that_the_classifier_finds_likely():
    org = KB.organizations["cesi"]
    text = "c'est quoi le numero de telephone du CESI pour les questions sur les cookies ?"
    question = asked(text, "cookies", "kinds")
    supported = replace(question, intent_ranking=question.intent_ranking + [
        {"name": "ask_rights_contact", "confidence": 0.08}])
    assert all(fact.topic == "cookies" for fact in selection_for(KB, org, question).facts)
    joined = selection_for(KB, org, supported).facts
    assert any(fact.topic == "rights_contact" and "92 00" in fact.answer["fr"] for fact in joined)


def test_a_fact_elsewhere_that_the_words_name_far_better_leads_the_answer_when_its_topic_is_likely():
    org = KB.organizations["cesi"]
    text = "do you have Facebook or Instagram buttons on your site?"
    question = asked(text, "recipients", "third_parties")
    likely = replace(question, intent_ranking=question.intent_ranking + [{"name": "ask_cookies", "confidence": 0.13}])
    assert all(fact.topic == "recipients" for fact in selection_for(KB, org, question).facts)
    led = selection_for(KB, org, likely).facts
    assert led[0].topic == "cookies" and "Facebook" in led[0].answer["en"] and len(led) <= 3
    assert any(fact.topic == "recipients" for fact in led)  # the classifier's reading still answers after it
    # Words that name the facts chosen as well as any other do not move the answer.
    plain = asked("who receives my data?", "recipients", "who")
    plain = replace(plain, intent_ranking=plain.intent_ranking + [{"name": "ask_cookies", "confidence": 0.13}])
    assert all(fact.topic == "recipients" for fact in selection_for(KB, org, plain).facts)
    # Nor do common words that happen to be rarer in another topic ("how long" among cookie facts).
    kept = asked("ils gardent ça combien de temps ?", "retention", "period", category="equal_opportunity")
    kept = replace(kept, intent_ranking=kept.intent_ranking + [{"name": "ask_cookies", "confidence": 0.2}])
    assert all(fact.topic == "retention" for fact in selection_for(KB, KB.organizations["cartesia"], kept).facts)


@pytest.mark.parametrize("text, expected", [
    ("and do they need my ID?", ["acta", "activpartners"]),
    ("how long do they each have to reply?", ["acta", "activpartners"]),
    ("et combien de temps pour répondre ?", ["acta", "activpartners"]),
    ("and at CESI?", ["cesi"]),
    ("what about all five?", EVERY),
])
def test_after_an_answer_on_several_organisations_the_conversation_is_about_them(text, expected):
    last = Question(text="where do I send a deletion request?", intent="ask_rights_contact",
                    organizations=["acta", "activpartners"])
    assert organizations_asked(KB, Question(text=text, intent="ask_response_delay"), last,
                               {"organization": "akteos"}, "acta") == expected


@pytest.mark.parametrize("text,category", [
    ("How long do you keep candidates' résumés?", "candidates"),
    ("les candidates retenues, vous gardez leur dossier ?", "candidates"),
    ("do you keep the CVs of job seekers?", "candidates"),
    ("et les données des clientes ?", "customers"),
    ("what about the learners' certificates?", "trainees"),
])
def test_a_data_category_is_named_in_any_of_its_plural_or_feminine_forms(text, category):
    assert Question(text=text, intent="ask_retention").data_category(KB.data_categories) == category



def test_a_category_described_not_named_is_the_classifiers_when_it_is_confident():
    described = replace(asked("I only asked you for some information once, never signed up: how long do you keep my stuff?",
                              "retention", "period"),
                        category_ranking=[{"name": "prospects", "confidence": 0.8}, {"name": "none", "confidence": 0.2}])
    assert described.data_category(KB.data_categories) == "prospects"
    unsure = replace(described, category_ranking=[{"name": "prospects", "confidence": 0.4}])
    assert unsure.data_category(KB.data_categories) is None
    # A category the question names wins over the classifier's reading.
    named = replace(described, text="how long do you keep my CV?")
    assert named.data_category(KB.data_categories) == "candidates"
    # What the policy says about the category read is what answers: the facts of that category.
    org = next(org for org in KB.organizations.values()
               if any(fact.category == "prospects" for fact in org.facts_for("retention")))
    selection = selection_for(KB, org, described)
    assert selection.category == "prospects" and all(fact.category == "prospects" for fact in selection.facts)
    assert Question.from_slot(described.as_slot()).data_category(KB.data_categories) == "prospects"


def test_every_category_an_nlu_block_describes_is_a_known_data_category():
    blocks = [block for path in sorted((ROOT / "data" / "nlu").glob("*.yml"))
              for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []) if "intent" in block]
    described = {(block.get("metadata") or {}).get("category") for block in blocks} - {None}
    assert described and described <= set(KB.data_categories)


def _answered_at(question: Question, slug: str) -> Question:
    return replace(question, organizations=[slug])


@pytest.mark.parametrize("text", ["and what do they do with my IP address?", "et mon adresse IP, ils en font quoi ?"])
def test_a_follow_up_whose_words_single_out_a_fact_of_the_last_topic_is_read_there(text):
    """After the analytics cookies, the IP address is the one those cookies collect, not the
    technical data collected in general that the message alone reads as."""
    last = _answered_at(asked("do you use any analytics tools?", "cookies", "tools"), "akteos")
    unsure = replace(asked(text, "data_collected", "categories"),
                     intent_ranking=[{"name": "ask_data_collected", "confidence": 0.34}])
    read = follow_up(unsure, last, KB)
    assert read.intent == "ask_cookies"
    facts = selection_for(KB, KB.organizations["akteos"], read).facts
    assert facts and all(fact.topic == "cookies" for fact in facts)
    assert any("adresse ip" in fact.keywords for fact in facts)


@pytest.mark.parametrize("text, topic, aspect, confidence, category", [
    # Its words point at its own topic at least as well: its own question.
    ("and who is your data protection officer?", "dpo", "contact", 0.5, None),
    # Sure of its own topic: its own question ("them" are the cookies, and retention answers for them).
    ("how long do you keep them?", "retention", "period", 0.95, None),
    # Pointing back at nothing: a question of its own.
    ("and what do you do with my IP address?", "data_collected", "categories", 0.4, None),
    # Too long to lean on the last answer.
    ("I would also like to know what they do with my IP address each time I visit the website pages",
     "data_collected", "categories", 0.4, None),
])
def test_a_follow_up_pointing_at_another_topic_keeps_its_own(text, topic, aspect, confidence, category):
    last = _answered_at(asked("do you use any analytics tools?", "cookies", "tools"), "akteos")
    message = replace(asked(text, topic, aspect, category),
                      intent_ranking=[{"name": f"ask_{topic}", "confidence": confidence}])
    assert follow_up(message, last, KB).intent == f"ask_{topic}"



def test_a_follow_up_pointing_back_that_names_a_data_category_asks_about_that_category():
    """"et leurs sauvegardes, ils les gardent combien de temps ?" after where ACTA hosts the data: the
    backups' retention period, though the hosting facts also speak of backups."""
    last = _answered_at(asked("ACTA PREVENTION, ils hébergent où mes données ?", "hosting", "location"), "acta")
    message = replace(asked("et leurs sauvegardes, ils les gardent combien de temps ?", "retention", "period",
                            "backups"), intent_ranking=[{"name": "ask_retention", "confidence": 0.5}])
    assert follow_up(message, last, KB).intent == "ask_retention"


@pytest.mark.parametrize("text, points_back", [
    ("c'est qui ce prestataire ?", True),
    ("et ce délai, il commence quand ?", True),
    ("can I refuse them?", True),
    ("est-ce que vous gardez mes données ?", False),
    ("ce que vous faites de mes données, c'est légal ?", False),
    ("where is my data hosted?", False),
    # French "y" points back ("qui peut y accéder ?"), except in "il y a", "y a-t-il".
    ("et qui peut y accéder ?", True),
    ("je peux m'y opposer ?", True),
    ("il y a des cookies sur votre site ?", False),
    ("y a-t-il un DPO ?", False),
])
def test_a_word_pointing_back_is_told_from_the_same_word_pointing_at_nothing(text, points_back):
    assert question_phrases().refers_back(text) is points_back


def test_that_provider_after_the_breach_delays_is_the_provider_named_there():
    """"c'est qui ce prestataire ?" after the breach delays (the LMS provider's 48 h): read where the
    provider was named, not as the recipients in general."""
    last = _answered_at(asked("si Activ'partners se fait pirater, ils me préviennent en combien de temps ?",
                              "breach_notification", "delay"), "activpartners")
    message = replace(asked("c'est qui ce prestataire ?", "recipients", "who"),
                      intent_ranking=[{"name": "ask_recipients", "confidence": 0.71}])
    read = follow_up(message, last, KB)
    assert read.intent == "ask_breach_notification"
    facts = selection_for(KB, KB.organizations["activpartners"], read).facts
    assert any("Netopen" in fact.answer["fr"] for fact in facts)


def _after_the_comments_answer(text: str, security: float, recipients: float) -> Question:
    """"who else may look at them?" after the fact that <org> must keep the comments left on its site."""
    last = replace(Question(text="do you have to keep the comments I post?", intent="nlu_fallback"),
                   organizations=["akteos"], said=["akteos/akteos-retention-passwords-comments", "akteos/@contact"])
    message = Question(text=text, intent="ask_security", intent_ranking=[
        {"name": "ask_security", "confidence": security}, {"name": "ask_recipients", "confidence": recipients}],
        aspect_ranking=[{"name": "security.organisational", "confidence": security}])
    return follow_up(message, last, KB)


def test_a_follow_up_pointing_back_asks_what_the_passage_just_quoted_says_next():
    """The passage on the comments kept under the 2011 decree goes on with who may access them: "them"
    are those comments, and the police, tax authorities or URSSAF answer, not the staff's access."""
    read = _after_the_comments_answer("who else is allowed to look at them?", 0.63, 0.05)
    assert read.topic(KB.topics) == "recipients"
    answer = answer_question(KB, KB.organizations["akteos"], read, "en").replies[0].variables["answer"]
    assert "URSSAF" in answer


@pytest.mark.parametrize("text, security, recipients", [
    ("who else is allowed to look at them?", 0.95, 0.01),   # sure of its own reading
    ("who else is allowed to look at them?", 0.63, 0.0),    # the passage's topic not in its reading at all
    ("who else is allowed to look at my data?", 0.63, 0.05),  # points at nothing
    ("and those of their staff?", 0.63, 0.05),  # the last question again, about something else
])
def test_a_follow_up_that_does_not_point_at_the_passage_keeps_its_own_reading(text, security, recipients):
    assert _after_the_comments_answer(text, security, recipients).topic(KB.topics) == "security"


def test_the_facts_an_answer_gave_are_remembered_with_its_question():
    question = asked("how long do you keep my CV?", "retention", "period", "candidates")
    remembered = remembered_with(KB, question, ["akteos"], None, ["akteos/akteos-retention-cv"])
    assert Question.from_slot(remembered.as_slot()).said == ["akteos/akteos-retention-cv"]


def test_a_follow_up_naming_a_fact_of_the_passage_just_quoted_gets_it_even_in_the_last_topic():
    """"ils récupèrent mon adresse IP ?" after the analytics tools: the same passage says what happens to
    the IP address; the message alone reads as the technical data collected in general."""
    last = replace(asked("Akteos utilise quels outils de statistiques ?", "cookies", "tools"),
                   organizations=["akteos"], said=["akteos/akteos-cookies-analytics-tools"])
    message = Question(text="ils récupèrent mon adresse IP ?", intent="ask_data_collected",
                       intent_ranking=[{"name": "ask_data_collected", "confidence": 0.65},
                                       {"name": "ask_cookies", "confidence": 0.04}],
                       aspect_ranking=[{"name": "data_collected.categories", "confidence": 0.6}])
    read = follow_up(message, last, KB)
    facts = selection_for(KB, KB.organizations["akteos"], read).facts
    assert read.topic(KB.topics) == "cookies" and "ville" in answer_question(
        KB, KB.organizations["akteos"], read, "fr").replies[0].variables["answer"], facts
    # Words naming no fact of the passage: its own reading.
    vague = replace(message, text="ils sont fiables ?")
    assert follow_up(vague, last, KB).topic(KB.topics) == "data_collected"


def test_one_word_of_a_follow_up_sure_of_its_own_topic_does_not_move_it_into_the_last_passage():
    """"and will it use that for anything other than my training?" after what Akteos collects for the
    cultural profile: read as its purposes (0.83), not as the trainees' retention fact of the same
    passage that the one word "training" names; unsure of its reading, that word may still point there."""
    last = replace(asked("Does Akteos collect anything about me when I produce my cultural profile on its site?",
                         "data_collected", "when"),
                   organizations=["akteos"], said=["akteos/akteos-data_collected-when"])
    ranking = [{"name": "ask_purposes", "confidence": 0.83}, {"name": "ask_retention", "confidence": 0.01}]
    message = Question(text="and will it use that for anything other than my training?", intent="ask_purposes",
                       intent_ranking=ranking, aspect_ranking=[{"name": "purposes.overview", "confidence": 0.8}])
    assert follow_up(message, last, KB).topic(KB.topics) == "purposes"
    unsure = replace(message, intent_ranking=[{"name": "ask_purposes", "confidence": 0.3}] + ranking[1:])
    assert follow_up(unsure, last, KB).topic(KB.topics) == "retention"


def test_a_follow_up_on_the_last_answer_itself_is_not_moved_to_another_fact_of_its_passage():
    """"ce délai commence quand ?" after the prevention programme's period: the retention table's other
    rows share the passage, but the message names none of them; it stays on the programme's data."""
    last = replace(asked("ACTA garde les données de son programme de prévention combien de temps ?",
                         "retention", "period", "prevention_program"),
                   organizations=["acta"], said=["acta/acta-retention-prevention-programme"])
    message = Question(text="ce délai commence quand exactement ?", intent="ask_retention",
                       intent_ranking=[{"name": "ask_retention", "confidence": 0.53}],
                       aspect_ranking=[{"name": "retention.end_of_retention", "confidence": 0.09}])
    assert follow_up(message, last, KB).data_category(KB.data_categories) == "prevention_program"


def test_a_comparison_on_breaches_compares_each_organisations_own_delay_towards_people():
    """An LMS provider's 48h towards the organisation is not the organisation's delay: its own 72h to
    its clients is what a comparison of organisations ranks."""
    question = asked("qui prévient le plus vite en cas de violation de données ?", "breach_notification", "notification")
    comparison = compare(KB, list(KB.organizations.values()), question, ORDERINGS["shortest"])
    assert comparison.ranked
    assert all("provider" not in fact.answer["en"] for _, fact in comparison.ranked), comparison.ranked


@pytest.mark.parametrize("text", ["How long does CESI hold on to my details once my training course has finished?",
                                  "vous gardez mes infos combien de temps après ma formation ?"])
def test_data_about_ones_training_course_is_the_trainees_category(text):
    assert asked(text, "retention", "period").data_category(KB.data_categories) == "trainees"


@pytest.mark.parametrize("text", ["and those little files the site put in my browser?",
                                  "et les petits fichiers que votre site dépose dans mon navigateur ?"])
def test_a_follow_up_read_in_the_topic_about_a_category_asks_the_last_question_about_it(text):
    # After a retention answer, a continuation described as cookies (no cookie word: the classifier reads
    # it in the cookies topic, even surely) asks how long cookies are kept.
    last = asked("I entered one of your contests, how long do you keep my details?", "retention", "period", "prospects")
    message = _parsed(text, "ask_cookies", 0.95, [("cookies.tools", 0.6), ("cookies.kinds", 0.35)])
    read = follow_up(message, last, KB)
    assert read.intent == "ask_retention" and read.data_category(KB.data_categories) == "cookies"
    # A question of its own about them stays one; so does the same message after a non-per-category topic.
    own = replace(message, text="and which tools put those little files in my browser?")
    assert follow_up(own, last, KB).intent == "ask_cookies"
    assert follow_up(message, asked("who is your DPO?", "dpo", "contact"), KB).intent == "ask_cookies"


def test_a_follow_up_pointing_back_at_a_table_row_of_the_category_it_names_gets_that_row():
    """"et pour mon employeur, qui est leur client ?" after the prevention programme's period: "leur" points
    at ACTA, and the retention table just quoted has the customers' row; the message alone reads as who
    the controller acts for."""
    last = replace(asked("et si j'ai juste suivi leur programme de prévention au boulot ?", "retention", "period",
                         "prevention_program"), organizations=["acta"], said=["acta/acta-retention-prevention-programme"])
    message = Question(text="et pour mon employeur, qui est leur client ?", intent="ask_controller",
                       intent_ranking=[{"name": "ask_controller", "confidence": 0.6},
                                       {"name": "ask_retention", "confidence": 0.1}],
                       entities=[{"entity": "data_category", "value": "customers"}],
                       aspect_ranking=[{"name": "controller.identity", "confidence": 0.6}])
    read = follow_up(message, last, KB)
    assert read.topic(KB.topics) == "retention"
    assert "relation commerciale" in answer_question(KB, KB.organizations["acta"], read, "fr").replies[0].variables["answer"]


def test_a_follow_up_the_classifier_places_nowhere_surely_asks_the_last_question_of_the_organisation_it_names():
    """"and does <org> give a deadline at all?" after a comparison of response delays reads as out of scope
    (0.49): opening like a follow-up, it asks the last question again, of the organisation it names only."""
    last = replace(asked("Between those two, which one has the shortest deadline to answer an access request?",
                         "response_delay", "delay"), organizations=["activpartners", "acta"],
                   entities=[{"entity": "organization", "value": "activpartners"},
                             {"entity": "organization", "value": "acta"}])
    message = Question(text="and does Cartesia give a deadline at all?", intent="out_of_scope",
                       intent_ranking=[{"name": "out_of_scope", "confidence": 0.49}],
                       entities=[{"entity": "organization", "value": "cartesia"}])
    read = follow_up(message, last, KB)
    assert read.intent == "ask_response_delay" and read.entity_values("organization") == ["cartesia"]
    # Sure it is out of scope, or not opening like a follow-up: left as it is.
    sure = replace(message, intent_ranking=[{"name": "out_of_scope", "confidence": 0.9}])
    assert follow_up(sure, last, KB).intent == "out_of_scope"
    assert follow_up(replace(message, text="does Cartesia sell pizzas?"), last, KB).intent == "out_of_scope"


@pytest.mark.parametrize("text", ["so what does that one say about complaints instead?",
                                  "et celui-là, il dit quoi alors ?"])
def test_that_one_after_an_answer_on_several_is_the_one_that_stands_apart(text):
    """After "do all five say I can complain to the CNIL?" (only <akteos>'s policy does not), "that one"
    is <akteos>; after a question only one policy speaks of, it is that one."""
    every = [org.slug for org in KB.organizations_by_name()]
    last = replace(asked("Do all five say I can complain to the national data protection authority?", "complaint",
                         "cnil"), organizations=every)
    message = asked(text, "complaint", "internal")
    assert organizations_asked(KB, message, last, None, None) == ["akteos"]
    minors = replace(asked("which of the five mention minors?", "minors", "rules"), organizations=every)
    assert organizations_asked(KB, asked(text, "minors", "rules"), minors, None, None) == ["cesi"]
    # Without "that one", still all of them.
    assert organizations_asked(KB, asked("and what do they say?", "complaint", "cnil"), last, None, None) == every


def test_an_unplaced_message_naming_a_data_category_is_the_question_on_its_per_category_topic():
    from knowledge.answering import placed_in_its_likeliest_topic
    text = "J'avais indiqué que je suis malentendant pour qu'ils adaptent le stage. Ils gardent cette info après ?"
    message = Question(text=text, intent="nlu_fallback", intent_ranking=[
        {"name": "nlu_fallback", "confidence": 0.2}, {"name": "ask_retention", "confidence": 0.16},
        {"name": "request_right", "confidence": 0.13}])
    placed = placed_in_its_likeliest_topic(message, KB)
    assert placed.intent == "ask_retention" and placed.data_category(KB.data_categories) == "disability"
    # No category named and its topic not likely enough for a question alone, or a likeliest topic
    # not answered per category: still unplaced.
    vague = replace(message, text="Ils gardent cette info après ?", intent_ranking=[
        {"name": "nlu_fallback", "confidence": 0.2}, {"name": "ask_retention", "confidence": 0.12}])
    assert placed_in_its_likeliest_topic(vague, KB).intent == "nlu_fallback"
    other = replace(message, intent_ranking=[{"name": "nlu_fallback", "confidence": 0.2},
                                             {"name": "ask_security", "confidence": 0.16}])
    assert placed_in_its_likeliest_topic(other, KB).intent == "nlu_fallback"


def test_a_general_question_naming_one_fact_gets_it_before_the_topic_short_list():
    org = KB.organizations["cesi"]
    def general(text):  # no aspect stands out: a question on the whole topic
        return replace(asked(text, "cookies", "kinds"), aspect_ranking=[
            {"name": aspect_name("cookies", aspect), "confidence": 0.2} for aspect in KB.topics["cookies"].aspects])
    summary = [fact for fact in org.facts_for("cookies") if fact.summary]
    plain = selection_for(KB, org, general("and what else?")).facts
    assert list(plain) == summary
    named = selection_for(KB, org, general("does the site carry social media content that sets cookies?")).facts
    assert "Instagram" in named[0].answer["en"] and not named[0].summary
    assert list(named[1:]) == summary


def test_them_after_an_answer_picking_organisations_out_means_those_and_the_others_the_rest():
    """"which one takes the longest to reply?" then "and where do I send it to them?": the one ranked
    first; "which of the five mention minors?" then "what do they say?": those that do, and "the
    other four" the rest. Without a pick, "them" is every organisation answered."""
    from knowledge.comparison import compare
    every = [org.slug for org in KB.organizations_by_name()]
    slowest = asked("Out of the five organisations, which one gives itself the most time to answer?",
                    "response_delay", "delay")
    ordering = question_phrases().ordering(slowest.text, several_named=False)
    leaders = compare(KB, list(KB.organizations_by_name()), slowest, ordering).leaders(ordering.measure)
    picked = picked_out(KB, slowest, every, leaders)
    assert len(picked) == 1
    last = remembered_with(KB, slowest, every, None, (), picked)
    again = Question.from_slot(last.as_slot())  # as the conversation's slot keeps it
    where = asked("and where do I send it to them?", "rights_contact", "where")
    assert organizations_asked(KB, where, again, None, None) == picked
    assert organizations_asked(KB, asked("and the fastest?", "response_delay", "delay"), again, None, None) == every
    minors = asked("Parmi les cinq organismes, lesquels parlent des mineurs ?", "minors", "rules")
    speaking = picked_out(KB, minors, every)
    assert 0 < len(speaking) < len(every)
    last = remembered_with(KB, minors, every, None, (), speaking)
    assert organizations_asked(KB, asked("et ils disent quoi ?", "minors", "rules"), last, None, None) == speaking
    others = organizations_asked(KB, asked("and the other four?", "minors", "rules"), last, None, None)
    assert sorted(others + speaking) == sorted(every)
    assert picked_out(KB, asked("do they mention minors?", "minors", "rules"), every) == []


@pytest.mark.parametrize("text, expected", [
    ("I'd rather phone than email. Which of the five give a phone number?", True),
    ("Je préfère appeler. Lesquels d'entre eux donnent un numéro ?", True),
    ("à quel organisme faire une réclamation ?", False),
    ("I asked which organisation. Nobody knew.", False),
])
def test_which_organisation_is_asked_at_the_start_of_any_sentence(text, expected):
    assert question_phrases().asks_which_organization(text) is expected


@pytest.mark.parametrize("text", ["pourquoi ?", "why?", "and why?", "what for?"])
def test_why_alone_after_an_answer_gets_the_facts_it_gave_that_state_a_reason(text):
    """After the open rate and the audience measurement, "pourquoi ?" gets the one that says why
    ("… afin de les adapter au mieux à vos besoins"); after facts giving no reason it is read as usual."""
    org = KB.organizations["activpartners"]
    giving = [fact for fact in org.facts if question_phrases().gives_a_reason(fact.answer["fr"])]
    plain = [fact for fact in org.facts if not any(question_phrases().gives_a_reason(a) for a in fact.answer.values())]
    last = replace(asked("Activ'partners sait si j'ouvre ses mails ?", "purposes", "statistics"),
                   organizations=["activpartners"], said=[f"activpartners/{plain[0].id}", f"activpartners/{giving[0].id}"])
    message = Question(text=text, intent="ask_purposes", intent_ranking=[{"name": "ask_purposes", "confidence": 0.7}])
    read = follow_up(message, last, KB)
    assert read.facts == [f"activpartners/{giving[0].id}"]
    assert selection_for(KB, org, read).facts == (giving[0],)
    # Remembered without them: the next follow-up is read as usual.
    assert remembered_with(KB, read, ["activpartners"], last).facts == []
    # After facts giving no reason: that answer again, said to give none (not a new question on the
    # topic the classifier reads "pourquoi ?" in).
    without = replace(last, said=[f"activpartners/{plain[0].id}"])
    unreasoned = follow_up(message, without, KB)
    assert unreasoned.facts == [f"activpartners/{plain[0].id}"] and unreasoned.unreasoned
    selection = selection_for(KB, org, unreasoned)
    assert selection.silent and selection.facts == (plain[0],)
    rendered = render_selection(KB, org, selection, "fr")
    assert [reply.response for reply in rendered.replies] == ["utter_policy_silent_reason", "utter_policy_nearest"]
    assert not remembered_with(KB, unreasoned, ["activpartners"], without).unreasoned
    # Not alone: a question of its own.
    assert follow_up(replace(message, text="why do you keep my CV two years?"), last, KB).facts == []
    # Short and pointing back at the answer: its reason too.
    for pointing in ("why would they do that?", "et pourquoi ils font ça ?"):
        assert follow_up(replace(message, text=pointing), last, KB).facts == [f"activpartners/{giving[0].id}"]


@pytest.mark.parametrize("text", ["and the passwords I set up on their website?", "et les mots de passe ?"])
def test_another_category_after_a_period_is_asked_its_period(text):
    """After the analytics cookies' 12 months, "and the passwords …?" read in the cookie topic asks how
    long the passwords are kept (the topic answered per category); after a cookie answer giving no
    period, it stays a cookie question."""
    org = KB.organizations["akteos"]
    lifetime = next(fact for fact in org.facts_for("cookies", "lifetime") if fact.duration)
    last = replace(asked("How long do Akteos's audience-measurement cookies last?", "cookies", "lifetime"),
                   organizations=["akteos"], said=[f"akteos/{lifetime.id}"])
    message = asked(text, "cookies", "tools", category="logs")
    read = follow_up(message, last, KB)
    assert read.topic(KB.topics) == "retention" and read.data_category(KB.data_categories) == "logs"
    assert all(fact.category == "logs" for fact in selection_for(KB, org, read).facts)
    periodless = next(fact for fact in org.facts_for("cookies") if not fact.duration)
    assert follow_up(message, replace(last, said=[f"akteos/{periodless.id}"]), KB).topic(KB.topics) == "cookies"


def test_an_unplaced_question_is_the_question_on_its_likeliest_topic_when_that_is_likely_enough():
    from knowledge.answering import placed_in_its_likeliest_topic
    ranking = [{"name": "nlu_fallback", "confidence": 0.2}, {"name": "ask_purposes", "confidence": 0.17},
               {"name": "ask_recipients", "confidence": 0.12}]
    asked_question = Question(text="Si ma boîte ne paie pas sa facture, ils peuvent se servir de nos coordonnées ?",
                              intent="nlu_fallback", intent_ranking=ranking)
    assert placed_in_its_likeliest_topic(asked_question, KB).intent == "ask_purposes"
    # Told, not asked; or no topic likely enough: still unplaced.
    told = replace(asked_question, text="Ma boîte ne paie pas sa facture")
    assert placed_in_its_likeliest_topic(told, KB).intent == "nlu_fallback"
    unsure = replace(asked_question, intent_ranking=[ranking[0], {"name": "ask_purposes", "confidence": 0.1}])
    assert placed_in_its_likeliest_topic(unsure, KB).intent == "nlu_fallback"
