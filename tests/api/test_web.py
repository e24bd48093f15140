"""The planner's page as the API serves it (api/web.py): the files, and the JSON only the page needs.

The page itself is driven in a browser by tests/ui (``make test-ui``); these tests are fast.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import web
from api.app import create_app

CHANGE_A_ROOM = {"type": "room_closed", "start": "2027-01-01", "end": "2027-12-31", "reason": "works"}


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory, rtcm_2027_raw: dict[str, Any],
           ) -> Iterator[tuple[TestClient, str, dict]]:
    """The real catalogue with four courses, solved once for the module: (client, job id, schedule)."""
    raw = copy.deepcopy(rtcm_2027_raw)
    raw["name"] = "tiny"
    raw["programme"] = raw["programme"][:4]
    db = tmp_path_factory.mktemp("web") / "rtcm.sqlite3"
    with TestClient(create_app(database_url=f"sqlite:///{db}")) as client:
        pid = client.post("/problems", json=raw).json()["id"]
        job = client.post(f"/problems/{pid}/solve", json={"time_limit_s": 20, "workers": 1}).json()
        deadline = time.monotonic() + 60
        while client.get(f"/jobs/{job['id']}").json()["state"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        yield client, job["id"], client.get(f"/jobs/{job['id']}/schedule").json()


def run_to_end(client: TestClient, run_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        run = client.get(f"/scenarios/runs/{run_id}").json()
        if run["state"] not in ("queued", "running"):
            return run
        assert time.monotonic() < deadline, run
        time.sleep(0.2)


# ------------------------------------------------------------------------------- the files


def test_the_page_is_served_at_the_root(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert "<title>RTCM Planner</title>" in r.text
    assert client.get("/docs").status_code == 200  # the API's documentation stays where it was


@pytest.mark.parametrize(("name", "kind"), [
    ("index.html", "text/html; charset=utf-8"),
    ("app.js", "text/javascript; charset=utf-8"),
    ("app.css", "text/css; charset=utf-8"),
])
def test_static_files_are_served_with_their_type(client: TestClient, name: str, kind: str) -> None:
    r = client.get(f"/static/{name}")
    assert r.status_code == 200
    assert r.headers["content-type"] == kind
    assert r.content == (web.STATIC_DIR / name).read_bytes()


def test_every_file_the_page_names_is_served_from_here(client: TestClient) -> None:
    page = client.get("/").text
    local = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert set(local) == {"/static/app.js", "/static/app.css"}
    for path in local:
        assert client.get(path).status_code == 200, path
    # nothing from another host: the machine may have no internet
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
    script = client.get("/static/app.js").text.replace("http://www.w3.org/2000/svg", "")  # a name only
    assert not re.search(r"https?://", script)


@pytest.mark.parametrize("name", ["nope.js", "..%2Fweb.py", ".hidden.css", "web.py", "%2Fetc%2Fpasswd"])
def test_no_other_file_is_served(client: TestClient, name: str) -> None:
    r = client.get(f"/static/{name}")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


# -------------------------------------------------------------------------------- scenarios


def test_the_shipped_scenarios_are_listed(client: TestClient) -> None:
    listed = client.get("/scenarios").json()
    files = {s["file"]: s for s in listed}
    assert set(files) == {p.name for p in web.SCENARIO_DIR.glob("*.yaml")}
    hall = files["main-hall-closed-q2.yaml"]
    assert hall["name"] == "Main hall closed in Q2"
    assert hall["changes"] == ["room RTCM-HALL closed 2027-04-01 to 2027-06-30"]
    assert all(not s["errors"] for s in listed)


@pytest.mark.parametrize(("body", "message"), [
    ({}, "give one of file"),  # neither a file nor changes
    ({"file": "main-hall-closed-q2.yaml", "changes": [CHANGE_A_ROOM]}, "give one of file"),
    ({"file": "nope.yaml"}, "'nope.yaml' is not a shipped scenario"),
    ({"file": "../pyproject.toml"}, "is not a shipped scenario"),
    ({"changes": []}, "add at least one change"),
    ({"changes": [{"type": "trainer_unavailable", "trainer": "T99", "start": "2027-02-01",
                   "end": "2027-02-10"}]}, "change 1 (trainer_unavailable): trainer 'T99' is unknown"),
    ({"changes": [{"type": "room_closed", "room": "RTCM-A", "start": "2027-02-10", "end": "2027-02-01"}]},
     "change 1 (room_closed): ends (2027-02-01) before it starts (2027-02-10)"),
    ({"changes": [{"type": "room_closed", "room": "RTCM-A"}]}, "change 1 (room_closed): start is missing"),
])
def test_a_scenario_that_cannot_run_is_refused_with_its_errors(solved, body: dict, message: str) -> None:
    client, job_id, _ = solved
    r = client.post("/scenarios/run", json={"job_id": job_id, **body})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert any(message in e["message"] for e in r.json()["errors"]), r.json()


def test_a_scenario_needs_a_finished_job(client: TestClient) -> None:
    r = client.post("/scenarios/run", json={"job_id": "nope", "file": "main-hall-closed-q2.yaml"})
    assert r.status_code == 404
    assert client.get("/scenarios/runs/nope").status_code == 404


def test_a_scenario_runs_off_the_request_and_is_compared_with_the_base(solved) -> None:
    client, job_id, schedule = solved
    first = schedule["editions"][0]
    change = {**CHANGE_A_ROOM, "room": first["room"]}
    r = client.post("/scenarios/run", json={"job_id": job_id, "name": "room shut", "changes": [change],
                                            "time_limit_s": 20})
    assert r.status_code == 202, r.text
    assert r.headers["location"] == f"/scenarios/runs/{r.json()['id']}"
    assert r.json()["state"] in ("queued", "running")
    run = run_to_end(client, r.json()["id"])
    assert run["state"] == "done", run
    assert run["name"] == "room shut"
    assert run["changes"] == [f"room {first['room']} closed 2027-01-01 to 2027-12-31"]
    assert run["base"]["editions_scheduled"] == len(schedule["editions"])
    assert run["scenario"]["hard_rules_broken"] == 0
    changed = {c["edition"]: c for c in run["diff"]["changes"]}
    # every edition in the closed room had to leave it, and says why
    for e in schedule["editions"]:
        if e["room"] == first["room"]:
            assert "room" in changed[e["edition"]]["kinds"]
            assert any(first["room"] in why for why in changed[e["edition"]]["why"])
    assert {e["edition"] for e in run["editions"]} == {e["edition"] for e in schedule["editions"]}
    assert all(e["room"] != first["room"] for e in run["editions"])


# Queueing, stopping, crashes and restarts of scenario runs: tests/api/test_scenario_runs.py.


# ------------------------------------------------------------------- views of a finished job


def test_the_calendar_view_has_what_the_page_draws(solved) -> None:
    client, job_id, schedule = solved
    job = client.get(f"/jobs/{job_id}").json()
    assert job["links"]["view"] == f"/jobs/{job_id}/view"
    view = client.get(job["links"]["view"]).json()
    assert view["job_id"] == job_id
    assert [e["edition"] for e in view["editions"]] == sorted(
        (e["edition"] for e in schedule["editions"]),
        key=lambda eid: next(e["start"] for e in schedule["editions"] if e["edition"] == eid))
    assert view["editions_scheduled"] == len(schedule["editions"])
    assert view["hard_rules_broken"] == 0
    assert all(re.fullmatch(r"#[0-9A-F]{6}", m["colour"]) for m in view["modules"])
    assert len({m["colour"] for m in view["modules"]}) == len(view["modules"])
    items = {i["topic"]: i for i in schedule["problem"]["programme"]}
    leads = {t["id"]: t.get("lead_agencies", []) for t in schedule["problem"]["topics"]}
    for e in view["editions"]:
        assert set(e["organisations"]) <= set(view["organisations"])
        assert (e["room"] is None) == (e["room_name"] is None)
        item = items[e["topic"]]
        assert (e["language"], e["interpretation"]) == (item["language"], item.get("interpretation", []))
        assert e["lead_agencies"] == leads[e["topic"]]
    assert any(e["interpretation"] for e in view["editions"])
    # the penalties, each filed under its edition or with the calendar as a whole
    issues = [i for e in view["editions"] for i in e["issues"]] + view["issues"]
    # the busiest trainer's days are charged to the editions they teach
    busiest = {e["edition"] for e in view["editions"] for i in e["issues"] if i["rule"] == "busiest_trainer"}
    assert busiest
    assert set.intersection(*(set(e["trainers"]) for e in view["editions"] if e["edition"] in busiest))
    assert all(i["kind"] in ("hard", "soft") and i["message"] for i in issues)
    # holidays and closures on working days, never weekends
    assert view["days_off"]
    assert all(d["reason"] != "weekend" for d in view["days_off"])


def test_a_view_waits_for_the_job_to_end(client: TestClient, sixteen_raw: dict) -> None:
    pid = client.post("/problems", json=sixteen_raw).json()["id"]
    job = client.post(f"/problems/{pid}/solve", json={"time_limit_s": 60, "workers": 1}).json()
    try:
        for path in ("view", "parity", "trainers/T01.ics", "rooms/RTCM-A.ics"):
            assert client.get(f"/jobs/{job['id']}/{path}").status_code == 409, path
    finally:
        client.delete(f"/jobs/{job['id']}")
    assert client.get("/jobs/nope/view").status_code == 404


def test_the_parity_report(solved) -> None:
    client, job_id, _ = solved
    report = client.get(f"/jobs/{job_id}/parity").json()
    year = next(r for r in report["trainers"] if r["scope"] == "year")
    assert year["unit"] == "trainer-days"
    assert year["status"] in ("pass", "fail", "n/a")
    assert report["notes"]


def test_a_trainers_and_a_rooms_calendar_download(solved) -> None:
    client, job_id, schedule = solved
    first = schedule["editions"][0]
    trainer = first["trainers"][0]
    r = client.get(f"/jobs/{job_id}/trainers/{trainer}.ics")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    assert r.headers["content-disposition"] == f'attachment; filename="trainer-{trainer}.ics"'
    assert r.text.startswith("BEGIN:VCALENDAR")
    teaching = sum(1 for e in schedule["editions"] if trainer in e["trainers"])
    # The solve chose backups: each course the trainer backs up is a tentative event of its own.
    backing = sum(1 for e in schedule["backups"]["editions"] if any(m["backup"] == trainer for m in e["members"]))
    assert r.text.count("BEGIN:VEVENT") == teaching + backing
    assert r.text.count("STATUS:TENTATIVE") == backing
    r = client.get(f"/jobs/{job_id}/rooms/{first['room']}.ics")
    assert r.status_code == 200
    assert r.text.count("BEGIN:VEVENT") == sum(1 for e in schedule["editions"] if e["room"] == first["room"])
    for path, what in (("trainers/T999.ics", "trainer 'T999'"), ("rooms/NOPE.ics", "room 'NOPE'")):
        r = client.get(f"/jobs/{job_id}/{path}")
        assert r.status_code == 404
        assert what in r.json()["detail"]
