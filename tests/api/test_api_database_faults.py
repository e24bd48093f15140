"""A database that refuses writes for a while: read-only, full, locked by another process.

Each fault is made by SQLite itself, on every connection the service takes from its pool:
``PRAGMA query_only`` makes it refuse writes as a read-only file does (SQLITE_READONLY), and
``PRAGMA max_page_count`` at the database's size makes it refuse to grow as a full disk does
(SQLITE_FULL); a second connection holding the write lock past the busy timeout is a locked
database (SQLITE_BUSY). (Taking the write bits off the file would not do: CI runs as root,
whom file modes do not stop.) A write then answers 503 problem details naming the cause, with
Retry-After; reads go on; nothing is half-written; and once the fault is gone the service
takes writes again by itself.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.store import Store
from tests.api.database_fault import Fault, assert_unavailable


def integrity(database_url: str) -> str:
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


@pytest.mark.parametrize(
    ("kind", "cause"),
    [("read-only", "it is read-only"), ("disk full", "the disk that holds it is full")],
)
def test_writes_answer_503_naming_the_cause_reads_go_on_and_the_service_recovers(
        client: TestClient, fault: Fault, database_url: str, default_raw: dict[str, Any], tiny_raw: dict[str, Any],
        kind: str, cause: str) -> None:
    kept = client.post("/problems", json=tiny_raw).json()["id"]
    fault.kind = kind

    assert_unavailable(client.post("/problems", json=default_raw), cause)
    if kind == "read-only":  # a full disk still takes what fits in the file's free pages: a job's row
        assert_unavailable(client.post(f"/problems/{kept}/solve", json={"time_limit_s": 5}), cause)
        assert_unavailable(client.delete(f"/problems/{kept}"), cause)
        assert client.app.state.runner.counts() == (0, 0)  # no solve was queued for a job never recorded
    # Reads go on.
    assert [p["id"] for p in client.get("/problems").json()] == ["default", kept]
    assert client.get(f"/problems/{kept}").json()["problem"]["name"] == "tiny"
    assert client.get("/jobs").json() == []
    assert client.get("/health").json()["database_ok"] is True
    assert client.post("/check", json={"problem_id": kept, "editions": []}).status_code == 200  # reads only

    fault.kind = None  # the disk has room again, the file is writable again: no restart
    stored = client.post("/problems", json=default_raw)
    assert stored.status_code == 201, stored.text
    assert client.post(f"/problems/{kept}/solve", json={"time_limit_s": 5, "workers": 1}).status_code == 202
    # Nothing of the refused writes is left: the two problems, the one job, a sound file.
    assert [p["id"] for p in client.get("/problems").json()] == ["default", kept, stored.json()["id"]]
    assert len(client.get("/jobs").json()) == 1
    assert integrity(database_url) == "ok"


def test_a_database_locked_past_the_busy_timeout_answers_503_until_it_is_released(
        client: TestClient, database_url: str, tiny_raw: dict[str, Any]) -> None:
    other = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        assert_unavailable(client.post("/problems", json=tiny_raw), "another process holds it locked", 5)
        assert client.get("/problems").status_code == 200  # readers never wait for a writer (WAL)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert client.post("/problems", json=tiny_raw).status_code == 201


def test_a_job_that_ends_while_the_database_refuses_writes_is_recorded_once_it_takes_them(
        client: TestClient, fault: Fault, tiny_raw: dict[str, Any], wait_for: Callable[..., dict],
        monkeypatch: pytest.MonkeyPatch) -> None:
    store: Store = client.app.state.store
    offered: list[str] = []
    finish = store.finish

    def counted_finish(job_id: str, state: str, **kwargs: Any) -> None:
        offered.append(state)
        finish(job_id, state, **kwargs)

    monkeypatch.setattr(store, "finish", counted_finish)
    monkeypatch.setattr("api.jobs.RECORD_RETRY_S", 0.3)
    pid = client.post("/problems", json=tiny_raw).json()["id"]
    job_id = client.post(f"/problems/{pid}/solve", json={"time_limit_s": 20, "workers": 1}).json()["id"]
    wait_for(client, job_id, ["running"])
    fault.kind = "read-only"
    deadline = time.monotonic() + 60
    while len(offered) < 2:  # the solve ended, its end refused at least once
        assert time.monotonic() < deadline, "the job's end was never offered to the database"
        time.sleep(0.1)
    job = client.get(f"/jobs/{job_id}").json()
    assert job["state"] == "running" and not job["has_schedule"]  # as the database has it

    fault.kind = None
    job = wait_for(client, job_id, timeout=10)
    assert job["state"] == "done" and job["has_schedule"], job
    assert client.get(f"/jobs/{job_id}/check").json()["ok"] is True
    assert set(offered) == {"done"}


def test_a_queued_job_is_not_cancelled_while_the_database_refuses_to_record_it(
        make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_concurrent=1)
    store: Store = client.app.state.store
    blocker = client.post("/problems/default/solve", json={"time_limit_s": 600, "workers": 1}).json()["id"]
    waiting = client.post("/problems/default/solve", json={"time_limit_s": 600, "workers": 1}).json()["id"]
    switch = Fault(store)
    try:
        switch.kind = "read-only"
        assert_unavailable(client.delete(f"/jobs/{waiting}"), "it is read-only")
        assert client.get(f"/jobs/{waiting}").json()["state"] == "queued"
        assert client.app.state.runner.counts()[1] == 1  # still in the queue, as recorded
        switch.kind = None
        assert client.delete(f"/jobs/{waiting}").json()["state"] == "cancelled"
    finally:
        switch.kind = None
        switch.remove()
        client.delete(f"/jobs/{blocker}")
