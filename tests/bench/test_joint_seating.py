"""The one-model alternative of bench/joint_seating.py: its seats are the checker's, its value is the
checker's, and its optimum is never worse than the two steps' (whose answer is one of its solutions)."""

from __future__ import annotations

from typing import Any

import pytest

from bench.joint_seating import solve_joint, solve_refined, solve_two_steps
from model.check import check
from model.problem import Problem
from model.schedule import Schedule
from tests.instances.tiny import problem_of
from tests.scheduler.test_allocation import PREREQUISITE, nominee, problem_data
from tests.scheduler.test_demand import ranked_requests


def joint_optimum(problem: Problem) -> tuple[Schedule, dict[str, Any]]:
    schedule, figures = solve_joint(problem, 30.0)
    assert figures["status"] == "OPTIMAL", figures
    assert schedule is not None and check(schedule) == []
    # CP-SAT's value of the calendar and its seats is what the checker recomputes.
    assert figures["solver_total"] == pytest.approx(figures["total"], abs=0.01)
    assert figures["bound_total"] == pytest.approx(figures["total"], abs=0.01)
    return schedule, figures


def test_one_model_is_no_worse_than_the_two_steps_on_ranked_requests() -> None:
    problem = problem_of(ranked_requests())
    _, joint = joint_optimum(problem)
    two, figures = solve_two_steps(problem, 30.0)
    assert check(two) == []
    assert joint["total"] <= figures["total"] + 0.01
    assert joint["seated"] == figures["seated"] == 4  # every seat: 1 in person and 1 online in M1.T1, 2 in M2.T1


def test_one_model_seats_a_prerequisite_first() -> None:
    # One in-person seat in M1.T1, the prerequisite of M2.T1: of P3 and P4 (both ask for M1.T1 then
    # M2.T1) one sits both courses, in order; the other neither (M2.T1 has seats, but not its prerequisite).
    data = problem_data([nominee("P3", ("M1.T1", "M2.T1")), nominee("P4", ("M1.T1", "M2.T1"))], m1=(1, 0))
    data["prerequisites"] = PREREQUISITE
    schedule, figures = joint_optimum(problem_of(data))
    seats = {(a.nominee, a.edition) for a in schedule.allocations}
    (lucky,) = {n for n, e in seats if e == "M1.T1#1"}
    assert seats == {(lucky, "M1.T1#1"), (lucky, "M2.T1#1")}
    assert schedule.by_edition["M1.T1#1"].end < schedule.by_edition["M2.T1#1"].start
    assert figures["unseated"] == 2


def test_the_one_model_started_from_the_two_steps_never_ends_worse() -> None:
    schedule, figures = solve_refined(problem_of(ranked_requests()), 20.0)
    assert schedule is not None and check(schedule) == []
    assert figures["hint_complete"] is True
    assert figures["total"] <= figures["start_total"] + 0.01
    assert figures["solver_total"] == pytest.approx(figures["total"], abs=0.01)
