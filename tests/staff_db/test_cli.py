"""The store CLI, called the way `python -m bot` will call it: main(argv) -> exit status."""

from __future__ import annotations

import io
import sys

import pytest
from sqlalchemy import select

from bot.staff_db import db
from bot.staff_db import tables as t
from bot.staff_db.cli import main
from bot.staff_db.users import Users


@pytest.fixture()
def url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def run(url: str, *argv: str, stdin: str = "", monkeypatch=None) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(["--database-url", url, *argv])


def test_users_add_reads_the_password_from_stdin(url, engine, monkeypatch, capsys):
    status = run(url, "users", "add", "aysel", "--password-stdin", stdin="long enough pw\n",
                 monkeypatch=monkeypatch)  # fmt: skip

    assert status == 0
    assert "added user aysel" in capsys.readouterr().out
    users = Users(engine, rounds=4)
    assert users.verify("aysel", "long enough pw", "127.0.0.1") is True  # newline not included
    with engine.connect() as connection:
        assert connection.execute(select(t.users.c.password_hash)).scalar().startswith("$2b$")

    assert run(url, "users", "list", monkeypatch=monkeypatch) == 0
    assert "aysel\tactive" in capsys.readouterr().out
    assert run(url, "users", "disable", "aysel", monkeypatch=monkeypatch) == 0
    assert users.get("aysel").disabled


def test_a_short_password_is_an_error(url, engine, monkeypatch, capsys):
    status = run(url, "users", "add", "aysel", "--password-stdin", stdin="short\n",
                 monkeypatch=monkeypatch)  # fmt: skip

    assert status == 1
    assert "password: use at least 10 characters" in capsys.readouterr().err
    assert Users(engine).list_users() == []


def test_errors_are_messages_with_a_nonzero_status(url, monkeypatch, capsys):
    assert run(url, "users", "disable", "nobody", monkeypatch=monkeypatch) == 1
    assert "no user 'nobody'" in capsys.readouterr().err
    assert run(url, "users", "add", "Bad Name", "--password-stdin", stdin="long enough pw",
               monkeypatch=monkeypatch) == 1  # fmt: skip
    assert "username" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["users", "frobnicate"])
    assert caught.value.code == 2


def test_faq_export_and_import(url, tmp_path, monkeypatch, capsys):
    path = tmp_path / "faq.yml"
    path.write_text(
        "faq:\n"
        "  - question: Where is the office?\n"
        "    answer: In the main building.\n"
        "    owner: international office\n"
        "    as_of: 2024-09-01\n",
        encoding="utf-8",
    )
    assert run(url, "faq", "import", str(path), "--as", "aysel", monkeypatch=monkeypatch) == 0
    assert "1 created" in capsys.readouterr().out
    assert run(url, "faq", "export", str(tmp_path / "out.yml"), monkeypatch=monkeypatch) == 0
    assert "question: Where is the office?" in (tmp_path / "out.yml").read_text()

    path.write_text("faq:\n  - question: ''\n", encoding="utf-8")
    assert run(url, "faq", "import", str(path), monkeypatch=monkeypatch) == 1
    assert "faq[0].question" in capsys.readouterr().err


def test_commands_refuse_an_unmigrated_database_until_db_upgrade(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    assert run(url, "users", "list", monkeypatch=monkeypatch) == 1
    assert "db upgrade" in capsys.readouterr().err
    assert run(url, "db", "upgrade", monkeypatch=monkeypatch) == 0
    assert run(url, "db", "upgrade", monkeypatch=monkeypatch) == 0
    assert f"schema {db.head_revision()}" in capsys.readouterr().out
    assert run(url, "users", "list", monkeypatch=monkeypatch) == 0
