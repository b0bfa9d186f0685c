"""Every kind of data file against its schema (knowledge.schema, language.detection.LanguageCues):
a broken copy of data/ is refused with a line naming the file, the entry and the field."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from knowledge import schema
from knowledge.loading import load_knowledge_base, load_rights, load_topics
from knowledge.model import KnowledgeError
from knowledge.texts import load_catalogue
from language import LANGUAGES
from language.detection import LanguageCues, load_cues

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of data/ to break."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def edit(path: Path, change: Callable[[Any], None]) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(load: Callable[[], Any]) -> list:
    with pytest.raises(KnowledgeError) as error:
        load()
    return str(error.value).splitlines()


def fact_id(data: Path, slug: str, index: int) -> str:
    return yaml.safe_load((data / "knowledge" / f"{slug}.yml").read_text(encoding="utf-8"))["facts"][index]["id"]


def test_the_shipped_data_fits_its_schemas(kb):
    assert kb.organizations and kb.rights and kb.topics
    assert load_catalogue() and all(load_cues().values())
    check = subprocess.run([sys.executable, "-m", "knowledge"], cwd=ROOT, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_bilingual_models_have_one_field_per_language():
    assert set(schema.Bilingual.__fields__) == set(LANGUAGES)
    assert set(LanguageCues.__fields__) == set(LANGUAGES)


def test_a_missing_policy_title_is_refused(data):
    edit(data / "knowledge" / "akteos.yml", lambda raw: raw["organization"].pop("policy_title"))
    assert problems(lambda: load_knowledge_base(data)) == ["akteos.yml: organization.policy_title: field required"]


def test_a_missing_answer_is_refused_with_the_file_entry_and_field(data):
    edit(data / "knowledge" / "akteos.yml", lambda raw: raw["facts"][3]["answer"].pop("fr"))
    assert problems(lambda: load_knowledge_base(data)) == \
        [f"akteos.yml: facts[3] {fact_id(data, 'akteos', 3)}: answer.fr: field required"]


def test_a_misspelt_field_is_refused_not_ignored(data):
    def misspell(raw):
        raw["facts"][2]["keywrods"] = raw["facts"][2].pop("keywords")
        raw["organization"]["alias"] = raw["organization"].pop("aliases")
    edit(data / "knowledge" / "cesi.yml", misspell)
    assert problems(lambda: load_knowledge_base(data)) == [
        "cesi.yml: organization.alias: unknown field",
        f"cesi.yml: facts[2] {fact_id(data, 'cesi', 2)}: keywrods: unknown field",
    ]


def test_an_unknown_topic_is_refused(data):
    edit(data / "knowledge" / "cartesia.yml", lambda raw: raw["facts"][0].update(topic="retenton"))
    lines = problems(lambda: load_knowledge_base(data))
    assert f"cartesia.yml: facts[0] {fact_id(data, 'cartesia', 0)}: topic: unknown topic 'retenton' " \
           "(not in topics.yml)" in lines


def test_a_quote_not_in_the_policy_is_refused_with_its_fact(data):
    edit(data / "knowledge" / "acta.yml",
         lambda raw: raw["facts"][5]["source"].update(quote="Vos données sont gardées sur la Lune."))
    assert problems(lambda: load_knowledge_base(data)) == [
        f"acta.yml: facts[5] {fact_id(data, 'acta', 5)}: source.quote: "
        "not found verbatim in the policy: 'Vos données sont gardées sur la Lune.'"]


def test_a_keyword_yaml_reads_as_a_boolean_is_refused(data):
    path = data / "knowledge" / "akteos.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("keywords: [controller,", "keywords: [yes,", 1),
                    encoding="utf-8")
    [line] = problems(lambda: load_knowledge_base(data))
    assert line.startswith("akteos.yml: facts[0] akteos-controller-responsible: keywords[0]: must be a text, not a boolean")


def test_every_problem_of_every_file_is_reported(data):
    edit(data / "knowledge" / "akteos.yml", lambda raw: raw["organization"].pop("policy_title"))
    edit(data / "knowledge" / "cesi.yml", lambda raw: (raw["facts"][0].pop("answer"), raw["facts"][1].pop("source")))
    edit(data / "rights.yml", lambda raw: raw["rights"]["access"].pop("gdpr_article"))
    lines = problems(lambda: load_knowledge_base(data))
    assert [line.split(":")[0] for line in lines] == ["akteos.yml", "cesi.yml", "cesi.yml", "rights.yml"]


def test_a_right_without_its_french_label_is_refused(data):
    edit(data / "rights.yml", lambda raw: raw["rights"]["erasure"]["label"].pop("fr"))
    expected = ["rights.yml: rights[erasure]: label.fr: field required"]
    assert problems(lambda: load_rights(data)) == expected
    assert problems(lambda: load_knowledge_base(data)) == expected


def test_a_topic_without_a_label_is_refused(data):
    edit(data / "topics.yml", lambda raw: raw["topics"]["cookies"].pop("label"))
    assert problems(lambda: load_topics(data)) == ["topics.yml: topics[cookies]: label: field required"]
    assert problems(lambda: load_knowledge_base(data)) == ["topics.yml: topics[cookies]: label: field required"]


def test_a_data_category_naming_an_unknown_topic_or_category_is_refused(data):
    edit(data / "topics.yml", lambda raw: raw["data_categories"]["cookies"].update(topic="biscuits"))
    [line] = problems(lambda: load_topics(data))
    assert line.startswith("topics.yml: data_categories: cookies: topic names no topic: 'biscuits'")
    edit(data / "topics.yml", lambda raw: raw["data_categories"]["cookies"].update(topic="cookies", when_negated="fans"))
    [line] = problems(lambda: load_topics(data))
    assert "when_negated names no data category: 'fans'" in line


def test_an_answer_saying_the_policy_is_silent_must_be_marked_as_a_gap(data):
    def silent_answer(raw):
        fact = next(fact for fact in raw["facts"] if not fact.get("gap"))
        fact["answer"]["en"] = "The notice does not specify how long this takes."
    edit(data / "knowledge" / "cesi.yml", silent_answer)
    [line] = problems(lambda: load_knowledge_base(data))
    assert "set gap: true" in line


def test_a_text_missing_a_language_is_refused_with_its_file_and_id(data):
    path = sorted((data / "texts").glob("*.yml"))[0]
    key = next(iter(yaml.safe_load(path.read_text(encoding="utf-8"))))
    edit(path, lambda raw: raw[key].pop("en"))
    assert problems(lambda: load_catalogue(data)) == [f"{path.name}: {key}: en: field required"]


def test_a_text_in_an_unknown_language_is_refused(data):
    path = sorted((data / "texts").glob("*.yml"))[0]
    key = next(iter(yaml.safe_load(path.read_text(encoding="utf-8"))))
    edit(path, lambda raw: raw[key].update(de="Hallo"))
    assert problems(lambda: load_catalogue(data)) == [f"{path.name}: {key}: de: unknown field"]


def test_a_language_cue_yaml_reads_as_a_boolean_is_refused(data):
    path = data / "language_cues.yml"
    path.write_text(path.read_text(encoding="utf-8").replace('"yes"', "yes"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"language_cues\.yml: en\[\d+\]: str type expected"):
        load_cues(data)


def test_check_knowledge_reads_the_data_dir_and_reports_every_file(data):
    edit(data / "rights.yml", lambda raw: raw["rights"]["access"]["label"].pop("fr"))
    edit(data / "knowledge" / "cartesia.yml", lambda raw: raw["organization"]["contact"].pop("source"))
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data)}
    check = subprocess.run([sys.executable, "-m", "knowledge"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert check.returncode == 1
    assert "rights.yml: rights[access]: label.fr: field required" in check.stdout.splitlines()
    assert "cartesia.yml: organization.contact.source: field required" in check.stdout.splitlines()
    assert "cesi: " in check.stdout  # the other files are still checked


def test_an_aspect_left_unaddressed_is_refused(data):
    """Every organisation answers every aspect: with facts, or a silent entry naming the nearest rule."""
    def drop_lifetime(raw):
        raw["facts"] = [fact for fact in raw["facts"]
                        if not (fact["topic"] == "cookies" and "lifetime" in _aspects(fact))]
        raw["silent"] = [entry for entry in raw.get("silent", [])
                         if (entry["topic"], entry.get("aspect")) != ("cookies", "lifetime")]
    edit(data / "knowledge" / "akteos.yml", drop_lifetime)
    lines = problems(lambda: load_knowledge_base(data))
    assert "akteos.yml: silent: aspect cookies.lifetime has no fact and no silent entry" in lines


def test_a_retention_category_left_unaddressed_is_refused(data):
    def drop(raw):
        raw["silent"] = [entry for entry in raw["silent"] if entry.get("category") != "candidates"]
    edit(data / "knowledge" / "cesi.yml", drop)
    assert problems(lambda: load_knowledge_base(data)) == \
        ["cesi.yml: silent: data category 'candidates' of retention has no fact and no silent entry"]


def test_an_unknown_aspect_and_a_missing_nearest_fact_are_refused(data):
    def break_it(raw):
        raw["facts"][0]["aspect"] = "lifetme"
        raw["silent"].append({"topic": "cookies", "aspect": "nothing", "nearest": ["no-such-fact"]})
    edit(data / "knowledge" / "acta.yml", break_it)
    lines = problems(lambda: load_knowledge_base(data))
    assert any(line.startswith(f"acta.yml: facts[0] {fact_id(data, 'acta', 0)}: aspect: unknown aspect 'lifetme'")
               for line in lines)
    assert any(line.endswith("nearest: no fact 'no-such-fact' in this file") for line in lines)


def test_an_aspect_with_facts_cannot_also_be_silent(data):
    edit(data / "knowledge" / "cesi.yml",
         lambda raw: raw["silent"].append({"topic": "dpo", "aspect": "contact"}))
    assert any("aspect dpo.contact has facts and is also marked silent" in line
               for line in problems(lambda: load_knowledge_base(data)))


def _aspects(fact):
    return fact["aspect"] if isinstance(fact["aspect"], list) else [fact["aspect"]]
