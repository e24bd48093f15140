"""Quarterly budgets: an edition's costs count in the quarter of its first day, within its cap.

On ``two_quarters``: ``tiny`` over March and April 2027 (2027-Q1 and 2027-Q2; March has 23
working days, so Thursday 1 April is working day 23), both topics of priority 1 and only the
lateness weighed (a point a working day late). The cheapest team is an IOM trainer and one of
the other gender, 250 + 200 = 450 USD a day; M1.T1 (2-3 days, hybrid) needs HALL at 100 a day,
M2.T1 (2 days, 15 in person) fits room B at 40 a day. At the least M1.T1#1 costs 2 x (450 + 100)
= 1,100 USD and M2.T1#1 2 x (450 + 40) = 980 USD: 2,080 together.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from ortools.sat.python import cp_model

from model.check import check, kpis
from model.doctor import blocking, doctor
from model.errors import InputError
from model.problem import quarter_days
from model.rules import Reading
from model.rules.reading import CALENDAR_COST_CATEGORIES, quarter_of
from model.schedule import Schedule
from scheduler.greedy import best_start, greedy_schedule
from scheduler.instance import Instance
from scheduler.solve import add_hint, build, solve
from tests.bench.test_mip import proven
from tests.instances.tiny import only_weights, problem_of, tiny_data
from tests.scheduler.solving import OPTIONS, explained_facts, infeasible, names_rule, optimal
from tests.scheduler.test_allocation import nominee, seated, seats
from tests.scheduler.test_participant_costs import costed

RULE = "budget_within_quarter_caps"
Q1, Q2 = "2027-Q1", "2027-Q2"


def two_quarters(caps: dict[str, int] | None = None) -> dict[str, Any]:
    data = tiny_data()
    data["calendar"]["end"] = "2027-04-30"
    data["weights"] = only_weights(priority_topic_late=1)
    for item in data["programme"]:
        item["priority"] = 1
    data["quarterly_budget_usd"] = caps or {}
    return data


def spent(schedule: Schedule) -> dict[str, int]:
    return dict(Reading(schedule).quarter_costs())


# ------------------------------------------------------------------------- the quarter of a day


@pytest.mark.parametrize(("day", "quarter"), [
    (date(2027, 1, 1), "2027-Q1"), (date(2027, 3, 31), "2027-Q1"), (date(2027, 4, 1), "2027-Q2"),
    (date(2027, 9, 30), "2027-Q3"), (date(2027, 10, 1), "2027-Q4"), (date(2027, 12, 31), "2027-Q4"),
])
def test_a_day_s_quarter_is_the_one_whose_days_hold_it(day: date, quarter: str) -> None:
    assert quarter_of(day) == quarter
    days = quarter_days(quarter)
    assert days is not None and days[0] <= day <= days[1]


# ------------------------------------------------------------------------------- the cap binds


def test_a_quarter_s_cap_moves_an_edition_into_the_next_quarter() -> None:
    # Without a cap both courses start on 1 March (0 points). 2,080 USD do not fit in 1,500, so
    # one starts in 2027-Q2, on Thursday 1 April at the earliest: 23 working days late, 23 points.
    result = optimal(problem_of(two_quarters({"2027-Q1": 1500})))
    assert result.objective == 23
    starts = sorted(se.start for se in result.schedule.editions)
    assert starts == [date(2027, 3, 1), date(2027, 4, 1)]
    assert spent(result.schedule)[Q1] <= 1500


def test_without_the_cap_both_start_on_the_first_day() -> None:
    result = optimal(problem_of(two_quarters()))
    assert result.objective == 0


def test_a_course_that_starts_in_march_and_ends_in_april_counts_in_march() -> None:
    # 2027-Q2 capped at 0: no course may start in April, but one may run into it. M1.T1#1, of 3
    # days and starting on 31 March at the earliest, starts then and ends on Friday 2 April; its
    # cost counts in March, and 2027-Q2 spends nothing.
    data = two_quarters({"2027-Q2": 0})
    data["programme"][0]["earliest_start"] = "2027-03-31"
    data["programme"][0]["duration_days"] = 3
    result = optimal(problem_of(data))
    m1 = result.schedule.by_edition["M1.T1#1"]
    assert (m1.start, m1.end) == (date(2027, 3, 31), date(2027, 4, 2))
    assert spent(result.schedule).get(Q2, 0) == 0


def test_the_mip_baseline_proves_the_same_optimum() -> None:
    assert proven(problem_of(two_quarters({"2027-Q1": 1500}))) == 23


def test_the_greedy_start_keeps_within_the_caps() -> None:
    problem = problem_of(two_quarters({"2027-Q1": 1500}))
    calendar = greedy_schedule(problem)
    assert calendar.unscheduled == []
    assert check(calendar) == []
    assert spent(calendar)[Q1] <= 1500
    start, _ = best_start(problem, Instance(problem))
    assert start is not None


# ------------------------------------------------- the engine's form against the checker's figures


def pinned_calendar(m1: str, m2: str, m1_days: int) -> Schedule:
    """The cheapest calendar with M1.T1#1 starting on ``m1`` for ``m1_days`` days and M2.T1#1 on ``m2``."""
    data = two_quarters()
    data["weights"] = only_weights(cost=1)
    data["programme"][0]["duration_days"] = m1_days
    data["pins"] = [{"edition": "M1.T1#1", "start": m1}, {"edition": "M2.T1#1", "start": m2}]
    result = solve(problem_of(data), OPTIONS)
    assert result.found, str(result)
    return result.schedule


CALENDARS = [
    pytest.param(("2027-03-01", "2027-03-01", 2), id="both-in-march"),
    pytest.param(("2027-03-31", "2027-04-01", 3), id="m1-from-march-into-april"),
    pytest.param(("2027-04-05", "2027-03-31", 2), id="m2-from-march-into-april-m1-in-april"),
]


def feasible_at(schedule: Schedule, caps: dict[str, int]) -> bool:
    """Whether the engine's model, every hard rule in, takes the calendar under these caps."""
    built = build(problem_of(two_quarters(caps)), objective=False)
    add_hint(built, schedule)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.fix_variables_to_their_hinted_value = True
    status = solver.solve(built.model)
    assert status in (cp_model.OPTIMAL, cp_model.INFEASIBLE), solver.status_name(status)
    return status == cp_model.OPTIMAL


@pytest.mark.parametrize("pins", CALENDARS)
def test_the_engine_counts_each_quarter_as_the_checker_does(pins: tuple[str, str, int]) -> None:
    # M1.T1's options start in both quarters: its cost counts in a quarter only when it starts there.
    schedule = pinned_calendar(*pins)
    costs = Reading(schedule).quarter_costs(CALENDAR_COST_CATEGORIES)
    exact = {q: costs.get(q, 0) for q in (Q1, Q2)}
    assert feasible_at(schedule, exact)
    for q in (Q1, Q2):
        if exact[q]:
            below = {**exact, q: exact[q] - 1}
            assert not feasible_at(schedule, below), q
            tight = schedule.model_copy(update={"problem": problem_of(two_quarters(below))})
            assert [v.rule for v in check(tight)] == [RULE]


# ------------------------------------------------------------------------------- no calendar


def test_an_infeasible_problem_names_the_quarters_caps() -> None:
    # 2027-Q2 capped at 900: neither course (980 and 1,100 at the least) can start in April, and
    # both in March (2,080) do not fit in 1,500. The doctor sees no quarter that must hold them
    # (each may start in either, and 900 + 1,500 >= 2,080): the explanation names both caps.
    problem = problem_of(two_quarters({"2027-Q1": 1500, "2027-Q2": 900}))
    assert blocking(doctor(problem)) == []
    diagnosis = infeasible(problem)
    assert names_rule(diagnosis, RULE)
    facts = explained_facts(diagnosis)
    assert any("starting in 2027-Q1" in f and "1,500 USD" in f for f in facts), facts
    assert any("starting in 2027-Q2" in f and "900 USD" in f for f in facts), facts
    assert any("raise the cap of 2027-Q2 above 900 USD" in line for line in diagnosis)


# ----------------------------------------------------------------------------------- the seats


def test_a_quarter_s_cap_decides_who_travels() -> None:
    # tiny's calendar pinned in March (tests/scheduler/test_participant_costs.py): three nominees
    # who can only sit in person, 700 USD each from Georgia, two who may follow online. The
    # quarter's cap 700 above the calendar's own cost seats one in person, the others online.
    nominations = [nominee("N1"), nominee("N2", mode="either"), nominee("N3", mode="either")]
    data = costed(nominations, m1=(3, 3))
    data["weights"] = {"participant_cost": 0}
    calendar = Reading(seated([], data=data).schedule).calendar_cost_usd
    data["quarterly_budget_usd"] = {Q1: calendar + 700}
    tight = seated([], data=data)
    assert seats(tight) == {("N1", "M1.T1#1", "in_person"), ("N2", "M1.T1#1", "online"),
                            ("N3", "M1.T1#1", "online")}
    assert spent(tight.schedule)[Q1] == calendar + 700
    over = tight.schedule.model_copy(update={"problem": problem_of(
        {**tight.schedule.problem.model_dump(mode="json"), "quarterly_budget_usd": {Q1: calendar + 699}})})
    assert [v.rule for v in check(over)] == [RULE]
    assert kpis(over).cost_usd == calendar + 700


# ------------------------------------------------------------------------------ invalid input


# Each bad cap: the message, the kind, the record (the problem's own check names the cap by its
# quarter; pydantic's check of the amount names the field's path, without a record) and the pointer.
@pytest.mark.parametrize(("caps", "message", "kind", "record", "pointer"), [
    # Not a quarter at all.
    ({"2027-Q5": 1000}, "quarterly budget 2027-Q5: the quarter is not of the form YYYY-Qn, e.g. 2027-Q1",
     "invalid_value", ("quarterly_budget", "2027-Q5"), "/quarterly_budget_usd/2027-Q5"),
    ({"Q1": 1000}, "quarterly budget Q1: the quarter is not of the form YYYY-Qn, e.g. 2027-Q1",
     "invalid_value", ("quarterly_budget", "Q1"), "/quarterly_budget_usd/Q1"),
    # A quarter the horizon (March to April 2027) does not reach.
    ({"2027-Q3": 1000}, "quarterly budget 2027-Q3: the quarter (2027-07-01 to 2027-09-30) is outside the "
                        "horizon (2027-03-01 to 2027-04-30)", "out_of_range", ("quarterly_budget", "2027-Q3"),
     "/quarterly_budget_usd/2027-Q3"),
    ({"2026-Q4": 1000}, "quarterly budget 2026-Q4: the quarter (2026-10-01 to 2026-12-31) is outside the "
                        "horizon (2027-03-01 to 2027-04-30)", "out_of_range", ("quarterly_budget", "2026-Q4"),
     "/quarterly_budget_usd/2026-Q4"),
    # A negative cap: pydantic's check of the amount, as for a fare.
    ({"2027-Q1": -1}, "quarterly_budget_usd.2027-Q1 -1: input should be greater than or equal to 0",
     "out_of_range", (None, None), "/quarterly_budget_usd/2027-Q1"),
])
def test_a_bad_quarterly_cap_is_named(caps: dict[str, int], message: str, kind: str,
                                      record: tuple[str | None, str | None], pointer: str) -> None:
    with pytest.raises(InputError) as info:
        problem_of(two_quarters(caps))
    [issue] = info.value.issues
    assert (issue.message, issue.kind, (issue.record, issue.id), issue.pointer) == (message, kind, record, pointer)


def test_a_quarter_the_horizon_only_touches_may_be_capped() -> None:
    # The horizon starts on 1 March: 2027-Q1 is in it, if only for a month; a cap of 0 is a cap.
    problem = problem_of(two_quarters({"2027-Q1": 5000, "2027-Q2": 0}))
    assert problem.quarterly_budget_usd == {Q1: 5000, Q2: 0}
