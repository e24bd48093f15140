"""Timefold Solver as a peer of the benchmark (bench/timefold_model.py): the checker passes its calendars.

The tests that solve need the ``timefold`` package and a Java runtime (``make bench-full`` installs
both); without them they are skipped. Each solve starts from nothing and stops a few seconds after its
last improvement (the time limit, counted from the JVM's start, only bounds a slow machine), so they
assert what holds whatever the search reached: a calendar the checker passes, whose objective is
Timefold's own score (the model weighs each soft rule as the checker does).
"""

from __future__ import annotations

import shutil
import sys
from typing import Any

import pytest

from model.check import check, kpis
from model.problem import Problem
from tests.instances.tiny import problem_of, tiny_data, tiny_problem
from tests.scheduler.test_guests import guest_data

needs_timefold = pytest.mark.skipif(shutil.which("java") is None, reason="no Java runtime to run Timefold in")
LIMIT_S = 90.0


def _timefold() -> Any:
    """The model's module, or a skip when Timefold is not installed."""
    pytest.importorskip("timefold.solver")
    import bench.timefold_model as tf

    return tf


def _guests_and_a_prerequisite() -> Problem:
    # tiny with country representatives (a required guest slot on M2.T1; Georgia and Moldova should
    # present twice each), and M1.T1 finished before M2.T1 starts.
    data = guest_data()
    data["prerequisites"] = [{"before": "M1.T1", "after": "M2.T1", "min_gap_days": 0}]
    return problem_of(data)


@needs_timefold
def test_tiny_calendar_passes_the_checker_and_its_score_is_the_checkers_objective() -> None:
    # The optimum is 156.3 (tests/bench/test_mip.py derives it); a local search stopped early may sit above.
    tf = _timefold()
    result = tf.solve_timefold(tiny_problem(), time_limit_s=LIMIT_S, unimproved_s=3)
    assert result.status == "FEASIBLE", result.reason
    assert result.schedule is not None and check(result.schedule) == []
    assert result.objective == kpis(result.schedule).objective
    assert result.objective == pytest.approx(result.score_objective, abs=0.011)
    assert result.objective >= 156.3 - 1e-6
    assert {se.edition for se in result.schedule.editions} == {"M1.T1#1", "M2.T1#1"}
    assert result.history and result.history[-1].objective == pytest.approx(result.score_objective)


@needs_timefold
def test_guests_and_prerequisites_pass_the_checker_with_every_score_checked_from_scratch() -> None:
    # FULL_ASSERT recomputes the score from scratch after every move and fails the solve when the
    # incremental score differs: a constraint that misses a change would be caught here.
    tf = _timefold()
    result = tf.solve_timefold(_guests_and_a_prerequisite(), time_limit_s=LIMIT_S, unimproved_s=3,
                               environment="FULL_ASSERT")
    assert result.status == "FEASIBLE", result.reason
    assert result.schedule is not None and check(result.schedule) == []
    assert result.objective == pytest.approx(result.score_objective, abs=0.011)
    by_id = result.schedule.by_edition
    m2 = by_id["M2.T1#1"]
    assert len(m2.guests) == 1 and m2.guests[0].day in m2.days  # the required slot, on a course day
    assert by_id["M1.T1#1"].end < m2.start


@needs_timefold
def test_a_calendar_with_a_clash_is_caught_by_the_checker_and_by_timefold() -> None:
    # Both courses on the same days in the main hall, taught by the same two trainers: the conversion
    # keeps the clash, the checker reports it and Timefold's score counts it as hard.
    tf = _timefold()
    from timefold.solver import SolutionManager, SolverFactory
    from timefold.solver.config import ScoreDirectorFactoryConfig, SolverConfig

    problem = tiny_problem()
    model = tf.build_model(problem)
    courses = model.calendar.courses
    hall = next(r for r in courses[0].rooms if r.id == "HALL")
    common = next(s for s in courses[0].spans if s.length == 2 and s in courses[1].spans)
    for c in courses:
        c.span, c.use, c.room = common, c.uses[0], hall
    for seat in model.calendar.seats:
        seat.person = seat.candidates[seat.k] if seat.required else None  # T1 and T2 on both teams
    schedule = tf.to_schedule(model, model.calendar)
    broken = {v.rule for v in check(schedule)}
    assert {"room_not_double_booked", "trainer_not_double_booked"} <= broken

    config = SolverConfig(solution_class=tf.Calendar, entity_class_list=[tf.Course, tf.Seat, tf.Guest],
                          score_director_factory_config=ScoreDirectorFactoryConfig(
                              constraint_provider_function=tf.constraints(problem)))
    score = SolutionManager.create(SolverFactory.create(config)).update(model.calendar)
    assert not score.is_feasible


@needs_timefold
def test_a_problem_with_a_rule_the_model_leaves_out_gets_no_calendar() -> None:
    tf = _timefold()
    data = tiny_data()
    data["pins"] = [{"edition": "M1.T1#1", "start": "2027-03-08"}]
    result = tf.solve_timefold(problem_of(data), time_limit_s=5)
    assert result.status == "UNSUPPORTED" and result.schedule is None
    assert "pinned editions" in result.reason


def test_without_timefold_the_run_is_reported_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules makes the import fail as it does where the package is missing.
    from bench.measure import run_timefold

    monkeypatch.setitem(sys.modules, "bench.timefold_model", None)
    out = run_timefold(tiny_problem(), 5, lambda _: None)
    assert out["status"] == "UNAVAILABLE" and "Timefold cannot run here" in out["reason"]
    assert out["valid"] is False and out["objective"] is None
