"""`python -m bot kb import|export` move the knowledge base between knowledge/ and the staff
database; the import reports what it kept and fails (exit 1) when it kept an admin edit."""

from __future__ import annotations

import shutil

from bot import paths
from bot.__main__ import main
from bot.staff_db import db
from bot.staff_db.knowledge import KnowledgeRepository


def test_import_then_export_on_the_command_line(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'staff.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["kb", "export", "--to", str(tmp_path / "out")]) == 1  # schema not migrated
    db.migrate(url)
    assert main(["kb", "import"]) == 0
    assert "revision 1" in capsys.readouterr().out
    assert main(["kb", "export", "--to", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "sources" / "beu-international-relations.txt").is_file()

    shutil.copy(paths.KB_FILE, tmp_path / "out" / "kb.yml")  # the file, comments and all
    engine = db.make_engine(url)
    repo = KnowledgeRepository(engine)
    students = repo.fact("mobility.students")
    confirmed = {"by": "Aysel", "date": "2026-12-01", "note": "e-mail from the registrar"}
    data = {**students.data, "count": 31, "quote": [], "confirmed": confirmed}
    repo.edit_fact(students.path, data, students.version, "aysel")
    engine.dispose()
    capsys.readouterr()
    assert main(["kb", "import", str(tmp_path / "out" / "kb.yml"), "--as", "dev"]) == 1
    assert "skipped mobility.students: edited in the admin" in capsys.readouterr().out
