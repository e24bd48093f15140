"""Scenario runs (``POST /scenarios/run``) as jobs of their own kind: they wait in the solves'
queue, run in a solver process of their own, stop keeping the best calendar found, and are
stored with their comparison.

The base calendars are small: ``tiny`` (four courses, optimal in about a second) where the
run must end by itself, ``sixteen`` (a first calendar at once, no proof for minutes) where it
is stopped.
"""

from __future__ import annotations

import copy
import multiprocessing
import os
import resource
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.process import BaseProcess
from typing import Any

import pytest
from fastapi.testclient import TestClient

import api.jobs
from api.app import create_app
from api.store import ENDED_STATES, Store
from tests.api.conftest import poll

ACTIVE = ("queued", "running")
CLOSE_A_ROOM = {"type": "room_closed", "start": "2027-01-01", "end": "2027-12-31", "reason": "works"}
# Long enough never to end by itself during a test: these runs and jobs are stopped.
LONG_RUN = {"file": "module8-second-editions.yaml", "stay_close": False, "time_limit_s": 120}
LONG_JOB = {"time_limit_s": 600, "workers": 1}


def solved_job(client: TestClient, raw: dict, wait_for: Callable[..., dict], time_limit_s: float = 20) -> dict:
    """A finished job of ``raw`` with a calendar: the base of the runs."""
    pid = client.post("/problems", json=raw).json()["id"]
    job = client.post(f"/problems/{pid}/solve", json={"time_limit_s": time_limit_s, "workers": 1}).json()
    job = wait_for(client, job["id"])
    assert job["has_schedule"], job
    return job


def wait_for_run(client: TestClient, run_id: str, states: Iterable[str] = ENDED_STATES, timeout: float = 60,
                 until: Callable[[dict], bool] | None = None) -> dict:
    """Poll a scenario run until it reaches one of ``states`` (and ``until(run)`` holds)."""
    return poll(client, run_id, states, timeout, until, under="/scenarios/runs")


def has_a_calendar(run: dict) -> bool:
    return (run["progress"] or {}).get("objective") is not None


def solver_processes() -> list[BaseProcess]:
    return [p for p in multiprocessing.active_children() if p.name.startswith("rtcm-solve")]


@pytest.fixture(scope="module")
def sixteen_base(tmp_path_factory: pytest.TempPathFactory, rtcm_2027_raw: dict[str, Any],
                 wait_for: Callable[..., dict]) -> Iterator[tuple[TestClient, dict]]:
    """An app with one solver slot and one queue place, and a calendar of sixteen courses: (client, job)."""
    raw = copy.deepcopy(rtcm_2027_raw)
    raw["name"] = "sixteen"
    raw["programme"] = raw["programme"][:16]
    db = tmp_path_factory.mktemp("scenario-runs") / "rtcm.sqlite3"
    with TestClient(create_app(database_url=f"sqlite:///{db}", max_concurrent=1, queue_size=1)) as client:
        yield client, solved_job(client, raw, wait_for, time_limit_s=3)


# ------------------------------------------------------------------------- the comparison


def test_a_finished_comparison_is_stored_and_outlives_a_restart(make_client, tiny_raw, wait_for) -> None:
    first = make_client()
    job = solved_job(first, tiny_raw, wait_for)
    room = first.get(f"/jobs/{job['id']}/schedule").json()["editions"][0]["room"]
    r = first.post("/scenarios/run", json={"job_id": job["id"], "name": "room shut",
                                           "changes": [{**CLOSE_A_ROOM, "room": room}], "time_limit_s": 20})
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    assert r.headers["location"] == f"/scenarios/runs/{run_id}"
    assert r.json()["state"] in ACTIVE

    run = wait_for_run(first, run_id)
    assert run["state"] == "done", run
    assert run["message"] is None
    assert run["job_id"] == job["id"]
    assert run["base"]["name"] == "base" and run["scenario"]["name"] == "room shut"
    assert run["scenario"]["hard_rules_broken"] == 0
    assert run["editions"] and all(e["room"] != room for e in run["editions"])
    assert any("room" in c["kinds"] for c in run["diff"]["changes"])  # what sat in the room moved out
    assert run["progress"]["objective"] == run["scenario"]["objective"]

    # a scenario run is not a solve job, nor a job a scenario run
    assert first.get(f"/jobs/{run_id}").status_code == 404
    assert run_id not in [j["id"] for j in first.get("/jobs").json()]
    assert first.get(f"/scenarios/runs/{job['id']}").status_code == 404

    second = make_client()  # a new process on the same database
    assert second.get(f"/scenarios/runs/{run_id}").json() == run


def test_a_run_left_running_by_a_stopped_service_is_interrupted(make_client, database_url) -> None:
    # The process dies while a run is solving: the database still says "running".
    store = Store(database_url)
    store.open()
    shown = {"job_id": "base", "name": "room shut", "description": "", "changes": ["room X closed"],
             "stay_close": True, "time_limit_s": 20, "workers": 1}
    run_id = store.add_job("default", shown, kind="scenario").id
    store.mark_running(run_id)
    store.close()

    client = make_client()
    run = client.get(f"/scenarios/runs/{run_id}").json()
    assert run["state"] == "interrupted"
    assert run["message"] == "the service stopped while this scenario run was running; run it again"
    assert run["scenario"] is None and run["editions"] == []
    assert client.delete(f"/scenarios/runs/{run_id}").json()["state"] == "interrupted"  # nothing to stop


# ---------------------------------------------------------------------------- crashes

# A stand-in for the solver process's entry point, api.jobs.solve_in_child, that every job
# kind goes through; the spawned process imports it from this module by name.


def abort_at_once(*args: object) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file
    os.abort()  # as OR-Tools does when one of its checks fails


def test_a_run_whose_solver_process_dies_fails_and_the_service_goes_on(client, monkeypatch, tiny_raw,
                                                                      wait_for) -> None:
    job = solved_job(client, tiny_raw, wait_for)
    monkeypatch.setattr(api.jobs, "solve_in_child", abort_at_once)
    run_id = client.post("/scenarios/run", json={"job_id": job["id"], "file": "main-hall-closed-q2.yaml"}
                         ).json()["id"]
    run = wait_for_run(client, run_id)
    assert run["state"] == "failed"
    assert run["message"] == "the solver process ended unexpectedly (signal SIGABRT)"
    assert run["scenario"] is None and run["diff"] is None

    monkeypatch.undo()
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["running"] == 0
    again = client.post(f"/problems/{job['problem_id']}/solve", json={"time_limit_s": 20, "workers": 1})
    assert again.status_code == 202
    assert wait_for(client, again.json()["id"])["state"] == "done"


# ----------------------------------------------------------------- the queue and stopping


def test_stopping_a_run_keeps_the_best_calendar_found(sixteen_base) -> None:
    client, job = sixteen_base
    run_id = client.post("/scenarios/run", json={"job_id": job["id"], **LONG_RUN}).json()["id"]
    seen = wait_for_run(client, run_id, ["running"], until=has_a_calendar)
    [solver] = solver_processes()

    r = client.delete(f"/scenarios/runs/{run_id}")
    assert r.status_code == 200
    run = r.json()
    assert run["state"] == "cancelled"
    assert run["message"] == "cancelled; the best calendar found so far is kept"
    assert run["scenario"]["status"] == "FEASIBLE"
    assert run["scenario"]["objective"] <= seen["progress"]["objective"] + 0.01  # no worse than seen running
    assert run["editions"] and run["diff"] is not None
    assert run["base"]["editions_scheduled"] == job["summary"]["editions_scheduled"]
    assert not solver.is_alive()
    assert client.get(f"/scenarios/runs/{run_id}").json() == run  # as stored
    assert client.delete(f"/scenarios/runs/{run_id}").json() == run  # stopping again changes nothing


def test_runs_share_the_solves_queue_and_a_full_queue_answers_429(sixteen_base, wait_for) -> None:
    client, job = sixteen_base  # one solver slot, one queue place
    solving = client.post(f"/problems/{job['problem_id']}/solve", json=LONG_JOB).json()["id"]
    try:
        wait_for(client, solving, ["running"])  # out of the queue before the runs arrive
        r = client.post("/scenarios/run", json={"job_id": job["id"], **LONG_RUN})
        assert r.status_code == 202
        waiting = r.json()
        assert waiting["state"] == "queued"  # behind the solve

        r = client.post("/scenarios/run", json={"job_id": job["id"], **LONG_RUN})
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) >= 1
        assert r.json()["type"] == "urn:rtcm:queue-full"
        assert client.post(f"/problems/{job['problem_id']}/solve", json=LONG_JOB).status_code == 429
        assert client.get("/health").json()["queued"] == 1

        run = client.delete(f"/scenarios/runs/{waiting['id']}").json()
        assert run["state"] == "cancelled" and run["started_at"] is None
        assert run["message"] == "cancelled before it started"
    finally:
        assert client.delete(f"/jobs/{solving}").json()["state"] == "cancelled"
    assert client.get("/health").json()["queued"] == 0


# --------------------------------------------------------------------------------- storage


def test_a_database_from_before_job_kinds_is_brought_up_to_date(database_url, tmp_path) -> None:
    store = Store(database_url)
    store.open()
    old = store.add_job("default", {"time_limit_s": 5}).id
    store.close()
    with sqlite3.connect(tmp_path / "rtcm.sqlite3") as db:  # the jobs table as first released
        db.execute("ALTER TABLE jobs DROP COLUMN kind")

    store.open()
    try:
        assert store.job(old).kind == "solve"
        assert [row.id for row in store.list_jobs()] == [old]
        run = store.add_job("default", {"name": "x"}, kind="scenario").id
        assert [row.id for row in store.list_jobs(kind="scenario")] == [run]
    finally:
        store.close()
