"""The rules and the organisation slot's not_intent list follow data/topics.yml (rasa_extensions.topic_rules)."""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from rasa_extensions import topic_rules

ROOT = Path(__file__).resolve().parent.parent


def test_the_committed_rules_and_domain_agree_with_the_topics():
    assert topic_rules.outdated() == []


def test_every_topic_intent_is_in_the_domain_and_never_fills_the_organisation(domain, kb):
    mapping = next(m for m in domain["slots"]["organization"]["mappings"] if m.get("entity") == "organization")
    for topic in kb.topics:
        assert f"ask_{topic}" in domain["intents"]
        assert f"ask_{topic}" in mapping["not_intent"]


def test_a_new_topic_gets_its_rules_and_its_place_in_the_not_intent_list(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("eval", "nlu", "policies", "knowledge"))
    domain = tmp_path / "domain.yml"
    shutil.copy(ROOT / "domain.yml", domain)
    topics = yaml.safe_load((data / "topics.yml").read_text(encoding="utf-8"))
    topics["topics"]["training_records"] = {"label": {"en": "training records", "fr": "les dossiers de formation"},
                                            "scope": "Attendance sheets and evaluations.",
                                            "aspects": {"attendance": {
                                                "label": {"en": "attendance sheets", "fr": "les feuilles d'émargement"},
                                                "scope": "Attendance sheets."}}}
    (data / "topics.yml").write_text(yaml.safe_dump(topics, allow_unicode=True, sort_keys=False), encoding="utf-8")

    assert set(topic_rules.outdated(data, domain)) == {data / "rules" / "topics.yml", domain}
    topic_rules.write(data, domain)
    assert topic_rules.outdated(data, domain) == []

    rules = yaml.safe_load((data / "rules" / "topics.yml").read_text(encoding="utf-8"))["rules"]
    new = [rule for rule in rules if {"intent": "ask_training_records"} in rule["steps"]]
    assert [rule.get("condition") for rule in new] == [None, [{"active_loop": "rights_request_form"}]]
    assert all({"action": "action_answer_policy_question"} in rule["steps"] for rule in new)
    slot = yaml.safe_load(domain.read_text(encoding="utf-8"))["slots"]["organization"]
    assert "ask_training_records" in slot["mappings"][0]["not_intent"]
    # The rest of the domain is left as it was.
    assert domain.read_text(encoding="utf-8").replace(", ask_training_records", "") == \
        (ROOT / "domain.yml").read_text(encoding="utf-8").replace(", ask_training_records", "")
