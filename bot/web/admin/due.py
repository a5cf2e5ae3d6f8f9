"""What is due for review, for the admin's home: facts and FAQ answers whose review-by date has
passed, or comes within 30 days, with who owns them.

Both kinds carry a review-by date and an owner (FAQ: the entry's owner; facts: the repository's
`FactView.owner`, the staff member who confirmed the fact, else its last editor), so staff see one
list, most overdue first, rather than two places to check. Facts without a date of their own
follow the source page's (`document.review_by`): that is one row, not one per fact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.web.admin.knowledge import fact_url, title_of

DUE_WITHIN_DAYS = 30


@dataclass(frozen=True)
class DueItem:
    what: str  # "Fact" or "Answer"
    title: str
    url: str
    review_by: dt.date
    owner: str
    overdue: bool


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def due_for_review(admin: Any, today: dt.date, within_days: int = DUE_WITHIN_DAYS) -> list[DueItem]:
    """Everything whose review-by date is before `today + within_days`, earliest first."""
    horizon = today + dt.timedelta(days=within_days)
    items: list[DueItem] = []
    live = admin.knowledge.current()
    document_review = _date(live.kb.document.review_by) if live else None
    if document_review is not None and document_review <= horizon:
        # facts without a date of their own follow the page's: one row, not one per fact
        title = f"The whole knowledge base ({live.kb.document.title})"
        overdue = document_review < today
        items.append(
            DueItem("Fact", title, "/admin/knowledge", document_review, "not set", overdue)
        )
    for view in admin.knowledge.facts():
        review_by = _date(view.data.get("review_by"))  # its own date, not the page's
        if review_by is not None and review_by <= horizon:
            title = title_of(view.data, view.path)
            owner = view.owner or "not set"
            items.append(
                DueItem("Fact", title, fact_url(view.path), review_by, owner, review_by < today)
            )
    for entry in admin.faq.list_entries(None, None):
        review_by = _date(entry.review_by)
        if review_by is not None and review_by <= horizon:
            url = f"/admin/entries/{entry.id}"
            items.append(
                DueItem("Answer", entry.question, url, review_by, entry.owner, review_by < today)
            )
    return sorted(items, key=lambda item: (item.review_by, item.what, item.title))
