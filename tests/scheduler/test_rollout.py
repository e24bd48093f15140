"""The rollout: the first year's calendar, the later years by quarter (model/rollout.py,
scheduler/rollout.py, ``rtcm rollout``).

On ``tiny`` (M1.T1 hybrid, 2-3 days; M2.T1 in person, 2 days; the first year is March 2027):
both items optional, the first year's calendar runs M1.T1 only, and a rollout of two years
must run M2.T1 in 2028. Every plan the tests make is held against every rollout rule.
"""

from __future__ import annotations

from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cli.app import app
from model.check import check
from model.errors import InputError
from model.formats.files import schedule_json
from model.rollout import ROLLOUT_RULES, RolloutEdition, RolloutPlan, check_rollout
from model.schedule import Schedule
from scheduler import rollout as engine
from scheduler.rollout import plan_rollout
from scheduler.solve import solve
from tests.instances.tiny import problem_of, record, tiny_data
from tests.scheduler.solving import OPTIONS


def rollout_data(**rollout: Any) -> dict[str, Any]:
    data = tiny_data()
    for topic in ("M1.T1", "M2.T1"):
        record(data, "programme", topic)["mandatory"] = False
    data["rollout"] = {"years": 2, **rollout}
    return data


def first_year(data: dict[str, Any], keep: tuple[str, ...] = ("M1.T1",)) -> Schedule:
    """The first year's calendar with only the editions of ``keep`` (the others left out)."""
    result = solve(problem_of(data), OPTIONS)
    assert result.found
    s = result.schedule
    s = s.model_copy(update={"editions": [se for se in s.editions if se.topic in keep]})
    assert check(s) == []
    return s


def planned(s: Schedule) -> RolloutPlan:
    plan = plan_rollout(s, time_limit_s=5, workers=1, deterministic=True)
    if not plan.diagnosis:
        assert check_rollout(s.problem, plan) == []
    return plan


def later(plan: RolloutPlan) -> list[tuple[str, str]]:
    return sorted((e.topic, e.quarter) for e in plan.editions if e.year > 1)


def test_the_engine_rules_are_the_rollout_rules() -> None:
    assert list(engine.HARD) == [r.id for r in ROLLOUT_RULES]


def test_a_topic_the_first_year_left_out_runs_in_the_first_quarter_it_can() -> None:
    plan = planned(first_year(rollout_data()))
    assert plan.status == "OPTIMAL" and plan.gap == 0
    assert [q.label for q in plan.quarters] == ["2027-Q1", "2028-Q1"]  # tiny's horizon is March
    assert later(plan) == [("M2.T1", "2028-Q1")]
    assert [(e.topic, e.quarter, e.edition) for e in plan.editions if e.year == 1] == [("M1.T1", "2027-Q1",
                                                                                       "M1.T1#1")]


def test_a_dropped_topic_need_not_run() -> None:
    plan = planned(first_year(rollout_data(dropped=["M2.T1"])))
    assert later(plan) == []


def test_a_prerequisite_runs_in_an_earlier_quarter() -> None:
    # Neither ran in the first year (so it sets no pace: 10 course days a quarter); M2.T1 comes
    # before M1.T1, so not in the same quarter. A year of the horizon (January to December) has
    # four quarters.
    data = rollout_data(course_days_per_quarter=10)
    data["calendar"].update(start="2027-01-01", end="2027-12-31")
    data["prerequisites"] = [{"before": "M2.T1", "after": "M1.T1"}]
    plan = planned(first_year(data, keep=()))
    assert later(plan) == [("M1.T1", "2028-Q2"), ("M2.T1", "2028-Q1")]


def test_a_theme_due_in_the_first_year_that_the_calendar_left_out_is_explained() -> None:
    data = rollout_data(themes=[{"id": "borders", "name": "Border management", "topics": ["M2.T1"],
                                 "by_year": 1}])
    plan = planned(first_year(data))
    assert plan.status == "INFEASIBLE" and plan.editions[1:] == []
    assert plan.diagnosis == ["no rollout keeps all of: theme 'Border management' is due by year 1: M2.T1 "
                              "runs by then"]


def test_a_quarter_holds_no_more_course_days_than_the_pace_allows() -> None:
    # M2.T1 lasts 2 days; a quarter of at most 1 course day cannot hold it.
    plan = planned(first_year(rollout_data(course_days_per_quarter=1)))
    assert plan.diagnosis[0].startswith("no rollout keeps all of: ")
    assert set(plan.diagnosis[0].removeprefix("no rollout keeps all of: ").split("; ")) == {
        "M2.T1 runs at least once in the rollout", "2028-Q1 holds at most 1 course days"}


def test_a_later_year_keeps_within_the_budget() -> None:
    # Nothing in the first year, M1.T1 dropped: M2.T1 must run in 2028, at its estimated cost
    # (the least its edition can cost). A budget a dollar short of it is explained.
    data = rollout_data(dropped=["M1.T1"], course_days_per_quarter=10)
    plan = planned(first_year(data, keep=()))
    cost = plan.topic_cost_usd["M2.T1"]
    assert later(plan) == [("M2.T1", "2028-Q1")] and plan.cost_by_year() == {2: cost}
    data["budget_usd"] = cost - 1
    poor = planned(first_year(data, keep=()))
    assert set(poor.diagnosis[0].removeprefix("no rollout keeps all of: ").split("; ")) == {
        "M2.T1 runs at least once in the rollout", f"year 2's budget of {cost - 1:,} USD"}


def test_the_first_year_pace_sets_a_later_quarter_s_most_days() -> None:
    # tiny's first year (March 2027: 23 working days) holds M1.T1's 3 days: 3/23 of a quarter's
    # working days, rounded down.
    plan = planned(first_year(rollout_data()))
    [q] = [q for q in plan.quarters if q.year == 2]
    assert plan.most_days == {q.label: 3 * q.working_days // 23}


# ------------------------------------------------------------------------ the checker


def broken(plan: RolloutPlan, **change: Any) -> RolloutPlan:
    return plan.model_copy(update=change)


def test_each_rollout_checker_finds_its_breach() -> None:
    data = rollout_data(themes=[{"id": "borders", "topics": ["M2.T1"], "by_year": 2}], course_days_per_quarter=10)
    data["calendar"].update(start="2027-01-01", end="2027-12-31")
    data["prerequisites"] = [{"before": "M1.T1", "after": "M2.T1"}]
    data["budget_usd"] = 10**7
    s = first_year(data, keep=())
    plan = planned(s)
    p = s.problem
    m1, m2 = (next(e for e in plan.editions if e.topic == t) for t in ("M1.T1", "M2.T1"))
    q2028 = [q.label for q in plan.quarters if q.year == 2]

    def rules(bad: RolloutPlan) -> set[str]:
        return {b.rule for b in check_rollout(p, bad)}

    assert rules(broken(plan, editions=[m1])) == {"rollout_topic_covered", "rollout_theme_by_year"}
    assert rules(broken(plan, editions=[m1.model_copy(update={"quarter": q2028[1]}),
                                        m2.model_copy(update={"quarter": q2028[0]})])) == {
        "rollout_prerequisite_first"}
    assert rules(broken(plan, most_days={label: 0 for label in plan.most_days})) == {"rollout_quarter_capacity"}
    assert rules(broken(plan, editions=[m1, m2.model_copy(update={"cost_usd": 10**7})])) == {"rollout_year_budget"}
    assert rules(broken(plan, editions=[m1, m2, m2.model_copy(update={"quarter": q2028[3]})])) == {
        "rollout_editions_per_year"}
    late = RolloutEdition(topic="M2.T1", quarter="2029-Q1", year=3, days=2, cost_usd=0)
    three = broken(plan, years=3, editions=[m1, late], quarters=[*plan.quarters, plan.quarters[-1].model_copy(
        update={"label": "2029-Q1", "year": 3, "offset": plan.quarters[-1].offset + 100})])
    assert rules(three) == {"rollout_theme_by_year"}


# --------------------------------------------------------------------------- the input


def test_a_rollout_of_several_years_needs_a_horizon_of_a_year_at_most() -> None:
    data = rollout_data()
    data["calendar"].update(start="2027-01-01", end="2028-06-30")
    with pytest.raises(InputError) as info:
        problem_of(data)
    assert "rollout: a rollout of 2 years plans the years after the horizon, which must be a year at most; this " \
           "one spans 547 days" in str(info.value)
    data["rollout"]["years"] = 1
    assert problem_of(data).rollout.years == 1


@pytest.mark.parametrize(("rollout", "expected"), [
    ({"years": 4}, "rollout.years 4: input should be less than or equal to 3"),
    ({"dropped": ["M9.T9"]}, "rollout: dropped topic 'M9.T9' is unknown"),
    ({"themes": [{"id": "x", "topics": ["M1.T1"], "by_year": 3}]}, "theme x: is due by year 3 of a rollout of 2"),
    ({"dropped": ["M1.T1"], "themes": [{"id": "x", "topics": ["M1.T1"], "by_year": 2}]},
     "theme x: topic 'M1.T1' is dropped from the rollout but due with the theme"),
    ({"themes": [{"id": "x", "topics": ["M1.T1"], "by_year": 1}, {"id": "x", "topics": ["M2.T1"], "by_year": 1}]},
     "theme x"),
])
def test_a_bad_rollout_is_named(rollout: dict[str, Any], expected: str) -> None:
    with pytest.raises(InputError) as info:
        problem_of(rollout_data(**rollout))
    assert expected in str(info.value)


# ------------------------------------------------------------------------------ the CLI


def test_rtcm_rollout_writes_the_plan_and_the_workbook(tmp_path) -> None:
    s = first_year(rollout_data())
    path = tmp_path / "first.json"
    path.write_text(schedule_json(s), encoding="utf-8")
    out, js = tmp_path / "rollout.xlsx", tmp_path / "rollout.json"
    run = CliRunner().invoke(app, ["rollout", "--schedule", str(path), "--out", str(out), "--json", str(js)])
    assert run.exit_code == 0, run.output
    assert "No rollout rule broken" in run.output
    plan = RolloutPlan.model_validate_json(js.read_text(encoding="utf-8"))
    assert later(plan) == [("M2.T1", "2028-Q1")]
    wb = load_workbook(out)
    assert wb.sheetnames[:2] == ["Summary", "Rollout"]
    ws = wb["Rollout"]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r and r[0] in ("M1.T1", "M2.T1", "Topic")}
    col = {name: k for k, name in enumerate(rows["Topic"])}
    assert rows["M1.T1"][col["2027-Q1"]] == 1 and rows["M1.T1"][col["2028-Q1"]] is None
    assert rows["M2.T1"][col["2028-Q1"]] == 1


def test_rtcm_rollout_explains_an_impossible_rollout_and_exits_1(tmp_path) -> None:
    s = first_year(rollout_data(course_days_per_quarter=1))
    path = tmp_path / "first.json"
    path.write_text(schedule_json(s), encoding="utf-8")
    run = CliRunner().invoke(app, ["rollout", "--schedule", str(path)])
    assert run.exit_code == 1
    assert "no rollout keeps all of" in run.output
