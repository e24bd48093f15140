"""The budget frontier over HTTP (``POST /problems/{id}/frontier``): a run of its own kind that
solves a stored problem at each budget, keeps the points as it goes, and gives them back as JSON
and as the workbook ``rtcm frontier --out`` writes.

The instance is ``tiny`` with the calendar pinned (as in tests/scenarios/test_frontier.py):
M1.T1#1 runs three days with 4 in-person seats; four women from Georgia may only sit in person,
each seat costing 400 USD of fare and 3 nights at 100 USD (700 USD), and seats cost no points,
so only the budget holds travel back. At the calendar's own cost no one travels; each 700 USD
more seats one more nominee; one dollar less and no calendar keeps within the budget. Each
budget is solved to optimality in well under a second.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from io import BytesIO
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.jobs import FrontierProgress
from api.store import ENDED_STATES
from api.wire import dump
from model.formats.files import problem_from_data
from model.frontier import MAX_BUDGETS, FrontierPoint
from model.rules import Reading
from scheduler.solve import SolveOptions, solve
from tests.api.conftest import poll
from tests.scheduler.test_allocation import nominee
from tests.scheduler.test_participant_costs import costed

SEAT_USD = 700  # a Georgian nominee's fare and three nights
LIMIT_S = 2  # each budget's solve; tiny is optimal well within it


def tiny_costed() -> dict[str, Any]:
    data = costed([nominee(f"N{i}") for i in range(1, 5)], m1=(4, 0))
    data["weights"] = {"participant_cost": 0}  # only the budget holds travel back
    data["name"] = "tiny with fares"
    return data


@pytest.fixture(scope="module")
def calendar_cost() -> int:
    """What the pinned calendar costs before anyone travels: the smallest budget with a calendar."""
    problem = problem_from_data(tiny_costed(), "tiny")
    return Reading(solve(problem, SolveOptions(time_limit_s=5, workers=1, deterministic=True)).schedule
                   ).calendar_cost_usd


def wait_for_run(client: TestClient, run_id: str, states: Iterable[str] = ENDED_STATES, timeout: float = 60,
                 until: Callable[[dict], bool] | None = None) -> dict:
    return poll(client, run_id, states, timeout, until, under="/frontier/runs")


def stored_problem(client: TestClient, raw: dict[str, Any]) -> str:
    r = client.post("/problems", json=raw)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def frontier_runs(client: TestClient) -> int:
    return client.app.state.store.job_page(kind="frontier")[1]  # type: ignore[attr-defined,no-any-return]


# ----------------------------------------------------------------------------- the points


def test_each_step_of_budget_buys_a_seat_and_the_workbook_holds_the_frontier(
        make_client: Callable[..., TestClient], calendar_cost: int) -> None:
    client = make_client()
    pid = stored_problem(client, tiny_costed())
    body = {"start_usd": calendar_cost, "stop_usd": calendar_cost + 2 * SEAT_USD, "step_usd": SEAT_USD,
            "time_limit_s": LIMIT_S}
    r = client.post(f"/problems/{pid}/frontier", json=body)
    assert r.status_code == 202, r.text
    run = r.json()
    assert r.headers["Location"] == f"/frontier/runs/{run['id']}"
    budgets = [calendar_cost, calendar_cost + SEAT_USD, calendar_cost + 2 * SEAT_USD]
    assert run["budgets_usd"] == budgets and run["problem"] == "tiny with fares" and run["state"] == "queued"

    run = wait_for_run(client, run["id"])
    assert run["state"] == "done" and run["message"] is None, run
    assert run["progress"]["budgets_done"] == run["progress"]["budgets_total"] == 3
    points = run["points"]
    assert [p["budget_usd"] for p in points] == budgets
    # at the calendar's cost no one travels; each seat's 700 USD more seats one more nominee
    assert [p["seated"] for p in points] == [0, 1, 2]
    assert [(p["in_person"], p["online"]) for p in points] == [(0, 0), (1, 0), (2, 0)]
    seated = [p["seated"] for p in points]
    assert seated == sorted(seated), "more budget never seats fewer requests"
    for p in points:
        assert p["solved_at_usd"] == p["budget_usd"] and p["status"] == "OPTIMAL"
        assert p["cost_usd"] <= p["budget_usd"]
        assert p["requests"] == 4 and p["requests_by_priority"] == {"0": 4}
        assert p["seated_by_priority"] == {"0": p["seated"]}
        assert p["editions"] == 2
    assert [p["women_share"] for p in points] == [None, 1.0, 1.0]  # every nominee is a woman

    r = client.get(run["links"]["workbook"])
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(BytesIO(r.content))["Frontier"]
    rows = [row for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert [(row[0], row[4], row[5], row[6]) for row in rows] == [
        (budgets[0], 0, 0, 0), (budgets[1], 1, 1, 0), (budgets[2], 2, 2, 0)]
    assert len(sheet._charts) == 1

    # stored with the run: a restart of the service forgets none of it
    again = make_client().get(f"/frontier/runs/{run['id']}").json()
    assert again["points"] == points and again["state"] == "done"


def test_a_budget_below_the_calendar_s_cost_has_no_calendar_and_says_why(
        client: TestClient, calendar_cost: int) -> None:
    pid = stored_problem(client, tiny_costed())
    r = client.post(f"/problems/{pid}/frontier", json={
        "budgets_usd": [calendar_cost + SEAT_USD, calendar_cost - 1, calendar_cost + SEAT_USD],
        "time_limit_s": LIMIT_S})
    assert r.status_code == 202, r.text
    assert r.json()["budgets_usd"] == [calendar_cost - 1, calendar_cost + SEAT_USD]  # sorted, once each
    run = wait_for_run(client, r.json()["id"])
    assert run["state"] == "done", run
    short, enough = run["points"]
    assert short["solved_at_usd"] is None and short["status"] == "INFEASIBLE"
    assert any("budget" in why for why in short["why"])
    assert enough["solved_at_usd"] == calendar_cost + SEAT_USD and enough["seated"] == 1
    sheet = openpyxl.load_workbook(BytesIO(client.get(run["links"]["workbook"]).content))["Frontier"]
    rows = [row for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert [(row[0], row[4]) for row in rows] == [(calendar_cost - 1, None), (calendar_cost + SEAT_USD, 1)]


# ------------------------------------------------------------------------------- refusals


TOO_MANY = list(range(MAX_BUDGETS + 1))


@pytest.mark.parametrize(("body", "field", "words"), [
    # the range ends below its start
    ({"start_usd": 5000, "stop_usd": 1000, "step_usd": 100}, "stop_usd", "below where it starts"),
    # a step of nothing would never reach the end
    ({"start_usd": 0, "stop_usd": 1000, "step_usd": 0}, "step_usd", "greater than 0"),
    ({"start_usd": 0, "stop_usd": 1000, "step_usd": -100}, "step_usd", "greater than 0"),
    # 0 to 100 by 1 is 101 budgets
    ({"start_usd": 0, "stop_usd": 100, "step_usd": 1}, "step_usd", f"at most {MAX_BUDGETS}"),
    # a list one budget too long
    ({"budgets_usd": TOO_MANY}, "budgets_usd", f"at most {MAX_BUDGETS}"),
    ({"budgets_usd": []}, "budgets_usd", "at least 1"),
    # a budget below nothing
    ({"budgets_usd": [1000, -5]}, "budgets_usd", "greater than or equal to 0"),
    # half a range
    ({"start_usd": 0, "stop_usd": 1000}, "step_usd", "give start_usd, stop_usd and step_usd"),
    # nothing at all
    ({}, "start_usd", "give start_usd, stop_usd and step_usd"),
    # both a list and a range
    ({"budgets_usd": [1000], "start_usd": 0}, "start_usd", "not both"),
    # no time to solve
    ({"budgets_usd": [1000], "time_limit_s": 0}, "time_limit_s", "greater than 0"),
    ({"budgets_usd": [1000], "time_limit_s": 121}, "time_limit_s", "less than or equal to 120"),
    # sixty budgets of two minutes: two hours
    ({"budgets_usd": TOO_MANY[:MAX_BUDGETS], "time_limit_s": 120}, "time_limit_s", "at most 3600 s"),
    # a field the request does not have
    ({"budgets_usd": [1000], "budget": 5}, "budget", "extra"),
])
def test_a_bad_request_is_422_naming_the_field_and_starts_nothing(client: TestClient, body: dict, field: str,
                                                                    words: str) -> None:
    r = client.post("/problems/default/frontier", json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    errors = r.json()["errors"]
    named = [e for e in errors if e["field"][:1] == [field]]
    assert named, errors
    assert any(words in e["message"] for e in named), errors
    assert all(e["message"].startswith(field) and e["pointer"].startswith(f"/{field}") for e in named)
    assert frontier_runs(client) == 0


def test_an_unknown_problem_is_404_naming_it(client: TestClient) -> None:
    r = client.post("/problems/no-such-problem/frontier", json={"budgets_usd": [1000]})
    assert r.status_code == 404
    assert "problem 'no-such-problem' does not exist" in r.json()["detail"]
    assert frontier_runs(client) == 0


def test_an_unknown_run_is_404_by_its_kind(client: TestClient, tiny_raw: dict[str, Any],
                                            wait_for: Callable[..., dict]) -> None:
    for method, path in [("GET", "/frontier/runs/nope"), ("DELETE", "/frontier/runs/nope"),
                         ("GET", "/frontier/runs/nope/frontier.xlsx")]:
        r = client.request(method, path)
        assert r.status_code == 404 and "frontier run 'nope' does not exist" in r.json()["detail"], r.text
    # a solve is no frontier run, nor a frontier run a job
    pid = stored_problem(client, tiny_raw)
    job = client.post(f"/problems/{pid}/solve", json={"time_limit_s": 1, "workers": 1}).json()
    assert client.get(f"/frontier/runs/{job['id']}").status_code == 404
    wait_for(client, job["id"])


# ---------------------------------------------------------------------- the queue, stopping


def test_a_run_waits_in_the_solves_queue_and_stops_keeping_its_points(
        tmp_path, sixteen_raw: dict[str, Any]) -> None:
    # One slot, no queue: while the run solves, another answers 429. Sixteen courses take longer
    # than the test to prove optimal, so the first budget is still searching when it is stopped.
    app = create_app(database_url=f"sqlite:///{tmp_path / 'rtcm.sqlite3'}", max_concurrent=1, queue_size=0)
    with TestClient(app) as client:
        pid = stored_problem(client, sixteen_raw)
        body = {"budgets_usd": [10**9, 2 * 10**9], "time_limit_s": 60}
        run = client.post(f"/problems/{pid}/frontier", json=body).json()

        def searching(r: dict) -> bool:
            solve = (r["progress"] or {}).get("solve") or {}
            return solve.get("objective") is not None

        run = wait_for_run(client, run["id"], ("running",), until=searching)
        assert run["progress"]["budget_usd"] == 10**9 and run["progress"]["budgets_done"] == 0
        assert "workbook" not in run["links"]
        assert client.get(f"/frontier/runs/{run['id']}/frontier.xlsx").status_code == 409
        busy = client.post(f"/problems/{pid}/frontier", json=body)
        assert busy.status_code == 429 and int(busy.headers["Retry-After"]) >= 1

        stopped = client.delete(f"/frontier/runs/{run['id']}").json()
        assert stopped["state"] == "cancelled", stopped
        assert stopped["message"] == "cancelled; 1 of 2 budgets solved, their points kept"
        (point,) = stopped["points"]  # the budget under way keeps the best calendar it found
        assert point["budget_usd"] == point["solved_at_usd"] == 10**9 and point["editions"] > 0
        assert stopped["progress"]["budget_usd"] is None
        assert client.get(stopped["links"]["workbook"]).status_code == 200


def test_a_run_the_service_stopped_with_keeps_the_points_it_had(make_client: Callable[..., TestClient]) -> None:
    # A run left running by a service that ended (killed, say): its points were stored as it went.
    client = make_client()
    store = client.app.state.store  # type: ignore[attr-defined]
    shown = {"problem": "tiny", "budgets_usd": [1000, 2000, 3000], "time_limit_s": 5.0, "workers": 1}
    row = store.add_job("default", shown, kind="frontier")
    store.mark_running(row.id)
    point = FrontierPoint(budget_usd=1000, solved_at_usd=1000, status="OPTIMAL", cost_usd=900, editions=2,
                          requests=4, seated=1, requests_by_priority={0: 4}, seated_by_priority={0: 1}, in_person=1)
    store.save_progress(row.id, dump(FrontierProgress(budgets_done=1, budget_usd=2000, points=[point])))

    run = make_client().get(f"/frontier/runs/{row.id}").json()  # a new service on the same database
    assert run["state"] == "interrupted"
    assert run["message"].startswith("the service stopped while this frontier run was running")
    assert [(p["budget_usd"], p["seated"]) for p in run["points"]] == [(1000, 1)]
    assert run["progress"]["budgets_done"] == 1 and run["progress"]["budgets_total"] == 3
    sheet = openpyxl.load_workbook(BytesIO(client.get(run["links"]["workbook"]).content))["Frontier"]
    assert [row[0] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)] == [1000]
