"""Parsers of a person's message do bounded work on long hostile input (issue 14, item 1).

No timing here: each test checks the structure that keeps the work linear (the regex only ever
sees a bounded piece of the message). The before/after figures are in bench/optimisations.md
(python -m bench.regex_scaling)."""
from __future__ import annotations

from typing import List

import pytest

from language import detection
from tracking import validation

HOSTILE = ["!" * 8000, "a@" * 4000, "«" * 8000, "(" * 8000, "a." * 4000, "x@y." * 2000,
           " ".join(["!" * 300 + "@a.fr"] * 30)]


class _Spy:
    """Stands for a compiled pattern and records the length of every string it is run on."""

    def __init__(self, pattern) -> None:
        self.pattern, self.lengths = pattern, []  # type: ignore[var-annotated]

    def finditer(self, text: str):
        self.lengths.append(len(text))
        return self.pattern.finditer(text)

    def sub(self, replacement: str, text: str) -> str:
        self.lengths.append(len(text))
        return self.pattern.sub(replacement, text)

    def fullmatch(self, text: str):
        self.lengths.append(len(text))
        return self.pattern.fullmatch(text)


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_the_address_pattern_only_sees_short_tokens(monkeypatch, text: str) -> None:
    spy = _Spy(validation.EMAIL_PATTERN)
    monkeypatch.setattr(validation, "EMAIL_PATTERN", spy)
    assert validation.extract_email(text) is None
    assert all(length <= validation.MAX_EMAIL_TOKEN for length in spy.lengths)


def test_addresses_are_still_found_among_words_and_punctuation() -> None:
    assert validation.extract_email("sorry: jo@example.com") == "jo@example.com"
    assert validation.extract_email("(jo.ann@mail.example.fr), merci") == "jo.ann@mail.example.fr"
    assert validation.extract_email("mail:jo@example.com.") == "jo@example.com"
    assert validation.extract_email("jo@example.com or al@example.com") is None
    assert validation.extract_email("!" * 400 + "jo@example.com") is None  # one 414-character token


def test_the_pattern_bounds_each_part_of_an_address() -> None:
    # Bounded repetitions: no part of the pattern can grow with the message.
    source = validation.EMAIL_PATTERN.pattern.replace("{{", "")
    assert "]+" not in source and ")+" not in source and ")*" not in source


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_language_detection_reads_a_bounded_prefix(monkeypatch, text: str) -> None:
    detection._lexicon()  # built once from the project's own texts, not from a message
    quoted, noise = _Spy(detection._QUOTED), _Spy(detection._NOISE)
    monkeypatch.setattr(detection, "_QUOTED", quoted)
    monkeypatch.setattr(detection, "_NOISE", noise)
    detection.detect_language(text)
    lengths: List[int] = quoted.lengths + noise.lengths
    assert lengths and max(lengths) <= detection.MAX_TEXT_LENGTH


def test_the_language_patterns_have_no_unbounded_repetition_before_a_literal() -> None:
    assert "{3,}" not in detection._QUOTED.pattern
    assert r"\S+@" not in detection._NOISE.pattern
