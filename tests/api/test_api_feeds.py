"""Subscription feeds over HTTP: ``GET /published/feeds``, ``POST /published/feeds/{id}/rotate`` and
``GET /feeds/{token}.ics``, read back with vobject as a calendar program would.

The versions are ``tiny_schedule`` (M1.T1#1 on 2-4 March with T1 + T4, M2.T1#1 on 18-19 March with
T2 + T3) and the same with M1.T1#1 a week later, stored as finished jobs and published.
"""

from __future__ import annotations

from datetime import date, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest
import vobject
from fastapi.testclient import TestClient

from api.store import Store
from model.formats.ical import event_uid
from model.schedule import Schedule
from tests.api.test_api_published import finished_job
from tests.test_excel import placed, tiny_schedule

TOKEN = "correct-horse-battery-staple"


def moved() -> Schedule:
    first = tiny_schedule()
    return Schedule(problem=first.problem, editions=[
        placed(first.problem, "M1.T1#1", date(2027, 3, 9), 3, "HALL", ["T1", "T4"]), first.by_edition["M2.T1#1"]])


def publish(client: TestClient, schedule: Schedule, headers: dict[str, str] | None = None) -> int:
    store: Store = client.app.state.store
    r = client.post(f"/jobs/{finished_job(store, schedule.model_dump_json())}/publish", headers=headers)
    assert r.status_code == 201, r.text
    return int(r.json()["number"])


def feeds_by_id(client: TestClient, headers: dict[str, str] | None = None) -> dict[str, dict]:
    r = client.get("/published/feeds", headers=headers)
    assert r.status_code == 200, r.text
    return {f["id"]: f for f in r.json()}


def read(body: bytes) -> dict[str, dict]:
    cal = vobject.readOne(body.decode("utf-8"))
    return {ev.uid.value: {"start": ev.dtstart.value, "sequence": int(ev.sequence.value), "status": ev.status.value}
            for ev in getattr(cal, "vevent_list", [])}


def test_nothing_published_no_feeds(client):
    assert client.get("/published/feeds").json() == []


def test_a_trainer_s_feed_follows_the_published_versions(client):
    publish(client, tiny_schedule())
    listed = feeds_by_id(client)
    assert {"centre", "trainer-T1", "trainer-T4", "room-HALL", "room-B"} <= set(listed)
    t1 = listed["trainer-T1"]
    assert (t1["kind"], t1["subject"], t1["events"], t1["rotated_at"]) == ("trainer", "T1", 1, None)
    assert t1["name"] == "Amina (fictional)" and listed["room-B"]["name"] == "Room B (B)"
    assert t1["url"].startswith("/feeds/") and t1["url"].endswith(".ics") and len(t1["url"]) > 40
    assert len({f["url"] for f in listed.values()}) == len(listed)
    assert listed["centre"]["events"] == 2 and listed["room-B"]["events"] == 1

    r = client.get(t1["url"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    uid = event_uid(tiny_schedule(), "M1.T1#1")
    assert read(r.content) == {uid: {"start": date(2027, 3, 2), "sequence": 0, "status": "CONFIRMED"}}
    etag, modified = r.headers["etag"], r.headers["last-modified"]
    assert client.get(t1["url"], headers={"If-None-Match": etag}).status_code == 304
    assert client.get(t1["url"], headers={"If-Modified-Since": modified}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(modified) - timedelta(seconds=1), usegmt=True)
    assert client.get(t1["url"], headers={"If-Modified-Since": earlier}).status_code == 200
    t2 = client.get(listed["trainer-T2"]["url"])

    publish(client, moved())
    assert feeds_by_id(client)["trainer-T1"]["url"] == t1["url"]  # the same address, the latest version
    r = client.get(t1["url"], headers={"If-None-Match": etag})
    assert r.status_code == 200 and r.headers["etag"] != etag
    assert read(r.content) == {uid: {"start": date(2027, 3, 9), "sequence": 1, "status": "CONFIRMED"}}
    # Nothing changed for T2: a polling program gets 304 for the tag it holds.
    assert client.get(listed["trainer-T2"]["url"], headers={"If-None-Match": t2.headers["etag"]}).status_code == 304


def test_a_dropped_course_is_cancelled_in_its_feeds(client):
    first = tiny_schedule()
    publish(client, first)
    publish(client, Schedule(problem=first.problem, editions=[first.by_edition["M1.T1#1"]]))
    listed = feeds_by_id(client)
    assert listed["trainer-T2"]["events"] == 0
    got = read(client.get(listed["trainer-T2"]["url"]).content)
    assert got == {event_uid(first, "M2.T1#1"): {"start": date(2027, 3, 18), "sequence": 1, "status": "CANCELLED"}}


def test_a_rotated_feed_answers_404_like_an_unknown_one(client):
    publish(client, tiny_schedule())
    old = feeds_by_id(client)["trainer-T1"]
    r = client.post("/published/feeds/trainer-T1/rotate")
    assert r.status_code == 200, r.text
    new = r.json()
    assert new["url"] != old["url"] and new["rotated_at"] is not None and new["events"] == 1
    assert feeds_by_id(client)["trainer-T1"]["url"] == new["url"]
    gone, unknown = client.get(old["url"]), client.get("/feeds/not-a-token.ics")
    assert gone.status_code == unknown.status_code == 404
    assert gone.json()["detail"] == unknown.json()["detail"]
    assert client.get(new["url"]).status_code == 200
    assert client.post("/published/feeds/trainer-nobody/rotate").status_code == 404


def test_feed_tokens_and_rotations_survive_a_restart(make_client):
    first = make_client()
    publish(first, tiny_schedule())
    first.post("/published/feeds/room-B/rotate")
    before = feeds_by_id(first)
    body = first.get(before["trainer-T1"]["url"]).content
    again = make_client()
    assert feeds_by_id(again) == before
    assert again.get(before["trainer-T1"]["url"]).content == body


@pytest.fixture
def guarded(make_client) -> TestClient:
    return make_client(api_token=TOKEN)


def test_feeds_need_no_api_token_but_their_list_does(guarded):
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    publish(guarded, tiny_schedule(), headers=bearer)
    assert guarded.get("/published/feeds").status_code == 401
    assert guarded.post("/published/feeds/centre/rotate").status_code == 401
    url = feeds_by_id(guarded, bearer)["centre"]["url"]
    r = guarded.get(url)  # a calendar program: no Authorization header
    assert r.status_code == 200 and len(read(r.content)) == 2
    assert guarded.get("/feeds/not-a-token.ics").status_code == 404


def test_feeds_filter_by_kind(client):
    publish(client, tiny_schedule())
    rooms = client.get("/published/feeds", params={"kind": "room"}).json()
    assert {f["id"] for f in rooms} == {f"room-{room.id}" for _, room in tiny_schedule().problem.rooms}
    assert client.get("/published/feeds", params={"kind": "teacher"}).status_code == 422
