"""The publishing workflow end to end over HTTP, on the default calendar.

The 2027 calendar is published; a trainer subscribes to their feed; the trainer is away for the week of
one of their courses, and the planner re-plans the latest version as a scenario (keeping teams: a
changed team costs more than a moved course) and publishes it. The trainer's feed, read by vobject as
a calendar program would, now holds the moved course under the same UID with a higher SEQUENCE; the
notice for the trainer names the move and the absence that forced it (and its e-mail goes to them);
and the diff between the two versions is the scenario's comparison.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import vobject

from api.store import Store
from model.formats.ical import event_uid
from scheduler.solve import Result
from tests.api.test_api_published import finished_job

ENDED = ("done", "failed", "cancelled", "interrupted")


def feed_events(client, url: str) -> dict[str, tuple[date, int, str]]:
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    cal = vobject.readOne(r.content.decode("utf-8"))
    return {e.uid.value: (e.dtstart.value, int(e.sequence.value), e.status.value) for e in cal.vevent_list}


def test_a_trainer_away_for_a_week_sees_their_course_move_in_their_feed(client, rtcm_2027: Result):
    schedule = rtcm_2027.schedule
    store: Store = client.app.state.store
    job = finished_job(store, schedule.model_dump_json())
    assert client.post(f"/jobs/{job}/publish", json={"note": "the 2027 calendar"}).status_code == 201

    # A course from April on, and the first trainer of its team.
    course = next(se for se in schedule.sorted_editions() if se.start >= date(2027, 4, 1))
    trainer = course.trainers[0]
    feeds = {f["id"]: f for f in client.get("/published/feeds").json()}
    url = feeds[f"trainer-{trainer}"]["url"]
    uid = event_uid(schedule, course.edition)
    before = feed_events(client, url)
    assert before[uid] == (course.start, 0, "CONFIRMED")

    monday = course.start - timedelta(days=course.start.weekday())
    away = {"type": "trainer_unavailable", "trainer": trainer, "reason": "away on mission",
            "start": min(monday, course.start).isoformat(),
            "end": max(monday + timedelta(days=4), course.end).isoformat()}
    keep_teams = {"type": "weight_changed", "weight": "trainer_changed", "value": 5000}
    r = client.post("/scenarios/run", json={"name": f"{trainer} away", "changes": [away, keep_teams],
                                            "time_limit_s": 20})
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    assert r.json()["job_id"] == job  # the latest published version is the base
    deadline = time.monotonic() + 120
    while (run := client.get(f"/scenarios/runs/{run_id}").json())["state"] not in ENDED:
        assert time.monotonic() < deadline, run
        time.sleep(0.5)
    assert run["state"] == "done", run
    change = next(c for c in run["diff"]["changes"] if c["edition"] == course.edition)
    assert "moved" in change["kinds"] and trainer not in change["trainers_off"], change

    r = client.post(f"/scenarios/runs/{run_id}/publish", json={"note": f"{trainer} away on mission"})
    assert r.status_code == 201, r.text
    assert r.json()["number"] == 2 and r.json()["hard_rules_broken"] == 0
    assert client.post(f"/scenarios/runs/{run_id}/publish").status_code == 200  # once per run

    # The same address now serves version 2: the course moved, same UID, higher SEQUENCE.
    after = feed_events(client, url)
    moved_to = date.fromisoformat(change["new_start"])
    assert after[uid] == (moved_to, 1, "CONFIRMED") and moved_to != course.start
    assert set(after) >= set(before)
    # Nobody's e-mail address is in a feed: people are named, nothing more.
    assert "example.org" not in client.get(url).text
    assert "example.org" not in client.get(feeds["centre"]["url"]).text

    # The trainer's notice names the move, its dates and the absence that forced it.
    notices = {n["id"]: n for n in client.get("/published/2/notices").json()}
    notice = notices[f"trainer-{trainer}"]
    item = next(i for i in notice["items"] if i["edition"] == course.edition)
    assert "moved" in item["changes"]
    assert (item["old_start"], item["new_start"]) == (course.start.isoformat(), change["new_start"])
    assert any(f"trainer {trainer} is unavailable" in why and "away on mission" in why for why in item["why"])
    assert f"{course.edition}): moved from {course.start}" in notice["text"] and "away on mission" in notice["text"]
    eml = client.get(f"/published/2/notices/trainer-{trainer}.eml")
    assert eml.status_code == 200 and f"t{trainer[1:].lower()}@trainers.example.org" in eml.text.lower()

    # The diff between the versions is the scenario's comparison of the same calendars.
    assert client.get("/published/1/diff/2").json() == run["diff"]
