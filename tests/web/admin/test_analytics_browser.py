"""/admin/analytics in headless Chromium: charts and tables render under the admin's CSP, the
filters work from the form, the page is axe-clean, and it is usable 375 px wide."""

from __future__ import annotations

import re

import pytest

from tests.web.admin.analytics_fixtures import analytics_live, tracker  # noqa: F401
from tests.web.admin.live import PASSWORD, USERNAME
from tests.web.browser import AXE, screenshot

BRAND = "rgb(11, 61, 145)"


def _problems(page) -> list:
    """Script errors and CSP violations seen by the page so far."""
    return page.errors


def _watch(page):
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on(
        "console",
        lambda m: (
            page.errors.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    return page


def _login(page, base: str) -> None:
    page.goto(base + "/admin/analytics")
    assert "/admin/login" in page.url
    page.fill("#username", USERNAME)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/admin/analytics$"))


def _serious(page) -> list:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{page.url} {page.viewport_size['width']}px: {v['id']} ({v['impact']}): {v['help']} "
        f"{[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_dashboard_in_chromium(analytics_live, staff, chromium):  # noqa: F811
    base = analytics_live.url
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = _watch(context.new_page())
        _login(page, base)
        assert page.locator("h1").inner_text() == "How the assistant is doing"
        assert page.locator('nav[aria-label="Admin"] a[aria-current="page"]').inner_text() == (
            "Analytics"
        )
        charts = page.locator("svg.chart")
        assert charts.count() == 6
        bar = page.locator("#outcomes svg.chart rect.bar").first
        assert bar.evaluate("e => getComputedStyle(e).fill") == BRAND, "admin.css colours the SVG"
        assert bar.bounding_box()["width"] > 10
        for i in range(charts.count()):  # every chart is named, and has its table beside it
            chart = charts.nth(i)
            name = chart.evaluate("e => e.querySelector('title').textContent")
            assert name and chart.get_attribute("role") == "img"
            section = chart.locator("xpath=ancestor::section[1]")
            assert section.locator("table caption").count() == 1
        month = page.locator(".figure dd").first.inner_text()
        screenshot(page, "admin-analytics")

        # The form: a week; then a day picked in the range fields selects "Date range".
        page.select_option("#f-period", "7d")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url(re.compile(r".*period=7d.*"))
        week = page.locator(".figure dd").first.inner_text()
        assert int(week.replace(",", "")) < int(month.replace(",", ""))
        page.fill("#f-start", "2026-12-09")
        page.fill("#f-end", "2026-12-01")
        page.dispatch_event("#f-start", "change")
        assert page.locator("#f-period").input_value() == "range"
        page.get_by_role("button", name="Show").click()
        page.wait_for_selector(".error-summary")
        assert "ends (2026-12-01) before it starts" in page.inner_text(".error-summary")
        assert page.locator("#f-start").input_value() == "2026-12-09", "what was typed is kept"
        assert not _problems(page), _problems(page)

        # 375 px: the page does not scroll sideways (a wide table scrolls in its own box).
        page.set_viewport_size({"width": 375, "height": 800})
        page.goto(base + "/admin/analytics?period=30d")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page is {width} px wide at 375 px"
        assert page.locator("svg.chart").first.bounding_box()["width"] <= 375
        screenshot(page, "admin-analytics-375")
        session = context.storage_state()  # the login, for the axe context below
    finally:
        context.close()

    # axe needs its script injected, which the CSP (rightly) forbids: bypassed here only. Once on
    # the full dashboard and once on the refused filters (the 375 px layout is the same markup).
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, bypass_csp=True, storage_state=session
    )
    try:
        page = context.new_page()
        page.goto(base + "/admin/analytics?period=7d")  # every section; fewer rows for axe
        problems = _serious(page)
        page.goto(base + "/admin/analytics?period=range&start=2026-12-09&end=2026-12-01")
        problems += _serious(page)
        assert problems == [], "\n".join(problems)
    finally:
        context.close()
