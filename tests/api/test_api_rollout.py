"""The rollout over HTTP (``GET /jobs/{id}/rollout`` and ``/rollout.xlsx``): ``rtcm rollout`` with a
finished job's calendar as the first year.

The instance is ``tiny`` (tests/instances/tiny.py: M1.T1, 2-3 days, and M2.T1, 2 days, over March
2027) with both items optional and M2.T1's window closing on Monday 1 March: one working day for a
course of two, so the first year's calendar runs M1.T1 alone. The rollout runs three years, the
theme "Border management" (M2.T1) due by year 2: the later years are March 2028 and March 2029
(a quarter each), and M2.T1 runs in the first quarter it can, 2028-Q1. A second problem caps a
later quarter at one course day, which M2.T1's two days cannot keep: no rollout, and the answer
says why. Each plan is optimal in well under a second.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.app import create_app
from api.rollout import ROLLOUT_TIME_S, ROLLOUT_WORKERS
from api.store import ACTIVE_STATES, Store
from api.wire import SolveRequest
from model.errors import validate_as
from model.problem import Problem
from model.rollout import RolloutPlan, check_rollout
from model.schedule import Schedule
from scheduler.rollout import plan_rollout
from tests.instances.tiny import record, tiny_data

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEM_JSON = "application/problem+json"
BORDERS = {"id": "borders", "name": "Border management", "topics": ["M2.T1"], "by_year": 2}


def first_year_without_m2(**rollout: Any) -> dict[str, Any]:
    """``tiny`` where the first year can run M1.T1 only, with this rollout."""
    data = tiny_data()
    for topic in ("M1.T1", "M2.T1"):
        record(data, "programme", topic)["mandatory"] = False
    record(data, "programme", "M2.T1")["latest_end"] = "2027-03-01"
    data["rollout"] = rollout
    return data


def solved_job(client: TestClient, data: dict[str, Any]) -> str:
    pid = client.post("/problems", json=data).json()["id"]
    r = client.post(f"/problems/{pid}/solve", json={"time_limit_s": 10, "workers": 1, "deterministic": True})
    assert r.status_code == 202, r.text
    job_id: str = r.json()["id"]
    deadline = time.monotonic() + 60
    while (job := client.get(f"/jobs/{job_id}").json())["state"] in ACTIVE_STATES:
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    assert job["state"] == "done" and job["has_schedule"], job
    return job_id


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, str]]:
    """(client, the job whose rollout is planned, the job whose rollout is impossible), solved once."""
    db = tmp_path_factory.mktemp("rollout") / "rtcm.sqlite3"
    with TestClient(create_app(database_url=f"sqlite:///{db}")) as client:
        planned = solved_job(client, first_year_without_m2(years=3, themes=[BORDERS]) | {"name": "tiny rollout"})
        impossible = solved_job(client, first_year_without_m2(years=2, course_days_per_quarter=1)
                                | {"name": "tiny, one course day a quarter"})
        yield client, planned, impossible


def schedule_of(client: TestClient, job_id: str) -> Schedule:
    return Schedule.model_validate(client.get(f"/jobs/{job_id}/schedule").json())


def over(problem: Problem, years: int) -> Problem:
    data = problem.model_dump(mode="json")
    data["rollout"]["years"] = years
    return validate_as(Problem, data, problem.name)


def later(plan: RolloutPlan) -> list[tuple[str, str]]:
    return sorted((e.topic, e.quarter) for e in plan.editions if e.year > 1)


# ---------------------------------------------------------------------------------- the plan


def test_the_topic_the_first_year_left_out_runs_in_the_first_later_quarter(service) -> None:
    client, job_id, _ = service
    first = schedule_of(client, job_id)
    assert [se.edition for se in first.editions] == ["M1.T1#1"]  # M2.T1's window holds no two days

    r = client.get(f"/jobs/{job_id}/rollout")
    assert r.status_code == 200, r.text
    plan = RolloutPlan.model_validate(r.json())
    assert check_rollout(first.problem, plan) == []
    assert plan.problem == "tiny rollout" and plan.years == 3
    assert plan.status == "OPTIMAL" and plan.gap == 0 and plan.diagnosis == []
    assert [(q.label, q.year) for q in plan.quarters] == [("2027-Q1", 1), ("2028-Q1", 2), ("2029-Q1", 3)]
    assert [(e.topic, e.quarter, e.edition) for e in plan.editions if e.year == 1] == [("M1.T1", "2027-Q1",
                                                                                       "M1.T1#1")]
    assert later(plan) == [("M2.T1", "2028-Q1")]
    [borders] = plan.themes
    assert (borders.theme, borders.by_year, borders.covered_in_year, borders.missing) == ("borders", 2, 2, [])

    # the engine's plan for this calendar, nothing added or lost on the way; the same again
    assert plan == plan_rollout(first, time_limit_s=ROLLOUT_TIME_S, workers=ROLLOUT_WORKERS, deterministic=True)
    assert client.get(f"/jobs/{job_id}/rollout").json() == r.json()

    links = client.get(f"/jobs/{job_id}").json()["links"]
    assert links["rollout"] == f"/jobs/{job_id}/rollout"
    assert links["rollout_xlsx"] == f"/jobs/{job_id}/rollout.xlsx"


def test_years_overrides_the_problem_s_rollout(service) -> None:
    client, job_id, _ = service
    problem = schedule_of(client, job_id).problem
    r = client.get(f"/jobs/{job_id}/rollout", params={"years": 2})
    assert r.status_code == 200, r.text
    plan = RolloutPlan.model_validate(r.json())
    assert plan.years == 2 and [q.label for q in plan.quarters] == ["2027-Q1", "2028-Q1"]
    assert later(plan) == [("M2.T1", "2028-Q1")]
    assert check_rollout(over(problem, 2), plan) == []
    assert client.get(f"/jobs/{job_id}/rollout", params={"years": 3}).json() == client.get(
        f"/jobs/{job_id}/rollout").json()  # the problem's own years


@pytest.mark.parametrize(("years", "says"), [
    (4, "input should be less than or equal to 3"),  # at most three years
    (0, "input should be greater than or equal to 1"),
    ("two", "input should be a valid integer"),
    (1, "theme borders: is due by year 2 of a rollout of 1 year(s)"),  # the theme is due after the last year
])
def test_years_out_of_range_is_refused_naming_the_parameter(service, years: Any, says: str) -> None:
    client, job_id, _ = service
    for path in ("rollout", "rollout.xlsx"):
        r = client.get(f"/jobs/{job_id}/{path}", params={"years": years})
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == PROBLEM_JSON
        [error] = r.json()["errors"]
        assert error["message"].startswith("query parameter years: "), error
        assert says in error["message"], error


def test_an_impossible_rollout_is_an_answer_with_its_reasons(service) -> None:
    client, _, job_id = service
    first = schedule_of(client, job_id)
    r = client.get(f"/jobs/{job_id}/rollout")
    assert r.status_code == 200, r.text
    plan = RolloutPlan.model_validate(r.json())
    assert plan.status == "INFEASIBLE" and plan.themes == []
    assert [e.edition for e in plan.editions] == ["M1.T1#1"]  # the first year's calendar alone
    # M2.T1 must run, and 2028-Q1, the only later quarter, holds one course day of its two
    assert plan.diagnosis[0].startswith("no rollout keeps all of: ")
    assert set(plan.diagnosis[0].removeprefix("no rollout keeps all of: ").split("; ")) == {
        "M2.T1 runs at least once in the rollout", "2028-Q1 holds at most 1 course days"}
    assert {b.rule for b in check_rollout(first.problem, plan)} == {"rollout_topic_covered"}

    r = client.get(f"/jobs/{job_id}/rollout.xlsx")
    assert r.status_code == 200
    rows = [row[0] for row in load_workbook(BytesIO(r.content))["Rollout"].iter_rows(values_only=True)]
    assert plan.diagnosis[0] in rows


# ------------------------------------------------------------------------------ the workbook


def test_the_workbook_holds_the_rollout_sheet(service) -> None:
    client, job_id, _ = service
    r = client.get(f"/jobs/{job_id}/rollout.xlsx", params={"years": 2})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX
    assert r.headers["content-disposition"] == f'attachment; filename="rtcm-rollout-{job_id[:8]}.xlsx"'
    wb = load_workbook(BytesIO(r.content))
    assert wb.sheetnames[:2] == ["Summary", "Rollout"]
    assert {"Calendar", "Editions"} <= set(wb.sheetnames)  # the first year's sheets in full
    rows = {row[0]: row for row in wb["Rollout"].iter_rows(values_only=True) if row and row[0] in
            ("Topic", "M1.T1", "M2.T1")}
    col = {name: k for k, name in enumerate(rows["Topic"])}
    assert "2029-Q1" not in col  # two years asked for
    assert rows["M1.T1"][col["2027-Q1"]] == 1 and rows["M1.T1"][col["2028-Q1"]] is None
    assert rows["M2.T1"][col["2027-Q1"]] is None and rows["M2.T1"][col["2028-Q1"]] == 1


# ------------------------------------------------------------------------ jobs without a calendar


def test_a_job_without_a_calendar_yet_answers_409_and_an_unknown_one_404(service) -> None:
    client, _, _ = service
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    waiting = store.add_job("default", SolveRequest().model_dump()).id  # queued, as behind a busy solver
    for path in ("rollout", "rollout.xlsx"):
        r = client.get(f"/jobs/{waiting}/{path}")
        assert r.status_code == 409, r.text
        assert "is queued" in r.json()["detail"]
        r = client.get(f"/jobs/no-such-job/{path}", params={"years": 2})
        assert r.status_code == 404, r.text
        assert r.json()["detail"] == "job 'no-such-job' does not exist"
