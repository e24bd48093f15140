"""The steps of ``solve`` one at a time, on the tiny instance, each without a full solve.

Most tests use ``race``: tiny where only "Priority topics scheduled late" counts (weight 1),
so a calendar's objective is the number of working days its two courses start after
Monday 1 March (see :func:`tests.instances.tiny.race_data`). Both on 1 March: 0 points,
the optimum; M2.T1 on Wednesday 3 March instead: 2 points.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any, cast

import pytest
from ortools.sat.python import cp_model

from model.check import check, kpis
from model.problem import Problem
from model.schedule import Schedule, ScheduledEdition, UnscheduledEdition, relative_gap
from scheduler.alternatives import explain_left_out
from scheduler.greedy import greedy_schedule
from scheduler.instance import Instance
from scheduler.solve import (
    MAX_LP_EDITIONS,
    MOST_UNITS_PER_POINT,
    START_KEPT,
    Answer,
    Refusal,
    Search,
    SolveOptions,
    Start,
    Watch,
    _solver,
    build,
    calendar_gap,
    choose_calendar,
    find_start,
    hint_start,
    no_calendar,
    no_calendar_result,
    objective_units,
    ruled_out,
    run_search,
    searched,
    solve,
    solver_report,
    unplaceable,
)
from tests.instances.tiny import problem_of, race_data, record, tiny_data, tiny_problem

OPTIONS = SolveOptions(time_limit_s=10, workers=1, deterministic=True)


def d(day: int) -> date:
    return date(2027, 3, day)


def race() -> Problem:
    return problem_of(race_data())


def calendar(problem: Problem, m2_start: int = 1) -> Schedule:
    """M1.T1 Mon 1-Wed 3 March in HALL with T1+T4; M2.T1 two days from ``m2_start`` in B with T2+T3."""
    return Schedule(problem=problem, editions=[
        ScheduledEdition.place(problem, "M1.T1#1", [d(1), d(2), d(3)], "HALL", ["T4", "T1"]),
        ScheduledEdition.place(problem, "M2.T1#1", [d(m2_start), d(m2_start + 1)], "B", ["T3", "T2"]),
    ])


def test_the_race_calendars_cost_what_the_module_says() -> None:
    # Guards the figures every test below relies on.
    p = race()
    assert check(calendar(p)) == [] and check(calendar(p, 3)) == []
    assert kpis(calendar(p)).objective == 0
    assert kpis(calendar(p, 3)).objective == 2  # Wednesday 3 is 2 working days after Monday 1


# ------------------------------------------------------------------------------ one constructor


def test_place_takes_everything_but_days_room_and_team_from_the_problem() -> None:
    p = tiny_problem()
    se = ScheduledEdition.place(p, "M1.T1#1", [d(1), d(2)], "HALL", ["T4", "T1"])
    assert se == ScheduledEdition(
        edition="M1.T1#1", topic="M1.T1", number=1, title="Migration basics", module=1, start=d(1),
        end=d(2), days=[d(1), d(2)], mode="hybrid", venue="RTCM", room="HALL", trainers=["T1", "T4"],
        participants_in_person=20, participants_online=10)
    # The edition itself or its id; no room, no venue.
    online = ScheduledEdition.place(p, p.edition_by_id["M1.T1#1"], [d(1)], None, [])
    assert online.room is None and online.venue is None and online.start == online.end == d(1)
    with pytest.raises(ValueError, match=r"M1\.T1#1: no training day"):
        ScheduledEdition.place(p, "M1.T1#1", [], "HALL", ["T1"])


def test_place_gives_what_the_greedy_calendar_holds() -> None:
    p = tiny_problem()
    for se in greedy_schedule(p).editions:
        assert ScheduledEdition.place(p, se.edition, se.days, se.room, reversed(se.trainers)) == se


# ------------------------------------------------------------------------------ one gap


@pytest.mark.parametrize(
    ("objective", "bound", "gap"),
    [
        (None, 1.0, None),  # no calendar
        (10.0, None, None),  # no bound
        (10.0, 10.0, 0.0),  # proven
        (10.0, 7.5, 0.25),
        (10.0, 12.0, 0.0),  # a bound above the objective gives no negative gap
        (0.0, 0.0, 0.0),  # nothing to improve, and proven
        (0.0, 1.0, None),  # no ratio to a zero objective
        (-10.0, -12.0, 0.2),  # relative to the objective's size
    ],
)
def test_relative_gap(objective: float | None, bound: float | None, gap: float | None) -> None:
    assert relative_gap(objective, bound) == (pytest.approx(gap) if gap is not None else None)


def test_a_calendar_s_gap_is_at_most_1() -> None:
    # A calendar's points are never below 0: a bound below 0 proves only 0, a gap of 1.
    assert calendar_gap(10_719.3, -13_557.3) == 1.0
    assert calendar_gap(10.0, 7.5) == pytest.approx(0.25)
    assert calendar_gap(0.0, -1.0) == 0.0 and calendar_gap(10.0, None) is None


# ------------------------------------------------------------------------------ before the model


def test_ruled_out_passes_a_sound_problem_and_names_the_doctor_s_findings() -> None:
    assert ruled_out(tiny_problem()) is None
    data = tiny_data()
    for t in ("T2", "T3", "T4"):  # only T1 can teach module 2; a team needs two
        record(data, "trainers", t)["modules"] = [1]
    refusal = ruled_out(problem_of(data))
    assert refusal is not None
    assert len(refusal.diagnosis) == 1 and refusal.diagnosis[0].startswith("M2.T1#1 cannot be scheduled")
    assert {c.source for c in refusal.causes} == {"doctor"}  # one per rule the finding stems from
    assert all({"M2.T1#1", "T1"} <= set(c.records) for c in refusal.causes)


def test_unplaceable_names_a_mandatory_edition_without_an_option() -> None:
    inst = Instance(tiny_problem())
    assert unplaceable(inst) is None
    plan = inst.plan_by_id["M2.T1#1"]
    plan.options, plan.why_no_option = [], "no room is open"
    assert unplaceable(inst) == Refusal(["M2.T1#1 cannot be scheduled: no room is open"])


# ------------------------------------------------------------------------------ start, model, hint


def test_find_start_gives_the_greedy_calendar_and_reports_it() -> None:
    # Earliest fit: both courses on Monday 1 March (two rooms, two teams): 0 points, as good
    # as it gets, so no levelled start is better and it is reported once.
    p = race()
    seen: list[float] = []
    start = find_start(p, Instance(p), on_better=seen.append)
    assert start.greedy is not None and start.hint is start.greedy
    assert check(start.greedy) == []
    assert seen == [0.0] == [kpis(start.greedy).objective]


def test_hint_start_gives_cp_sat_s_own_value_of_the_start() -> None:
    p = race()
    worse = calendar(p, 3)
    built = build(p)
    assert hint_start(built, Start(worse, worse), OPTIONS) == 2.0 == kpis(worse).objective
    assert len(built.model.proto.solution_hint.vars) == len(built.model.proto.variables)  # completed


def test_hint_start_values_only_a_start_that_may_be_returned() -> None:
    p = race()
    built = build(p)
    assert hint_start(built, Start(), OPTIONS) is None
    assert len(built.model.proto.solution_hint.vars) == 0
    # A hint that is no sound start (the plain earliest fit when none is) is no calendar to report.
    assert hint_start(built, Start(None, calendar(p, 3)), OPTIONS) is None
    assert len(built.model.proto.solution_hint.vars) > 0


# ------------------------------------------------------------------------------ search


def test_run_search_reports_cp_sat_s_own_objective_and_bound() -> None:
    # From the 2-point start, the search finds the 0-point calendar and proves it.
    p = race()
    built = build(p)
    worse = calendar(p, 3)
    hint_start(built, Start(worse, worse), OPTIONS)
    watch = Watch(None, time.perf_counter())
    search = run_search(built, OPTIONS, watch, None)
    assert search.status == "OPTIMAL" and search.schedule is not None
    assert search.objective == 0.0 == search.bound
    assert check(search.schedule) == [] and kpis(search.schedule).objective == 0
    assert watch.solutions >= 1 and watch.search_started is not None


def test_cp_sat_parameters_are_set_over_the_engine_s_own() -> None:
    options = SolveOptions(time_limit_s=10, workers=2,
                           parameters=(("subsolvers", ("max_lp",)), ("linearization_level", 2)))
    prm = _solver(options).parameters
    assert list(prm.subsolvers) == ["max_lp"] and prm.linearization_level == 2
    assert prm.num_workers == 2 and prm.cp_model_probing_level == 0  # the engine's own stay
    assert list(_solver(SolveOptions()).parameters.subsolvers) == []
    # Two workers search the year with max_lp, whose bound is the year's best; larger programmes, or
    # more workers (CP-SAT's portfolio), with CP-SAT's own.
    assert list(_solver(SolveOptions(), editions=71).parameters.subsolvers) == ["max_lp"]
    assert list(_solver(SolveOptions(), editions=MAX_LP_EDITIONS + 1).parameters.subsolvers) == []
    assert list(_solver(SolveOptions(workers=8), editions=71).parameters.subsolvers) == []
    result = solve(race(), options)
    assert result.status == "OPTIMAL" and result.objective == 0.0


class _Reported:
    """A solved CP-SAT solver, with the bound it reports replaced."""

    def __init__(self, solver: cp_model.CpSolver, bound: float) -> None:
        self.solver = solver
        self.best_objective_bound = bound
        self.objective_value = solver.objective_value

    def boolean_value(self, x: Any) -> bool:
        return self.solver.boolean_value(x)


def test_searched_calls_optimal_only_a_proof() -> None:
    p = race()
    built = build(p)
    solver = cp_model.CpSolver()
    code = solver.solve(built.model)
    assert searched(built, solver, code).status == "OPTIMAL"
    # CP-SAT says OPTIMAL too when it stops within the relative gap asked for: 50 hundredths
    # below a 0-point calendar is no proof.
    within_gap = searched(built, cast(cp_model.CpSolver, _Reported(solver, -50.0)), cp_model.OPTIMAL, 0.05)
    assert within_gap.status == "FEASIBLE"
    assert within_gap.objective == 0.0 and within_gap.bound == -0.5
    # With no gap allowed, OPTIMAL is a proof though the bound reported lags (interleaved search).
    proven = searched(built, cast(cp_model.CpSolver, _Reported(solver, -50.0)), cp_model.OPTIMAL, 0.0)
    assert proven.status == "OPTIMAL" and proven.bound == proven.objective == 0.0
    nothing = searched(built, cast(cp_model.CpSolver, _Reported(solver, float("inf"))), cp_model.UNKNOWN)
    assert nothing == Search("UNKNOWN")


# ------------------------------------------------------------------------------ the calendar returned


def test_choose_calendar_takes_the_search_s_calendar_when_no_worse_than_its_start() -> None:
    p = race()
    best, worse = calendar(p), calendar(p, 3)
    answer = choose_calendar(Search("OPTIMAL", best, 0.0, 0.0), Start(worse, worse), 2.0)
    assert answer == Answer("OPTIMAL", best, 0.0, "search", 0.0)
    # Even a search with no greedy start to compare with.
    assert choose_calendar(Search("FEASIBLE", worse, 2.0, 1.0), Start()) == Answer(
        "FEASIBLE", worse, 2.0, "search", 1.0)


def test_choose_calendar_keeps_a_better_start_with_cp_sat_s_value_of_it() -> None:
    # The search stopped at a 2-point calendar; the start has 0, as CP-SAT valued it.
    p = race()
    best, worse = calendar(p), calendar(p, 3)
    answer = choose_calendar(Search("FEASIBLE", worse, 2.0, 0.0), Start(best, best), 0.0)
    assert answer == Answer("FEASIBLE", best, 0.0, "start", 0.0, [START_KEPT])


def test_choose_calendar_keeps_the_start_when_the_search_found_nothing() -> None:
    p = race()
    worse = calendar(p, 3)
    # CP-SAT valued the start and proved a bound of 1.5 points, which stays as it was reported.
    assert choose_calendar(Search("UNKNOWN", bound=1.5), Start(worse, worse), 2.0) == Answer(
        "FEASIBLE", worse, 2.0, "start", 1.5, [START_KEPT])
    # CP-SAT never valued it: the checker's figure, said to be the checker's; no bound proved: 0.
    assert choose_calendar(Search("UNKNOWN"), Start(worse, worse)) == Answer(
        "FEASIBLE", worse, 2.0, "checker", 0.0, [START_KEPT])


def test_choose_calendar_gives_none_without_a_calendar() -> None:
    p = race()
    best = calendar(p)
    assert choose_calendar(Search("UNKNOWN"), Start()) is None
    assert choose_calendar(Search("INFEASIBLE"), Start(best, best), 0.0) is None  # the model disagrees
    assert choose_calendar(Search("MODEL_INVALID"), Start(best, best), 0.0) is None


def test_no_calendar_says_why() -> None:
    p, inst = race(), Instance(race())
    assert no_calendar(p, inst, "UNKNOWN", OPTIONS) == Refusal(
        ["no calendar found within 10 s; allow more time"])
    quiet = SolveOptions(time_limit_s=10, explain=False)
    assert no_calendar(p, inst, "INFEASIBLE", quiet) == Refusal([])
    result = no_calendar_result(p, "UNKNOWN", Refusal(["why"]), ["careful"], OPTIONS, 1.23456)
    assert result.status == "UNKNOWN" and result.objective is None and result.objective_source is None
    assert result.schedule.editions == [] and len(result.schedule.unscheduled) == 2
    assert result.report.diagnosis == ["why"] and result.report.warnings == ["careful"]
    assert result.runtime_s == 1.235 and result.report.runtime_s is None  # deterministic: no wall clock


# ------------------------------------------------------------------------------ report, reasons


def test_solver_report_carries_the_solver_s_figures_and_the_checker_s_penalties() -> None:
    p = race()
    worse = calendar(p, 3)
    answer = Answer("FEASIBLE", worse, 2.0, "start", 1.5, [START_KEPT])
    report = solver_report(answer, ["careful"], OPTIONS, 1.23456, 0.5, 3)
    assert (report.status, report.objective, report.objective_source, report.bound) == (
        "FEASIBLE", 2.0, "start", 1.5)
    assert report.gap == pytest.approx(0.25)
    assert report.solutions == 3 and report.warnings == ["careful", START_KEPT]
    assert sum(x.points for x in report.penalties) == 2.0  # the checker's, rule by rule
    assert report.breakdown and report.runtime_s is None and report.first_solution_s is None
    wall = solver_report(answer, [], SolveOptions(time_limit_s=10), 1.23456, 0.5, 3)
    assert wall.runtime_s == 1.235 and wall.first_solution_s == 0.5


def test_explain_left_out_gives_an_optional_edition_its_reason() -> None:
    data = race_data()
    record(data, "programme", "M2.T1")["mandatory"] = False
    p = problem_of(data)
    left = UnscheduledEdition(edition="M2.T1#1", topic="M2.T1", number=1, mandatory=False, reason="?")
    schedule = Schedule(problem=p, editions=calendar(p).editions[:1], unscheduled=[left])
    explain_left_out(schedule, time_limit_s=10, deterministic=True)
    assert schedule.unscheduled[0].reason.startswith("left out")


# ------------------------------------------------------------------------------ the objective's units


@pytest.mark.parametrize(("per_unit", "scale", "coef"), [
    # the default weights: hundredths of a point, the cost (1 point per 100 USD) 1 a USD
    ({"cost": 0.01, "busiest_month": 20.0}, 100, {"cost": 1, "busiest_month": 2000}),
    # half a point per 100 USD: 1/200 of a point per USD, which hundredths would round to nothing
    ({"cost": 0.005, "busiest_month": 20.0}, 200, {"cost": 1, "busiest_month": 4000}),
    # a third of a point: thirds and hundredths in a common unit of 1/300
    ({"priority_topic_late": 1 / 3, "cost": 0.01}, 300, {"priority_topic_late": 100, "cost": 3}),
])
def test_objective_units_count_every_weight_exactly(per_unit: dict[str, float], scale: int,
                                                    coef: dict[str, int]) -> None:
    assert objective_units(per_unit) == (scale, coef)


def test_objective_units_stop_at_a_millionth_of_a_point() -> None:
    scale, coef = objective_units({"cost": 1 / 999_983, "busiest_month": 1 / 999_979})
    assert scale == MOST_UNITS_PER_POINT
    assert coef == {"cost": 1, "busiest_month": 1}


# ------------------------------------------------------------------------------ each better calendar


def test_each_better_calendar_is_handed_over_as_it_is_found() -> None:
    # The start first, then each better calendar of the search, ending with the one returned:
    # every one breaks no rule and is worth what the checker says.
    found: list[tuple[Schedule, float]] = []
    result = solve(tiny_problem(), SolveOptions(time_limit_s=10, workers=1, deterministic=True),
                   on_calendar=lambda schedule, objective: found.append((schedule, objective)))
    assert result.found and found
    objectives = [objective for _, objective in found]
    assert objectives == sorted(objectives, reverse=True)
    for schedule, objective in found:
        assert check(schedule) == []
        assert objective == pytest.approx(kpis(schedule).objective)
    assert objectives[-1] == pytest.approx(result.objective)
    assert found[-1][0].editions == result.schedule.editions
