"""Guest sessions on the planner's page, in a real headless Chromium against ``python -m api``.

A small problem with guests (``tiny`` and two country representatives, see
:mod:`tests.formats.guests`) is uploaded and solved; the edition dialog then lists who presents
what, on which day, for which country, as the calendar the service holds says; the parity tab
shows the guests' days apart; the downloads list the guests' own calendars.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from tests.formats.guests import REGIONAL, guests_data
from tests.ui.test_page_rollout import see_the_calendar

pytestmark = pytest.mark.ui

SOLVE_LIMIT_S = 20


def short_day(iso: str) -> str:
    """As the page writes a day: 'Wed 3 Mar'."""
    d = date.fromisoformat(iso)
    return f"{d:%a} {d.day} {d:%b}"


@pytest.fixture(scope="module")
def solved(page: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The guests problem uploaded and solved on the page; the calendar the service holds."""
    data = guests_data() | {"name": "guests"}
    path = tmp_path_factory.mktemp("guests") / "guests.json"
    path.write_text(json.dumps(data))
    page.set_input_files("#upload-file", str(path))
    page.click("#upload-button")
    page.locator("#upload-result .ok").wait_for()
    assert page.locator("#chosen-problem").inner_text() == "guests"
    page.fill("#time-limit", str(SOLVE_LIMIT_S))
    page.check("input[name=mode][value=repeatable]")
    page.click("#solve-button")
    page.locator("text=See the calendar").wait_for(timeout=(SOLVE_LIMIT_S + 60) * 1000)
    see_the_calendar(page)
    job = page.evaluate("localStorage.getItem('rtcm-job')")
    schedule = page.evaluate("id => fetch(`/jobs/${id}/schedule`).then(r => r.json())", job)
    by_edition = {e["edition"]: e for e in schedule["editions"]}
    assert by_edition["M1.T1#1"]["guests"], "the required guest slot is filled"
    return schedule


def test_the_edition_dialog_lists_its_guest_sessions(page: Any, solved: dict[str, Any], shoot: Any) -> None:
    people = {t["id"]: t for t in solved["problem"]["trainers"]}
    edition = next(e for e in solved["editions"] if e["edition"] == "M1.T1#1")
    page.locator("#gantt .g-row[data-edition='M1.T1#1'] .bar").click()
    dialog = page.locator("#edition-dialog")
    guests = dialog.locator("#edition-guests")
    guests.locator("li").first.wait_for()  # filled once the calendar is read
    assert "Guests" in dialog.inner_text()
    lines = guests.locator("li").all_inner_texts()
    expected = []
    for g in sorted(edition["guests"], key=lambda g: g["day"]):
        t = people[g["person"]]
        expected.append(f"{REGIONAL}, {short_day(g['day'])}: {t['id']} {t['name']} · {t['organisation']} · "
                        f"{t['country']}")
    assert lines == expected
    assert all(g["day"] in edition["days"] for g in edition["guests"])
    shoot(page, "guests-01-edition")
    page.keyboard.press("Escape")
    assert "null" not in page.locator("#legend").inner_text()  # no holiday here: no note, not "null"


def test_the_parity_tab_shows_the_guest_days_apart(page: Any, solved: dict[str, Any], shoot: Any) -> None:
    sessions = sum(len(e["guests"]) for e in solved["editions"])
    page.click("#tab-parity")
    card = page.locator("#parity .card", has_text="Teams and guest sessions")
    assert card.is_visible()
    assert f"{sessions} trainer-day" in card.inner_text()
    rows = card.locator("table.sources tbody tr").all_inner_texts()
    assert any(r.startswith("The year\tguest sessions\t" + str(sessions)) for r in rows), rows
    shoot(page, "guests-02-parity")


def test_the_downloads_list_the_guests_calendars(page: Any, solved: dict[str, Any]) -> None:
    guests = sorted({g["person"] for e in solved["editions"] for g in e["guests"]})
    page.click("#tab-downloads")
    for person in guests:
        row = page.locator(".ics tbody tr", has_text=f"trainer-{person}.ics")
        row.wait_for()
        assert row.locator("td").nth(2).inner_text() != "0"  # its guest sessions
    with page.expect_download() as info:
        page.locator(f".ics a.download:has-text('trainer-{guests[0]}.ics')").click()
    text = info.value.path().read_text()
    assert "BEGIN:VEVENT" in text and "Given by:" in text
