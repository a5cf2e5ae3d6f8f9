"""Staff change the knowledge base and the running servers answer from it within 5 seconds, with
no retraining and no restart: a new figure citing a new version of the page, a partner in a
country that had none (and its name understood), the office's e-mail address in the contact
answer and in the store's apology.

These tests change the shared servers' staff database; `restored` puts every fact they touched
back as it was (KnowledgeRepository.rollback) and waits until the servers answer as before, so
the other end-to-end modules see the knowledge base they expect.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from pathlib import Path
from typing import Callable, List

import pytest
from sqlalchemy.engine import make_url

from bot.staff_db.db import make_engine
from bot.staff_db.knowledge import KnowledgeRepository
from tests.e2e.scoring import flatten
from tests.rasa_server.test_locked_store import write_locked
from tests.servers import ask

pytestmark = pytest.mark.e2e
DEADLINE_S = 5.0
CONFIRMED = {
    "by": "End-to-end test",
    "date": dt.date(2026, 12, 6).isoformat(),
    "note": "e-mail from the international office",
}
E_MAIL = "incoming.e2e@beu.edu.az"


@pytest.fixture(scope="module")
def repository(servers):
    engine = make_engine(servers.database_url)
    yield KnowledgeRepository(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def restored(repository, servers):
    """Paths the tests change; afterwards each is rolled back to the revision before them."""
    start = repository.current().revision
    touched: List[str] = []
    yield touched
    for path in reversed(touched):
        history = repository.history(path)
        repository.rollback(path, start, history[-1].revision, who="tests")
    wait_until(
        lambda: "don't have their e-mail address" in say(servers, "who do I contact?"),
        "the servers never went back to the knowledge base as it was",
        deadline=15,
    )


def say(servers, text: str) -> str:
    return flatten(ask(servers.webhook, f"live-{uuid.uuid4().hex[:10]}", text))


def wait_until(condition: Callable[[], bool], message: str, deadline: float = DEADLINE_S) -> float:
    """Seconds until `condition()` held (the reply that showed it included), asked again and
    again; fails once `deadline` has passed without it."""
    started = time.monotonic()
    while True:
        held = condition()
        elapsed = time.monotonic() - started
        assert elapsed < deadline, f"{message} ({elapsed:.1f} s)"
        if held:
            return elapsed
        time.sleep(0.2)


def test_a_changed_figure_citing_a_new_page_version_is_answered_within_5_seconds(
    servers, repository, restored
):
    question = "How many international students study at BEU?"
    view = repository.fact("international_students")
    old, new = view.data["count"], view.data["count"] + 17
    assert f"{old} " in say(servers, question) and f"{new} " not in say(servers, question)

    # The office publishes a new version of its page with the new figure, and staff cite it.
    current = repository.current().kb.document.file
    page = repository.source(current).text
    sentence = f"Currently, {old} students from"
    assert page.count(sentence) == 1
    version = f"beu-international-relations-e2e-{uuid.uuid4().hex[:6]}.txt"
    repository.add_source(
        version, page.replace(sentence, f"Currently, {new} students from"), "tests"
    )
    quotes = view.data["quote"] if isinstance(view.data["quote"], list) else [view.data["quote"]]
    quote = [q.replace(sentence, f"Currently, {new} students from") for q in quotes]
    data = {**view.data, "count": new, "quote": quote, "source": version}
    restored.append("international_students")
    repository.edit_fact("international_students", data, view.version, who="tests")
    seconds = wait_until(
        lambda: f"{new} " in say(servers, question), "the new figure wasn't answered within 5 s"
    )
    print(f"new figure answered {seconds:.1f} s after publishing")


def test_a_partner_in_a_new_country_is_a_yes_within_5_seconds_and_its_name_understood(
    servers, repository, restored
):
    question = "Do you have partner universities in Japan?"
    assert "No, the page lists no partner" in say(servers, question)

    university = {
        "id": "kyoto_sangyo",
        "name": "Kyoto Sangyo University",
        "aliases": ["KSU Kyoto"],
        "country": "JP",
        "kind": "university",
        "confirmed": CONFIRMED,
    }
    restored.append(repository.add_item("organisations", university, who="tests"))
    programme = repository.fact("exchange_programmes[bilateral]")
    linked = {
        **programme.data,
        "universities": [*programme.data.get("universities", []), "kyoto_sangyo"],
    }
    restored.append("exchange_programmes[bilateral]")
    repository.edit_fact(programme.path, linked, programme.version, who="tests")

    seconds = wait_until(
        lambda: "Yes, BEU has partners in **Japan**" in say(servers, question),
        "Japan was not a yes within 5 s",
    )
    print(f"Japan a yes {seconds:.1f} s after publishing")
    reply = say(servers, question)
    assert "Kyoto Sangyo University" in reply and "bilateral" in reply
    about = say(servers, "Is Kyoto Sangyo University one of your partners?")
    assert "Kyoto Sangyo University" in about and "Japan" in about, about
    assert "partner university" in about, about


def test_the_office_e_mail_is_given_by_the_contact_answer_and_the_apology(
    servers, repository, restored
):
    question = "Who do I contact at the international office?"
    assert E_MAIL not in say(servers, question)

    view = repository.fact("office.contacts")
    data = {**view.data, "emails": [E_MAIL], "confirmed": CONFIRMED}
    restored.append("office.contacts")
    repository.edit_fact("office.contacts", data, view.version, who="tests")
    seconds = wait_until(
        lambda: E_MAIL in say(servers, question), "the e-mail wasn't given within 5 s"
    )
    print(f"e-mail given {seconds:.1f} s after publishing")

    # The Rasa server's own reply when the conversation store is locked (bot/rasa_server/retry.py)
    tracker = Path(make_url(servers._env()["TRACKER_STORE_URL"]).database)
    with write_locked(tracker, 5.5):  # longer than the store budget (4 + 1 s)
        apology = say(servers, "Who coordinates PROMIG?")
    assert "not recorded" in apology and E_MAIL in apology, apology
