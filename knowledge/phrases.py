"""Closed lists of phrases that change how a message is read.

data/form_phrases.yml: how a message relates to the question a form asked: the phrases before a
name, a cancel phrase, a formula (greeting, thanks, yes), the words that make it a sentence, and a
request for a new verification code.
data/question_phrases.yml: a question about every organisation (or those of the last question), or a
ranking of them (longest, oldest …).

Whole-message phrases are compared after normalisation (case, accents, apostrophes, punctuation),
so "Annuler !" and "annuler" are one phrase; a name is never compared with them word by word.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import FrozenSet, List, Mapping, Optional, Pattern, Tuple

from knowledge import schema
from knowledge.courtesy import core
from knowledge.loading import load_yaml
from knowledge.matching import normalize, words_pattern
from language import DATA_DIR, LANGUAGES

PHRASES_FILE = "form_phrases.yml"
QUESTION_PHRASES_FILE = "question_phrases.yml"
_PUNCTUATION = re.compile(r"[^\w\s'-]+")
MIN_CLAUSE_WORDS = 3   # a shorter piece ("and why?") is not a question of its own
LAST_SENTENCE_WORDS = 3  # "... what about me?", "... et dans mon cas ?": the situation told asks the last question
MAX_NAME_WORDS = 6     # a name introduced in a message has at most this many words
# A name runs until punctuation that ends it ("Anna Schmidt (anna@…)", "Jean Dupont, supprimez …").
_NAME_RUN = re.compile(r"[^,;.:!?()\[\]<>@\n]*")
_PARTICLE_JOINED = re.compile(r"^[a-z]{1,2}['’](.)")   # "d'Arcy" ("N'Diaye" is capitalised anyway)
_SENTENCE_BREAK = re.compile(r"[.:;!]\s+|\s[-—–]+\s")   # where a new sentence may start inside a clause
_SENTENCE_OR_CLAUSE_BREAK = re.compile(r"[.,:;!]\s+|\s[-—–]+\s")
NEGATION_REACH = 1     # words between a negation and what it denies: "not a customer", not "not keep customer data"


@dataclass(frozen=True)
class FormPhrases:
    name_prefix: Pattern[str]
    cancel: FrozenSet[str]
    formulas: FrozenSet[str]
    sentence_words: FrozenSet[str]
    resend: FrozenSet[str] = frozenset()
    introduction: Optional[Pattern[str]] = None   # a name prefix anywhere a clause may start
    name_particles: FrozenSet[str] = frozenset()

    def is_cancel(self, message: str) -> bool:
        """Whether the whole message asks to stop ("annuler", "never mind"), in either language."""
        return _phrase_of(message) in self.cancel

    def is_resend(self, message: str) -> bool:
        """Whether the whole message asks for a new verification code ("resend", "renvoyer le code")."""
        return _phrase_of(message) in self.resend

    def is_formula(self, message: str) -> bool:
        """Whether the whole message is a greeting, thanks, a yes or an ok: no answer to a question."""
        return _phrase_of(message) in self.formulas

    def introduced_name(self, message: str) -> Optional[str]:
        """The full name a longer message introduces ("Hi, I'm Anna Schmidt (anna@…) and I want …",
        "je suis Marie de La Fontaine, supprimez …"), as typed: the words after a name prefix, while they
        are capitalised or particles between capitalised words, at least two and at most MAX_NAME_WORDS
        of them; None when no such name is there ("je suis client", "I'm not sure")."""
        for match in (self.introduction.finditer(message) if self.introduction else ()):
            words = self._name_run(_NAME_RUN.match(message, match.end()).group().split())
            if len(words) >= 2:
                return " ".join(words)
        return None

    def only_a_name(self, message: str) -> Optional[str]:
        """The message as typed when it is only a name ("Nguyễn Thị Mai", "Jean de La Fontaine"): two to
        MAX_NAME_WORDS words, every one capitalised or a particle between capitalised ones; None for
        "Accès" or "je ne sais pas"."""
        name = message.strip(" .,;!")
        words = name.split()
        return name if not self.is_sentence(message) and len(words) >= 2 and self._name_run(words) == words else None

    def _name_run(self, words: List[str]) -> List[str]:
        """The words opening `words` that make a name: capitalised, or particles between capitalised ones."""
        run: List[str] = []
        for word in words:
            joined = _PARTICLE_JOINED.match(word)
            if not (word[:1].isupper() or word.lower() in self.name_particles
                    or (joined and joined.group(1).isupper())) or len(run) == MAX_NAME_WORDS:
                break
            run.append(word)
        while run and run[-1].lower() in self.name_particles:
            run.pop()
        return run if run and run[0][:1].isupper() else []

    def is_sentence(self, message: str) -> bool:
        """Whether the message has a word that no name has ("je", "want", "combien" ...)."""
        return any(word in self.sentence_words for word in _phrase_of(message).split())


def _phrase_of(message: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", normalize(message)).split())


def load_form_phrases(data_dir: Path = DATA_DIR) -> FormPhrases:
    spec = schema.parse(schema.FormPhrasesFile, load_yaml(data_dir / PHRASES_FILE), PHRASES_FILE)

    def both(field: str) -> FrozenSet[str]:
        return frozenset(_phrase_of(phrase) for lang in LANGUAGES for phrase in getattr(getattr(spec, field), lang))

    prefixes = sorted({p for lang in LANGUAGES for p in getattr(spec.name_prefixes, lang)}, key=len, reverse=True)
    alternatives = '|'.join(_phrase_pattern(p) for p in prefixes)
    prefix = re.compile(rf"^\s*(?:{alternatives})\s*", re.IGNORECASE)
    introduction = re.compile(rf"(?:^|(?<=[\s,;.!(]))(?:{alternatives})\s*", re.IGNORECASE)
    return FormPhrases(prefix, both("cancel"), both("formulas"), both("sentence_words"), both("resend"),
                       introduction, frozenset(particle.lower() for particle in spec.name_particles))


def name_prefix_pattern(data_dir: Path = DATA_DIR) -> Pattern[str]:
    """Matches a name prefix of either language at the start of a message ("my name is", "je m'appelle")."""
    return load_form_phrases(data_dir).name_prefix


def _phrase_pattern(phrase: str) -> str:
    # Flexible spaces and apostrophes, a colon may stand alone ("nom : Jo"); a phrase ends where a word does, so
    # "I am" is not taken out of "I Amanda".
    pattern = re.escape(phrase).replace(r"\ ", r"\s+").replace(r"\s+:", r"\s*:").replace("'", "['’]")
    return pattern if phrase.endswith(":") else pattern + r"(?![\w'])"


@functools.lru_cache(maxsize=1)
def form_phrases() -> FormPhrases:
    return load_form_phrases()


def name_prefix() -> Pattern[str]:
    return form_phrases().name_prefix


@dataclass(frozen=True)
class Ordering:
    """A way to rank organisations ("longest", "oldest"): on the `measure` their facts state."""
    name: str
    measure: str          # "duration" or "date": the field of a fact compared
    descending: bool      # the largest first
    superlative: Tuple[str, ...]
    comparative: Tuple[str, ...]


@dataclass(frozen=True)
class QuestionPhrases:
    all_organizations: Tuple[str, ...]
    which_organization: Tuple[str, ...]
    each_of_those: Tuple[str, ...]
    compare_with: Tuple[str, ...]
    follow_up_openers: Tuple[str, ...]
    question_words: Tuple[str, ...]      # every word that makes a question, leading ones included
    orderings: Tuple[Ordering, ...]
    negations: Tuple[str, ...] = ()
    refusals: Tuple[str, ...] = ()
    clause_turns: Tuple[str, ...] = ()
    conclusions: Tuple[str, ...] = ()
    leading_question_words: Tuple[str, ...] = ()  # those that ask only at the start of a clause
    back_references: Tuple[str, ...] = ()
    not_back_references: Tuple[str, ...] = ()
    fact_question_words: Tuple[str, ...] = ()
    the_others: Tuple[str, ...] = ()
    the_one: Tuple[str, ...] = ()
    condition_words: Tuple[str, ...] = ()
    inverted_subjects: Tuple[str, ...] = ()
    information_requests: Tuple[str, ...] = ()
    action_requests: Tuple[str, ...] = ()
    how_to_requests: Tuple[str, ...] = ()
    scene_openers: Tuple[str, ...] = ()
    correction_interjections: Tuple[str, ...] = ()
    wishes: Tuple[str, ...] = ()
    counted_units: Tuple[str, ...] = ()
    why_words: Tuple[str, ...] = ()
    reason_markers: Tuple[str, ...] = ()
    question_words_in: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)  # per language

    def asks_all_organizations(self, message: str) -> bool:
        """"all five", "chaque organisme"; not "after the five years", "les cinq ans"."""
        return bool(_not_followed_by(self.all_organizations, self.counted_units).search(normalize(message)))

    def asks_which_organization(self, message: str) -> bool:
        """A question starting "which organisation …", "quel organisme …", also after a sentence told
        first ("I'd rather phone. Which of the five give a phone number?")."""
        pattern = words_pattern(self.which_organization)
        return any(pattern.match(sentence.lstrip(" ,.-")) for sentence in _SENTENCE_END.split(normalize(message)))

    def refers_to_those(self, message: str) -> bool:
        """"each of them", "les deux": the organisations of the previous question, if it named several."""
        return _names_any(normalize(message), self.each_of_those)

    def asks_the_others(self, message: str) -> bool:
        """"the other four", "les autres organismes": every organisation but those talked about."""
        return _names_any(normalize(message), self.the_others)

    def names_why(self, message: str) -> bool:
        """"why", "pourquoi", "what for": the message asks for a reason."""
        return _names_any(normalize(message), self.why_words)

    def gives_a_reason(self, text: str) -> bool:
        """An answer saying why ("… in order to adapt them to your needs", "afin de …")."""
        return _names_any(normalize(text), self.reason_markers)

    def refers_to_one(self, message: str) -> bool:
        """"that one", "celui-là": one organisation among several just answered."""
        return _names_any(normalize(message), self.the_one)

    def clauses(self, message: str) -> List[str]:
        """The questions a message asks, when it asks several ("how long do you keep my CV and who can
        see it?"): it is cut where a question word starts a new clause after "?", "and"/"et", "," or ";".
        Normalised like the classifiers read text; one clause (the whole message) when it asks one thing."""
        cut = _clause_cut(self.question_words, self.condition_words)
        text = normalize(message)
        parts, start = [], 0
        for match in cut.finditer(text):
            parts.append((text[start:match.start()].strip(" ,;"), match.group().startswith("?")))
            start = match.end()
        parts.append((text[start:].strip(" ,;"), True))
        # A piece too short to ask anything ("sorry," before "can you …?"), or one that only states what
        # happened ("I sent my CV and didn't get the job," before "how long will you keep it?"),
        # belongs with the next one: the question is read with its context, not on its own.
        merged: List[str] = []
        context = False
        for part, asked in parts:
            if merged and context:
                merged[-1] = f"{merged[-1]}, {part}"
            else:
                merged.append(part)
            context = len(merged[-1].split()) < MIN_CLAUSE_WORDS or not (
                asked or (self._asks(merged[-1]) and not self._sets_the_scene(merged[-1])))
        return merged if len(merged) > 1 and all(len(part.split()) >= MIN_CLAUSE_WORDS for part in merged) else [text]

    def _asks(self, clause: str) -> bool:
        """Whether a clause is a question: it, or a sentence in it after what sets the scene ("those share
        buttons on your site — do they …"), opens with a question word ("do you …", "and how …"), or
        it has one that asks wherever it stands ("I'd like to know how long …")."""
        opening = words_pattern(self.question_words)
        inversion = _inversion(self.inverted_subjects)
        return any(bool(opening.match(rest) or inversion.match(rest))
                   for rest in (self._after_opener(sentence)[1] for sentence in _SENTENCE_BREAK.split(clause))
                   ) or _names_any(clause, self.asking_anywhere)

    def _sets_the_scene(self, clause: str) -> bool:
        """"when I email the DPO about my data": says when, asks nothing (a question would be "when do I …")."""
        return bool(words_pattern(self.scene_openers).match(self._after_opener(clause)[1]))

    @property
    def asking_anywhere(self) -> Tuple[str, ...]:
        return tuple(word for word in self.question_words if word not in self.leading_question_words)

    def denies(self, normalized_text: str, start: int) -> bool:
        """Whether the words just before `start` in the (normalised) text deny what follows: a negation
        with at most NEGATION_REACH words after it ("not a| customer", "jamais été| client")."""
        return bool(_negation_before(self.negations).search(normalized_text[:start]))

    def denies_a_right(self, normalized_text: str, start: int) -> bool:
        """Whether a right named at `start` is denied: a negation just before it, or a refusal earlier in
        its clause ("I don't want my account closed or anything removed, I just need …")."""
        before = normalized_text[:start]
        return bool(_negation_before(self.negations).search(before)
                    or _refusal_before(self.refusals, self.clause_turns).search(before))

    def compares_with(self, message: str) -> bool:
        """"compare with <organisation>", "par rapport à …": the conversation's organisation is compared too."""
        return _names_any(normalize(message), self.compare_with)

    def continues(self, message: str) -> bool:
        """"and the data about my diploma?", "what about CVs?": opens like a follow-up and asks nothing of
        its own; or ends so after saying who the person is ("I'm not a student yet, I just asked for a
        brochure. what about me?")."""
        opener, rest = self._after_opener(message)
        if opener and not _names_any(rest, self.question_words):
            return True
        pieces = _SENTENCE_OR_CLAUSE_BREAK.split(normalize(message).strip(" .?!"))
        opener, rest = self._after_opener(pieces[-1])
        return (opener and len(pieces) > 1 and len(rest.split()) <= LAST_SENTENCE_WORDS
                and not _names_any(rest, self.question_words))

    def states_only(self, message: str, language: Optional[str] = None) -> bool:
        """"I'm not a customer yet, I only left a comment on your website": no "?", and no question word
        of its `language` (when known: "comment" asks in French only)."""
        words = self.question_words_in.get(language or "", self.question_words)
        return "?" not in message and not _names_any(normalize(message), words)

    def asks_for_a_fact(self, message: str) -> bool:
        """"what is the delay for my erasure request?", "et quel est le délai ?": opens (after "and",
        "et") with a word asking for a fact, not for something to be done ("can you …", "how do I …")."""
        return bool(words_pattern(self.fact_question_words).match(self._after_opener(message)[1]))

    def only_wishes(self, message: str) -> bool:
        """"I'd like to leave instructions about what happens to my data after my death": opens (after a
        greeting) by saying what the person wants done, with no "?" and asking to be told nothing."""
        text = core(message)
        return ("?" not in message and bool(_wish_opening(self.wishes, self.conclusions).search(text))
                and not _names_any(text, self.information_requests))

    def asks_for_action(self, message: str, broadly: bool = True) -> bool:
        """"could you delete my CV?", "pouvez-vous bloquer l'utilisation de mes données ?": asks the
        organisation to do something; or, `broadly`, says a wish or asks how to get it done ("I'd like
        …", "how do I get my data deleted?"). Not broadly, asking how is not asking for it done ("how can
        I get my data deleted?")."""
        text = normalize(message)
        if broadly:
            return _names_any(text, self.action_requests + self.how_to_requests + self.wishes)
        return _names_any(text, self.action_requests) and not _names_any(text, self.how_to_requests)

    def asks_to_be_told(self, message: str) -> bool:
        """"could you please set out the rights I can exercise?", "j'aimerais savoir …": asks for information."""
        return _names_any(normalize(message), self.information_requests)

    def refers_back(self, message: str) -> bool:
        """"can I refuse them?", "c'est qui ce prestataire ?": a word pointing at what was just said
        (not "est-ce que …", "ce que vous faites")."""
        text = words_pattern(self.not_back_references).sub(" ", normalize(message))
        return _names_any(text, self.back_references)

    def asks_something(self, message: str) -> bool:
        """Whether the message, after a follow-up opener, has a question word ("and who sees my CV?"); one
        that asks only leading a clause ("can", "do") where it opens one ("CVs at <org>, do they …", not
        "a CSV file so I can move to another provider")."""
        rest = self._after_opener(message)[1]
        return (_names_any(rest, self.asking_anywhere)
                or bool(_leading(self.leading_question_words).search(rest)))

    def opens_like_a_follow_up(self, message: str) -> bool:
        """"and does … ?", "what about …", "no, I meant …"."""
        return self._after_opener(message)[0]

    def _after_opener(self, message: str) -> Tuple[bool, str]:
        """Whether the message opens like a follow-up ("and", "what about", "no, I meant"), and its text after that opener."""
        text = normalize(message).lstrip(" ,.-")
        match = _opener(self.follow_up_openers, self.correction_interjections).match(text)  # the longest opener first
        return (True, text[match.end():].lstrip(" ,")) if match else (False, text)

    def ordering(self, message: str, several_named: bool) -> Optional[Ordering]:
        """The ranking a message asks for: a superlative always, a comparative when it names several organisations."""
        text = normalize(message)
        for ordering in self.orderings:
            if _names_any(text, ordering.superlative):
                return ordering
        if several_named:
            for ordering in self.orderings:
                if _names_any(text, ordering.comparative):
                    return ordering
        return None


@functools.lru_cache(maxsize=4)
def _negation_before(negations: Tuple[str, ...]) -> Pattern[str]:
    cues = words_pattern(negations).pattern
    return re.compile(rf"{cues}(?:\s+[^\s]+){{0,{NEGATION_REACH}}}\s*$")


@functools.lru_cache(maxsize=4)
def _wish_opening(wishes: Tuple[str, ...], conclusions: Tuple[str, ...]) -> Pattern[str]:
    # A wish opens the message, a sentence of it, or a clause drawing a conclusion from what it told
    # ("My father died last spring … so I'd like to leave instructions …").
    return re.compile(rf"(?:^|[.!;:]\s+|{words_pattern(conclusions).pattern}\s+)(?:{words_pattern(wishes).pattern})")


@functools.lru_cache(maxsize=4)
def _refusal_before(refusals: Tuple[str, ...], clause_turns: Tuple[str, ...]) -> Pattern[str]:
    # Its reach ends with the clause: a punctuation mark, or a word turning to what is wanted instead.
    return re.compile(rf"{words_pattern(refusals).pattern}(?:(?![,;.!?:]|\s{words_pattern(clause_turns).pattern}).)*$")


_SENTENCE_END = re.compile(r"[.!?;]+\s")


def _names_any(text: str, phrases: Tuple[str, ...]) -> bool:
    return bool(words_pattern(phrases).search(text))


@functools.lru_cache(maxsize=4)
def _not_followed_by(phrases: Tuple[str, ...], following: Tuple[str, ...]) -> Pattern[str]:
    """Any of `phrases` where the next word is none of `following` ("the five", not "the five years")."""
    return re.compile(rf"{words_pattern(phrases).pattern}(?!\s+{words_pattern(following).pattern})")


@functools.lru_cache(maxsize=4)
def _opener(openers: Tuple[str, ...], interjections: Tuple[str, ...]) -> Pattern[str]:
    """A follow-up opener, after an interjection or not ("and", "no, I meant")."""
    return re.compile(rf"(?:{words_pattern(interjections).pattern}[\s,.!-]*)?{words_pattern(openers).pattern}")


@functools.lru_cache(maxsize=4)
def _inversion(subjects: Tuple[str, ...]) -> Pattern[str]:
    """A verb joined to its subject, opening a question ("pourriez-vous", "a-t-il")."""
    alternatives = "|".join(re.escape(subject) for subject in sorted(subjects, key=len, reverse=True)) or "(?!)"
    return re.compile(rf"[^\W\d_]+-(?:t-)?(?:{alternatives})\b")


@functools.lru_cache(maxsize=4)
def _leading(words: Tuple[str, ...]) -> Pattern[str]:
    """Any of `words` opening the text or a clause (after punctuation or "and", "but", "or")."""
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?:^|[,;:.!?]\s*|\b(?:and|et|but|mais|or|ou)\s+)(?:{alternatives})(?![a-z0-9])")


@functools.lru_cache(maxsize=4)
def _clause_cut(question_words: Tuple[str, ...], condition_words: Tuple[str, ...]) -> Pattern[str]:
    words = r"|".join(re.escape(word) for word in sorted(question_words, key=len, reverse=True))
    conditions = r"|".join(re.escape(word) for word in sorted(condition_words, key=len, reverse=True)) or r"(?!)"
    # After a "?", "ou" starts a clause too: it is "où" without its accent (or "ou bien …", another
    # question); so does a piece ending in "?" of its own, a question without a question word ("…?
    # et je peux m'y opposer ?"). After "and"/"et", a condition opens another question ("…, et si ça
    # ne bouge pas je peux me plaindre où ?") or asks whether ("how long, and if you sell it"); so does
    # "et où" ("… ce que ce prestataire reçoit, et où il est établi ?"), "and where" without its accent.
    return re.compile(rf"\?+\s*(?:(?:and|et|also|aussi)\s+)?(?=(?:{words}|ou)\b|[^?]+\?)"
                      rf"|(?:\s(?:and|et|but|mais)\b|[,;])\s*(?:(?:and|et|also|aussi)\s+)?(?=(?:{words})\b)"
                      rf"|,?\s(?:and|et)\s+(?=(?:{conditions}|ou)\b)")


# The lists read as they are (the constructor's keyword arguments, named as in the file).
_OPTIONAL_LISTS = ("negations", "refusals", "clause_turns", "conclusions", "leading_question_words",
                   "back_references", "not_back_references",
                   "fact_question_words", "the_others", "the_one", "condition_words", "inverted_subjects",
                   "information_requests", "scene_openers", "correction_interjections", "wishes",
                   "counted_units", "why_words", "reason_markers", "action_requests",
                   "how_to_requests")


def load_question_phrases(data_dir: Path = DATA_DIR) -> QuestionPhrases:
    spec = schema.parse(schema.QuestionPhrasesFile, load_yaml(data_dir / QUESTION_PHRASES_FILE),
                        QUESTION_PHRASES_FILE)

    def both(phrases: schema.PhrasesByLanguage) -> Tuple[str, ...]:
        return tuple(normalize(phrase) for lang in LANGUAGES for phrase in getattr(phrases, lang))

    orderings = tuple(Ordering(name, ordering.measure, ordering.descending, both(ordering.superlative),
                               both(ordering.comparative)) for name, ordering in spec.orderings.items())
    return QuestionPhrases(both(spec.all_organizations), both(spec.which_organization), both(spec.each_of_those),
                           both(spec.compare_with), both(spec.follow_up_openers),
                           both(spec.question_words) + both(spec.leading_question_words), orderings,
                           **{name: both(getattr(spec, name)) for name in _OPTIONAL_LISTS},
                           question_words_in={lang: tuple(normalize(word) for part in (spec.question_words,
                                                                                         spec.leading_question_words)
                                                          for word in getattr(part, lang)) for lang in LANGUAGES})


@functools.lru_cache(maxsize=1)
def question_phrases() -> QuestionPhrases:
    return load_question_phrases()
