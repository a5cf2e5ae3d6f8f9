"""Where things live in the project, so no module hard-codes a relative path."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
KB_FILE = KNOWLEDGE / "kb.yml"
SOURCES = KNOWLEDGE / "sources"
COUNTRIES_FILE = KNOWLEDGE / "reference" / "countries.yml"
GENERATED_DATA = ROOT / "data" / "generated"
BUILD = ROOT / "build"
SPACY_PIPELINE = BUILD / "spacy_beu"
LOCAL_NAMES = BUILD / "local_names.json"  # names in az/ru/tr with case endings (make kb)
VAR = ROOT / "var"
STAFF_DB = VAR / "staff.sqlite3"
