"""Faults and races: a problem deleted while solves are submitted, a server killed mid-solve."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from model.check import check
from model.schedule import Schedule

ROOT = Path(__file__).resolve().parents[2]

ROUNDS = 30
SOLVERS = 3  # concurrent solve requests per round, against one delete


def test_a_problem_is_never_both_deleted_and_solved(make_client: Callable[..., TestClient],
                                                    sixteen_raw: dict[str, Any], tiny_raw: dict[str, Any],
                                                    wait_for: Callable[..., dict]) -> None:
    # One slot, held by a long solve: every job the race lets in stays queued, so the test
    # sees what the runner would start, and cancels it at once.
    client = make_client(max_concurrent=1, queue_size=ROUNDS * SOLVERS + 1)
    blocker_problem = client.post("/problems", json=sixteen_raw).json()["id"]
    blocker = client.post(f"/problems/{blocker_problem}/solve",
                          json={"time_limit_s": 120, "workers": 1}).json()["id"]
    answers: list[tuple[int, list[int]]] = []
    try:
        with ThreadPoolExecutor(SOLVERS + 1) as pool:
            for _ in range(ROUNDS):
                problem_id = client.post("/problems", json=tiny_raw).json()["id"]
                start = threading.Barrier(SOLVERS + 1)

                def solve(pid: str = problem_id, barrier: threading.Barrier = start) -> Any:
                    barrier.wait(10)
                    return client.post(f"/problems/{pid}/solve", json={"time_limit_s": 5, "workers": 1})

                def delete(pid: str = problem_id, barrier: threading.Barrier = start) -> Any:
                    barrier.wait(10)
                    return client.delete(f"/problems/{pid}")

                solves = [pool.submit(solve) for _ in range(SOLVERS)]
                deleted = pool.submit(delete).result(30)
                solved = [f.result(30) for f in solves]
                accepted = [r.json()["id"] for r in solved if r.status_code == 202]
                answers.append((deleted.status_code, [r.status_code for r in solved]))

                if deleted.status_code == 204:
                    # Deleted: no solve of it may have been accepted, nor any job be left on it.
                    assert accepted == [], answers[-1]
                    assert {r.status_code for r in solved} == {404}, [r.text for r in solved]
                    assert client.get(f"/jobs?problem_id={problem_id}").json() == []
                else:
                    # Refused, naming the jobs that held the problem then (solves accepted later
                    # are not among them); the problem stays.
                    assert deleted.status_code == 409, deleted.text
                    assert any(job_id in deleted.json()["detail"] for job_id in accepted), (answers[-1], deleted.text)
                    assert client.get(f"/problems/{problem_id}").status_code == 200
                for job_id in accepted:
                    client.delete(f"/jobs/{job_id}")
                    assert wait_for(client, job_id, timeout=30)["state"] == "cancelled"
                    assert client.get(f"/problems/{problem_id}").status_code == 200  # it ran on no deleted one
    finally:
        client.delete(f"/jobs/{blocker}")
    assert {code for code, _ in answers} <= {204, 409}


# ------------------------------------------------------------------ a server killed mid-solve


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``python -m api`` on a loopback port and a SQLite file, in a process group of its own
    (so that ``kill -9`` reaches its solver processes too)."""

    def __init__(self, database: Path, port: int, log: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("RTCM_API_TOKEN", "RTCM_ALLOWED_HOSTS")}
        env |= {"RTCM_DATABASE_URL": f"sqlite:///{database}", "RTCM_SOLVER_NICENESS": "0",
                "RTCM_MAX_CONCURRENT": "1", "PYTHONUNBUFFERED": "1"}
        self.url = f"http://127.0.0.1:{port}"
        self.log = log.open("a")
        self.proc = subprocess.Popen([sys.executable, "-m", "api", "--port", str(port), "--log-level", "warning"],
                                     cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.get("/health")
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError(f"the service did not start: {log.read_text()}") from None
                time.sleep(0.3)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def get(self, path: str) -> Any:
        status, body = self.request("GET", path)
        assert status == 200, (path, status, body)
        return body

    def kill(self) -> None:
        """``kill -9`` of the server and every process of its group, its solvers included."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)
        self.log.close()


def test_a_killed_server_keeps_the_best_calendar_found(tmp_path: Path) -> None:
    database, log = tmp_path / "rtcm.sqlite3", tmp_path / "server.log"
    first = Server(database, _free_port(), log)
    try:
        status, job = first.request("POST", "/problems/default/solve", {"time_limit_s": 120, "workers": 1})
        assert status == 202, job
        deadline = time.monotonic() + 90
        while True:  # until the progress shows a calendar
            seen = first.get(f"/jobs/{job['id']}")
            if seen["state"] == "running" and (seen.get("progress") or {}).get("objective") is not None:
                break
            assert seen["state"] in ("queued", "running"), seen
            assert time.monotonic() < deadline, seen
            time.sleep(0.2)
    finally:
        first.kill()

    second = Server(database, _free_port(), log)
    try:
        after = second.get(f"/jobs/{job['id']}")
        assert after["state"] == "interrupted"
        assert "best calendar found before the interruption" in after["message"], after
        assert after["progress"]["objective"] is not None
        schedule = Schedule.model_validate(second.get(f"/jobs/{job['id']}/schedule"))
        assert schedule.editions
        assert check(schedule) == []
        assert schedule.solver is not None
        assert any("interrupted" in w for w in schedule.solver.warnings), schedule.solver.warnings
        assert second.get(f"/jobs/{job['id']}/check")["ok"] is True
    finally:
        second.kill()


def test_a_solve_feeds_each_better_calendar_first_at_once_then_rate_limited(sixteen_raw) -> None:
    from api.jobs import CalendarFeed
    from model.problem import Problem
    from scheduler.solve import SolveOptions, solve

    sent: list[tuple[Any, ...]] = []
    options = SolveOptions(time_limit_s=1.5, workers=1, deterministic=True)
    feed = CalendarFeed(lambda *message: sent.append(message), options, interval_s=0.3)
    feed.start()
    try:
        result = solve(Problem.model_validate(sixteen_raw), options, on_progress=feed.on_progress,
                       on_calendar=feed.on_calendar)
    finally:
        feed.close()
    assert result.found
    calendars = [m for m in sent if m[0] == "calendar"]
    assert calendars
    # No objective is shown before a calendar is sent; the objectives sent only improve.
    first = sent.index(calendars[0])
    assert all(m[1].objective is None for m in sent[:first] if m[0] == "progress")
    assert calendars[0][1].source == "greedy" and calendars[-1][1].source == "search"
    objectives = [p.objective for _, p, _ in calendars]
    assert objectives == sorted(objectives, reverse=True) and len(set(objectives)) == len(objectives)
    for _, progress, body in calendars:
        schedule = Schedule.model_validate_json(body)
        assert check(schedule) == []
        assert abs(schedule.solver.objective - progress.objective) < 0.01
