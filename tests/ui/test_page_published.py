"""The Published tab of the planner's page, in a real headless Chromium against ``python -m api``.

Two small problems are uploaded and solved on the page: ``tiny`` (tests/instances/tiny.py) with
e-mail addresses for three trainers and the main hall's manager, and the same with M1.T1 not
before a week after the day the first calendar starts it, so that it must move. Each calendar is
published from the tab, the first with a note that is markup, which the page must show as text.
The tab then lists the versions newest first, shows what changed from one to the other and why
(and a clear "no change" for a third version, the second calendar solved again), gives each
feed's address to copy (the address answers with the calendar; a rotated one answers 404), and
the notices of a version to read, download and send (sending is off: the service has no SMTP
server here; what a server accepted and refused is shown from a made-up answer).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from typing import Any

import pytest

from tests.instances.tiny import record, tiny_data
from tests.ui.test_page_rollout import cell_texts, see_the_calendar, upload_and_solve

pytestmark = pytest.mark.ui

MARKUP = "<img src=x onerror=alert(1)>"
SECOND_NOTE = "M1.T1 a week later"
ADDRESSES = {"T1": "amina@example.org", "T2": "bakhtiyar@example.org", "T4": "rustam@example.org"}


def first_data() -> dict[str, Any]:
    """``tiny`` with e-mail addresses for T1, T2 and T4 (none for T3) and a manager for the main hall."""
    data = tiny_data() | {"name": "Published tiny"}
    for trainer, address in ADDRESSES.items():
        record(data, "trainers", trainer)["email"] = address
    hall = record(data, "rooms", "HALL")
    hall |= {"manager": "Hall desk", "manager_email": "hall@example.org"}
    return data


def schedule_of(page: Any, job: str) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate("id => api(`/jobs/${id}/schedule`)", job)
    return found


def shown_job(page: Any) -> str:
    job: str = page.evaluate("state.job.id")
    return job


def published_tab(page: Any) -> None:
    page.click("#tab-published")
    page.wait_for_function("state.versions !== null")


def versions_in_table(page: Any) -> list[str]:
    rows: list[str] = page.locator("#versions tbody tr").evaluate_all("rs => rs.map(r => r.dataset.version)")
    return rows


def publish(page: Any, note: str, expect: str) -> None:
    """Type the note, press Publish and wait for the sentence that starts with ``expect``."""
    page.fill("#publish-note", note)
    page.click("#publish-button")
    page.wait_for_function("text => document.querySelector('#publish-result').textContent.includes(text)", arg=expect)


def wait_text(page: Any, selector: str, text: str) -> None:
    """Wait until the element says ``text`` (a click's answer comes after the click)."""
    page.wait_for_function("([s, t]) => document.querySelector(s)?.textContent === t", arg=[selector, text])


def card_on_top(page: Any, selector: str) -> None:
    """Scroll the card holding ``selector`` to the top of the window, for its screenshot."""
    page.evaluate("s => document.querySelector(s).closest('.card').scrollIntoView()", selector)


def fetch(url: str) -> tuple[int, str]:
    """The status and text of a GET with no token, as a calendar program asks."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, ""


@pytest.fixture(scope="module")
def first(page: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The first problem uploaded and solved on the page; its calendar."""
    upload_and_solve(page, first_data(), tmp_path_factory.mktemp("published") / "first.json")
    return schedule_of(page, shown_job(page))


@pytest.fixture(scope="module")
def second(page: Any, first: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The first calendar published, then the second problem solved and published as version 2."""
    published_tab(page)
    if "1" not in versions_in_table(page):
        publish(page, MARKUP, "Published as version 1")
    starts = {e["edition"]: e["start"] for e in first["editions"]}
    data = first_data() | {"name": "Published tiny, M1.T1 later"}
    later = date.fromisoformat(starts["M1.T1#1"]) + timedelta(days=7)
    record(data, "programme", "M1.T1")["earliest_start"] = later.isoformat()
    upload_and_solve(page, data, tmp_path_factory.mktemp("published") / "second.json")
    published_tab(page)
    publish(page, SECOND_NOTE, "Published as version 2")
    return schedule_of(page, shown_job(page))


def test_the_published_tab_comes_after_the_downloads(page: Any) -> None:
    page.focus("#tab-downloads")
    page.keyboard.press("ArrowRight")
    assert page.locator("#tab-published").get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.id") == "tab-published"
    assert page.locator("#view-published").is_visible()
    page.focus("#tab-solve")
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.id") == "tab-robustness"  # the last tab, after Published


def test_before_anything_is_published(page: Any) -> None:
    published_tab(page)
    assert page.locator("#publish-button").is_disabled()  # no calendar shown yet
    assert "No calendar shown" in page.locator("#publish-job").inner_text()
    assert page.locator("#versions-status").inner_text() == "Nothing published yet: publish the calendar shown above."
    assert page.locator("#versions tbody tr").count() == 0
    assert page.locator("#diff-result").inner_text() == "Nothing published yet."
    assert page.locator("#feeds").inner_text().startswith("No feed yet")
    assert page.locator("#notices-status").inner_text() == "No notice yet: they come with a first version."
    assert page.locator("#notices-send").is_disabled()


def test_a_note_is_published_as_text_never_as_markup(page: Any, first: dict[str, Any], shoot: Any) -> None:
    dialogs: list[str] = []

    def seen(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", seen)
    published_tab(page)
    assert page.locator("#publish-button").is_enabled()
    job = shown_job(page)
    assert f"solve {job[:8]}" in page.locator("#publish-job").inner_text()
    assert "not published" in page.locator("#publish-job").inner_text()
    publish(page, MARKUP, "Published as version 1")
    assert versions_in_table(page) == ["1"]
    row = page.locator("#versions tbody tr").first
    assert row.locator("td.note").inner_text() == MARKUP  # the note as typed, shown as text
    assert page.locator("#view-published img").count() == 0
    assert page.locator("img").count() == 0
    assert "published as version 1" in page.locator("#publish-job").inner_text()
    assert row.get_attribute("class") == "chosen"  # the calendar shown
    # the same calendar again: the same version, and its note as it was
    publish(page, "another note", "published before")
    said = page.locator("#published-as").inner_text()
    assert said.startswith("This calendar was published before: it is version 1, of ")
    assert f"(“{MARKUP}”)" in said
    assert versions_in_table(page) == ["1"]
    assert page.locator("img").count() == 0
    page.wait_for_timeout(200)  # an onerror handler would have run by now
    page.remove_listener("dialog", seen)
    assert dialogs == []


def test_a_solve_without_a_calendar_cannot_be_published(page: Any, first: dict[str, Any]) -> None:
    data = tiny_data() | {"name": "Nothing fits"}
    record(data, "programme", "M2.T1")["latest_end"] = "2027-03-01"  # one working day for a two-day course
    empty: str = page.evaluate("""async data => {
        const problem = await api('/problems', {method: 'POST', json: data});
        return (await api(`/problems/${problem.id}/solve`, {method: 'POST',
                          json: {time_limit_s: 5, workers: 1}})).id;
    }""", data)
    deadline = time.monotonic() + 60
    while (job := page.evaluate("id => api(`/jobs/${id}`)", empty))["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.3)
    assert not job["has_schedule"]
    # the page publishes the calendar shown: its request is sent for the solve without one
    shown = shown_job(page)
    page.route(f"**/jobs/{shown}/publish", lambda route: route.continue_(
        url=route.request.url.replace(shown, empty)))
    page.watch.allowed.append("status of 409")  # the browser logs the refused request; it is expected
    try:
        published_tab(page)
        page.fill("#publish-note", "nothing to publish")
        page.click("#publish-button")
        refused = page.locator("#publish-result .bad")
        refused.wait_for()
        assert refused.inner_text().startswith(f"✗ Not published: job '{empty}' ended (")
        assert "without a calendar, so there is nothing to publish" in refused.inner_text()
        assert versions_in_table(page) == ["1"]
    finally:
        page.unroute(f"**/jobs/{shown}/publish")
        page.watch.allowed.clear()
    page.fill("#publish-note", "")


def test_the_versions_newest_first_and_what_changed(page: Any, first: dict[str, Any], second: dict[str, Any],
                                                    shoot: Any) -> None:
    published_tab(page)
    assert page.locator("#published-as").inner_text().startswith("✓ Published as version 2.")
    assert versions_in_table(page) == ["2", "1"]
    rows = cell_texts(page.locator("#versions tbody tr"))
    assert [r[2] for r in rows] == [SECOND_NOTE, MARKUP]
    versions = page.evaluate("api('/published')")
    for row, v in zip(rows, versions, strict=True):
        assert row[0] == str(v["number"])
        assert row[3] == str(v["editions_scheduled"]) == "2"
        assert row[5] == f"{v['cost_usd']:,} USD"
        assert row[6] == str(v["hard_rules_broken"]) == "0"
        assert row[7] == v["source"][:8]
    assert versions[0]["source"] == shown_job(page)

    # from version 1 to version 2 at first: M1.T1 moved, for the rule it would break
    assert page.locator("#diff-from").input_value() == "1"
    assert page.locator("#diff-to").input_value() == "2"
    table = page.locator("#diff-table")
    table.wait_for()
    changed = table.locator("tbody tr").evaluate_all("rs => rs.map(r => r.dataset.edition)")
    answer = page.evaluate("api('/published/1/diff/2')")
    assert changed == [c["edition"] for c in answer["changes"]]
    assert "M1.T1#1" in changed
    moved = table.locator("tbody tr[data-edition='M1.T1#1'] td").all_inner_texts()
    old = next(e for e in first["editions"] if e["edition"] == "M1.T1#1")
    new = next(e for e in second["editions"] if e["edition"] == "M1.T1#1")
    assert "moved" in moved[0]
    assert moved[1].endswith(new["end"][:4]) and " → " in moved[1]
    day = date.fromisoformat(old["start"])
    assert moved[1].startswith(f"{day:%a} {day.day} {day:%b}")  # the old dates first, as the page writes them
    assert "earliest" in moved[5].lower(), moved  # why: the rule the old calendar breaks now
    assert page.locator("#diff-title").inner_text().startswith(f"{len(changed)} edition")
    shoot(page, "published-01-versions", full_page=True)

    # a version compared with itself
    page.select_option("#diff-from", "2")
    assert page.locator("#diff-none").inner_text() == "Version 2 and itself: no change."
    # the way back, from 2 to 1: the same editions
    page.select_option("#diff-to", "1")
    page.wait_for_function("document.querySelector('#diff-title')?.textContent.includes('from version 2 to version 1')")
    assert table.locator("tbody tr").count() == len(changed)


def test_the_same_calendar_again_changes_nothing(page: Any, second: dict[str, Any], shoot: Any) -> None:
    page.click("#tab-solve")
    page.click("#solve-button")  # the second problem again, repeatable: the same calendar
    page.wait_for_function("() => !document.querySelector('#solve-button').disabled "
                           "&& document.querySelector('#solve-message a') !== null", timeout=60_000)
    see_the_calendar(page)
    published_tab(page)
    assert "not published" in page.locator("#publish-job").inner_text()
    publish(page, "", "Published as version 3")
    assert versions_in_table(page) == ["3", "2", "1"]
    assert page.locator("#versions tbody tr").first.locator("td.note").inner_text() == "no note"
    assert (page.locator("#diff-from").input_value(), page.locator("#diff-to").input_value()) == ("2", "3")
    none = page.locator("#diff-none")
    none.wait_for()
    assert none.inner_text().startswith("No change from version 2 to version 3")
    assert page.locator("#diff-table").count() == 0
    shoot(page, "published-02-no-change")


def test_a_feed_address_is_copied_and_answers(page: Any, server: str, second: dict[str, Any], shoot: Any) -> None:
    published_tab(page)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    feeds = page.evaluate("api('/published/feeds')")
    kinds = page.locator("#feeds-table tbody").evaluate_all("bs => bs.map(b => b.dataset.kind)")
    assert kinds == ["centre", "trainer", "room"]
    assert page.locator("#feeds-table tbody[data-kind=trainer] tr[data-feed]").count() == 4
    assert page.locator("#feeds-count").inner_text() == f"{len(feeds)} feeds."
    card_on_top(page, "#feeds")
    shoot(page, "published-03-feeds")

    page.fill("#feeds-filter", "amina")
    rows = page.locator("#feeds-table tr[data-feed]")
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.feed)") == ["trainer-T1"]
    assert page.locator("#feeds-count").inner_text() == f"Showing 1 of {len(feeds)} feeds."
    row = rows.first
    address = row.locator("input.feed-url").input_value()
    amina = next(f for f in feeds if f["id"] == "trainer-T1")
    assert address == server + amina["url"]
    row.locator("button.copy-button").click()
    wait_text(page, "tr[data-feed='trainer-T1'] .feed-note", "Copied")
    assert page.evaluate("navigator.clipboard.readText()") == address
    status, text = fetch(address)
    assert status == 200 and text.startswith("BEGIN:VCALENDAR")
    assert text.count("BEGIN:VEVENT") == amina["events"] >= 1
    assert row.locator("td.num").inner_text() == str(amina["events"])

    # without a clipboard the address is selected, to copy by hand
    page.evaluate("Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true})")
    row.locator("button.copy-button").click()
    wait_text(page, "tr[data-feed='trainer-T1'] .feed-note", "Selected: press Ctrl+C to copy")
    assert page.evaluate("(() => { const i = document.activeElement; "
                         "return i.value.slice(i.selectionStart, i.selectionEnd); })()") == address


def test_a_rotated_feed_gets_a_new_address_and_the_old_one_stops(page: Any, server: str, second: dict[str, Any],
                                                                 shoot: Any) -> None:
    published_tab(page)
    page.fill("#feeds-filter", "hall")
    row = page.locator("#feeds-table tr[data-feed='room-HALL']")
    old = row.locator("input.feed-url").input_value()
    asked: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))  # asked, and refused: nothing changes
    row.locator("button.rotate").click()
    page.wait_for_timeout(200)
    assert len(asked) == 1 and "The old address stops working at once" in asked[0]
    assert row.locator("input.feed-url").input_value() == old
    assert fetch(old)[0] == 200

    page.once("dialog", lambda d: answer(d, True))
    row.locator("button.rotate").click()
    page.wait_for_function("old => document.querySelector(\"tr[data-feed='room-HALL'] input.feed-url\").value !== old",
                           arg=old)
    new = row.locator("input.feed-url").input_value()
    assert new.startswith(server + "/feeds/") and new.endswith(".ics")
    assert row.locator(".feed-note").inner_text() == "New address: the old one no longer works"
    assert "new address since" in row.locator("th").inner_text()
    assert fetch(old)[0] == 404
    status, text = fetch(new)
    assert status == 200 and text.startswith("BEGIN:VCALENDAR")
    shoot(page, "published-04-feed-rotated")
    page.fill("#feeds-filter", "")


def test_the_notices_of_a_version(page: Any, second: dict[str, Any], shoot: Any, tmp_path: Any) -> None:
    published_tab(page)
    page.select_option("#notices-version", "2")
    assert page.locator("#notices-since").input_value() == "1"  # the one before
    cards = page.locator("#notices article.notice")
    cards.first.wait_for()
    listed = page.evaluate("api('/published/2/notices?since=1')")
    assert cards.evaluate_all("cs => cs.map(c => c.dataset.notice)") == [n["id"] for n in listed]
    status = page.locator("#notices-status").inner_text()
    assert status.startswith(f"{len(listed)} notice") and "compared with version 1" in status
    for n in listed:
        card = page.locator(f"#notices article[data-notice='{n['id']}']")
        assert card.locator("pre.notice-text").text_content() == n["text"]  # as written, line by line
        assert n["email_subject"] in card.locator(".subject").inner_text()
        to = card.locator(".to").inner_text()
        assert (f"<{n['email']}>" in to) if n["email"] else ("no address" in to)
    assert any(n["email"] for n in listed)

    # a notice as an e-mail file
    first = listed[0]
    with page.expect_download() as info:
        page.locator(f"#notices article[data-notice='{first['id']}'] a.download").click()
    assert info.value.suggested_filename == f"{first['id']}.eml"
    path = tmp_path / "notice.eml"
    info.value.save_as(path)
    assert "Subject:" in path.read_text()

    # sending is off here (no SMTP server): said plainly, nothing claimed as sent
    page.watch.allowed.append("status of 409")
    asked: list[str] = []

    def accept(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.click("#notices-send")
    off = page.locator("#notices-off")
    off.wait_for()
    assert off.inner_text() == "Nothing sent: sending notices is off: RTCM_SMTP_URL names no mail server."
    assert page.locator("#notices-result").count() == 0
    assert asked == [f"Send {sum(1 for n in listed if n['email'])} notices of version 2 by e-mail now?"]
    page.watch.allowed.clear()
    card_on_top(page, "#notices")
    shoot(page, "published-05-notices")

    # what a mail server accepted and refused, as the service reports it (a made-up answer: no server here)
    report = {"sent": [listed[0]["id"]], "skipped": [{"id": listed[-1]["id"], "reason": "the server refused it"}]}
    page.route("**/published/2/notices/send?since=1", lambda route: route.fulfill(json=report))
    try:
        page.once("dialog", lambda d: d.accept())
        page.click("#notices-send")
        result = page.locator("#notices-result")
        result.wait_for()
        first_name, last_name = listed[0]["name"], listed[-1]["name"]
        assert result.locator("p.ok").inner_text() == f"✓ Sent 1 notice: {first_name} ({listed[0]['id']})"
        assert result.locator("li").all_inner_texts() == [f"{last_name} ({listed[-1]['id']}): the server refused it"]
        assert page.locator("#notices-off").count() == 0
    finally:
        page.unroute("**/published/2/notices/send?since=1")

    # compared with nothing: everyone's courses in version 2
    page.select_option("#notices-since", "0")
    page.wait_for_function("document.querySelector('#notices-status').textContent.includes(\"everyone's courses\")")
    everyone = page.evaluate("api('/published/2/notices?since=0')")
    assert cards.count() == len(everyone) >= len(listed)
    unaddressed = [n["id"] for n in everyone if not n["email"]]
    assert {"trainer-T3", "room-B"} <= set(unaddressed)  # teaching and hosting in version 2, with no address
    for notice in unaddressed:
        assert "no address" in page.locator(f"#notices article[data-notice='{notice}'] .to").inner_text()
    page.fill("#notices-filter", "hall")
    assert cards.evaluate_all("cs => cs.map(c => c.dataset.notice)") == ["room-HALL"]
    page.fill("#notices-filter", "")

    # version 3 is version 2's calendar: no notice
    page.select_option("#notices-version", "3")
    page.wait_for_function("document.querySelector('#notices-status').textContent.startsWith('No notice')")
    assert cards.count() == 0
    assert page.locator("#notices-send").is_disabled()
