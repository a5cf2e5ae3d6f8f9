"""The inbox: questions the assistant could not answer, grouped; answers students marked wrong
(a 👎, with their comment); and requests for a person.

A group can be dismissed, or answered: "Answer" opens the new-entry form pre-filled with the
group's questions, and the group leaves the inbox when that entry is published.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse

from bot.staff_db.inbox import Handoff, Unanswered
from bot.web.admin import render
from bot.web.admin.auth import guarded, who
from bot.web.admin.context import Admin, run_sync
from bot.web.admin.forms import parse_ids
from bot.web.admin.grouping import Grouper

DONE = {
    "dismissed": "Dismissed: those questions left the inbox.",
    "closed": "Closed the conversation.",
}


def _question(item: Unanswered) -> dict[str, Any]:
    return {
        "id": item.id,
        "text": item.text,
        "created_at": item.created_at.isoformat(),
        "channel": item.channel,
        "intent": item.guessed_intent,
        "confidence": item.confidence,
        "language": item.language,
        "kind": item.kind,
        "comment": item.comment,
    }


def group_view(items: list[Unanswered]) -> dict[str, Any]:
    """One group as screens and the API show it (items newest first)."""
    intents = Counter(i.guessed_intent for i in items if i.guessed_intent)
    intent = intents.most_common(1)[0][0] if intents else None
    scores = [
        i.confidence for i in items if i.guessed_intent == intent and i.confidence is not None
    ]
    return {
        "ids": [i.id for i in items],
        "count": len(items),
        "newest": max(i.created_at for i in items).isoformat(),
        "channels": sorted({i.channel for i in items}),
        "languages": sorted({i.language for i in items if i.language}),
        "intent": intent,
        "confidence": round(sum(scores) / len(scores), 3) if scores else None,
        "questions": [_question(i) for i in items],
    }


def handoff_view(handoff: Handoff) -> dict[str, Any]:
    return {
        "id": handoff.id,
        "created_at": handoff.created_at.isoformat(),
        "channel": handoff.channel,
        "conversation": handoff.sender_hash[:10],
        "transcript": handoff.transcript,
        "status": handoff.status,
        "closed_by": handoff.closed_by,
        "closed_at": handoff.closed_at.isoformat() if handoff.closed_at else None,
    }


def wrong_groups(items: list[Unanswered]) -> list[dict[str, Any]]:
    """Answers marked wrong, one group per question as asked (casefolded), newest first: each
    keeps every student's comment, so staff see what was wrong before fixing the answer."""
    by_text: dict[str, list[Unanswered]] = {}
    for item in items:
        by_text.setdefault(" ".join(item.text.casefold().split()), []).append(item)
    groups = [group_view(sorted(g, key=lambda q: -q.id)) for g in by_text.values()]
    return sorted(groups, key=lambda g: (g["newest"], max(g["ids"])), reverse=True)


def inbox_view(admin: Admin, grouper: Grouper, wait: float | None) -> dict[str, Any]:
    """Open questions in groups (newest group first), answers marked wrong, and open handoffs
    (newest first)."""
    everything = admin.inbox.list_open_unanswered()
    questions = [q for q in everything if q.kind != "wrong"]
    indices, how = grouper.group([q.text for q in questions], wait)
    groups = [group_view(sorted((questions[i] for i in g), key=lambda q: -q.id)) for g in indices]
    groups.sort(key=lambda g: (g["newest"], max(g["ids"])), reverse=True)
    wrong = wrong_groups([q for q in everything if q.kind == "wrong"])
    handoffs = [handoff_view(h) for h in admin.inbox.list_handoffs("open")]
    return {"groups": groups, "grouping": how, "wrong": wrong, "handoffs": handoffs}


async def load_inbox(request: Request) -> dict[str, Any]:
    admin: Admin = request.app.ctx.admin
    wait = admin.settings.grouping_wait_seconds
    return await run_sync(inbox_view, admin, request.app.ctx.admin_grouper, wait)


@guarded(api=False)
async def show(request: Request) -> HTTPResponse:
    view = await load_inbox(request)
    done = DONE.get(request.args.get("done", ""))
    return render.page(request, "inbox.html", done=done, **view)


@guarded(api=False)
async def dismiss(request: Request) -> HTTPResponse:
    admin: Admin = request.app.ctx.admin
    ids = parse_ids(request.form.getlist("ids") or [])
    await run_sync(admin.inbox.dismiss, ids, who(request))
    return render.redirect("/admin/inbox?done=dismissed")


@guarded(api=False)
async def close_handoff(request: Request, handoff_id: int) -> HTTPResponse:
    admin: Admin = request.app.ctx.admin
    await run_sync(admin.inbox.close_handoff, handoff_id, who(request))
    return render.redirect("/admin/inbox?done=closed#handoffs")


ROUTES = [
    (show, "/inbox", ["GET"]),
    (dismiss, "/inbox/dismiss", ["POST"]),
    (close_handoff, "/handoffs/<handoff_id:int>/close", ["POST"]),
]
