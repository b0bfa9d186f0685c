"""The knowledge files: schema, verbatim sources, and no fact borrowed from another organisation."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from knowledge.loading import load_knowledge_base, normalize_whitespace
from knowledge.model import KnowledgeError

ROOT = Path(__file__).resolve().parent.parent
SLUGS = {"akteos", "activpartners", "cartesia", "cesi", "acta"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def test_every_organisation_loads_and_covers_every_topic(kb):
    assert set(kb.organizations) == SLUGS
    for org in kb.organizations.values():
        for topic in kb.topics:
            assert org.facts_for(topic) or topic in org.silent_topics, f"{org.slug}: {topic}"


def test_every_source_passage_is_verbatim_in_its_policy(kb):
    # load_knowledge_base already refuses a missing quote; this states the rule on its own.
    for org in kb.organizations.values():
        policy = normalize_whitespace((ROOT / "data" / "policies" / org.policy_file).read_text(encoding="utf-8"))
        for fact in org.facts:
            for fragment in fact.source.quote.split("[...]"):
                assert normalize_whitespace(fragment) in policy, f"{fact.id}: {fragment[:60]!r}"


def test_a_quote_not_in_the_policy_is_refused(tmp_path):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    path = tmp_path / "data" / "knowledge" / "cesi.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["facts"][0]["source"]["quote"] = "Your data is kept forever on the Moon."
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="not found verbatim"):
        load_knowledge_base(tmp_path / "data")


def test_a_topic_neither_answered_nor_silent_is_refused(tmp_path):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    path = tmp_path / "data" / "knowledge" / "cartesia.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["silent"] = [entry for entry in raw["silent"] if entry["topic"] != "minors"]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="'minors' has no fact and no silent entry"):
        load_knowledge_base(tmp_path / "data")


def test_answers_only_give_addresses_written_in_their_own_policy(kb):
    for org in kb.organizations.values():
        policy = (ROOT / "data" / "policies" / org.policy_file).read_text(encoding="utf-8").lower()
        texts = [org.contact["en"], org.contact["fr"]]
        texts += [fact.answer[lang] for fact in org.facts for lang in ("en", "fr")]
        for text in texts:
            for email in EMAIL.findall(text):
                reversed_in_policy = email.lower()[::-1] in policy
                assert email.lower() in policy or reversed_in_policy, f"{org.slug}: {email} not in its policy"


def test_akteos_is_never_given_an_email_address(kb):
    akteos = kb.organizations["akteos"]
    texts = [akteos.contact["en"], akteos.contact["fr"]] + [f.answer[l] for f in akteos.facts for l in ("en", "fr")]
    assert not [text for text in texts if EMAIL.search(text)]


def test_statutory_response_delays_are_data(kb):
    delays = {slug: org.response_delay for slug, org in kb.organizations.items()}
    assert (delays["activpartners"].months, delays["activpartners"].days) == (1, 0)
    assert (delays["cesi"].months, delays["cesi"].days) == (0, 30)
    assert (delays["acta"].months, delays["acta"].days) == (2, 0)
    assert delays["akteos"] is None and delays["cartesia"] is None


# Words that say nothing about which fact is meant: a keyword made of one of them would let an
# unrelated question ("how is the weather?") look like a policy question.
NON_KEYWORDS = set("""
how when why where which who what qui quel quelle quels quelles quand ou où use uses ask asked have has then only
need must time case find first back again like mean means old bas base forme format table code image user users help
aide aider still given named later close tell told read free note extra type types kind kinds level plan file trop
avant utile sign test lire pose poser send sole real vrai whose infos is are do does question questions can could
would should est sont peut puis faire fait make made get got give donne donner the le la les des une un de du my mes
mon ma data donnees donnee personal personnel personnelles information informations policy politique
""".split()) | {"who is", "qui est", "a qui", "qui a", "what is", "c'est quoi"}


def test_every_fact_has_specific_keywords(kb):
    for org in kb.organizations.values():
        for fact in org.facts:
            assert len(fact.keywords) >= 3, f"{fact.id}: too few keywords"
            generic = [k for k in fact.keywords if k in NON_KEYWORDS or k in (org.slug, org.name.lower())]
            assert not generic, f"{fact.id}: keywords that name nothing specific: {generic}"


def _broken_copy(tmp_path: Path, slug: str, change) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    path = tmp_path / "data" / "knowledge" / f"{slug}.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return tmp_path / "data"


def _problems(data_dir: Path) -> list:
    with pytest.raises(KnowledgeError) as error:
        load_knowledge_base(data_dir)
    return str(error.value).splitlines()


def test_the_rules_across_entries_are_reported_with_their_entry(tmp_path):
    def break_rules(raw):
        raw["organization"]["slug"] = "cesi-fr"
        raw["facts"][1]["id"] = raw["facts"][0]["id"]
        raw["facts"][2]["category"] = "diplomes"
        raw["silent"].append({"topic": raw["facts"][0]["topic"]})
        for fact in raw["facts"]:
            if fact["topic"] == "cookies":
                fact["summary"] = False
    lines = _problems(_broken_copy(tmp_path, "cesi", break_rules))
    first = yaml.safe_load((ROOT / "data" / "knowledge" / "cesi.yml").read_text(encoding="utf-8"))["facts"]
    assert lines[0] == "cesi.yml: organization.slug: 'cesi-fr' must match the file name 'cesi'"
    assert f"cesi.yml: facts[1] {first[0]['id']}: id: duplicate of facts[0]" in lines
    assert f"cesi.yml: facts[2] {first[2]['id']}: category: unknown data category 'diplomes' (not in topics.yml)" in lines
    assert any(line.startswith("cesi.yml: silent[") and "has facts and is also marked silent" in line for line in lines)
    assert "cesi.yml: facts: topic 'cookies' has no fact marked summary: true" in lines


def test_a_missing_policy_file_is_reported_once_not_with_every_quote(tmp_path):
    data_dir = _broken_copy(tmp_path, "akteos", lambda raw: raw["organization"].update(policy_file="akteos.txt"))
    assert _problems(data_dir) == ["akteos.yml: organization.policy_file: policies/akteos.txt is missing or empty"]


# How a silence is said (the wording of utter_policy_silent in domain.yml): a person scanning the
# answer, or a check written from the policy, recognises "does not specify" / "ne précise pas".
SILENCE_SAID = {"en": re.compile(r"does not (specify|say|state|mention|indicate|give)", re.I),
                "fr": re.compile(r"ne (précise|mentionne|dit|donne|fixe|prévoit|indique) pas|n'indique pas", re.I)}


def test_a_fact_about_a_silence_says_it_in_the_words_of_the_silence_replies(kb):
    for org in kb.organizations.values():
        for fact in org.facts:
            if fact.gap:
                for lang, said in SILENCE_SAID.items():
                    assert said.search(fact.answer[lang]), f"{fact.id} ({lang}): {fact.answer[lang]}"


# Other ways of saying a silence ("gives no …", "ne nomme aucun …"): a fact that uses one also says it
# in the words above, so every silence reads the same way.
SILENCE_IN_OTHER_WORDS = {
    "en": re.compile(r"\bgives no\b|\bnames no\b|\bno [\w' -]{1,40} (is|are) (stated|given|named|published)\b|"
                     r"\bsays nothing\b|\bpublishes no\b|\bdoes not (list|name|explain|detail)\b|\bstates no\b", re.I),
    "fr": re.compile(r"ne liste pas|ne donne aucun|ne nomme|ne cite (aucun|pas)|n'est (indiqué|précisé)e?\b|ne dit rien|"
                     r"ne publie|ne mentionne aucun|ne précise ni|ne donne ni|n'indique ni|ne mentionne ni", re.I)}


def test_a_fact_saying_a_silence_in_other_words_also_says_it_in_the_usual_ones(kb):
    for org in kb.organizations.values():
        for fact in org.facts:
            for lang, other in SILENCE_IN_OTHER_WORDS.items():
                if other.search(fact.answer[lang]):
                    assert SILENCE_SAID[lang].search(fact.answer[lang]), f"{fact.id} ({lang}): {fact.answer[lang]}"


def test_a_phrase_ending_in_an_elision_runs_into_the_next_word():
    """"comment j'" names "comment j'accède" (French elides before a vowel); other phrases stay whole words."""
    from knowledge.matching import normalize, words_pattern

    pattern = words_pattern(("comment j'", "and"))
    assert pattern.search(normalize("Comment j’accède à mes données ?"))
    assert not pattern.search(normalize("Andrew asked"))
    assert not words_pattern(("comment je",)).search(normalize("comment jeter mes cookies ?"))
