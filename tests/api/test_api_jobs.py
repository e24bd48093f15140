"""Solve jobs over HTTP: start, follow, cancel, queue limits, restarts."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

import api.jobs
from api.app import create_app
from api.store import Store

# Long enough never to end by itself during a test: these jobs are cancelled.
LONG = {"time_limit_s": 600}


def test_a_tiny_problem_solves_to_a_checked_calendar(client, tiny_raw, wait_for):
    pid = client.post("/problems", json=tiny_raw).json()["id"]
    r = client.post(f"/problems/{pid}/solve", json={"time_limit_s": 20, "workers": 1})
    assert r.status_code == 202
    job = r.json()
    assert r.headers["location"] == f"/jobs/{job['id']}"
    assert job["state"] in ("queued", "running")

    job = wait_for(client, job["id"])
    assert job["state"] == "done", job
    assert job["summary"]["status"] == "OPTIMAL"
    assert job["summary"]["editions_scheduled"] == 4
    assert job["progress"]["solutions"] >= 1
    assert job["has_schedule"] and job["links"]["schedule"] == f"/jobs/{job['id']}/schedule"
    assert len(client.get(f"/jobs/{job['id']}/schedule").json()["editions"]) == 4
    report = client.get(f"/jobs/{job['id']}/check").json()
    assert report["ok"] and report["violations"] == []
    assert [j["id"] for j in client.get("/jobs", params={"problem_id": pid}).json()] == [job["id"]]


def test_solve_options_are_capped(client):
    r = client.post("/problems/default/solve", json={"time_limit_s": 601})
    assert r.status_code == 422
    assert any(e.startswith("time_limit_s:") for e in r.json()["errors"])
    r = client.post("/problems/default/solve", json={"workers": 10_000})
    assert r.status_code == 422
    assert any("cores" in e for e in r.json()["errors"])
    r = client.post("/problems/default/solve", json={"time_limt_s": 5})  # misspelt
    assert r.status_code == 422


def test_cancel_a_running_job_promptly(client, default_raw, wait_for):
    pid = client.post("/problems", json=default_raw).json()["id"]
    job_id = client.post(f"/problems/{pid}/solve", json=LONG).json()["id"]
    wait_for(client, job_id, ["running"])
    assert client.delete(f"/problems/{pid}").status_code == 409  # it has a running job
    time.sleep(0.5)

    t0 = time.monotonic()
    r = client.delete(f"/jobs/{job_id}")
    took = time.monotonic() - t0
    assert r.status_code == 200, r.text
    job = r.json()
    assert job["state"] == "cancelled"
    assert took < 5
    assert job["summary"]["status"] in ("UNKNOWN", "FEASIBLE")
    assert job["has_schedule"] == (job["summary"]["status"] == "FEASIBLE")
    assert client.delete(f"/jobs/{job_id}").status_code == 200  # cancelling again changes nothing
    assert client.delete(f"/problems/{pid}").status_code == 204


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


def test_stopping_the_service_interrupts_a_running_job(database_url, wait_for):
    with TestClient(create_app(database_url=database_url)) as client:
        job_id = client.post("/problems/default/solve", json=LONG).json()["id"]
        wait_for(client, job_id, ["running"])
    with TestClient(create_app(database_url=database_url)) as client:
        job = client.get(f"/jobs/{job_id}").json()
        assert job["state"] == "interrupted"
        assert client.post(f"/jobs/{job_id}/resubmit", json={}).status_code == 202


def test_a_solve_that_raises_ends_failed_with_a_message(client, monkeypatch, wait_for):
    def broken(*args, **kwargs):
        raise RuntimeError("the engine broke")

    monkeypatch.setattr(api.jobs, "solve", broken)
    job_id = client.post("/problems/default/solve", json={"time_limit_s": 5}).json()["id"]
    job = wait_for(client, job_id)
    assert job["state"] == "failed"
    assert "the engine broke" in job["message"]
    r = client.get(f"/jobs/{job_id}/schedule")
    assert r.status_code == 404 and "without a calendar" in r.json()["detail"]


def test_an_unexpected_error_is_a_500_without_a_trace(database_url):
    with TestClient(create_app(database_url=database_url), raise_server_exceptions=False) as client:
        def boom():
            raise RuntimeError("secret internals")

        client.app.state.store.list_problems = boom
        r = client.get("/problems")
    assert r.status_code == 500
    assert r.json()["title"] == "Internal Server Error"
    assert "secret" not in r.text and "Traceback" not in r.text
