"""`python -m knowledge [file.yml ...]` (make check-knowledge): check the knowledge files."""
from __future__ import annotations

import sys
from pathlib import Path

from knowledge.loading import DATA_DIR, load_organization, load_topics
from knowledge.model import KnowledgeError

topic_map, category_names = load_topics()
paths = [Path(arg) for arg in sys.argv[1:]] or sorted((DATA_DIR / "knowledge").glob("*.yml"))
failed = False
for file_path in paths:
    try:
        org = load_organization(file_path, topic_map, category_names)
    except KnowledgeError as error:
        print(error)
        failed = True
        continue
    print(f"{org.slug}: {len(org.facts)} facts, silent on {', '.join(org.silent_topics) or 'nothing'}")
sys.exit(1 if failed else 0)
