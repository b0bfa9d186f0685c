"""How long the parsers of a person's message take on long hostile inputs (issue 14, item 1).

python -m bench.regex_scaling: the worst time of each parser over a few hostile texts of 2,000 and
8,000 characters (best of 3 runs each). Linear work shows as 8,000 taking about 4 times 2,000;
quadratic as about 16 times. Not a test: the figures go to bench/optimisations.md by hand.
"""
from __future__ import annotations

import time
from typing import Callable, Dict

from language.detection import detect_language
from tracking.references import find_reference
from tracking.validation import extract_email, is_valid_email
from tracking.verification import typed_code

HOSTILE = {
    "!": "!", "a": "a", "a.": "a.", "a@": "a@", "@a": "@a", "«": "«", "(": "(", "“": "“", "'a": "'a",
    "1 ": "1 ", "a-": "a-", "x@y.": "x@y.",
}
PARSERS: Dict[str, Callable[[str], object]] = {
    "extract_email": extract_email,
    "is_valid_email": is_valid_email,
    "detect_language": detect_language,
    "typed_code": typed_code,
    "find_reference": find_reference,
}


def _worst(parser: Callable[[str], object], length: int) -> tuple:
    worst, worst_unit = 0.0, ""
    for name, unit in HOSTILE.items():
        text = (unit * length)[:length]
        best = min(_timed(parser, text) for _ in range(3))
        if best > worst:
            worst, worst_unit = best, name
    return worst, worst_unit


def _timed(parser: Callable[[str], object], text: str) -> float:
    start = time.perf_counter()
    parser(text)
    return time.perf_counter() - start


def main() -> None:
    detect_language("warm up the lexicon")
    print(f"{'parser':<18}{'2,000 chars':>16}{'8,000 chars':>16}  ratio  worst input")
    for name, parser in PARSERS.items():
        small, unit = _worst(parser, 2000)
        large, large_unit = _worst(parser, 8000)
        ratio = large / small if small else float("nan")
        print(f"{name:<18}{small * 1000:>13.2f} ms{large * 1000:>13.2f} ms  {ratio:5.1f}  {unit!r} / {large_unit!r}")


if __name__ == "__main__":
    main()
