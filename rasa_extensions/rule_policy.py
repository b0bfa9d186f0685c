"""Rasa's RulePolicy, with its rule lookup indexed: the same predictions in a fraction of the time.

At every prediction (two or three a message) Rasa 3.6 tests every learned rule against the
conversation's last state, then the survivors against each earlier state back to the start of
the conversation, parsing each rule back from its JSON key for each test. Under load that was
14% of the Rasa process's CPU (bench/optimisations.md, item 13). Two exact shortcuts:

- A rule whose last state names a previous action (and an intent) can only hold when the
  conversation's last state names the same ones; the rules are grouped by those names once per
  lookup, and only the groups the state can match are tested.
- A rule is true of every state older than its own length; once no surviving rule is that long,
  older states change nothing and are not visited.

Every candidate is still judged by Rasa's own `_is_rule_applicable`, so what holds is what Rasa
would find (tests/test_rule_policy.py compares both on every rule of the project and on made-up
states).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, Optional, Set, Text, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

State = Dict[Text, Dict[Text, Any]]
# Lookups are fixed once trained, but training builds a few in turn: keep the last ones seen.
MAX_INDEXES = 8
Names = Tuple[Optional[Text], Optional[Text]]  # (previous action, intent) a rule's last state requires


def _required(value: Any) -> Optional[Text]:
    """A value the conversation must hold for a rule to match, or None when the rule leaves it free."""
    return value if value and value != SHOULD_NOT_BE_SET and isinstance(value, str) else None


def _names_of(state: State) -> Names:
    return (_required((state.get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)),
            _required((state.get(USER) or {}).get(INTENT)))


@dataclass
class RuleIndex:
    """One lookup's rule keys grouped by what their last state requires."""
    always: Set[Text] = field(default_factory=set)       # no state at all: true of any conversation
    starters: Set[Text] = field(default_factory=set)     # last state without a previous action
    by_names: Dict[Names, Set[Text]] = field(default_factory=lambda: defaultdict(set))
    length: Dict[Text, int] = field(default_factory=dict)

    @classmethod
    def of(cls, rule_keys: FrozenSet[Text], states_of: Any) -> "RuleIndex":
        index = cls()
        for key in rule_keys:
            rule_states = states_of(key)
            index.length[key] = len(rule_states)
            if not rule_states:
                index.always.add(key)
            elif not rule_states[-1].get(PREVIOUS_ACTION):
                index.starters.add(key)
            else:
                index.by_names[_names_of(rule_states[-1])].add(key)
        return index

    def candidates(self, state: State) -> Set[Text]:
        """The keys that may hold at the conversation's last `state`; Rasa's test rejects every other."""
        if not state.get(PREVIOUS_ACTION):
            return self.always | self.starters
        action, intent = _names_of(state)
        found = set(self.always)
        for names in ((action, intent), (action, None), (None, intent), (None, None)):
            found |= self.by_names.get(names, set())
        return found


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class IndexedRulePolicy(RulePolicy):
    """RulePolicy, trained and persisted the same way; only the search for matching rules differs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._indexes: Dict[FrozenSet[Text], RuleIndex] = {}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        # Rasa's recipe validator checks the domain against a RulePolicy's fallback action (and warns
        # that none is configured) only for RulePolicy itself (`==`, not issubclass): checked here.
        self.raise_if_incompatible_with_domain(self.config, domain)
        return super().train(training_trackers, domain, **kwargs)

    def _index(self, lookup: Dict[Text, Text]) -> RuleIndex:
        keys = frozenset(lookup)
        index = self._indexes.get(keys)
        if index is None:
            if len(self._indexes) >= MAX_INDEXES:
                self._indexes.clear()
            index = self._indexes[keys] = RuleIndex.of(keys, self._rule_key_to_state)
        return index

    def _get_possible_keys(self, lookup: Dict[Text, Text], states: List[State]) -> Set[Text]:
        if not states:
            return set(lookup)
        index = self._index(lookup)
        newest_first = list(reversed(states))
        possible = {key for key in index.candidates(newest_first[0])
                    if self._is_rule_applicable(key, 0, newest_first[0])}
        for turn, state in enumerate(newest_first[1:], start=1):
            if all(index.length[key] <= turn for key in possible):
                break  # every rule left is true of all older states
            possible = {key for key in possible if self._is_rule_applicable(key, turn, state)}
        return possible
