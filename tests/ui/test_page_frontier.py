"""The budget frontier on the planner's page, in a real headless Chromium against ``python -m api``.

A small problem is uploaded: ``tiny`` with the calendar pinned and four nominees who may only
sit in person, each seat costing 700 USD of fare and nights (tests/api/test_api_frontier.py).
Its frontier from the calendar's own cost, in steps of one seat, seats 0, 1 and 2 requests; the
page shows the run's progress, then the table of the points with what each step buys, the chart
and the workbook. The problem's name carries markup, which the page must show as text.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from openpyxl import load_workbook

from model.formats.files import problem_from_data
from model.rules import Reading
from scheduler.solve import SolveOptions, solve
from tests.api.test_api_frontier import SEAT_USD, tiny_costed

pytestmark = pytest.mark.ui

NAME = "Fares <b>tiny</b>"
LIMIT_S = 2


@pytest.fixture(scope="module")
def calendar_cost(page: Any, tmp_path_factory: pytest.TempPathFactory) -> int:
    """The problem uploaded on the page and chosen; what its calendar costs before anyone travels."""
    data = tiny_costed() | {"name": NAME}
    path = tmp_path_factory.mktemp("frontier") / "fares.json"
    path.write_text(json.dumps(data))
    page.click("#tab-solve")
    page.set_input_files("#upload-file", str(path))
    page.click("#upload-button")
    page.locator("#upload-result .ok").wait_for()
    assert page.locator("#chosen-problem").inner_text() == NAME
    problem = problem_from_data(data, "fares")
    return Reading(solve(problem, SolveOptions(time_limit_s=5, workers=1, deterministic=True)).schedule
                   ).calendar_cost_usd


def test_the_frontier_tab_answers_the_keyboard(page: Any) -> None:
    page.focus("#tab-scenarios")
    page.keyboard.press("ArrowRight")
    assert page.locator("#tab-frontier").get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.id") == "tab-frontier"
    assert page.locator("#view-frontier").is_visible()


def test_a_bad_range_is_refused_naming_the_field(page: Any, calendar_cost: int) -> None:
    page.click("#tab-frontier")
    page.fill("#frontier-from", str(calendar_cost))
    page.fill("#frontier-to", str(calendar_cost - 100))
    page.fill("#frontier-step", str(SEAT_USD))
    page.fill("#frontier-limit", str(LIMIT_S))
    page.watch.allowed.append("status of 422")  # the browser logs the refused request; it is expected
    page.click("#frontier-run")
    error = page.locator("#frontier-errors .error-list li").first
    error.wait_for()
    assert error.inner_text().startswith("stop_usd: the range ends")
    assert page.locator("#frontier-run").is_enabled()
    page.watch.allowed.clear()


def test_a_frontier_runs_from_the_page_with_its_table_chart_and_workbook(
        page: Any, calendar_cost: int, shoot: Any, tmp_path: Any) -> None:
    page.click("#tab-frontier")
    assert page.locator("#frontier-problem").inner_text() == NAME
    page.fill("#frontier-from", str(calendar_cost))
    page.fill("#frontier-to", str(calendar_cost + 2 * SEAT_USD))
    page.fill("#frontier-step", str(SEAT_USD))
    page.fill("#frontier-limit", str(LIMIT_S))
    page.click("#frontier-run")
    assert page.locator("#frontier-errors").inner_text() == ""
    page.wait_for_selector("#frontier-progress:not([hidden])")  # queued or solving: the progress shows
    assert page.locator("#frontier-stop").is_enabled()
    status = page.locator("#frontier-status")
    page.wait_for_function("document.querySelector('#frontier-status').textContent.includes('done')",
                           timeout=90_000)
    assert "3 of 3 budgets solved" in status.inner_text()
    assert NAME in status.inner_text()  # the name's markup shown as text, never parsed
    assert page.locator("#frontier-status b, #frontier-problem b, #frontier-result b").count() == 0
    assert page.locator("#frontier-progress").is_hidden()
    assert page.locator("#frontier-run").is_enabled() and page.locator("#frontier-stop").is_disabled()

    result = page.locator("#frontier-result")
    assert "What each extra step of budget buys" in result.inner_text()
    rows = result.locator("table.frontier-table tbody tr")
    assert rows.count() == 3
    cells = [rows.nth(i).locator("th, td").all_inner_texts() for i in range(3)]
    assert [c[2] for c in cells] == ["0 / 4", "1 / 4", "2 / 4"]  # requests seated
    assert [c[1] for c in cells] == ["–", "+1 request seated (in person +1, online 0)",
                                     "+1 request seated (in person +1, online 0)"]
    assert all(c[-1] == "its own solve" for c in cells)

    chart = result.locator("svg#frontier-chart")
    assert chart.get_attribute("role") == "img"
    assert "0 at" in chart.get_attribute("aria-label") and "2 at" in chart.get_attribute("aria-label")
    for line in ("seated", "in-person", "online"):
        assert chart.locator(f"path.line.{line}").count() == 1, line
    assert chart.locator("circle.dot").count() == 3
    shoot(page, "frontier-01-done", full_page=True)

    with page.expect_download() as info:
        result.locator("text=Workbook of the frontier (.xlsx)").click()
    workbook = tmp_path / "frontier.xlsx"
    info.value.save_as(workbook)
    sheet = load_workbook(workbook)["Frontier"]
    budgets = [row[0] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert budgets == [calendar_cost, calendar_cost + SEAT_USD, calendar_cost + 2 * SEAT_USD]
    assert len(sheet._charts) == 1
