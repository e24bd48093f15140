"""Each edition's costs and the demand served, as the page and the check report send them.

The problem is the real catalogue with the default's first four courses and all its nominations
(some ask for topics outside those four: requests at priority 0 that no edition can seat),
solved once for the module. Every figure is held against one recomputed here from the
calendar's JSON alone (tests/model/test_kpis_costs_and_demand.py).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from model.rules.reading import COST_CATEGORIES
from model.schedule import Schedule
from tests.api.conftest import poll
from tests.model.test_kpis_costs_and_demand import independent_costs, independent_demand


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory, rtcm_2027_raw: dict[str, Any],
           ) -> Iterator[tuple[TestClient, str, Schedule, str]]:
    """(client, job id, the job's schedule, its problem's id)."""
    raw = copy.deepcopy(rtcm_2027_raw)
    raw["name"] = "four courses"
    raw["programme"] = raw["programme"][:4]
    db = tmp_path_factory.mktemp("costs") / "rtcm.sqlite3"
    with TestClient(create_app(database_url=f"sqlite:///{db}")) as client:
        pid = client.post("/problems", json=raw).json()["id"]
        job = client.post(f"/problems/{pid}/solve", json={"time_limit_s": 20, "workers": 1}).json()
        poll(client, job["id"], timeout=90)
        schedule = Schedule.model_validate(client.get(f"/jobs/{job['id']}/schedule").json())
        assert schedule.editions and schedule.allocations
        yield client, job["id"], schedule, pid


def as_json(figures: dict[str, dict[Any, int]]) -> dict[str, dict[str, int]]:
    """Figures keyed as JSON has them (text)."""
    return {name: {str(key): n for key, n in counts.items()} for name, counts in figures.items()}


def test_the_page_s_editions_carry_their_costs_by_category(solved) -> None:
    client, job_id, schedule, _ = solved
    view = client.get(f"/jobs/{job_id}/view").json()
    expected = independent_costs(schedule)
    assert {e["edition"]: e["costs"] for e in view["editions"]} == expected
    for e in view["editions"]:
        assert list(e["costs"]) == list(COST_CATEGORIES)
        assert e["cost_usd"] == sum(e["costs"].values())
    assert sum(e["cost_usd"] for e in view["editions"]) == view["cost_usd"]
    # In-person seats from abroad: the participants' share is in the editions' costs.
    assert sum(e["costs"]["participant_fares_usd"] for e in view["editions"]) > 0


def test_the_page_s_summary_has_the_demand_served(solved) -> None:
    client, job_id, schedule, _ = solved
    d = client.get(f"/jobs/{job_id}/view").json()["demand"]
    figures = independent_demand(schedule)
    assert {name: d[name] for name in figures} == as_json(figures)
    assert list(d["requests_by_priority"]) == sorted(d["requests_by_priority"], reverse=True)  # the most urgent first
    asked = sum(len(n.topics) for n in schedule.problem.nominations)
    assert (d["requests"], d["seated"]) == (asked, len(schedule.allocations))
    # Requests for topics outside the four courses count at priority 0 and are never seated.
    programme = {item.topic for item in schedule.problem.programme}
    outside = sum(1 for n in schedule.problem.nominations for t in n.topics if t not in programme)
    assert outside and d["requests_by_priority"]["0"] >= outside


def test_without_nominations_the_page_has_no_demand(client: TestClient, rtcm_2027_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(rtcm_2027_raw)
    raw["programme"], raw["nominations"] = raw["programme"][:2], []
    pid = client.post("/problems", json=raw).json()["id"]
    job = client.post(f"/problems/{pid}/solve", json={"time_limit_s": 10, "workers": 1}).json()
    poll(client, job["id"])
    view = client.get(f"/jobs/{job['id']}/view").json()
    assert view["editions"] and view["demand"] is None
    k = client.get(f"/jobs/{job['id']}/check").json()["kpis"]
    assert (k["requests_by_priority"], k["seated_by_audience"]) == ({}, {})


def test_the_check_report_carries_the_same_figures(solved) -> None:
    client, job_id, _, _ = solved
    view = client.get(f"/jobs/{job_id}/view").json()
    report = client.get(f"/jobs/{job_id}/check").json()
    k = report["kpis"]
    assert k["edition_costs"] == {e["edition"]: e["costs"] for e in view["editions"]}
    assert sum(sum(c.values()) for c in k["edition_costs"].values()) == report["cost_usd"] == view["cost_usd"]
    for category in COST_CATEGORIES:
        assert sum(c[category] for c in k["edition_costs"].values()) == k[category]
    for name in ("requests_by_priority", "seated_by_priority", "requests_by_audience", "seated_by_audience"):
        assert k[name] == view["demand"][name], name


def test_a_calendar_checked_by_hand_has_costs_and_no_seat(solved) -> None:
    client, _, schedule, pid = solved
    editions = [se.model_dump(mode="json") for se in schedule.editions]
    report = client.post("/check", json={"problem_id": pid, "editions": editions}).json()
    k = report["kpis"]
    seatless = independent_costs(schedule.model_copy(update={"allocations": []}))
    assert k["edition_costs"] == seatless  # a calendar sent alone has no seats: no fares, no allowances
    assert report["cost_usd"] == sum(sum(c.values()) for c in seatless.values())
    assert set(k["seated_by_priority"].values()) == {0}
    assert k["requests_by_priority"] == as_json(independent_demand(schedule))["requests_by_priority"]
