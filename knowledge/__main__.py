"""`python -m knowledge [file.yml ...]` (make check-knowledge): check the data files against their schema.

Without arguments: topics.yml, rights.yml, data/texts/, form_phrases.yml, language_cues.yml and every organisation file
under data/knowledge/; with arguments: those organisation files (against topics.yml). Every problem
is printed, one line each; the exit status is 1 if there is any.
"""
from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Callable, Dict, List

from knowledge.loading import DATA_DIR, load_organization, load_rights, load_topics
from knowledge.model import DataCategory, KnowledgeError, Topic
from knowledge.phrases import PHRASES_FILE, name_prefix_pattern
from knowledge.texts import load_catalogue
from language.detection import CUES_FILE, load_cues


def _report(check: Callable[[], str]) -> bool:
    """Print what `check` found; False if the file breaks its schema."""
    try:
        print(check())
    except ValueError as error:  # KnowledgeError, or the language layer's ValueError for its cue file
        print(error)
        return False
    return True


def main(arguments: List[str]) -> int:
    try:
        topics, categories = load_topics()
    except KnowledgeError as error:
        print(error)
        return 1  # every organisation file is checked against the topics
    results = []
    if not arguments:
        print(f"topics.yml: {len(topics)} topics, {len(categories)} data categories")
        results.append(_report(lambda: f"rights.yml: {len(load_rights())} rights"))
        results.append(_report(lambda: f"texts: {len(load_catalogue())} texts"))
        results.append(_report(lambda: f"{PHRASES_FILE}: {name_prefix_pattern().pattern.count('|') + 1} name prefixes"))
        results.append(_report(lambda: f"{CUES_FILE}: " + ", ".join(
            f"{len(words)} {lang} cues" for lang, words in load_cues().items())))
    paths = [Path(argument) for argument in arguments] or sorted((DATA_DIR / "knowledge").glob("*.yml"))
    for path in paths:
        results.append(_report(functools.partial(_organization_summary, path, topics, categories)))
    return 0 if all(results) else 1


def _organization_summary(path: Path, topics: Dict[str, Topic], categories: Dict[str, DataCategory]) -> str:
    org = load_organization(path, topics, categories)
    return f"{org.slug}: {len(org.facts)} facts, silent on {', '.join(org.silent_topics) or 'nothing'}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
