"""What the tracking layer stores of free text a person typed: printable, in one Unicode form.

A NUL stored in a request made every CSV export fail for all staff (`_csv.Error: need to escape`),
and control or bidi override characters can hide or reorder what staff read in the console, the
command line or a spreadsheet. Text is cleaned on the way in (tracking.service), so every reader
gets the same safe text.
"""
from __future__ import annotations

import unicodedata

# Bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): they reorder the
# text around them ("Bob \u202egnp.exe" reads as "Bob exe.png"). The plain marks (LRM, RLM, ALM) only
# nudge neutral characters and are kept.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MULTILINE_KEPT = frozenset("\n\t")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """`value` in NFC without control characters and without bidi embeddings, overrides or isolates.

    CR LF and CR become a newline; newline and tab are kept when `multiline`, else become spaces."""
    value = unicodedata.normalize("NFC", value or "")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = MULTILINE_KEPT
    if not multiline:  # a line break or tab in a one-line field separated two words: keep them apart
        value = " ".join(value.replace("\t", " ").split("\n"))
    return "".join(char for char in value
                   if char in kept or (unicodedata.category(char) != "Cc" and char not in BIDI_CONTROLS))
