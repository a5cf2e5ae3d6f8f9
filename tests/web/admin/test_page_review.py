"""The admin's "new version of the source page" screens over real HTTP, on SQLite and PostgreSQL:
upload (refusals keep what was typed), the report, each resolution, acceptance refused while
anything is open, then accepted; the coverage page."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from bot.staff_db.knowledge import KnowledgeRepository
from tests.web.admin.helpers import hidden
from tests.web.admin.live import Client

# The workflow itself runs on SQLite and PostgreSQL in tests/staff_db/test_page_review.py; the
# screens over HTTP need only one of them.
pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

PAGES = Path(__file__).resolve().parent.parent.parent / "kb" / "pages"
PAGE = "beu-international-relations.txt"


def versions(text: str) -> dict:
    """Fact path -> the version its resolution forms carry."""
    paths, numbers = hidden(text, "path"), hidden(text, "version")
    return dict(zip(paths, (int(v) for v in numbers), strict=True))


def upload(client, content: bytes | None = None, text: str = ""):
    files = {"file": ("page.txt", content, "text/plain")} if content is not None else None
    data = {"csrf_token": client.csrf, "source": PAGE, "text": text}
    return client.post("/admin/knowledge/page", data=data, files=files)


def test_closed_without_login_refusals_say_why_and_keep_the_pasted_text(client, live):
    anonymous = Client(live.url)
    assert anonymous.get("/admin/knowledge/page").status_code == 302  # to the login page
    assert anonymous.get("/admin/knowledge/coverage").status_code == 302
    anonymous.close()
    forged = client.post("/admin/knowledge/page", data={"source": PAGE, "text": "A new page."})
    assert forged.status_code == 403  # the session's cookie went along, the CSRF token did not

    form = client.get("/admin/knowledge/page")
    assert form.status_code == 200
    assert f'<option value="{PAGE}" selected>' in form.text

    binary = upload(client, b"%PDF-1.7\x00\x01\x02")
    assert binary.status_code == 422
    assert "The file is binary" in html.unescape(binary.text)

    huge = "A sentence of the page. " * 25_000
    refused = upload(client, text=huge)
    assert refused.status_code == 422
    assert "may be at most 200 kB" in refused.text
    assert huge.strip() in html.unescape(refused.text)  # nothing typed is lost

    nothing = upload(client, text="   ")
    assert nothing.status_code == 422 and "Choose a file" in nothing.text
    assert "Waiting for review" not in client.get("/admin/knowledge/page").text

    wrong_file = upload(client, (PAGES / "reordered.txt").read_bytes())  # then discarded
    name = parse_qs(urlparse(wrong_file.headers["Location"]).query)["source"][0]
    assert "Waiting for review" in client.get("/admin/knowledge/page").text
    discarded = client.form("/admin/knowledge/page/discard", {"source": name})
    assert discarded.headers["Location"].endswith("done=discarded")
    assert "Waiting for review" not in client.get("/admin/knowledge/page").text


def test_upload_resolve_every_item_then_accept(client, engine):
    reply = upload(client, (PAGES / "changed_figures.txt").read_bytes())
    assert reply.status_code == 302
    review_url = reply.headers["Location"]
    name = parse_qs(urlparse(review_url).query)["source"][0]
    page = client.get(review_url)
    assert page.status_code == 200
    assert "<mark>140</mark>" in page.text and "<mark>95</mark>" in page.text  # side by side
    facts = versions(page.text)
    assert list(facts) == [
        "international_students",
        "programmes.english_taught",
        "mobility.students",
    ]
    assert re.search(
        r"<button type=\"submit\" aria-describedby=\"accept-why\" disabled>", page.text
    )
    refused = client.form("/admin/knowledge/page/accept", {"source": name})
    assert refused.status_code == 409 and "3 fact(s) still cite" in refused.text

    def resolve(path: str, **fields):
        data = {"source": name, "path": path, "version": facts[path], **fields}
        return client.form("/admin/knowledge/page/resolve", data)

    wrong = resolve("mobility.students", action="update", quote="45 students were here", count="45")
    assert wrong.status_code == 422
    assert re.search(r'id="err-\d+-quote">[^<]*not found', wrong.text)
    assert "45 students were here" in wrong.text  # what was typed stays in the form
    short = resolve("international_students", action="confirm", note="ok")
    assert short.status_code == 422 and "at least 3 characters" in short.text

    assert (
        resolve(
            "mobility.students",
            action="update",
            quote="a total of 45 students have been involved",
            count="45",
        ).status_code
        == 302
    )
    assert (
        resolve(
            "programmes.english_taught",
            action="update",
            quote="The presence of 24 specialties in English at BEU",
            count="24",
        ).status_code
        == 302
    )
    assert (
        resolve(
            "international_students", action="confirm", note="Checked with the registry"
        ).status_code
        == 302
    )

    page = client.get(review_url)
    assert "Facts to resolve (0 open)" in page.text
    assert "Kept, confirmed by staff, by staff.one" in page.text
    accepted = client.form("/admin/knowledge/page/accept", {"source": name})
    assert accepted.status_code == 302
    assert "done=accepted" in accepted.headers["Location"]
    live = KnowledgeRepository(engine).current()
    assert live.kb.document.file == name
    assert live.kb.mobility.students.count == 45
    assert live.kb.programmes.english_taught.count == 24
    assert client.get(review_url).status_code == 404  # nothing is waiting any more

    coverage = client.get("/admin/knowledge/coverage")
    assert coverage.status_code == 200
    assert name in coverage.text
    assert "international_students" in coverage.text  # listed among the confirmed facts
