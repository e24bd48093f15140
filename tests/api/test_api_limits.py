"""A job's limits hold whatever its solve does: its time limit covers the whole job, its memory is bounded.

The solver process's slow or hungry parts are stand-ins (the real process, with its model's
build replaced): a model that takes ten minutes to build and never looks at ``stop``, or one
that takes memory without end. Each test would run for minutes, or take the machine's memory,
if the limit did not hold.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

import api.jobs
import scheduler.solve
from api.jobs import DETERMINISTIC_WALL_FACTOR, solve_memory_mb, wall_limit_s
from model.check import check
from model.problem import Problem
from model.schedule import Schedule
from scheduler.solve import START_KEPT, SolveOptions, solve
from tests.api.conftest import too_few_could_sit

SLACK_S = 5.0  # what a job's end may take past its deadline on a busy machine: the kill, the record


def has_a_calendar(job: dict) -> bool:
    # An objective is shown only once its calendar is stored (api.jobs.CalendarFeed).
    return (job["progress"] or {}).get("objective") is not None


def run_time_s(job: dict) -> float:
    return (datetime.fromisoformat(job["finished_at"]) - datetime.fromisoformat(job["started_at"])).total_seconds()


def solver_processes() -> list[Any]:
    return [p for p in multiprocessing.active_children() if p.name.startswith("rtcm-solve")]


def assert_a_whole_start(schedule: Schedule) -> None:
    """The default's greedy start: every edition that can run scheduled (63 of 71), the 8 of the
    topics too few nominees could sit left out with their reason, and no rule broken."""
    cannot = too_few_could_sit(schedule.problem)
    assert len(schedule.problem.editions) == 71 and len(cannot) == 8
    assert {e.edition for e in schedule.editions} == {e.id for e in schedule.problem.editions} - cannot
    assert {u.edition for u in schedule.unscheduled} == cannot
    assert all(not u.mandatory and u.reason for u in schedule.unscheduled)
    assert check(schedule) == []


# Stand-ins for api.jobs.solve_in_child: the solver process is spawned and imports them from
# this module by name; each changes the engine in that process only, then runs the real one.


def solve_with_a_slow_model(*args: Any) -> None:
    """The real solve, whose model takes ten minutes to build (after the greedy start is stored)."""
    real = scheduler.solve.build

    def slow_build(*a: Any, **k: Any) -> Any:
        time.sleep(600)  # like the model of a problem far larger than its time limit allows
        return real(*a, **k)

    scheduler.solve.build = slow_build
    api.jobs.solve_in_child(*args)


def solve_with_a_hungry_model(*args: Any) -> None:
    """The real solve, whose model takes memory without end (up to 3 GB, should nothing stop it)."""

    def hungry_build(*a: Any, **k: Any) -> Any:
        hoard = []
        for _ in range(48):
            hoard.append(b"\x01" * 2**26)  # 64 MB, every page touched
            time.sleep(0.05)
        time.sleep(600)
        raise AssertionError("never reached")

    scheduler.solve.build = hungry_build
    api.jobs.solve_in_child(*args)


# ------------------------------------------------------------------ the time limit covers the job


def test_the_search_gets_what_the_setup_and_the_model_left_of_the_time_limit(monkeypatch, sixteen_raw):
    # Before, the search had the whole limit after a setup of any length: a model that took as
    # long as the limit to build made the solve last twice its limit.
    built: list[float] = []
    searched: list[float] = []
    real_build, real_solver = scheduler.solve.build, scheduler.solve._solver

    def timed_build(*a: Any, **k: Any) -> Any:
        t = time.perf_counter()
        try:
            return real_build(*a, **k)
        finally:
            built.append(time.perf_counter() - t)

    def recorded_solver(options: SolveOptions, time_limit: float | None = None, **k: Any) -> Any:
        searched.append(options.time_limit_s if time_limit is None else time_limit)
        return real_solver(options, time_limit, **k)

    monkeypatch.setattr(scheduler.solve, "build", timed_build)
    monkeypatch.setattr(scheduler.solve, "_solver", recorded_solver)
    problem = Problem.model_validate({**sixteen_raw, "nominations": []})
    limit = 3.0
    result = solve(problem, SolveOptions(time_limit_s=limit, workers=1))
    assert result.found
    [search_limit] = searched
    assert 0 < search_limit <= limit - built[0]  # the setup before it, the model's build included, is spent

    # A setup longer than the whole limit leaves the search nothing: the start calendar is the answer.
    searched.clear()
    result = solve(problem, SolveOptions(time_limit_s=0.01, workers=1))
    assert searched == [0.0]
    assert result.found and START_KEPT in result.report.warnings
    assert check(result.schedule) == []


def test_a_job_whose_model_builds_past_its_limit_ends_at_its_limit_plus_the_grace(
        make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch, wait_for: Callable[..., dict]) -> None:
    limit, grace = 8, 1.0
    client = make_client(grace_s=grace)
    monkeypatch.setattr(api.jobs, "solve_in_child", solve_with_a_slow_model)
    job_id = client.post("/problems/default/solve", json={"time_limit_s": limit, "workers": 1}).json()["id"]
    job = wait_for(client, job_id, timeout=limit + grace + 30)
    assert job["state"] == "failed"
    assert job["message"] == (f"the solve was still running {grace:g} s past its time limit ({limit} s on the clock) "
                              "and was ended; the best calendar it had found before is kept")
    assert run_time_s(job) <= limit + grace + SLACK_S, job
    assert solver_processes() == []
    # The greedy start, stored before the model was built, is served and breaks no rule.
    assert job["has_schedule"] and has_a_calendar(job)
    schedule = Schedule.model_validate(client.get(f"/jobs/{job_id}/schedule").json())
    assert_a_whole_start(schedule)
    assert client.get("/health").json()["status"] == "ok"


def test_a_job_cancelled_while_its_model_builds_ends_cancelled_within_the_grace(
        make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch, tiny_raw: dict[str, Any],
        wait_for: Callable[..., dict]) -> None:
    grace = 2.0
    client = make_client(grace_s=grace)
    monkeypatch.setattr(api.jobs, "solve_in_child", solve_with_a_slow_model)
    job_id = client.post("/problems/default/solve", json={"time_limit_s": 600, "workers": 1}).json()["id"]
    wait_for(client, job_id, ["running"], until=has_a_calendar)  # the greedy start is stored: now the model
    asked = time.monotonic()
    r = client.delete(f"/jobs/{job_id}")
    assert r.status_code == 200, r.text
    assert time.monotonic() - asked <= grace + SLACK_S
    job = r.json()
    assert job["state"] == "cancelled"
    assert job["message"] == (f"the solver did not stop within {grace:g} s of being asked to and was ended; "
                              "the best calendar it had found before is kept")
    assert job["has_schedule"]
    assert solver_processes() == []

    monkeypatch.undo()  # the service goes on: the next solve runs as ever
    pid = client.post("/problems", json=tiny_raw).json()["id"]
    done = wait_for(client, client.post(f"/problems/{pid}/solve", json={"time_limit_s": 20, "workers": 1}).json()["id"])
    assert done["state"] == "done" and done["has_schedule"]


def test_a_repeatable_solve_is_held_to_a_multiple_of_its_limit_on_the_clock():
    # Its limit is deterministic time, which a busy machine stretches; the clock still ends it.
    assert wall_limit_s(SolveOptions(time_limit_s=10, deterministic=True)) == 10 * DETERMINISTIC_WALL_FACTOR
    assert wall_limit_s(SolveOptions(time_limit_s=10)) == 10


# ------------------------------------------------------------------ the solver's memory is bounded


def test_a_real_solve_over_a_small_memory_limit_fails_saying_so_and_the_service_goes_on(
        make_client: Callable[..., TestClient], tiny_raw: dict[str, Any], wait_for: Callable[..., dict]) -> None:
    # The default programme's solve holds some 250 MB at its peak: 150 MB is too little.
    client = make_client(solve_memory_mb=150)
    job = wait_for(client, client.post("/problems/default/solve", json={"time_limit_s": 60}).json()["id"])
    assert job["state"] == "failed"
    assert job["message"].startswith("the solve needed more than 150 MB of memory (RTCM_SOLVE_MEMORY_MB) and was "
                                     "ended"), job["message"]
    assert solver_processes() == []
    if not job["has_schedule"]:  # ended before its greedy start was stored: the answer says why
        r = client.get(f"/jobs/{job['id']}/schedule")
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
        assert "needed more than 150 MB" in r.json()["detail"]

    assert client.get("/health").json()["status"] == "ok"
    roomy = make_client(solve_memory_mb=2000)
    pid = roomy.post("/problems", json=tiny_raw).json()["id"]
    done = wait_for(roomy, roomy.post(f"/problems/{pid}/solve", json={"time_limit_s": 20, "workers": 1}).json()["id"])
    assert done["state"] == "done" and done["has_schedule"]


def test_a_solve_over_its_memory_limit_keeps_the_best_calendar_it_had_stored(
        make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch,
        wait_for: Callable[..., dict]) -> None:
    client = make_client(solve_memory_mb=600)
    monkeypatch.setattr(api.jobs, "solve_in_child", solve_with_a_hungry_model)
    job = wait_for(client, client.post("/problems/default/solve", json={"time_limit_s": 600}).json()["id"])
    assert job["state"] == "failed"
    assert job["message"] == ("the solve needed more than 600 MB of memory (RTCM_SOLVE_MEMORY_MB) and was ended; "
                              "the best calendar it had found before is kept")
    assert solver_processes() == []
    schedule = Schedule.model_validate(client.get(f"/jobs/{job['id']}/schedule").json())
    assert_a_whole_start(schedule)
    assert client.get("/problems").status_code == 200


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", None), ("0", 0), ("1500", 1500), (" 800 ", 800)],
)
def test_the_memory_limit_comes_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("RTCM_SOLVE_MEMORY_MB", value)
    if expected is None:  # half the machine, shared among the solves at once
        assert solve_memory_mb(1) >= solve_memory_mb(2) >= 256
    else:
        assert solve_memory_mb(1) == expected


@pytest.mark.parametrize("value", ["lots", "-5", "1.5"])
def test_a_memory_limit_that_is_not_a_number_of_mb_is_refused(monkeypatch, value):
    monkeypatch.setenv("RTCM_SOLVE_MEMORY_MB", value)
    with pytest.raises(ValueError, match="RTCM_SOLVE_MEMORY_MB"):
        solve_memory_mb(1)
