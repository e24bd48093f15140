"""The Robustness tab of the planner's page, in a real headless Chromium against ``python -m api``.

``tiny`` (tests/instances/tiny.py: two courses, four trainers) is uploaded and solved on the page,
its name markup the page must show as text. Its calendar is chosen on the tab and re-planned in three
futures with each person away on a course day one time in five: the page follows the run's progress,
then shows the table without backups and with them, the histogram, who and what is most often at
fault, and the workbook. A number of futures past the limit is refused next to the form, naming it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from openpyxl import load_workbook

from model.formats.excel_robustness import SHEET
from tests.instances.tiny import tiny_data
from tests.ui.test_page_rollout import upload_and_solve

pytestmark = pytest.mark.ui

NAME = "Robust <i>tiny</i>"


@pytest.fixture(scope="module")
def solved(page: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    """``tiny`` uploaded and solved on the page; the job's id."""
    upload_and_solve(page, tiny_data() | {"name": NAME}, tmp_path_factory.mktemp("robustness") / "tiny.json")
    job: str = page.evaluate("localStorage.getItem('rtcm-job')")
    return job


def settings(page: Any, samples: int) -> None:
    page.fill("#robustness-samples", str(samples))
    page.fill("#robustness-rate", "20")
    page.fill("#robustness-week", "0")
    page.fill("#robustness-seed", "1")
    page.fill("#robustness-limit", "5")


def test_the_robustness_tab_comes_last_after_the_published_one(page: Any) -> None:
    page.focus("#tab-published")
    page.keyboard.press("ArrowRight")
    assert page.locator("#tab-robustness").get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.id") == "tab-robustness"
    assert page.locator("#view-robustness").is_visible()
    page.keyboard.press("ArrowRight")  # round to the first
    assert page.evaluate("document.activeElement.id") == "tab-solve"


def test_too_many_futures_are_refused_next_to_the_form_naming_the_field(page: Any, solved: str) -> None:
    page.click("#tab-robustness")
    page.locator(f"#robustness-calendar option[value='job:{solved}']").wait_for(state="attached")
    page.select_option("#robustness-calendar", f"job:{solved}")
    settings(page, 20_000)
    page.watch.allowed.append("status of 422")  # the browser logs the refused request; it is expected
    page.click("#robustness-run")
    error = page.locator("#robustness-errors .error-list li").first
    error.wait_for()
    assert error.inner_text() == "samples is 20000: draw 1 to 10,000 futures"
    assert page.locator("#robustness-samples").get_attribute("aria-invalid") == "true"
    assert page.locator("#robustness-run").is_enabled()
    page.watch.allowed.clear()


def test_a_run_from_the_page_shows_its_table_histogram_and_workbook(page: Any, solved: str, shoot: Any,
                                                                   tmp_path: Any) -> None:
    page.click("#tab-robustness")
    page.select_option("#robustness-calendar", f"job:{solved}")
    settings(page, 3)
    page.click("#robustness-run")
    assert page.locator("#robustness-errors").inner_text() == ""
    assert page.locator("#robustness-samples").get_attribute("aria-invalid") is None
    page.wait_for_selector("#robustness-progress:not([hidden])")  # queued or re-planning: the progress shows
    assert page.locator("#robustness-stop").is_enabled()
    table = page.locator("#robustness-table")
    table.wait_for(timeout=120_000)
    status = page.locator("#robustness-status").inner_text()
    assert re.fullmatch(r"done: 3 of 3 futures re-planned in \d+\.\d s\.", status), status
    assert page.locator("#robustness-progress").is_hidden() and page.locator("#robustness-stop").is_disabled()
    assert page.locator("#robustness-run").is_enabled()

    heads = table.locator("thead th").all_inner_texts()
    assert heads[1:] == ["Without backups", "With backups"]
    rows = {r.locator("th").inner_text(): r.locator("td").all_inner_texts() for r in table.locator("tbody tr").all()}
    assert list(rows) == ["Futures with every edition delivered", "Futures with the calendar untouched",
                          "Editions changed per future (mean / p95 / most)", "Editions moved to other dates",
                          "Editions dropped", "Editions broken by absences", "Editions saved by their backups"]
    assert all(re.fullmatch(r"\d+\.\d %", cell) for cell in rows["Futures with every edition delivered"])
    assert all(re.fullmatch(r"[\d.]+ / \d+ / \d+", cell) for cell in rows["Editions moved to other dates"])

    run = page.evaluate("state.robustness")
    assert run["state"] == "done" and run["report"]["samples"] == 3
    # The name is markup: shown as text, never parsed.
    result = page.locator("#robustness-result")
    assert f"“{NAME}”" in result.inner_text() and result.locator("i").count() == 0
    assert "each person away on a course day with probability 20.0 %" in result.inner_text()
    # The histogram: a column per number of editions changed, without backups and with them, for 3 futures.
    columns = page.locator("#robustness-chart rect.column")
    assert columns.count() == 2 * len(run["histogram"])
    assert sum(b["without_backups"] for b in run["histogram"]) == 3
    assert page.locator("#robustness-chart").get_attribute("aria-label").startswith("Futures by editions changed")
    shoot(page, "robustness", full_page=True)

    with page.expect_download() as info:
        page.click("#robustness-result a.download")
    path = tmp_path / "robustness.xlsx"
    info.value.save_as(path)
    sheet = load_workbook(path)[SHEET]
    assert sheet["A1"].value == "Absence risk: the calendar in 3 sampled futures"
    assert len(sheet._charts) == 1
