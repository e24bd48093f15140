"""The budget frontier: each budget solved, what it buys, never less for more.

On ``tiny`` with the calendar pinned (tests/scheduler/test_allocation.py): M1.T1#1 runs three
days with 4 in-person seats; four nominees from Georgia may only sit in person, each seat
costing 400 USD of fare and 3 nights at 100 USD (700 USD).
"""

from __future__ import annotations

import json

import openpyxl
import pytest
from typer.testing import CliRunner

from cli.app import app
from model.check import check
from model.formats.files import problem_from_data
from model.frontier import FrontierPoint, frontier, parse_budgets
from model.rules import Reading
from scenarios.frontier import at_budget, run_frontier
from scheduler.solve import SolveOptions, solve
from tests.scheduler.test_allocation import nominee
from tests.scheduler.test_participant_costs import costed

OPTIONS = SolveOptions(time_limit_s=5, workers=2, deterministic=True)


def _data() -> dict:
    data = costed([nominee(f"N{i}") for i in range(1, 5)], m1=(4, 0))
    data["weights"] = {"participant_cost": 0}  # only the budget holds travel back
    return data


@pytest.fixture(scope="module")
def calendar_cost() -> int:
    problem = problem_from_data(_data(), "tiny")
    return Reading(solve(problem, OPTIONS).schedule).calendar_cost_usd


def test_budgets_are_read_as_a_range_or_a_list() -> None:
    assert parse_budgets("300000:400000:50000") == [300_000, 350_000, 400_000]
    assert parse_budgets("650_000,400000") == [400_000, 650_000]
    for bad, words in [("1:0:1", "ends"), ("1:5:0", "step"), ("a:b:c", "first:last:step"), ("", "no budget"),
                       ("-5,10", "negative")]:
        with pytest.raises(ValueError, match=words):
            parse_budgets(bad)


def test_each_budget_buys_a_seat_more_and_keeps_within_itself(calendar_cost: int) -> None:
    problem = problem_from_data(_data(), "tiny")
    budgets = [calendar_cost - 1, calendar_cost, calendar_cost + 700, calendar_cost + 1400, calendar_cost + 5000]
    result, solved = run_frontier(problem, budgets, OPTIONS)
    points = {p.budget_usd: p for p in result.points}
    assert points[calendar_cost - 1].solved_at_usd is None and points[calendar_cost - 1].why
    assert [points[b].seated for b in budgets[1:]] == [0, 1, 2, 4]
    assert [points[b].in_person for b in budgets[1:]] == [0, 1, 2, 4]
    for b in budgets[1:]:
        schedule = solved[b]
        assert check(schedule) == []
        assert Reading(schedule).cost_usd == points[b].cost_usd <= b
        assert points[b].requests == 4 and points[b].requests_by_priority == {0: 4}


def _point(budget: int, seated: int, objective: float, cost: int) -> FrontierPoint:
    return FrontierPoint(budget_usd=budget, solved_at_usd=budget, status="FEASIBLE", seated=seated,
                         objective=objective, cost_usd=cost)


def test_a_budget_keeps_the_best_calendar_of_any_smaller_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # A solve's luck within its time limit: the middle budget found less than the smallest did.
    import model.frontier as fr

    found = {100: _point(100, 5, 50.0, 90), 200: _point(200, 3, 80.0, 150), 300: _point(300, 7, 20.0, 280)}
    monkeypatch.setattr(fr, "_measure", lambda budget, schedule: found[budget])
    result = frontier("x", 1.0, {b: None for b in found})  # type: ignore[misc]
    assert [(p.budget_usd, p.seated, p.solved_at_usd, p.cost_usd) for p in result.points] == [
        (100, 5, 100, 90), (200, 5, 100, 90), (300, 7, 300, 280)]
    seated = [p.seated for p in result.points]
    assert seated == sorted(seated)


def test_the_budget_is_set_and_validated_again() -> None:
    problem = problem_from_data(_data(), "tiny")
    assert at_budget(problem, 12_345).budget_usd == 12_345
    assert problem.budget_usd is None


def test_the_command_writes_the_table_the_json_and_a_workbook_with_its_chart(tmp_path, calendar_cost: int) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(_data()))
    out, js = tmp_path / "f.xlsx", tmp_path / "f.json"
    budgets = f"{calendar_cost}:{calendar_cost + 1400}:700"
    r = CliRunner().invoke(app, ["frontier", str(path), "--budgets", budgets, "--time-limit", "5",
                                 "--out", str(out), "--json", str(js)])
    assert r.exit_code == 0, r.output
    assert "what each budget buys" in r.output
    data = json.loads(js.read_text())
    assert [p["seated"] for p in data["points"]] == [0, 1, 2]
    ws = openpyxl.load_workbook(out)["Frontier"]
    rows = [row for row in ws.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert [(row[0], row[4]) for row in rows] == [(calendar_cost, 0), (calendar_cost + 700, 1),
                                                  (calendar_cost + 1400, 2)]
    assert len(ws._charts) == 1


def test_bad_budgets_are_refused_by_name(tmp_path) -> None:
    r = CliRunner().invoke(app, ["frontier", "--budgets", "5:1:1"])
    assert r.exit_code == 2 and "--budgets" in r.output
    r = CliRunner().invoke(app, ["frontier", "--budgets", "0:100:1"])
    assert r.exit_code == 2 and "at most" in r.output
