"""Decide which of French or English a chat message is written in, or that it cannot tell.

langdetect is loaded with the French and English profiles only and a fixed seed, so the same
text always gets the same answer; short messages are decided by marker words alone, because
character statistics on two words are noise. `None` means "keep the conversation's language".

Marker words are the function words of data/language_cues.yml plus a lexicon read from the
project's own bilingual texts: the French and English answers of the knowledge files, the
policies (named <org>.<lang>.txt), and the NLU training examples whose marker words say their
language (the way people type: "kept", "servers", "infos"). A word found in one language's
texts and (almost) never in the other's ("storage", "required", "conservation", "durée") marks it; shared
words ("cookies", "data", "DPO") mark nothing. So "required fields?" is English and "durée
conservation cv" French.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, List, Optional

import yaml
from langdetect import detector_factory
from langdetect.lang_detect_exception import LangDetectException
from pydantic import BaseModel, Extra, ValidationError, constr

from language import DATA_DIR, LANGUAGES

CUES_FILE = "language_cues.yml"
SHORT_MESSAGE_WORDS = 3
MIN_PROBABILITY = 0.80

# A quoted phrase ('Sauvegarder les préférences') says nothing about the writer's language; an
# apostrophe inside a word (PREVENTION's, l'école) does not open a quote.
# Both run on each message on Rasa's event loop, so every quantifier that may start at many places
# is bounded: unbounded, "«««…" or "!!!…" made them quadratic (8,000 characters took about 2 s).
_QUOTED = re.compile(r"(?<!\w)[\"'«“‘][^\"'«“‘»”’\n]{3,300}?[\"'»”’](?!\w)")
_NOISE = re.compile(r"https?://\S+|[^\s@]{1,64}@\S+|[0-9]+")
# Only the start of a longer text is read: it says the language as well as the whole would.
MAX_TEXT_LENGTH = 2000
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")
# An NLU example's annotation keeps its text: "[CV]{"entity": ...}" or "[CV](data_category)" is "CV".
_ANNOTATION = re.compile(r"\[([^\]\n]*)\](?:\{[^}\n]*\}|\([^)\n]*\))")


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


class LanguageCues(BaseModel):
    """data/language_cues.yml: the marker words of each language. Strict strings: YAML reads an
    unquoted yes/no/on as a boolean, which would silently become the cue "true"."""
    fr: List[constr(strict=True, strip_whitespace=True, min_length=1)]  # type: ignore[valid-type]
    en: List[constr(strict=True, strip_whitespace=True, min_length=1)]  # type: ignore[valid-type]

    class Config:
        extra = Extra.forbid  # a misspelt language is an error, not a language without cues


def load_cues(data_dir: Path = DATA_DIR) -> Dict[str, FrozenSet[str]]:
    """The marker words of each language, accents removed; ValueError naming the file and field if malformed."""
    try:
        cues = LanguageCues.parse_obj(yaml.safe_load((data_dir / CUES_FILE).read_text(encoding="utf-8")) or {})
    except ValidationError as error:
        raise ValueError("\n".join(f"{CUES_FILE}: {_field(item['loc'])}: {item['msg']}"
                                    for item in error.errors())) from None
    return {lang: frozenset(_strip_accents(word).lower() for word in getattr(cues, lang)) for lang in LANGUAGES}


def _field(loc: tuple) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")


@functools.lru_cache(maxsize=1)
def _cues() -> Dict[str, FrozenSet[str]]:
    return load_cues()


def function_words() -> FrozenSet[str]:
    """The marker words of both languages (pronouns, articles, question words...), accents stripped:
    words that carry no subject of their own."""
    return frozenset().union(*_cues().values())


@functools.lru_cache(maxsize=1)
def _factory() -> detector_factory.DetectorFactory:
    factory = detector_factory.DetectorFactory()
    profiles = Path(detector_factory.PROFILES_DIRECTORY)
    factory.load_json_profile([(profiles / lang).read_text(encoding="utf-8") for lang in LANGUAGES])
    factory.set_seed(0)
    return factory


LEXICON_MIN_COUNT = 2   # a word seen this often in one language's texts ...
LEXICON_MIN_LENGTH = 4  # shorter words are function words (the cue file) or noise
# ... and at least this many times as often as in the other's: people mix languages ("c'est quoi le
# lifetime des cookies ?"), so one borrowing does not unmark a word.
LEXICON_MIN_RATIO = 10


@functools.lru_cache(maxsize=1)
def _lexicon() -> Dict[str, FrozenSet[str]]:
    counts: Dict[str, Dict[str, int]] = {lang: {} for lang in LANGUAGES}

    def count(lang: str, text: str) -> None:
        # Quoted titles ("« Durée de conservation »" in an English answer) are the other language.
        text = re.sub(r"«[^»]*»|“[^”]*”|\([^)]*\)", " ", _QUOTED.sub(" ", text))
        for word in _WORD.findall(_strip_accents(text).lower()):
            if len(word) >= LEXICON_MIN_LENGTH:
                counts[lang][word] = counts[lang].get(word, 0) + 1

    for path in sorted((DATA_DIR / "policies").glob("*.txt")):
        lang = path.stem.rpartition(".")[2]
        if lang in counts:
            count(lang, path.read_text(encoding="utf-8"))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted((DATA_DIR / "knowledge").glob("*.yml")):
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
        for fact in raw.get("facts") or []:
            for lang, text in ((fact or {}).get("answer") or {}).items():
                if lang in counts and isinstance(text, str):
                    count(lang, text)
    for example in _nlu_examples(loader):
        votes = _votes([_strip_accents(word).lower() for word in _WORD.findall(example)], with_lexicon=False)
        if _decisive(votes):
            count(_cue_vote(votes), example)
    return {lang: frozenset(word for word, n in counts[lang].items() if n >= LEXICON_MIN_COUNT
                            and all(counts[other].get(word, 0) * LEXICON_MIN_RATIO <= n for other in LANGUAGES if other != lang))
            for lang in LANGUAGES}


def _nlu_examples(loader: type) -> Iterator[str]:
    """The text of every NLU training example (data/nlu/*.yml), annotations reduced to their words."""
    for path in sorted((DATA_DIR / "nlu").glob("*.yml")):
        for item in (yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}).get("nlu") or []:
            for line in str((item or {}).get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    yield _ANNOTATION.sub(r"\1", line.strip()[2:])


def _votes(words: list, with_lexicon: bool = True) -> Dict[str, int]:
    cues, lexicon = _cues(), (_lexicon() if with_lexicon else {lang: frozenset() for lang in LANGUAGES})
    return {lang: sum(word in cues[lang] or word in lexicon[lang] for word in words) for lang in LANGUAGES}


DECISIVE_MARGIN = 2  # marker words this far ahead decide, whatever langdetect says of a short text


def _decisive(votes: Dict[str, int]) -> bool:
    return abs(votes["fr"] - votes["en"]) >= DECISIVE_MARGIN


def _cue_vote(votes: Dict[str, int]) -> Optional[str]:
    fr, en = votes["fr"], votes["en"]
    if fr > en:
        return "fr"
    if en > fr:
        return "en"
    return None


# French typography puts a space before "?", "!", ":" and ";", English none: in a short message of
# shared words ("email DPO ?", "DPO contact?") that is the only sign of the writer's language.
_FRENCH_SPACING = re.compile(r"\w[ \u00a0\u202f]+[?!:;]")
_ENGLISH_SPACING = re.compile(r"\w[?!]")
TYPOGRAPHY_MIN_WORDS = 2


def _typography(text: str) -> Optional[str]:
    french, english = bool(_FRENCH_SPACING.search(text)), bool(_ENGLISH_SPACING.search(text))
    return None if french == english else ("fr" if french else "en")


def detect_language(text: str) -> Optional[str]:
    """'fr', 'en', or None when the message does not say (too short, or only shared words)."""
    cleaned = _NOISE.sub(" ", _QUOTED.sub(" ", (text or "")[:MAX_TEXT_LENGTH]))
    words = [_strip_accents(word).lower() for word in _WORD.findall(cleaned)]
    if not words:
        return None
    votes = _votes(words)
    cue_vote = _cue_vote(votes)
    # A letter alone ("children's", "l'an") is not a word that langdetect could weigh.
    if sum(len(word) > 1 for word in words) <= SHORT_MESSAGE_WORDS or _decisive(votes):
        # A lone word ("DPO?", "<org>?") keeps the conversation's language whatever its punctuation.
        return cue_vote or (_typography(cleaned) if len(words) >= TYPOGRAPHY_MIN_WORDS else None)
    detector = _factory().create()
    detector.append(cleaned)
    try:
        best = max(detector.get_probabilities(), key=lambda result: result.prob)
    except (LangDetectException, ValueError):
        return cue_vote
    if best.prob >= MIN_PROBABILITY and (cue_vote in (None, best.lang) or best.prob >= 0.99):
        return best.lang
    return cue_vote or (best.lang if best.prob >= MIN_PROBABILITY else None)
