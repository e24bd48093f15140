"""Fixtures for the HTTP API: an app per test on its own SQLite file, and small problems."""

from __future__ import annotations

import contextlib
import copy
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.store import ENDED_STATES
from data import default_problem
from model.doctor import doctor
from model.problem import Problem
from tests.api.database_fault import Fault

# Four courses of the default programme that can all run: its first four but M1.T3, which only
# three nominees could sit (fewer than its minimum of 8 participants), so its edition cannot run.
# M1.T1 is optional (9 could sit it), the other three must run once.
TINY_TOPICS = ("M1.T1", "M1.T2", "M1.T4", "M1.T5")


@pytest.fixture(scope="session", autouse=True)
def solves_at_normal_priority() -> Iterator[None]:
    # The service lowers its solves' priority; here they share the cores with the other
    # test worker's solves, and would crawl behind them.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RTCM_SOLVER_NICENESS", "0")
        yield


@pytest.fixture(scope="session", autouse=True)
def test_client_host_allowed() -> Iterator[None]:
    # The test client sends "Host: testserver", a name the service does not answer to by default.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RTCM_ALLOWED_HOSTS", "testserver")
        yield


@pytest.fixture
def database_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'rtcm.sqlite3'}"


@pytest.fixture
def make_client(database_url: str) -> Iterator[Callable[..., TestClient]]:
    """Start an app (lifespan included) on this test's database; all are shut down at the end."""
    with contextlib.ExitStack() as stack:

        def make(**kwargs: Any) -> TestClient:
            kwargs.setdefault("database_url", database_url)
            return stack.enter_context(TestClient(create_app(**kwargs)))

        yield make


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@pytest.fixture(scope="session")
def rtcm_2027_raw() -> dict[str, Any]:
    """The embedded default (68 topics, 71 editions, 41 of them mandatory) as JSON."""
    return default_problem().model_dump(mode="json")


@pytest.fixture
def default_raw(rtcm_2027_raw: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(rtcm_2027_raw)


@pytest.fixture
def sixteen_raw(default_raw: dict[str, Any]) -> dict[str, Any]:
    """The first sixteen courses: a first calendar within a second, no proof of optimality for minutes."""
    default_raw["name"] = "sixteen"
    default_raw["programme"] = default_raw["programme"][:16]
    return default_raw


@pytest.fixture
def tiny_raw(default_raw: dict[str, Any]) -> dict[str, Any]:
    """The real catalogue with only four courses of the programme (``TINY_TOPICS``), each of which can
    run: optimal in a couple of seconds, the seating included."""
    default_raw["name"] = "tiny"
    default_raw["programme"] = with_topics(default_raw["programme"], TINY_TOPICS)
    return default_raw


def with_topics(programme: list[dict[str, Any]], topics: Iterable[str]) -> list[dict[str, Any]]:
    """The items of ``programme`` for these topics, in the programme's order."""
    wanted = set(topics)
    return [item for item in programme if item["topic"] in wanted]


def too_few_could_sit(problem: Problem) -> set[str]:
    """The editions the doctor finds cannot run: fewer nominees could sit them than their minimum
    (its non-blocking ``edition_demand`` findings)."""
    return {f.records[0] for f in doctor(problem) if f.check == "edition_demand"}


def poll(client: TestClient, job_id: str, states: Iterable[str] = ENDED_STATES, timeout: float = 60,
         until: Callable[[dict], bool] | None = None, under: str = "/jobs") -> dict:
    """Poll a job (or, ``under="/scenarios/runs"``, a scenario run) until it reaches one of ``states``
    (and ``until(job)`` holds); its last view."""
    wanted = set(states)
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"{under}/{job_id}").json()
        if job["state"] in wanted and (until is None or until(job)):
            return job
        assert time.monotonic() < deadline, f"job still {job['state']} after {timeout} s: {job}"
        time.sleep(0.1)


@pytest.fixture(scope="session")
def wait_for() -> Callable[..., dict]:
    """``wait_for(client, job_id, states=ENDED_STATES, timeout=60, until=None)``: the job once there."""
    return poll


@pytest.fixture
def fault(client: TestClient) -> Iterator[Fault]:
    switch = Fault(client.app.state.store)
    yield switch
    switch.kind = None
    switch.remove()
