"""Things a policy never mentions (data/concepts.yml): a question naming one is told so, with what the
policy says closest; which policy mentions what comes from the policy texts."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from knowledge.answering import answer_question
from knowledge.concepts import concepts_named
from knowledge.loading import load_knowledge_base
from knowledge.model import KnowledgeError
from knowledge.question import Question

ROOT = Path(__file__).resolve().parents[1]
KB = load_knowledge_base()


def _question(text: str, topic: str, aspect: str) -> Question:
    return Question(text=text, intent=f"ask_{topic}", intent_ranking=[{"name": f"ask_{topic}", "confidence": 0.9}],
                    aspect_ranking=[{"name": f"{topic}.{aspect}", "confidence": 0.9}])


@pytest.mark.parametrize("text, concept", [
    ("When an advisor rings me back, is the call recorded?", "call_recording"),
    ("Are calls with advisors recorded?", "call_recording"),     # two words between the phrase's words
    ("vous enregistrez mes appels ?", "call_recording"),
    ("est-ce que la classe virtuelle est enregistrée en vidéo ?", "video_recording"),
    ("is there a two-step login on my account?", "two_factor_authentication"),
    ("Vos données sont-elles chiffrées ?", "encryption"),
    ("i never saw any banner", "cookie_banner"),
])
def test_a_question_names_a_concept_in_either_language_and_any_form(text, concept):
    assert [c.name for c in concepts_named(text, KB.concepts)][:1] == [concept]


@pytest.mark.parametrize("text", [
    "vous avez des chiffres sur le nombre de stagiaires ?",   # figures, not encryption
    "je dois joindre une photo de ma carte d'identité ?",     # a proof of identity, not photos of people
    "do you keep data from my health and safety training?",
    "Which outside firms will end up with my details?",
])
def test_ordinary_words_near_a_concept_do_not_name_it(text):
    assert concepts_named(text, KB.concepts) == []


def test_a_concept_the_policy_never_mentions_is_said_so_with_what_it_says_closest():
    cartesia = KB.organizations["cartesia"]
    rendered = answer_question(KB, cartesia, _question("When a Cartesia advisor rings me back about a course, is the "
                                                       "call recorded?", "data_collected", "categories"), "en")
    first, *rest = rendered.replies
    assert first.response == "utter_policy_silent_concept" and first.variables["concept"] == "recording phone calls"
    assert "legal@cartesia-education.fr" in first.variables["contact"]
    assert rest and rest[0].response == "utter_policy_nearest"
    # In French, the concept's French label.
    french = answer_question(KB, cartesia, _question("l'appel est enregistré quand un conseiller me rappelle ?",
                                                     "data_collected", "categories"), "fr")
    assert french.replies[0].variables["concept"] == "l'enregistrement des appels téléphoniques"


def test_a_concept_the_policy_mentions_gets_the_policy_answer():
    # Akteos's policy speaks of "encryption technology"; CESI's of no encryption at all.
    question = _question("do you encrypt my data?", "security", "technical")
    akteos = answer_question(KB, KB.organizations["akteos"], question, "en")
    assert akteos.replies[0].response == "utter_policy_answer" and "encryption" in akteos.replies[0].variables["answer"]
    cesi = answer_question(KB, KB.organizations["cesi"], question, "en")
    assert cesi.replies[0].response == "utter_policy_silent_concept"


def test_a_policy_is_never_said_silent_on_what_the_answers_shown_with_it_say():
    # "If CESI or all or part of its assets are purchased by a third party …": CESI speaks of being sold.
    question = _question("What happens to my data if CESI gets bought by another company?", "recipients", "sale")
    rendered = answer_question(KB, KB.organizations["cesi"], question, "en")
    assert rendered.replies[0].response != "utter_policy_silent_concept"
    assert "new owner" in rendered.replies[0].variables["answer"]


def test_what_a_policy_mentions_is_read_from_its_text(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    assert "call_recording" not in load_knowledge_base(data).organizations["cartesia"].mentions
    policy = data / "policies" / "cartesia.fr.txt"
    policy.write_text(policy.read_text(encoding="utf-8") + "\nLes appels peuvent faire l'objet d'un enregistrement "
                      "des conversations à des fins de formation.\n", encoding="utf-8")
    assert "call_recording" in load_knowledge_base(data).organizations["cartesia"].mentions


def test_a_concept_in_an_unknown_topic_is_refused(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    raw = yaml.safe_load((data / "concepts.yml").read_text(encoding="utf-8"))
    raw["concepts"]["encryption"]["topic"] = "biscuits"
    (data / "concepts.yml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="encryption: topic 'biscuits' is not a topic"):
        load_knowledge_base(data)


@pytest.mark.parametrize("text, concept", [
    ("Can Activ'partners cold-call me on my mobile to sell me courses?", "cold_calls"),
    ("If Cartesia ever closed down, what would happen to the data in my student account?", "business_closure"),
    ("the trainer took group photos, can they post them on LinkedIn?", "photos"),
])
def test_more_concepts_are_named(text, concept):
    assert concept in [c.name for c in concepts_named(text, KB.concepts)]


@pytest.mark.parametrize("text", [
    "I'm on my work laptop, how do I refuse the optional cookies?",
    "je me connecte à vos cours depuis le wifi d'un café, c'est à moi de prendre des précautions ?",
    "la plateforme où je suis mes cours en ligne, c'est quelle société qui la fait tourner ?",
    "do u ask bout my health for the first aid course",
])
def test_everyday_phrases_name_no_concept(text):
    names = [c.name for c in concepts_named(text, KB.concepts)]
    assert not {"student_work", "network_logs", "geolocation", "emergencies"} & set(names), names


@pytest.mark.parametrize("text", ["Is the web app I use for the course secure?",
                                  "can I get a transcript of this conversation?"])
def test_a_phrase_with_words_between_its_words_is_still_what_it_names(text):
    # "the app" would match "the web app": a mobile app is named only as one.
    assert concepts_named(text, KB.concepts) == []
