"""The planner's page end to end, in a real headless Chromium against ``python -m api``.

The tests follow one another like a planner's session on one page: pick the default
problem, see an upload refused with its errors, solve with a short limit while the
progress shows, read the calendar (year and month, filtered), open an edition, check
gender parity, run a scenario and read its differences, download the workbook and a
trainer's calendar, and stop a second solve.
Each view is saved under ``out/screenshots/``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from openpyxl import load_workbook

from data import default_problem
from tests.ui.test_page_rollout import see_the_calendar

pytestmark = pytest.mark.ui

# The default programme's first calendar comes in about 4 s on two idle cores (up to 25 s on
# busy ones); the participants are seated after the calendar, within the same limit.
SOLVE_LIMIT_S = 15
SCENARIO_LIMIT_S = 10
EDITIONS = len(default_problem().editions)  # in the default programme; fewer run (topics too few nominees could sit)
SCHEDULED: dict[str, int] = {}  # how many the solve scheduled, read from the page


def test_the_default_problem_is_ready(page: Any, shoot: Any) -> None:
    assert page.locator("#tab-solve").get_attribute("aria-selected") == "true"
    default = page.locator("#problems input[value=default]")
    assert default.is_checked()
    assert page.locator("#problems tbody tr").first.inner_text().count(str(EDITIONS)) >= 1
    assert page.locator("#chosen-problem").inner_text()
    shoot(page, "01-problems")


def test_an_invalid_upload_lists_its_errors_next_to_the_file(page: Any, shoot: Any, tmp_path: Any) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: broken\ncalendar: {start: 2027-03-20, end: 2027-03-01}\nmodules: []\n")
    page.watch.allowed.append("status of 422")  # the browser logs the refused upload; it is expected
    page.set_input_files("#upload-file", str(bad))
    page.click("#upload-button")
    errors = page.locator("#upload-result .error-list li")
    errors.first.wait_for()
    assert errors.count() >= 1
    assert "broken.yaml" in page.locator("#upload-result").inner_text()
    assert page.locator("#problems input[value=default]").is_checked()  # still the chosen problem
    shoot(page, "02-upload-errors")
    page.watch.allowed.clear()


def test_a_solve_shows_its_progress_then_the_calendar(page: Any, shoot: Any) -> None:
    page.fill("#time-limit", str(SOLVE_LIMIT_S))
    page.check("input[name=mode][value=best]")
    page.click("#solve-button")
    page.wait_for_selector("#stop-button:enabled")
    # live progress from the event stream: a first calendar, its objective and the bound
    page.wait_for_function("Number(document.querySelector('#p-solutions').textContent) >= 1",
                           timeout=SOLVE_LIMIT_S * 1000)
    page.wait_for_selector("#chart path.objective")
    assert re.search(r"\d", page.locator("#p-objective").inner_text())
    shoot(page, "03-solving")
    page.wait_for_function("document.querySelector('#p-state').textContent === 'done'",
                           timeout=(SOLVE_LIMIT_S + 30) * 1000)
    assert re.search(r"\d", page.locator("#p-gap").inner_text())
    page.locator("text=See the calendar").wait_for()
    done = re.search(rf"(\d+) of {EDITIONS} editions scheduled", page.locator("#solve-message").inner_text())
    assert done is not None and 50 < int(done.group(1)) < EDITIONS
    scheduled = SCHEDULED["default"] = int(done.group(1))
    shoot(page, "04-solved")
    see_the_calendar(page)
    assert page.locator("#gantt .g-row").count() == scheduled
    assert page.locator("#gantt .bar").count() == scheduled
    assert f"{scheduled} / {EDITIONS}" in page.locator("#summary").inner_text()
    shoot(page, "05-calendar-year")


def test_an_edition_opens_with_its_details(page: Any, shoot: Any) -> None:
    page.locator("#gantt .bar").nth(5).click()
    dialog = page.locator("#edition-dialog")
    assert dialog.is_visible()
    text = dialog.inner_text()
    for part in ("Dates", "Mode", "Room", "Trainers", "Language", "Participants", "Penalties and explanation"):
        assert part in text, part
    assert re.search(r"\bT\d\d\b", text)  # a trainer id
    # The solve chose backups: each member's, or none and why, once the schedule is read.
    backups = dialog.locator("#edition-backups")
    backups.wait_for()
    assert re.search(r"T\d\d .* → (T\d\d|none)", backups.inner_text())
    assert re.search(r"Backups\s+\d+ / \d+\s+roles covered; \d+ of \d+ editions complete",
                     page.locator("#backups-kpi").inner_text())
    shoot(page, "06-edition")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()


def test_the_calendar_filters_and_its_month_view(page: Any, shoot: Any) -> None:
    page.select_option("#f-module", "8")
    rows = page.locator("#gantt .g-row")
    scheduled = SCHEDULED["default"]
    assert 0 < rows.count() < scheduled
    assert all(e.startswith("M8.") for e in rows.evaluate_all("rs => rs.map(r => r.dataset.edition)"))
    trainer = page.locator("#f-trainer option").nth(1).get_attribute("value")
    page.select_option("#f-module", "")
    page.select_option("#f-trainer", trainer)
    assert 0 < rows.count() < scheduled
    shoot(page, "07-calendar-filtered")
    page.click("#f-clear")
    assert rows.count() == scheduled
    page.click("#cal-month")
    month = page.locator("#month")
    assert month.is_visible()
    assert month.locator(".chip").count() >= 1
    shoot(page, "08-calendar-month")
    page.click("#month-next")
    month.locator(".chip").first.click()
    assert page.locator("#edition-dialog").is_visible()
    page.keyboard.press("Escape")
    page.click("#cal-year")
    page.set_viewport_size({"width": 1280, "height": 720})  # a projector
    shoot(page, "09-calendar-projector-1280x720")
    page.set_viewport_size({"width": 1440, "height": 900})


def test_the_tabs_answer_the_keyboard(page: Any) -> None:
    page.focus("#tab-calendar")
    page.keyboard.press("ArrowRight")
    assert page.locator("#tab-parity").get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.id") == "tab-parity"


def test_the_parity_panel(page: Any, shoot: Any) -> None:
    page.click("#tab-parity")
    panel = page.locator("#parity")
    assert panel.is_visible()
    text = panel.inner_text()
    assert "Women's share of trainer-days" in text
    assert "By month" in text and "By module" in text
    assert panel.locator("table.parity tbody tr").count() >= 12  # a row per month at least
    assert panel.locator(".sharebar").count() >= 12
    shoot(page, "10-parity")
    shoot(page, "10-parity-full", full_page=True)


def test_a_scenario_runs_and_shows_its_differences(page: Any, shoot: Any) -> None:
    page.click("#tab-scenarios")
    page.locator("label.scenario-option", has_text="Main hall closed in Q2").click()
    page.fill("#scenario-limit", str(SCENARIO_LIMIT_S))
    page.click("#scenario-run")
    result = page.locator("#scenario-result table.compare")
    result.wait_for(timeout=(SCENARIO_LIMIT_S + 60) * 1000)
    assert "Main hall closed in Q2" in page.locator("#scenario-result").inner_text()
    changes = page.locator("#scenario-result table.changes-table tbody tr")
    assert changes.count() >= 1  # the main hall hosts courses in April to June: they move or change room
    assert "RTCM-HALL" in page.locator("#scenario-result table.changes-table").inner_text()
    assert page.locator("#scenario-result .side-by-side .g-row.marked").count() >= 2  # base and scenario
    shoot(page, "11-scenario")
    shoot(page, "11-scenario-full", full_page=True)
    # an edition of the scenario's calendar says what changed and why
    page.locator("#scenario-result .side-by-side .pane").nth(1).locator(".bar").first.click()
    dialog = page.locator("#edition-dialog")
    assert "In the scenario" in dialog.inner_text()
    shoot(page, "12-scenario-edition")
    page.keyboard.press("Escape")


def test_a_scenario_built_in_the_form_is_checked_first(page: Any, shoot: Any) -> None:
    page.locator("label.scenario-option.own").click()
    change = page.locator("#own-changes li").first
    change.locator("input[name=start]").fill("2027-05-20")
    change.locator("input[name=end]").fill("2027-05-10")
    page.watch.allowed.append("status of 422")
    page.click("#scenario-run")
    page.locator("#scenario-errors .error-list li").first.wait_for()
    assert "before it starts" in page.locator("#scenario-errors").inner_text()
    shoot(page, "13-scenario-form")
    page.watch.allowed.clear()


def test_the_downloads(page: Any, shoot: Any, tmp_path: Any) -> None:
    page.click("#tab-downloads")
    with page.expect_download() as info:
        page.click("text=Excel workbook (.xlsx)")
    workbook = tmp_path / "rtcm.xlsx"
    info.value.save_as(workbook)
    book = load_workbook(workbook, read_only=True)
    assert "Calendar" in book.sheetnames and "Summary" in book.sheetnames
    book.close()
    with page.expect_download() as info:
        page.locator(".ics a.download").first.click()
    ics = tmp_path / "trainer.ics"
    info.value.save_as(ics)
    assert info.value.suggested_filename.startswith("trainer-")
    assert ics.read_text().startswith("BEGIN:VCALENDAR")
    with page.expect_download() as info:
        page.click("text=Schedule (.json)")
    assert info.value.suggested_filename.endswith(".json")
    shoot(page, "14-downloads")


def test_the_stop_button_ends_a_solve(page: Any, shoot: Any) -> None:
    page.click("#tab-solve")
    page.check("input[name=mode][value=good]")
    page.fill("#time-limit", "120")
    page.click("#solve-button")
    page.wait_for_selector("#stop-button:enabled")
    page.wait_for_function("document.querySelector('#p-state').textContent === 'running'")
    page.click("#stop-button")
    page.wait_for_function("document.querySelector('#p-state').textContent === 'cancelled'")
    assert re.search(r"(kept|before a calendar)", page.locator("#solve-message").inner_text())
    assert page.locator("#solve-button").is_enabled()
    shoot(page, "15-stopped")


def test_a_reload_shows_a_calendar_again(page: Any) -> None:
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    page.click("#tab-calendar")
    assert page.locator("#gantt .g-row").count() == SCHEDULED["default"]
