"""The indexed rule policy finds exactly the rules Rasa's RulePolicy finds (rasa_extensions/rule_policy.py)."""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import List

import pytest
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import SHOULD_NOT_BE_SET
from rasa.shared.importers.rasa import RasaFileImporter
from rasa.core.training import load_data

from rasa_extensions.rule_policy import IndexedRulePolicy, RuleIndex

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The policy trained on the project's rules and stories, with the trackers it learnt from and the test stories."""
    importer = RasaFileImporter(config_file=str(ROOT / "config.yml"), domain_path=str(ROOT / "domain.yml"),
                                training_data_paths=[str(ROOT / "data" / "rules"), str(ROOT / "tests" / "stories")])
    domain = importer.get_domain()
    trackers = load_data(importer, domain, augmentation_factor=0)
    storage = LocalModelStorage(tmp_path_factory.mktemp("rule-policy"))
    policy = IndexedRulePolicy.create({**IndexedRulePolicy.get_default_config(), "core_fallback_threshold": 0.3},
                                      storage, Resource("rules"), ExecutionContext(GraphSchema({}), "rules"))
    policy.train([t for t in trackers if t.is_rule_tracker], domain)
    return policy, domain, trackers


def _state_sequences(policy, domain, trackers) -> List[list]:
    """Every prefix of every tracker's states, as the policy sees them when predicting."""
    sequences = []
    for tracker in trackers:
        states = policy._prediction_states(tracker, domain, rule_only_data=policy._get_rule_only_data())
        sequences += [states[:end] for end in range(1, len(states) + 1)]
    return sequences


def test_the_project_rules_match_as_rasa_matches_them(trained):
    policy, domain, trackers = trained
    sequences = _state_sequences(policy, domain, trackers)
    assert len(sequences) > 500
    matched = 0
    for lookup_name in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH):
        lookup = policy.lookup[lookup_name]
        for states in sequences:
            ours = policy._get_possible_keys(lookup, states)
            assert ours == RulePolicy._get_possible_keys(policy, lookup, states)
            matched += bool(ours)
    assert matched > len(sequences) // 2  # the comparison is not between two empty sets


def test_made_up_rules_and_states_match_as_rasa_matches_them(trained):
    """Starters, rules with no intent, should-not-be-set values, slots and loops, at random."""
    policy = trained[0]
    rng = random.Random(7)
    actions = ["action_listen", "utter_greet", "some_form", SHOULD_NOT_BE_SET, None]
    intents = ["greet", "deny", SHOULD_NOT_BE_SET, None]

    def state(starter_chance: float = 0.15) -> dict:
        made = {}
        if rng.random() > starter_chance:
            action = rng.choice(actions)
            made["prev_action"] = {"action_name": action} if action else {"action_text": "hi"}
        intent = rng.choice(intents)
        if intent:
            made["user"] = {"intent": intent}
        if rng.random() < 0.3:
            made["active_loop"] = {"name": rng.choice(["some_form", SHOULD_NOT_BE_SET])}
        if rng.random() < 0.3:
            made["slots"] = {"organization": rng.choice([(1.0,), (0.0,), SHOULD_NOT_BE_SET])}
        return made

    rules = [[state() for _ in range(rng.randint(0, 4))] for _ in range(300)]
    lookup = {json.dumps(rule, sort_keys=True): "utter_x" for rule in rules}

    def conversation_holding(rule: list) -> list:
        """A rule's states with a value more here and there, after a few others: often a match."""
        held = [{kind: dict(values) for kind, values in rule_state.items()} for rule_state in rule]
        for held_state in held:
            if rng.random() < 0.3:
                held_state.setdefault("user", {}).setdefault("intent", rng.choice(["greet", "deny"]))
        return [state() for _ in range(rng.randint(0, 3))] + held

    matched = 0
    for _ in range(3000):
        states = conversation_holding(rng.choice(rules)) if rng.random() < 0.7 else [state() for _ in range(rng.randint(0, 7))]
        ours = policy._get_possible_keys(lookup, states)
        assert ours == RulePolicy._get_possible_keys(policy, lookup, states)
        matched += bool(ours)
    assert matched > 1000


def test_only_the_rules_a_state_can_match_are_tested():
    rules = [[{"prev_action": {"action_name": "action_listen"}, "user": {"intent": intent}}] for intent in "abc"]
    rules.append([{"user": {"intent": "a"}}])  # a conversation's first message
    index = RuleIndex.of(frozenset(json.dumps(rule) for rule in rules), json.loads)
    current = {"prev_action": {"action_name": "action_listen"}, "user": {"intent": "b"}}
    assert [json.loads(key) for key in index.candidates(current)] == [rules[1]]
    assert [json.loads(key) for key in index.candidates({"user": {"intent": "a"}})] == [rules[3]]
