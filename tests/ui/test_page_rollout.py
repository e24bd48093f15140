"""The rollout on the planner's page, in a real headless Chromium against ``python -m api``.

The problem is the one of tests/api/test_api_rollout.py: ``tiny`` with both items optional and
M2.T1's window too short for it in March 2027, so the first year's calendar runs M1.T1 alone; a
rollout of three years (March 2027, 2028 and 2029, a quarter each) with the theme "Border
management" (M2.T1) due by year 2, which M2.T1 meets in 2028-Q1. It is uploaded and solved on the
page; the Rollout tab then shows the grid of editions by quarter, the course days against the most
a quarter holds, the cost of each year against the budget, the theme and the workbook. The
problem's name carries markup, which the page must show as text. A second problem caps a later
quarter at one course day: the tab says there is no rollout, and why.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.api.test_api_rollout import BORDERS, first_year_without_m2

pytestmark = pytest.mark.ui

NAME = "Rollout <b>tiny</b>"
SOLVE_LIMIT_S = 10


def cell_texts(rows: Any) -> list[list[str]]:
    """The text of each cell of each row: read from the cells, not from a row's rendered text (whose tabs
    between cells appear only once the row is laid out)."""
    texts: list[list[str]] = rows.evaluate_all("rs => rs.map(r => [...r.cells].map(c => c.textContent.trim()))")
    return texts


def see_the_calendar(page: Any) -> None:
    """Follow the solve's link to its calendar. The link changes the address's hash and the tab follows
    the hash a moment later: wait for it, or a tab chosen next would be taken back to the calendar."""
    page.click("#solve-message >> text=See the calendar")
    page.wait_for_selector("#tab-calendar[aria-selected='true']")


def upload_and_solve(page: Any, data: dict[str, Any], path: Any) -> None:
    """Upload a problem on the page, solve it and open its calendar."""
    path.write_text(json.dumps(data))
    page.click("#tab-solve")
    page.set_input_files("#upload-file", str(path))
    page.click("#upload-button")
    page.locator("#upload-result .ok").wait_for()
    assert page.locator("#chosen-problem").inner_text() == data["name"]
    page.fill("#time-limit", str(SOLVE_LIMIT_S))
    page.check("input[name=mode][value=repeatable]")
    page.click("#solve-button")  # disables itself at once, until this solve has ended and its calendar opened
    page.wait_for_function("() => !document.querySelector('#solve-button').disabled "
                           "&& document.querySelector('#solve-message a') !== null",
                           timeout=(SOLVE_LIMIT_S + 60) * 1000)
    see_the_calendar(page)


@pytest.fixture(scope="module")
def solved(page: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The rollout problem uploaded and solved on the page; the job's id."""
    data = first_year_without_m2(years=3, themes=[BORDERS]) | {"name": NAME, "budget_usd": 100_000}
    upload_and_solve(page, data, tmp_path_factory.mktemp("rollout") / "rollout.json")
    job: str = page.evaluate("localStorage.getItem('rtcm-job')")
    return job


def rgb(hex_colour: str) -> str:
    """'#RRGGBB' as the browser computes it: 'rgb(r, g, b)'."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def grid_row(page: Any, topic: str) -> list[str]:
    return [t.strip() for t in page.locator(f"#rollout-grid tbody tr[data-topic='{topic}'] td").all_inner_texts()]


def test_the_rollout_tab_sits_between_the_frontier_and_the_downloads(page: Any) -> None:
    page.focus("#tab-frontier")
    page.keyboard.press("ArrowRight")
    assert page.locator("#tab-rollout").get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.id") == "tab-rollout"
    assert page.locator("#view-rollout").is_visible()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-downloads"
    page.keyboard.press("ArrowLeft")
    assert page.locator("#tab-rollout").get_attribute("aria-selected") == "true"


def test_the_grid_shows_each_topic_by_quarter(page: Any, solved: str, shoot: Any) -> None:
    page.click("#tab-rollout")
    grid = page.locator("#rollout-grid")
    grid.wait_for()
    assert page.locator("#rollout-years").input_value() == "3"  # the problem's own
    assert page.locator("#rollout-years").get_attribute("aria-describedby") == "rollout-years-note"
    status = page.locator("#rollout-status")
    assert status.inner_text() == f"“{NAME}”: 3 years, optimal."  # the name's markup as text, never parsed
    assert page.locator("#view-rollout b").count() == 0

    heads = grid.locator("thead tr").nth(1).locator("th").all_inner_texts()
    assert heads == ["Q1 2027", "Q1 2028", "Q1 2029"]
    years = [t.split()[:2] for t in grid.locator("thead th.year").all_inner_texts()]
    assert years == [["Year", "1"], ["Year", "2"], ["Year", "3"]]
    # a quarter's cells, then the editions in all, the days of each and the estimated cost
    assert grid_row(page, "M1.T1")[:4] == ["1", "0", "0", "1"]
    assert grid_row(page, "M2.T1")[:5] == ["0", "1", "0", "1", "2"]
    # each cell coloured by its topic's module, as the calendar's bars are
    cells = page.evaluate("""() => [...document.querySelectorAll('#rollout-grid td.run')]
        .map(td => [td.closest('tr').dataset.topic, getComputedStyle(td).backgroundColor])""")
    modules = page.evaluate("""() => Object.fromEntries(state.view.topics.map(t =>
        [t.id, state.view.modules.find(m => m.number === t.module).colour]))""")
    assert sorted(topic for topic, _ in cells) == ["M1.T1", "M2.T1"]
    for topic, colour in cells:
        assert colour == rgb(modules[topic]), topic
    assert modules["M1.T1"] != modules["M2.T1"]

    days = grid.locator("tfoot td").all_inner_texts()
    held = page.evaluate("() => state.view.editions.map(e => e.days.length)")
    assert days[0] == str(sum(held))  # the calendar's quarter: its own course days
    assert days[1].startswith("2 / ") and days[2].startswith("0 / ")  # later: against the most they hold

    costs = cell_texts(page.locator("table.rollout-costs tbody tr"))
    assert [c[0] for c in costs] == ["Year 1 (the calendar)", "Year 2 (estimated)", "Year 3 (estimated)"]
    assert all("100,000 USD" in " ".join(c) and "within it" in " ".join(c) for c in costs)
    themes = cell_texts(page.locator("table.rollout-themes tbody tr"))
    assert themes == [["Border management (borders)", "M2.T1", "2", "2", "none", "on time"]]
    assert page.locator("#rollout-diagnosis").count() == 0
    shoot(page, "rollout-01-grid", full_page=True)


def test_the_years_selector_plans_again(page: Any, solved: str) -> None:
    page.click("#tab-rollout")
    page.select_option("#rollout-years", "2")
    page.wait_for_function("document.querySelectorAll('#rollout-grid thead tr:nth-child(2) th').length === 2")
    assert page.locator("#rollout-status").inner_text() == f"“{NAME}”: 2 years, optimal."
    assert grid_row(page, "M2.T1")[:2] == ["0", "1"]

    page.watch.allowed.append("status of 422")  # the browser logs the refused request; it is expected
    page.select_option("#rollout-years", "1")  # the theme is due in year 2
    error = page.locator("#rollout-errors .error-list li").first
    error.wait_for()
    assert error.inner_text().startswith("query parameter years: ")
    assert "is due by year 2" in error.inner_text()
    assert page.locator("#rollout-grid").count() == 0
    assert "null" not in page.locator("#rollout-errors").inner_text()
    page.watch.allowed.clear()

    page.select_option("#rollout-years", "3")
    page.wait_for_function("document.querySelectorAll('#rollout-grid thead tr:nth-child(2) th').length === 3")
    assert page.locator("#rollout-errors").inner_text() == ""


def test_the_workbook_of_the_rollout_downloads(page: Any, solved: str, tmp_path: Any) -> None:
    page.click("#tab-rollout")
    page.locator("#rollout-grid").wait_for()
    with page.expect_download() as info:
        page.locator("#rollout-result >> text=Workbook of the rollout (.xlsx)").click()
    path = tmp_path / "rollout.xlsx"
    info.value.save_as(path)
    assert info.value.suggested_filename == f"rtcm-rollout-{solved[:8]}.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames[:2] == ["Summary", "Rollout"]
    rows = {r[0]: r for r in wb["Rollout"].iter_rows(values_only=True) if r and r[0] in ("Topic", "M2.T1")}
    assert rows["M2.T1"][rows["Topic"].index("2028-Q1")] == 1


def test_no_rollout_shows_why(page: Any, solved: str, tmp_path: Any, shoot: Any) -> None:
    data = first_year_without_m2(years=2, course_days_per_quarter=1) | {"name": "One <i>day</i> a quarter"}
    upload_and_solve(page, data, tmp_path / "one-day.json")
    page.click("#tab-rollout")
    why = page.locator("#rollout-diagnosis")
    why.wait_for()
    assert "No rollout over 2 years" in why.inner_text()
    items = why.locator("li").all_inner_texts()
    assert len(items) == 1 and items[0].startswith("no rollout keeps all of: ")
    assert "2028-Q1 holds at most 1 course days" in items[0]
    assert page.locator("#rollout-status").inner_text() == "“One <i>day</i> a quarter”: no rollout over 2 years " \
                                                          "(infeasible)."
    assert page.locator("#view-rollout i").count() == 0
    assert grid_row(page, "M1.T1")[:2] == ["1", "0"]  # year 1 alone: the calendar
    assert grid_row(page, "M2.T1")[:2] == ["0", "0"]
    # the later year is not planned: no cost is given for it
    [year] = page.locator("table.rollout-costs tbody tr").all_inner_texts()
    assert year.startswith("Year 1 (the calendar)\t") and year.endswith(" USD\t–\tno budget")
    shoot(page, "rollout-02-none", full_page=True)
