"""Train the model only when what it is trained from has changed.

The fingerprint is a hash of the contents (not timestamps) of every training input: config,
domain, NLU data and rules (generated ones included), the custom NLU components (and the shared
text code they use), the spaCy entity pipeline and the table of names in az/ru/tr. A fresh
clone, a `git checkout` or an edit that changes nothing leaves it equal, so `make run` and
`make test` start at once; a new partner in knowledge/ changes it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterable, List

from bot import paths

MODEL = paths.ROOT / "models" / "beu.tar.gz"
FINGERPRINT = paths.ROOT / "models" / "beu.fingerprint"


def training_inputs(root: Path = paths.ROOT) -> List[Path]:
    files = [root / "config.yml", root / "domain.yml"]
    files += sorted((root / "data").rglob("*.yml"))
    files += sorted((root / "bot" / "rasa_server" / "nlu").glob("*.py"))
    files += sorted((root / "bot" / "language").glob("*.py"))  # what the components use
    files += sorted(p for p in (root / "build" / "spacy_beu").rglob("*") if p.is_file())
    local = [
        root / "bot" / "understanding" / "local_entities.py",  # LocalNameExtractor's look-up
        root / "build" / "local_names.json",  # its table, kept in the model
    ]
    return files + [p for p in local if p.exists()]


def fingerprint(files: Iterable[Path], root: Path = paths.ROOT) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def train_if_changed(force: bool = False) -> int:
    current = fingerprint(training_inputs())
    up_to_date = MODEL.exists() and FINGERPRINT.exists() and FINGERPRINT.read_text() == current
    if up_to_date and not force:
        print(f"model up to date ({MODEL.relative_to(paths.ROOT)}): training inputs unchanged")
        return 0
    print("training: inputs changed since the last model" if MODEL.exists() else "training")
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
        "--out", "models", "--fixed-model-name", "beu", "--force",
    ]  # fmt: skip
    # Training reads knowledge/kb.yml (`make kb-export` writes the staff database's edits there
    # first), never the live database: the model must follow from its fingerprinted inputs.
    result = subprocess.run(command, cwd=paths.ROOT, env={**os.environ, "BEU_KB_SOURCE": "files"})
    if result.returncode == 0:
        FINGERPRINT.write_text(current)
    return result.returncode
