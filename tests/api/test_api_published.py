"""Published versions over HTTP: ``POST /jobs/{id}/publish``, ``GET /published``, ``/published/{n}``
and ``/published/{n}/diff/{m}``, with the semantics of ``rtcm publish``, ``versions`` and ``diff``
but kept in the service's database, one version per job.

Two calendars serve as versions: ``tiny`` (four courses that can run) and ``later`` (those and a
fifth, the first not before June), each optimal in a couple of seconds; the second moves ``M1.T1#1``
for its new earliest start, adds ``M1.T6#1`` and re-plans the rest. The flow test solves them
over HTTP; the other tests store the same calendars as finished jobs without a solve.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.store import Store
from api.wire import MAX_NOTE, SolveRequest
from model.compare import diff
from model.formats.versions import Versions
from model.problem import Problem
from model.schedule import Schedule
from scheduler.solve import SolveOptions, solve
from tests.api.conftest import TINY_TOPICS, with_topics
from tests.api.database_fault import assert_unavailable

TOKEN = "correct-horse-battery-staple"
EVIL = "http://rebind.evil.example"
PROBLEM_JSON = "application/problem+json"


def later(tiny_raw: dict[str, Any], rtcm_2027_raw: dict[str, Any]) -> dict[str, Any]:
    """``tiny`` with a fifth course of the default programme (M1.T6, which must run once), and its
    first course not before June."""
    raw = copy.deepcopy(tiny_raw)
    raw["name"] = "later"
    raw["programme"] = copy.deepcopy(with_topics(rtcm_2027_raw["programme"], (*TINY_TOPICS, "M1.T6")))
    raw["programme"][0]["earliest_start"] = "2027-06-01"
    return raw


@pytest.fixture(scope="module")
def calendars(rtcm_2027_raw: dict[str, Any]) -> tuple[str, str]:
    """The schedule JSON of ``tiny`` and of ``later``, as the job runner stores a calendar."""
    tiny = copy.deepcopy(rtcm_2027_raw)
    tiny["programme"] = with_topics(tiny["programme"], TINY_TOPICS)
    options = SolveOptions(time_limit_s=20, workers=1, deterministic=True)
    texts = []
    for raw in (tiny, later(tiny, rtcm_2027_raw)):
        result = solve(Problem.model_validate(raw), options)
        assert result.found and not result.schedule.unscheduled
        texts.append(result.schedule.model_dump_json())
    return texts[0], texts[1]


def finished_job(store: Store, schedule_json: str) -> str:
    """A solve job that ended with this calendar, stored as the job runner stores one."""
    job = store.add_job("default", SolveRequest(workers=1).model_dump())
    store.finish(job.id, "done", schedule_json=schedule_json)
    return job.id


def published_numbers(client: TestClient) -> list[int]:
    return [v["number"] for v in client.get("/published").json()]


# -------------------------------------------------------------------------------- the flow


def test_two_jobs_published_listed_fetched_and_compared(client, tiny_raw, rtcm_2027_raw, wait_for, tmp_path):
    jobs = []
    # The first calendar runs M1.T1 before June, which the second forbids: it must move.
    first = copy.deepcopy(tiny_raw)
    first["programme"][0]["latest_end"] = "2027-05-31"
    for raw in (first, later(tiny_raw, rtcm_2027_raw)):
        pid = client.post("/problems", json=raw).json()["id"]
        job = client.post(f"/problems/{pid}/solve", json={"time_limit_s": 20, "workers": 1,
                                                          "deterministic": True}).json()
        job = wait_for(client, job["id"])
        assert job["state"] == "done" and job["has_schedule"], job
        jobs.append(job["id"])
    first, second = jobs

    # the first job's calendar becomes version 1, with its note and the checker's key figures
    r = client.post(f"/jobs/{first}/publish", json={"note": "sent to trainers and rooms"})
    assert r.status_code == 201, r.text
    assert r.headers["location"] == "/published/1"
    v1 = r.json()
    check = client.get(f"/jobs/{first}/check").json()
    assert v1.items() >= {
        "number": 1, "note": "sent to trainers and rooms", "source": first,
        "editions_scheduled": 4, "objective": check["kpis"]["objective"], "cost_usd": check["cost_usd"],
        "hard_rules_broken": 0, "links": {"schedule": "/published/1", "job": f"/jobs/{first}"},
    }.items()
    assert v1["published_at"].endswith(("Z", "+00:00"))

    # the same fields and figures as `rtcm publish` gives the same calendar, digest included
    schedule_1 = client.get(f"/jobs/{first}/schedule").json()
    cli, new = Versions(tmp_path / "versions").publish(Schedule.model_validate(schedule_1),
                                                       "sent to trainers and rooms", source=first)
    assert new
    assert {k: v for k, v in v1.items() if k not in ("links", "published_at")} == cli.model_dump(
        mode="json", exclude={"published_at"})

    # publishing the job again is idempotent: the same version, its note unchanged, nothing new
    r = client.post(f"/jobs/{first}/publish", json={"note": "a second time"})
    assert r.status_code == 200 and "location" not in r.headers
    assert r.json() == v1
    assert client.post(f"/jobs/{first}/publish").json() == v1

    # the version's calendar is the job's, byte for byte, tagged and compressed like it
    job_r = client.get(f"/jobs/{first}/schedule", headers={"Accept-Encoding": "identity"})
    r = client.get("/published/1", headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.content == job_r.content and r.headers["etag"] == job_r.headers["etag"]
    assert client.get("/published/1", headers={"Accept-Encoding": "gzip"}).headers["content-encoding"] == "gzip"
    assert client.get("/published/1", headers={"If-None-Match": r.headers["etag"]}).status_code == 304

    # a second job, published without a body, is version 2
    r = client.post(f"/jobs/{second}/publish")
    assert r.status_code == 201 and r.headers["location"] == "/published/2"
    v2 = r.json()
    assert v2["number"] == 2 and v2["note"] == "" and v2["source"] == second and v2["editions_scheduled"] == 5
    assert client.get("/published/2").json() == client.get(f"/jobs/{second}/schedule").json()

    # newest first, a page at a time, the whole count in X-Total-Count
    r = client.get("/published")
    assert r.json() == [v2, v1] and r.headers["x-total-count"] == "2"
    r = client.get("/published", params={"limit": 1, "offset": 1})
    assert r.json() == [v1] and r.headers["x-total-count"] == "2"

    # the changes between them are model.compare.diff's of the two calendars, either way round
    schedule_2 = Schedule.model_validate(client.get("/published/2").json())
    schedule_1 = Schedule.model_validate(schedule_1)
    r = client.get("/published/1/diff/2")
    assert r.status_code == 200
    assert r.json() == diff(schedule_1, schedule_2).model_dump(mode="json")
    changes = {c["edition"]: c for c in r.json()["changes"]}
    assert changes["M1.T6#1"]["kinds"] == ["added"]
    assert "moved" in changes["M1.T1#1"]["kinds"]
    assert any("before its earliest start 2027-06-01" in why for why in changes["M1.T1#1"]["why"])
    assert client.get("/published/2/diff/1").json() == diff(schedule_2, schedule_1).model_dump(mode="json")
    assert client.get("/published/2/diff/2").json() == {"changes": []}


# ---------------------------------------------------------------------------- idempotence


def test_a_version_is_per_job_not_per_calendar(client, calendars):
    # "Publishing is idempotent for the same job": two jobs that found the same calendar are two
    # versions (with the same digest), and each job published again gives its own version back.
    store: Store = client.app.state.store
    tiny, _ = calendars
    a, b = finished_job(store, tiny), finished_job(store, tiny)
    v1 = client.post(f"/jobs/{a}/publish").json()
    v2 = client.post(f"/jobs/{b}/publish").json()
    assert (v1["number"], v2["number"]) == (1, 2) and v1["digest"] == v2["digest"]
    assert client.post(f"/jobs/{a}/publish").json() == v1
    assert client.post(f"/jobs/{b}/publish").json() == v2
    assert published_numbers(client) == [2, 1]


def test_versions_are_numbered_one_by_one_when_published_at_once(client, calendars):
    # Eight jobs, each published from two threads at the same moment: eight versions, 1 to 8,
    # each job's two answers the same version (one 201, one 200).
    store: Store = client.app.state.store
    jobs = [finished_job(store, calendars[i % 2]) for i in range(8)]
    answers: dict[str, list[tuple[int, int]]] = {job: [] for job in jobs}
    start = threading.Barrier(16)

    def publish(job: str) -> None:
        start.wait()
        r = client.post(f"/jobs/{job}/publish")
        answers[job].append((r.status_code, r.json()["number"]))

    threads = [threading.Thread(target=publish, args=(job,)) for job in jobs for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for job in jobs:
        assert sorted(code for code, _ in answers[job]) == [200, 201], answers[job]
        assert len({number for _, number in answers[job]}) == 1
    assert sorted(answers[job][0][1] for job in jobs) == list(range(1, 9))
    assert published_numbers(client) == list(range(8, 0, -1))


# ------------------------------------------------------------------------ what is refused


def test_a_job_without_a_calendar_is_409_and_an_unknown_one_404(client, calendars):
    store: Store = client.app.state.store
    queued = store.add_job("default", SolveRequest(workers=1).model_dump()).id
    running = store.add_job("default", SolveRequest(workers=1).model_dump()).id
    store.mark_running(running)
    failed = store.add_job("default", SolveRequest(workers=1).model_dump()).id
    store.finish(failed, "failed", message="the solver process ended with signal 9")
    run = store.add_job("default", {"name": "x"}, kind="scenario").id

    for job, words in [(queued, "is queued; its calendar can be published when it ends"),
                       (running, "is running; its calendar can be published when it ends"),
                       (failed, "ended (failed) without a calendar, so there is nothing to publish: "
                                "the solver process ended with signal 9")]:
        r = client.post(f"/jobs/{job}/publish", json={"note": "x"})
        assert r.status_code == 409, r.text
        assert r.headers["content-type"] == PROBLEM_JSON
        assert r.json()["type"] == "urn:rtcm:conflict" and r.json()["detail"] == f"job '{job}' {words}"
    for job in ("no-such-job", run):  # a scenario run is not a job (it has no calendar of its own)
        r = client.post(f"/jobs/{job}/publish")
        assert r.status_code == 404 and r.json()["detail"] == f"job '{job}' does not exist"
    assert published_numbers(client) == []


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"note": "x" * (MAX_NOTE + 1)}, "/note"),  # a note longer than the service keeps
        ({"note": 7}, "/note"),  # not text
        ({"note": "x", "number": 3}, "/number"),  # a version's number is the service's to give
        (["a note"], ""),  # not an object
    ],
)
def test_an_invalid_publish_body_is_422_and_publishes_nothing(client, calendars, body, pointer):
    job = finished_job(client.app.state.store, calendars[0])
    r = client.post(f"/jobs/{job}/publish", json=body)
    assert r.status_code == 422, r.text
    assert [e["pointer"] for e in r.json()["errors"]] == [pointer]
    assert published_numbers(client) == []


def test_an_unknown_version_is_404_and_a_number_that_is_none_422(client, calendars):
    for path in ("/published/1", "/published/1/diff/1"):
        r = client.get(path)
        assert r.status_code == 404 and r.headers["content-type"] == PROBLEM_JSON
        assert r.json()["detail"] == "published version '1' does not exist"
    client.post(f"/jobs/{finished_job(client.app.state.store, calendars[0])}/publish")
    for path in ("/published/2", "/published/1/diff/2", "/published/2/diff/1"):
        r = client.get(path)
        assert r.status_code == 404 and r.json()["detail"] == "published version '2' does not exist", path
    for path in ("/published/0", "/published/-1", "/published/one", "/published/1/diff/0",
                 f"/published/{2**31}", f"/published/1/diff/{2**64}"):
        assert client.get(path).status_code == 422, path


# --------------------------------------------------------------------------- persistence


def test_versions_survive_a_restart(database_url, calendars):
    with TestClient(create_app(database_url=database_url)) as first:
        store: Store = first.app.state.store
        jobs = [finished_job(store, text) for text in calendars]
        versions = [first.post(f"/jobs/{job}/publish", json={"note": f"v{i}"}).json()
                    for i, job in enumerate(jobs, 1)]
        schedules = [first.get(f"/published/{v['number']}").content for v in versions]
        changes = first.get("/published/1/diff/2").json()
    with TestClient(create_app(database_url=database_url)) as second:  # a new process on the same file
        assert second.get("/published").json() == versions[::-1]
        assert [second.get(f"/published/{n}").content for n in (1, 2)] == schedules
        assert second.get("/published/1/diff/2").json() == changes
        r = second.post(f"/jobs/{jobs[0]}/publish")
        assert r.status_code == 200 and r.json() == versions[0]
        third = finished_job(second.app.state.store, calendars[0])
        assert second.post(f"/jobs/{third}/publish").json()["number"] == 3


def test_a_database_that_refuses_writes_answers_503_and_keeps_no_version(client, fault, calendars):
    store: Store = client.app.state.store
    published, waiting = finished_job(store, calendars[0]), finished_job(store, calendars[1])
    v1 = client.post(f"/jobs/{published}/publish").json()
    fault.kind = "read-only"

    assert_unavailable(client.post(f"/jobs/{waiting}/publish", json={"note": "x"}), "it is read-only")
    # Reads go on, and a job published before is only read: its version comes back.
    assert client.post(f"/jobs/{published}/publish").json() == v1
    assert client.get("/published").json() == [v1]
    assert client.get("/published/1").status_code == 200

    fault.kind = None  # writable again: no restart
    r = client.post(f"/jobs/{waiting}/publish", json={"note": "x"})
    assert r.status_code == 201 and r.json()["number"] == 2


# -------------------------------------------------------------------------------- guards


@pytest.fixture
def guarded(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(api_token=TOKEN)


def test_every_published_route_needs_the_token(guarded, calendars):
    job = finished_job(guarded.app.state.store, calendars[0])
    routes = [("POST", f"/jobs/{job}/publish"), ("GET", "/published"), ("GET", "/published/1"),
              ("GET", "/published/1/diff/1")]
    for method, path in routes:
        r = guarded.request(method, path)
        assert r.status_code == 401 and r.json()["type"] == "urn:rtcm:unauthorized", (method, path)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert guarded.get("/published", headers=auth).json() == []  # nothing published without the token
    assert [guarded.request(method, path, headers=auth).status_code for method, path in routes] == [201, 200, 200, 200]


def test_another_site_s_page_cannot_publish(client, calendars):
    job = finished_job(client.app.state.store, calendars[0])
    for headers in ({"Origin": EVIL}, {"Referer": f"{EVIL}/attack.html"}, {"Sec-Fetch-Site": "cross-site"}):
        r = client.post(f"/jobs/{job}/publish", json={"note": "x"}, headers=headers)
        assert r.status_code == 403 and r.json()["type"] == "urn:rtcm:forbidden", headers
    r = client.post(f"/jobs/{job}/publish", headers={"Host": "rebind.evil.example"})
    assert r.status_code == 421
    assert client.get("/published", headers={"Host": "rebind.evil.example"}).status_code == 421
    assert published_numbers(client) == []
    assert client.post(f"/jobs/{job}/publish", headers={"Origin": "http://testserver"}).status_code == 201


# -------------------------------------------------------------------------------- schema


def test_the_schema_documents_the_published_routes(client):
    schema = client.get("/openapi.json").json()
    paths, components = schema["paths"], schema["components"]["schemas"]
    version = {"$ref": "#/components/schemas/PublishedVersion"}

    publish = paths["/jobs/{job_id}/publish"]["post"]["responses"]
    assert {"200", "201", "403", "404", "409", "421", "422", "503"} <= set(publish)
    assert publish["201"]["content"]["application/json"]["schema"] == version
    assert publish["200"]["content"]["application/json"]["schema"] == version
    assert "Location" in publish["201"]["headers"] and "Retry-After" in publish["503"]["headers"]
    assert paths["/jobs/{job_id}/publish"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "anyOf"][0] == {"$ref": "#/components/schemas/PublishRequest"}

    listing = paths["/published"]["get"]["responses"]
    assert listing["200"]["content"]["application/json"]["schema"]["items"] == version
    assert "X-Total-Count" in listing["200"]["headers"]
    one = paths["/published/{n}"]["get"]["responses"]
    assert {"200", "304", "404", "421", "422"} <= set(one)
    assert one["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Schedule"}
    changes = paths["/published/{n}/diff/{m}"]["get"]["responses"]
    assert {"200", "404", "421", "422"} <= set(changes)
    assert changes["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/CalendarDiff"}
    for path in ("/published", "/published/{n}", "/published/{n}/diff/{m}"):
        assert "503" not in paths[path]["get"]["responses"], path  # reads: the database's faults are no concern

    # the version's fields are model.formats.versions.Version's, and the links
    assert set(components["PublishedVersion"]["properties"]) == {
        "number", "published_at", "note", "source", "digest", "editions_scheduled", "objective", "cost_usd",
        "hard_rules_broken", "links"}
