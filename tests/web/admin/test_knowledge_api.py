"""/admin/api/facts against a real admin on SQLite and PostgreSQL: closed without a login, edits
validated as `make kb` validates kb.yml with errors located on the field, conflicts, additions,
retirement, history and rollback."""

from __future__ import annotations

import pytest

from tests.web.admin.knowledge_helpers import STUDENTS, confirmation, confirmed, seed_knowledge


@pytest.fixture()
def repository(live, engine):
    return seed_knowledge(engine)


def fact(client, path: str) -> dict:
    reply = client.api("GET", f"/facts?path={path}")
    assert reply.status_code == 200, reply.text
    return reply.json()


def put(client, path: str, data: dict, base_version: int, **extra):
    return client.api(
        "PUT", f"/facts?path={path}", {"data": data, "base_version": base_version, **extra}
    )


def test_closed_without_login_edit_invalid_edit_conflict_history_rollback(
    anonymous, client, repository
):
    for method, path in [
        ("GET", "/facts"),
        ("GET", f"/facts?path={STUDENTS}"),
        ("PUT", f"/facts?path={STUDENTS}"),
        ("POST", "/facts"),
        ("POST", f"/facts/retire?path={STUDENTS}"),
        ("GET", f"/facts/history?path={STUDENTS}"),
        ("POST", f"/facts/rollback?path={STUDENTS}"),
    ]:
        reply = anonymous.api(method, path, {})
        assert reply.status_code == 401, (method, path, reply.text)
        assert reply.json() == {"error": "login required"}
    before = fact(client, STUDENTS)
    changed = confirmed(before["data"], count=99)
    no_token = client.api("PUT", f"/facts?path={STUDENTS}", {"data": changed}, csrf=False)
    assert no_token.status_code == 403
    assert fact(client, STUDENTS) == before, "nothing was written"

    listed = client.api("GET", "/facts").json()
    paths = [f["path"] for f in listed["facts"]]
    assert {STUDENTS, "organisations[graz]", "office.contacts"} <= set(paths)
    original = fact(client, STUDENTS)
    assert original["kind"] == "Count" and original["data"]["count"] == 30
    assert client.api("GET", "/facts?path=nowhere[x]").status_code == 404
    assert client.api("GET", "/facts/history?path=]bad[").status_code == 404

    # A new figure, vouched for by staff: saved, and a new revision of the fact.
    reply = put(client, STUDENTS, confirmed(original["data"], count=31), original["version"])
    assert reply.status_code == 200, reply.text
    edited = reply.json()
    assert edited["data"]["count"] == 31 and edited["version"] > original["version"]
    assert edited["data"]["confirmed"]["note"] == "e-mail from the registrar's office"

    # Invalid edits: 422 located on the field; the live fact is untouched.
    for data, field, words in [
        (confirmed(original["data"], count=-1), "count", "greater than or equal to 0"),
        ({**original["data"], "quote": []}, "quote", "provenance"),
        ({**original["data"], "quote": ["A sentence the page never says."]}, "quote", "not found"),
        (
            {**confirmed(original["data"]), "confirmed": {**confirmation(), "note": ""}},
            "confirmed.note",
            "",
        ),
    ]:
        reply = put(client, STUDENTS, data, edited["version"])
        assert reply.status_code == 422, reply.text
        errors = reply.json()["errors"]
        assert field in errors and words in errors[field], errors
    assert fact(client, STUDENTS) == edited

    # Two editors from the same version: the second gets the conflict, with both sides.
    stale = put(client, STUDENTS, confirmed(original["data"], count=32), original["version"])
    assert stale.status_code == 409
    body = stale.json()
    assert body["error"] == "conflict"
    assert body["current"]["data"]["count"] == 31 and body["attempted"]["count"] == 32

    # History: both revisions, oldest to newest readable; rollback restores the first.
    history = client.api("GET", f"/facts/history?path={STUDENTS}").json()["history"]
    counts = {h["revision"]: (h["data"] or {}).get("count") for h in history}
    assert set(counts.values()) >= {30, 31}
    first = next(revision for revision, count in counts.items() if count == 30)
    wrong = client.api(
        "POST", f"/facts/rollback?path={STUDENTS}", {"revision": first, "base_version": 0}
    )
    assert wrong.status_code == 409
    back = client.api(
        "POST",
        f"/facts/rollback?path={STUDENTS}",
        {"revision": first, "base_version": edited["version"]},
    )
    assert back.status_code == 200, back.text
    assert back.json()["data"]["count"] == 30
    assert repository.current().kb.mobility.students.count == 30


def test_add_a_partner_refuse_a_dangling_reference_and_retire(client, repository):
    partner = {
        "id": "kyoto",
        "name": "Kyoto University",
        "country": "JP",
        "kind": "university",
        "confirmed": confirmation("signed agreement, scanned copy in the office"),
    }
    added = client.api("POST", "/facts", {"list": "organisations", "data": partner})
    assert added.status_code == 201, added.text
    assert added.json()["path"] == "organisations[kyoto]"
    assert repository.current().kb.organisations[-1].name == "Kyoto University"

    unknown = client.api(
        "POST", "/facts", {"list": "organisations", "data": {**partner, "id": "x", "country": "ZZ"}}
    )
    assert unknown.status_code == 422 and "country" in unknown.json()["errors"], unknown.text

    project = {
        "id": "kyoto_exchange",
        "acronym": "KYOX",
        "name": "Kyoto engineering exchange",
        "programme": "bilateral",
        "role": "partner",
        "coordinator": "nowhere",
        "confirmed": confirmation("project agreement signed by the rector"),
    }
    dangling = client.api("POST", "/facts", {"list": "projects", "data": project})
    assert dangling.status_code == 422 and "nowhere" in dangling.json()["errors"]["coordinator"]
    project["coordinator"] = "kyoto"
    added_project = client.api("POST", "/facts", {"list": "projects", "data": project})
    assert added_project.status_code == 201, added_project.text
    assert added_project.json()["data"]["coordinator"] == "kyoto"
    assert repository.current().kb.projects[-1].acronym == "KYOX"
    retire_project = client.api(
        "POST",
        "/facts/retire?path=projects[kyoto_exchange]",
        {"reason": "never started", "base_version": added_project.json()["version"]},
    )
    assert retire_project.status_code == 200, retire_project.text

    programme = fact(client, "exchange_programmes[erasmus_ka1]")
    dangling = {**programme["data"], "universities": ["kyoto", "nowhere"]}
    reply = put(client, "exchange_programmes[erasmus_ka1]", dangling, programme["version"])
    assert reply.status_code == 422, reply.text
    assert "nowhere" in reply.json()["errors"]["universities[1]"]

    no_reason = client.api(
        "POST", "/facts/retire?path=organisations[kyoto]", {"base_version": added.json()["version"]}
    )
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]
    retired = client.api(
        "POST",
        "/facts/retire?path=organisations[kyoto]",
        {"reason": "the agreement was not renewed", "base_version": added.json()["version"]},
    )
    assert retired.status_code == 200, retired.text
    assert client.api("GET", "/facts?path=organisations[kyoto]").status_code == 404
    kb = repository.current().kb
    assert "kyoto" not in {o.id for o in kb.organisations}
    assert [r.name for r in kb.retired] == ["Kyoto engineering exchange", "Kyoto University"]
    history = client.api("GET", "/facts/history?path=organisations[kyoto]").json()["history"]
    assert [h["action"] for h in history][-1] == "retire" and history[-1]["data"] is None
    assert history[0]["data"]["name"] == "Kyoto University", "kept in the history"

    # Brought back: rolled back to the revision that added it (its version: the retirement).
    back = client.api(
        "POST",
        "/facts/rollback?path=organisations[kyoto]",
        {"revision": history[0]["revision"], "base_version": history[-1]["revision"]},
    )
    assert back.status_code == 200, back.text
    kb = repository.current().kb
    assert "kyoto" in {o.id for o in kb.organisations}
    assert [r.name for r in kb.retired] == ["Kyoto engineering exchange"]
