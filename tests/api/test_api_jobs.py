"""Solve jobs over HTTP: start, follow, cancel, queue limits, restarts."""

from __future__ import annotations

import io
import multiprocessing
import os
import resource
import threading
import time

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

import api.jobs
from api.app import create_app
from api.routes import accepts_gzip
from api.store import Store

# Long enough never to end by itself during a test: these jobs are cancelled.
LONG = {"time_limit_s": 600}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def found_a_calendar(job: dict) -> bool:
    return (job["progress"] or {}).get("solutions", 0) >= 1


def test_the_full_flow_from_a_problem_to_a_checked_calendar(client, tiny_raw, wait_for):
    # create the problem
    r = client.post("/problems", json=tiny_raw)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]

    # solve it: the job answers at once. The limit is deterministic time, so the proof of
    # optimality (a fraction of a second of it here) does not depend on the machine's load.
    r = client.post(f"/problems/{pid}/solve", json={"time_limit_s": 20, "workers": 1, "deterministic": True})
    assert r.status_code == 202
    job = r.json()
    assert r.headers["location"] == f"/jobs/{job['id']}"
    assert job["state"] in ("queued", "running")

    # poll it to its end
    job = wait_for(client, job["id"])
    assert job["state"] == "done", job
    assert job["summary"]["status"] == "OPTIMAL"
    assert job["summary"]["editions_scheduled"] == 4
    assert job["progress"]["solutions"] >= 1
    assert job["has_schedule"]
    base = f"/jobs/{job['id']}"
    assert job["links"].items() >= {
        "self": base, "events": f"{base}/events", "problem": f"/problems/{pid}",
        "schedule": f"{base}/schedule", "schedule_xlsx": f"{base}/schedule.xlsx", "check": f"{base}/check",
    }.items()
    assert [j["id"] for j in client.get("/jobs", params={"problem_id": pid}).json()] == [job["id"]]

    # the schedule as JSON ...
    schedule = client.get(job["links"]["schedule"]).json()
    assert len(schedule["editions"]) == 4 and schedule["unscheduled"] == []
    assert schedule["problem"] == tiny_raw

    # ... compressed for clients that accept it, with a tag to poll it cheaply ...
    r = client.get(job["links"]["schedule"], headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and r.json() == schedule
    etag = r.headers["etag"]
    r = client.get(job["links"]["schedule"], headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in r.headers and r.headers["etag"] == etag
    assert r.json() == schedule
    assert client.get(job["links"]["schedule"], headers={"If-None-Match": etag}).status_code == 304

    # ... as a workbook ...
    r = client.get(job["links"]["schedule_xlsx"])
    assert r.status_code == 200
    assert r.headers["content-type"] == XLSX
    assert r.headers["content-disposition"] == f'attachment; filename="rtcm-schedule-{job["id"][:8]}.xlsx"'
    sheets = load_workbook(io.BytesIO(r.content), read_only=True).sheetnames
    assert {"Summary", "Calendar", "Editions"} <= set(sheets)

    # ... checked, by the job's analysis and as a calendar sent back by hand
    report = client.get(job["links"]["check"]).json()
    assert report["ok"] and report["violations"] == []
    # The summary's objective is CP-SAT's own for its calendar; the check recomputes it from
    # the calendar alone: the two agree to the hundredth, and an optimum's bound meets it.
    assert schedule["solver"]["objective_source"] == "search"
    assert report["kpis"]["objective"] == pytest.approx(job["summary"]["objective"], abs=0.005)
    assert job["summary"]["bound"] == job["summary"]["objective"]
    r = client.post("/check", json={"problem_id": pid, "editions": schedule["editions"]})
    assert r.status_code == 200 and r.json()["ok"]
    # ... and without M1.T2#1, which must run (its min_editions is 1): a mandatory edition left out
    r = client.post("/check", json={"problem_id": pid,
                                    "editions": [e for e in schedule["editions"] if e["edition"] != "M1.T2#1"]})
    report = r.json()
    assert not report["ok"]
    assert [(v["rule"], v["records"][0]) for v in report["violations"]] == [("mandatory_edition_scheduled", "M1.T2#1")]


@pytest.mark.parametrize(
    ("header", "gzip"),
    [
        ("gzip, deflate", True),  # what httpx and browsers send
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),  # anything
        ("gzip;q=0", False),  # explicitly not
        ("identity", False),
        ("", False),  # no header: no encoding
        ("gzip;q=zero", False),  # a malformed weight counts as 0
    ],
)
def test_which_clients_get_the_schedule_compressed(header, gzip):
    assert accepts_gzip(header) is gzip


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_limit_s": 601}, "time_limit_s"),  # over the 600 s cap
        ({"time_limit_s": 0}, "time_limit_s"),  # no time at all
        ({"time_limit_s": "soon"}, "time_limit_s"),  # not a number
        ({"workers": 0}, "workers"),  # no worker
        ({"workers": 10_000}, "workers"),  # more than the machine's cores
        ({"relative_gap": 1}, "relative_gap"),  # a gap of 100 % accepts anything
        ({"relative_gap": -0.1}, "relative_gap"),  # negative
        ({"seed": -1}, "seed"),  # negative
        ({"deterministic": "maybe"}, "deterministic"),  # not a boolean
        ({"time_limt_s": 5}, "time_limt_s"),  # misspelt: unknown fields are refused
        ([1, 2], "body"),  # not an object
    ],
)
def test_bad_solve_options_are_422(client, body, field):
    r = client.post("/problems/default/solve", json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert any(e["message"].startswith((f"{field}:", f"{field} ")) for e in r.json()["errors"]), r.json()
    assert client.get("/health").json()["queued"] == 0  # nothing started


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({"limit": 0}, "query parameter limit"),  # below 1
        ({"limit": 501}, "query parameter limit"),  # above 500
        ({"limit": "all"}, "query parameter limit"),  # not a number
        ({"state": "finished"}, "query parameter state"),  # not a job state
    ],
)
def test_bad_job_queries_are_422(client, params, where):
    r = client.get("/jobs", params=params)
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"].startswith(where), r.json()


def test_cancelling_keeps_the_best_calendar_so_far(client, sixteen_raw, wait_for):
    pid = client.post("/problems", json=sixteen_raw).json()["id"]
    job_id = client.post(f"/problems/{pid}/solve", json={**LONG, "workers": 1}).json()["id"]
    # Running, with a calendar found but far from proven optimal.
    running = wait_for(client, job_id, ["running"], until=found_a_calendar)
    assert client.delete(f"/problems/{pid}").status_code == 409  # it has a running job

    # 200 once the solve has wound down, 202 while it still does (on a busy machine): either
    # way the job ends cancelled, however long that takes.
    r = client.delete(f"/jobs/{job_id}")
    assert r.status_code in (200, 202), r.text
    job = wait_for(client, job_id)
    assert job["state"] == "cancelled"
    assert "best calendar found so far is kept" in job["message"]
    assert job["summary"]["status"] in ("OPTIMAL", "FEASIBLE")  # stopped: proven or not, a calendar
    assert job["summary"]["objective"] <= running["progress"]["objective"]  # no worse than seen running
    assert job["has_schedule"] and "schedule" in job["links"]

    schedule = client.get(f"/jobs/{job_id}/schedule").json()
    assert len(schedule["editions"]) == job["summary"]["editions_scheduled"] > 0
    assert schedule["solver"]["status"] == job["summary"]["status"]
    assert client.get(f"/jobs/{job_id}/check").json()["ok"]
    assert client.get(f"/jobs/{job_id}/schedule.xlsx").status_code == 200

    assert client.delete(f"/jobs/{job_id}").status_code == 200  # cancelling again changes nothing
    assert client.delete(f"/problems/{pid}").status_code == 204
    assert client.get(f"/jobs/{job_id}/schedule").status_code == 200  # the calendar outlives its problem


def test_a_full_queue_answers_429_with_retry_after(make_client, wait_for):
    client = make_client(max_concurrent=1, queue_size=1)
    running = client.post("/problems/default/solve", json=LONG).json()["id"]
    wait_for(client, running, ["running"])  # out of the queue before the next one arrives
    waiting = client.post("/problems/default/solve", json=LONG).json()["id"]
    r = client.post("/problems/default/solve", json=LONG)
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) >= 1
    assert r.json()["type"] == "urn:rtcm:queue-full"
    assert client.get("/health").json()["queued"] == 1

    job = client.delete(f"/jobs/{waiting}").json()
    assert job["state"] == "cancelled" and job["started_at"] is None
    assert client.delete(f"/jobs/{running}").json()["state"] == "cancelled"
    assert client.post("/problems/default/solve", json={"time_limit_s": 1}).status_code == 202


def test_a_restart_marks_unfinished_jobs_interrupted_and_they_can_be_resubmitted(
    make_client, database_url, tiny_raw, wait_for
):
    first = make_client()
    pid = first.post("/problems", json=tiny_raw).json()["id"]
    finished = first.post(f"/problems/{pid}/solve", json={"time_limit_s": 20, "workers": 1}).json()["id"]
    assert wait_for(first, finished)["state"] == "done"
    # The process dies while a job runs: the database still says "running".
    store = Store(database_url)
    store.open()
    crashed = store.add_job(pid, {"time_limit_s": 20, "workers": 1, "deterministic": False,
                                  "relative_gap": 0.0, "seed": 0}).id
    store.mark_running(crashed)
    store.close()

    second = make_client()  # a new process on the same database
    assert second.get(f"/problems/{pid}").json()["problem"] == tiny_raw
    done = second.get(f"/jobs/{finished}").json()
    assert done["state"] == "done" and done["progress"]["solutions"] >= 1
    assert len(second.get(f"/jobs/{finished}/schedule").json()["editions"]) == 4
    job = second.get(f"/jobs/{crashed}").json()
    assert job["state"] == "interrupted"
    assert "resubmit" in job["message"]

    r = second.post(f"/jobs/{crashed}/resubmit")
    assert r.status_code == 202
    again = r.json()
    assert again["resubmitted_from"] == crashed and again["options"]["time_limit_s"] == 20
    assert wait_for(second, again["id"])["state"] == "done"


def test_stopping_the_service_interrupts_a_running_job_and_keeps_its_calendar(
    database_url, sixteen_raw, wait_for
):
    with TestClient(create_app(database_url=database_url)) as client:
        pid = client.post("/problems", json=sixteen_raw).json()["id"]
        job_id = client.post(f"/problems/{pid}/solve", json={**LONG, "workers": 1}).json()["id"]
        wait_for(client, job_id, ["running"], until=found_a_calendar)
    # stopped; started again on the same database
    with TestClient(create_app(database_url=database_url)) as client:
        job = client.get(f"/jobs/{job_id}").json()
        assert job["state"] == "interrupted"
        assert "best calendar found so far is kept" in job["message"]
        assert job["has_schedule"] and job["summary"]["status"] in ("OPTIMAL", "FEASIBLE")
        assert client.get(f"/jobs/{job_id}/check").json()["ok"]
        again = client.post(f"/jobs/{job_id}/resubmit", json={})
        assert again.status_code == 202
        assert client.delete(f"/jobs/{again.json()['id']}").status_code in (200, 202)


def test_solves_run_in_a_process_of_their_own_at_a_lower_priority(make_client, monkeypatch, sixteen_raw,
                                                                  wait_for):
    monkeypatch.setenv("RTCM_SOLVER_NICENESS", "7")
    client = make_client()
    pid = client.post("/problems", json=sixteen_raw).json()["id"]
    job_id = client.post(f"/problems/{pid}/solve", json={**LONG, "workers": 1}).json()["id"]
    wait_for(client, job_id, ["running"], until=found_a_calendar)
    [solver] = [p for p in multiprocessing.active_children() if p.name.startswith("rtcm-solve")]
    base = os.nice(0)
    assert os.getpriority(os.PRIO_PROCESS, solver.pid) == max(7, base)  # the solver process was lowered ...
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == base  # ... and not the server
    assert client.delete(f"/jobs/{job_id}").json()["state"] == "cancelled"
    assert not solver.is_alive()


# Stand-ins for the solver process's entry point, api.jobs.solve_in_child. The process is
# spawned: it imports them from this module by name, so patching the server's module is
# enough to reach it (a patch of api.jobs.solve alone would not be).


def exit_at_once(*args):
    os._exit(3)


def abort_at_once(*args):
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file
    os.abort()  # as OR-Tools does when one of its checks fails


def solve_that_raises(*args):
    def broken(*args, **kwargs):
        raise RuntimeError("the engine broke")

    api.jobs.solve = broken  # in the solver process, under its real entry point
    api.jobs.solve_in_child(*args)


def ignore_stop(*args):
    time.sleep(600)


def test_a_solve_that_raises_ends_failed_with_a_message(client, monkeypatch, wait_for):
    monkeypatch.setattr(api.jobs, "solve_in_child", solve_that_raises)
    job_id = client.post("/problems/default/solve", json={"time_limit_s": 5}).json()["id"]
    job = wait_for(client, job_id)
    assert job["state"] == "failed"
    assert job["message"] == "the solve failed: the engine broke"
    r = client.get(f"/jobs/{job_id}/schedule")
    assert r.status_code == 404 and "without a calendar" in r.json()["detail"]


@pytest.mark.parametrize(
    ("entry", "how"),
    [
        (exit_at_once, "exit code 3"),
        (abort_at_once, "signal SIGABRT"),
    ],
)
def test_a_solver_process_that_dies_fails_its_job_and_the_service_goes_on(client, monkeypatch, tiny_raw,
                                                                         wait_for, entry, how):
    monkeypatch.setattr(api.jobs, "solve_in_child", entry)
    job = wait_for(client, client.post("/problems/default/solve", json={"time_limit_s": 5}).json()["id"])
    assert job["state"] == "failed"
    assert job["message"] == f"the solver process ended unexpectedly ({how})"
    assert not job["has_schedule"]

    monkeypatch.undo()
    assert client.get("/health").json()["status"] == "ok"
    pid = client.post("/problems", json=tiny_raw).json()["id"]
    job = wait_for(client, client.post(f"/problems/{pid}/solve", json={"time_limit_s": 20, "workers": 1}).json()["id"])
    assert job["state"] == "done" and job["has_schedule"]


def test_a_solver_that_does_not_stop_when_asked_is_killed(make_client, monkeypatch, wait_for):
    client = make_client(grace_s=0.5)
    monkeypatch.setattr(api.jobs, "solve_in_child", ignore_stop)
    job_id = client.post("/problems/default/solve", json=LONG).json()["id"]
    wait_for(client, job_id, ["running"])
    job = client.delete(f"/jobs/{job_id}").json()
    assert job["state"] == "cancelled"
    assert job["message"] == "the solver did not stop within 0.5 s of being asked to and was ended; no calendar is kept"
    assert not job["has_schedule"]
    assert [p for p in multiprocessing.active_children() if p.name.startswith("rtcm-solve")] == []


def test_an_unexpected_error_is_a_500_without_a_trace(database_url):
    with TestClient(create_app(database_url=database_url), raise_server_exceptions=False) as client:
        def boom():
            raise RuntimeError("secret internals")

        client.app.state.store.list_problems = boom
        r = client.get("/problems")
    assert r.status_code == 500
    assert r.json()["title"] == "Internal Server Error"
    assert "secret" not in r.text and "Traceback" not in r.text
