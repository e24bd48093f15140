"""Publishing a scenario's calendar from the Scenarios tab, in a real headless Chromium against ``python -m api``.

``tiny`` (tests/instances/tiny.py) is uploaded and solved on the page, and its calendar published
from the Published tab as the first version. A scenario built in the form, a trainer of M1.T1#1
away all March, re-plans it: the trainer leaves the team. Its name carries markup, which the page
must show as text. The button beside its comparison publishes its calendar, with the name as the
note, as the next version; pressed again it says the calendar was published before. The Published
tab then lists that version with its note, and its diff from the first lists what the scenario
changed. A run that ended without a calendar (both rooms closed all March) offers no button, and
the service's refusal to publish one is shown as it says it.

The service is shared with the other page tests: version numbers count from those already there
(1 and 2 when this file runs alone).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.instances.tiny import tiny_data
from tests.ui.test_page_published import published_tab, schedule_of, shown_job, versions_in_table
from tests.ui.test_page_rollout import upload_and_solve

pytestmark = pytest.mark.ui

NAME = "Trainer away <b>all March</b>"
SCENARIO_LIMIT_S = 10
# both rooms closed all March: no calendar can hold the two mandatory editions
ROOMS_CLOSED = [{"type": "room_closed", "room": room, "start": "2027-03-01", "end": "2027-03-31", "reason": "closed"}
                for room in ("HALL", "B")]


@pytest.fixture(scope="module")
def first(page: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``tiny`` solved on the page and published from the Published tab; its calendar and version number."""
    data = tiny_data() | {"name": "Scenario publish tiny"}
    upload_and_solve(page, data, tmp_path_factory.mktemp("scenario-publish") / "tiny.json")
    before = len(page.evaluate("api('/published?limit=500')"))
    published_tab(page)
    page.wait_for_function("n => state.versions && state.versions.length === n", arg=before)
    page.fill("#publish-note", "the first calendar")
    page.click("#publish-button")
    page.wait_for_function("text => (document.querySelector('#publish-result')?.textContent || '').includes(text)",
                           arg=f"Published as version {before + 1}.")
    return {"schedule": schedule_of(page, shown_job(page)), "version": before + 1}


def run_own_scenario(page: Any, name: str, fill: Any) -> dict[str, Any]:
    """Build a scenario in the form (``fill`` sets its changes), run it and wait for its end; the run."""
    page.click("#tab-scenarios")
    before = page.evaluate("state.run ? state.run.id : null")
    page.locator("label.scenario-option.own").click()
    page.fill("#own-name", name)
    fill(page.locator("#own-changes"))
    page.fill("#scenario-limit", str(SCENARIO_LIMIT_S))
    page.click("#scenario-run")
    page.wait_for_function("id => state.run && state.run.id !== id && !runActive(state.run)", arg=before,
                           timeout=(SCENARIO_LIMIT_S + 60) * 1000)
    run: dict[str, Any] = page.evaluate("state.run")
    return run


@pytest.fixture(scope="module")
def away(page: Any, first: dict[str, Any]) -> dict[str, Any]:
    """A trainer of M1.T1#1 away all March, built in the form and run; the run."""
    edition = next(e for e in first["schedule"]["editions"] if e["edition"] == "M1.T1#1")
    trainer = edition["trainers"][0]

    def fill(changes: Any) -> None:
        change = changes.locator("li").first  # the form starts with a trainer away
        change.locator("select[name=trainer]").select_option(trainer)
        change.locator("input[name=start]").fill("2027-03-01")
        change.locator("input[name=end]").fill("2027-03-31")

    run = run_own_scenario(page, NAME, fill)
    assert run["state"] == "done", run
    assert run["changes"] == [f"trainer {trainer} unavailable 2027-03-01 to 2027-03-31"]
    run["trainer"] = trainer
    return run


def test_a_scenario_calendar_is_published_from_its_comparison(page: Any, first: dict[str, Any],
                                                               away: dict[str, Any], shoot: Any) -> None:
    result = page.locator("#scenario-result")
    result.locator("table.compare").wait_for()
    changed = [c["edition"] for c in away["diff"]["changes"]]
    assert "M1.T1#1" in changed  # its trainer is away: the edition is re-staffed or moved
    box = result.locator("form.publish-run")
    assert box.locator("h3").inner_text() == "Publish this calendar"
    # beside the comparison, in the same card
    assert box.evaluate("f => f.closest('.card').querySelector('table.compare') !== null")
    assert page.locator("#run-note").input_value() == NAME  # the scenario's name, as text
    assert page.locator("#scenario-result b").count() == 0
    n = first["version"] + 1

    page.fill("#run-note", f"{NAME}: re-staffed")
    page.click("#run-publish")
    said = page.locator("#run-published")
    said.wait_for()
    assert said.inner_text() == f"✓ Published as version {n}. See it in Published →"
    assert said.get_attribute("class") == "ok"
    assert page.locator("#run-publish").is_enabled()
    [version] = [v for v in page.evaluate("api('/published')") if v["number"] == n]
    assert version["source"] == away["id"]
    assert version["note"] == f"{NAME}: re-staffed"
    box.scroll_into_view_if_needed()
    shoot(page, "scenario-publish-01-published")

    # pressed again: the same version, its note as it was
    page.fill("#run-note", "another note")
    page.click("#run-publish")
    page.wait_for_function("(document.querySelector('#run-published')?.textContent || '').includes('published before')")
    again = said.inner_text()
    assert again.startswith(f"This calendar was published before: version {n}, of ")
    assert f"(“{NAME}: re-staffed”)" in again
    assert again.endswith("Nothing changed: a note typed now is not kept. See it in Published →")
    assert said.get_attribute("class") == "message"
    assert len([v for v in page.evaluate("api('/published')") if v["source"] == away["id"]]) == 1
    assert page.locator("#scenario-result b").count() == 0


def test_the_published_tab_shows_the_new_version_and_what_it_changed(page: Any, first: dict[str, Any],
                                                                     away: dict[str, Any], shoot: Any) -> None:
    n = first["version"] + 1
    page.click("#run-published a")  # "See it in Published"
    page.wait_for_selector("#tab-published[aria-selected='true']")  # a link: the tab follows the hash, later
    page.wait_for_function("n => document.querySelector(`#versions tbody tr[data-version='${n}']`)", arg=n)
    assert versions_in_table(page)[:2] == [str(n), str(n - 1)]  # newest first
    row = page.locator(f"#versions tbody tr[data-version='{n}']")
    assert row.locator("td.note").inner_text() == f"{NAME}: re-staffed"
    assert row.locator("td").last.inner_text() == away["id"][:8]
    assert page.locator("#view-published b").count() == 0
    assert page.locator("#publish-result").inner_text() == ""  # the tab's own last answer was of an older version

    # from the version before to the new one at first: what the scenario changed
    assert page.locator("#diff-from").input_value() == str(n - 1)
    assert page.locator("#diff-to").input_value() == str(n)
    table = page.locator("#diff-table")
    table.wait_for()
    rows = table.locator("tbody tr").evaluate_all("rs => rs.map(r => r.dataset.edition)")
    assert rows == [c["edition"] for c in away["diff"]["changes"]]
    cells = table.locator("tbody tr[data-edition='M1.T1#1'] td").all_inner_texts()
    scenario = next(c for c in away["diff"]["changes"] if c["edition"] == "M1.T1#1")
    if "trainers" in scenario["kinds"]:
        assert "re-staffed" in cells[0]
        assert f"−{away['trainer']}" in cells[4]
    else:
        assert "moved" in cells[0]
    assert cells[5] != "–"  # why: the trainer's absence under the new version's problem
    page.evaluate("document.querySelector('#diff-result').closest('.card').scrollIntoView()")
    shoot(page, "scenario-publish-02-diff")


def test_a_run_without_a_calendar_cannot_be_published(page: Any, first: dict[str, Any],
                                                      away: dict[str, Any]) -> None:
    page.click("#tab-scenarios")
    page.locator("#run-publish").wait_for()  # the scenario published above, still shown
    empty: str = page.evaluate("""async changes => (await api('/scenarios/run', {method: 'POST',
        json: {job_id: state.job.id, name: 'No room in March', changes, time_limit_s: 5}})).id""", ROOMS_CLOSED)
    deadline = time.monotonic() + 60
    while (run := page.evaluate("id => api(`/scenarios/runs/${id}`)", empty))["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, run
        time.sleep(0.3)
    # the page publishes the run shown: its request is sent for the run without a calendar
    page.route(f"**/scenarios/runs/{away['id']}/publish", lambda route: route.continue_(
        url=route.request.url.replace(away["id"], empty)))
    page.watch.allowed.append("status of 409")  # the browser logs the refused request; it is expected
    try:
        page.click("#run-publish")
        refused = page.locator("#run-publish-result .bad")
        refused.wait_for()
        assert refused.inner_text().startswith(f"✗ Not published: scenario run '{empty}' ended (")
        assert "without a calendar, so there is nothing to publish" in refused.inner_text()
        assert page.locator("#run-publish").is_enabled()
    finally:
        page.unroute(f"**/scenarios/runs/{away['id']}/publish")
        page.watch.allowed.clear()
    assert not [v for v in page.evaluate("api('/published')") if v["source"] == empty]


def test_a_run_without_a_calendar_offers_no_button(page: Any, first: dict[str, Any], shoot: Any) -> None:
    def fill(changes: Any) -> None:
        changes.locator("li button.link").click()  # the trainer away the form starts with, removed
        for closure in ROOMS_CLOSED:
            page.click("#add-closed")
            change = changes.locator("li").last
            change.locator("select[name=room]").select_option(closure["room"])
            change.locator("input[name=start]").fill(closure["start"])
            change.locator("input[name=end]").fill(closure["end"])

    closed = run_own_scenario(page, "No room in March", fill)
    assert closed["scenario"]["status"] not in ("OPTIMAL", "FEASIBLE"), closed
    page.locator("#scenario-result table.compare").wait_for()
    assert page.locator("#run-publish").count() == 0
    assert page.locator("#scenario-result form.publish-run").count() == 0
    status = closed["scenario"]["status"].lower()
    assert page.locator("#run-nothing").inner_text().endswith(
        f"Nothing to publish: the scenario ended without a calendar ({status}).")
    # No calendar is no "0 editions changed": the page says there is nothing to compare.
    assert "has no calendar" in page.locator("#scenario-status").inner_text()
    assert page.get_by_text("No calendar keeps every rule in this scenario, so nothing can be compared.").is_visible()
    assert page.get_by_text("absorbs this scenario").count() == 0
    shoot(page, "scenario-publish-03-no-calendar")
