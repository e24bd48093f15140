"""Compile a problem to CP-SAT, solve it with progress, and return a checked result.

:func:`solve` runs these steps in order, each a function of what the ones before gave:

1. :func:`ruled_out`: what the data alone rule out (the doctor), before any model;
2. :func:`unplaceable`: mandatory editions with no start day, room and team at all;
3. :func:`find_start`: the best greedy calendar, reported as the first one;
4. :func:`build`: the CP-SAT model;
5. :func:`hint_start`: that calendar as the search's hint, and CP-SAT's value of it;
6. :func:`run_search`: CP-SAT's search, with its own objective and bound;
7. :func:`choose_calendar`: the search's calendar, or the start when the search did no better;
8. :func:`no_calendar`: why there is none, when there is none;
9. :func:`solver_report`: the status and figures a planner reads;
10. :func:`~scheduler.alternatives.explain_left_out`: why each optional edition is left out;
11. :func:`seat_participants`: the nominees seated in the calendar;
12. :func:`~scheduler.backups.backups`: with ``SolveOptions.backups``, who could step in for whom.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Literal

from ortools.sat.python import cp_model

from model.check import OBJECTIVE_SCALE, check_calendar, kpis, points_per_unit
from model.doctor import as_causes, blocking, doctor
from model.explain import penalty_breakdown
from model.parity import trainer_share_obstacles
from model.problem import Problem
from model.rules import RULES, Reading
from model.schedule import (
    Cause,
    GuestSession,
    ObjectiveSource,
    Schedule,
    ScheduledEdition,
    SolverReport,
    Status,
    UnscheduledEdition,
    relative_gap,
)
from scheduler.allocation import ALLOCATION_SHARE, allocate, open_requests
from scheduler.alternatives import explain_left_out
from scheduler.backups import backups
from scheduler.greedy import best_start
from scheduler.instance import Instance
from scheduler.parts import (
    PART_EDITIONS,
    PART_LIMIT_S,
    PARTS_FROM_EDITIONS,
    PARTS_FROM_OPTIONS,
    PartsOutcome,
    Values,
    search_by_parts,
)
from scheduler.relaxation import RelaxationBound
from scheduler.rules import HARD, SOFT, Context
from scheduler.variables import StopFlag, Variables, stop_when_set


@dataclass(frozen=True)
class SolveOptions:
    """Solver settings. ``deterministic`` makes the same problem give the same schedule."""

    time_limit_s: float = 60.0
    workers: int = 2
    deterministic: bool = False
    seed: int = 0
    relative_gap: float = 0.0
    log: bool = False
    explain: bool = True  # say why a problem has no calendar, and why each edition left out is
    hint: bool = True  # start from the greedy calendar
    seat: bool = True  # seat the nominees in the calendar found (off: the calendar alone, e.g. sampled futures)
    backups: bool = False  # choose the calendar's backups once it is seated (Schedule.backups): a few seconds more
    # Search by parts (scheduler/parts.py): None from PARTS_FROM_EDITIONS editions or PARTS_FROM_OPTIONS options
    # on; False: the whole at once.
    by_parts: bool | None = None
    # CP-SAT parameters set over the engine's own (name, value) pairs, e.g. (("subsolvers", ("max_lp",)),):
    # for measuring the engine (bench/engine.py); a list value replaces the repeated field.
    parameters: tuple[tuple[str, Any], ...] = ()


# The backups' assignment is small (a few hundred roles take well under a second): its own few
# seconds of deterministic time, not the solve's limit; the checker's re-test of each backup chosen
# comes on top (about 4 s for the default calendar).
BACKUPS_LIMIT_S = 5.0
# A solve asked to stop before this share of its time limit was cancelled: it ends at once, without
# backups. One stopped later was stopped by the clock as its limit came (a service's deadline, which
# it meets at the same moment as its own): its calendar is the one the limit allowed, with backups.
CANCELLED_BEFORE = 0.8


@dataclass(frozen=True)
class Progress:
    """The best calendar so far (``objective``), the proven ``bound``, and where it came from.

    ``source`` is "greedy" for the greedy earliest-fit calendar every solve starts from
    (reported before the model is built, once the checker finds it breaks no hard rule)
    and "search" for CP-SAT's calendars and bounds; ``solutions`` counts the search's.
    """

    objective: float | None
    bound: float | None
    elapsed_s: float
    solutions: int
    source: Literal["greedy", "search"] = "search"

    @property
    def gap(self) -> float | None:
        return calendar_gap(self.objective, self.bound)


def calendar_gap(objective: float | None, bound: float | None) -> float | None:
    """A calendar's relative gap. No soft rule's points are below 0, so a bound below 0 (CP-SAT's
    early in a short search on a busy machine: -13,557.3 once, on the default) proves only 0: the
    gap is then 1, not more. The bound itself is reported as CP-SAT gave it."""
    return relative_gap(objective, None if bound is None else max(0.0, bound))


@dataclass
class Result:
    """What ``solve`` returns: never an exception for an infeasible or timed-out problem.

    ``objective`` and ``bound`` are the solver's own figures, in points (``objective_source``
    says where the objective comes from); the checker recomputes the objective from the
    schedule alone (``model.check.kpis``).
    """

    schedule: Schedule
    runtime_s: float = 0.0  # wall clock, always here even when the JSON leaves it out
    first_solution_s: float | None = None
    build_s: float = 0.0
    progress: list[Progress] = field(default_factory=list)

    @property
    def report(self) -> SolverReport:
        assert self.schedule.solver is not None
        return self.schedule.solver

    @property
    def status(self) -> Status:
        return self.report.status

    @property
    def objective(self) -> float | None:
        return self.report.objective

    @property
    def objective_source(self) -> ObjectiveSource | None:
        return self.report.objective_source

    @property
    def bound(self) -> float | None:
        return self.report.bound

    @property
    def gap(self) -> float | None:
        return self.report.gap

    @property
    def found(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")

    def __str__(self) -> str:
        r = self.report
        s = self.schedule
        total = len(s.problem.editions)
        lines = [
            f"status     {r.status}",
            f"editions   {len(s.editions)} of {total} scheduled",
        ]
        if r.objective is not None:
            gap = f"{100 * r.gap:.2f} %" if r.gap is not None else "n/a"
            lines.append(f"objective  {r.objective:g} (bound {r.bound:g}, gap {gap})")
        lines.append(f"time       {self.runtime_s:.1f} s (first calendar at {self.first_solution_s or 0:.1f} s)")
        lines += [f"why        {d}" for d in r.diagnosis]
        lines += [f"warning    {w}" for w in r.warnings]
        return "\n".join(lines)


@dataclass
class Built:
    model: cp_model.CpModel
    inst: Instance
    v: Variables
    soft: dict[str, cp_model.LinearExprT]
    scale: int = OBJECTIVE_SCALE  # the objective's units per point


# The objective's integer coefficients: each rule's points per unit, exactly, in a common unit of
# at most a millionth of a point (the least common multiple of their denominators, hundredths at least).
MOST_UNITS_PER_POINT = 1_000_000


def objective_units(per_unit: dict[str, float]) -> tuple[int, dict[str, int]]:
    """(units per point, each rule's integer coefficient per unit of its amount).

    A weight of 0.5 on the cost (per 100 USD) is 1/200 of a point per USD: counted in
    hundredths it would round to nothing, so the unit becomes a two-hundredth of a point.
    """
    exact = {rule: Fraction(x).limit_denominator(MOST_UNITS_PER_POINT) for rule, x in per_unit.items()}
    scale = OBJECTIVE_SCALE
    for x in exact.values():
        scale = math.lcm(scale, x.denominator)
    scale = min(scale, MOST_UNITS_PER_POINT)
    return scale, {rule: round(x * scale) for rule, x in exact.items()}


def build(problem: Problem, skip: frozenset[str] = frozenset(), *, objective: bool = True,
          inst: Instance | None = None, for_bound: bool = False) -> Built:
    """The CP-SAT model of a problem; ``skip`` leaves out rules (hard ones for diagnosis, any for the
    bound by places, ``bench/places.py``); ``for_bound``: a model searched for its bound alone, with
    the rules' redundant rows for the linear relaxation (``Context.for_bound``)."""
    inst = inst or Instance(problem)
    model = cp_model.CpModel()
    v = Variables(model, inst)
    ctx = Context(model, inst, v, skip=skip, for_bound=for_bound)
    for rule_id, rule in HARD.items():
        if rule_id not in skip:
            rule(ctx)
    soft: dict[str, cp_model.LinearExprT] = {}
    scale = OBJECTIVE_SCALE
    if objective:
        per_unit = {r: points_per_unit(RULES[r], problem.weights) for r in SOFT}
        scale, coef = objective_units({r: x for r, x in per_unit.items() if x > 0})
        for rule_id, soft_rule in SOFT.items():
            if rule_id in coef and rule_id not in skip:
                soft[rule_id] = soft_rule(ctx)
        model.minimize(sum(coef[r] * term for r, term in soft.items()))
    return Built(model, inst, v, soft, scale)


# Two workers run one full subsolver, default_lp, whose bound stalls on the RTCM year: max_lp, with the
# linear relaxation of every constraint, proves within a minute the bound that long runs of eight
# workers reach, and searches as well. On three times the year (213 editions) its relaxation is too
# slow and the bound collapses, so it is the full subsolver only for a programme of at most this many
# editions (measured at 71 and 213: bench/RESULTS.md, "The engine on two cores"). More workers run
# CP-SAT's own portfolio, max_lp included.
MAX_LP_EDITIONS = 120


def _solver(options: SolveOptions, time_limit: float | None = None, *,
            editions: int | None = None) -> cp_model.CpSolver:
    """CP-SAT with the engine's settings; ``editions``, the size of the calendar searched, chooses the
    full subsolver of two workers (:data:`MAX_LP_EDITIONS`)."""
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = max(1, options.workers)
    prm.random_seed = options.seed
    prm.log_search_progress = options.log
    prm.relative_gap_limit = options.relative_gap
    # Probing costs seconds of presolve here and buys little: the first calendar comes sooner without.
    prm.cp_model_probing_level = 0
    if options.workers == 2 and editions is not None and editions <= MAX_LP_EDITIONS:
        prm.subsolvers.append("max_lp")
    limit = options.time_limit_s if time_limit is None else time_limit
    if options.deterministic:
        # Deterministic time and interleaved workers: the same problem gives the same answer.
        prm.interleave_search = True
        prm.max_deterministic_time = limit
        prm.max_time_in_seconds = max(limit * 20, 600.0)
    else:
        prm.max_time_in_seconds = limit
    for name, value in options.parameters:
        if isinstance(value, (list, tuple)):
            field_ = getattr(prm, name)
            field_.clear()
            field_.extend(value)
        else:
            setattr(prm, name, value)
    return solver


class Watch(cp_model.CpSolverSolutionCallback):
    """Follows a solve from ``t0``: the first calendar, each better one and bound, sent to ``on_progress``."""

    def __init__(self, on_progress: Callable[[Progress], None] | None, t0: float) -> None:
        super().__init__()
        self.on_progress = on_progress
        self.t0 = t0
        self.solutions = 0
        self.first: float | None = None  # the first calendar, greedy or searched
        self.history: list[Progress] = []
        self.objective: float | None = None  # the best calendar's, greedy or searched
        self.search_started: float | None = None
        self.scale = OBJECTIVE_SCALE  # the model's units per point (Built.scale)
        self.built: Built | None = None  # the model searched, once the search starts
        self.on_calendar: Callable[[Schedule, float], None] | None = None
        self.relaxation: RelaxationBound | None = None  # a bound proved beside the search, once it is

    def start_from(self, objective: float) -> None:
        """A better greedy calendar to start from: report it before the search begins."""
        elapsed = time.perf_counter() - self.t0
        if self.first is None:
            self.first = elapsed
        self.objective = objective
        self.emit(None, elapsed, "greedy")

    def on_solution_callback(self) -> None:
        built = self.built
        self.found(self.objective_value / self.scale, self.best_objective_bound / self.scale,
                   None if built is None else lambda: extract(built, self))

    def found(self, objective: float, bound: float | None, calendar: Callable[[], Schedule] | None) -> None:
        """A calendar of ``objective`` points found (``calendar`` reads it, when wanted), and ``bound``."""
        self.solutions += 1
        elapsed = time.perf_counter() - self.t0
        if self.first is None:
            self.first = elapsed
        better = self.objective is None or objective <= self.objective
        self.objective = objective if self.objective is None else min(self.objective, objective)
        self.emit(bound, elapsed)
        if better and self.on_calendar is not None and calendar is not None:
            self.on_calendar(calendar(), round(objective, 2))

    def on_bound(self, bound: float) -> None:
        self.emit(bound / self.scale, time.perf_counter() - self.t0)

    def emit(self, bound: float | None, elapsed: float, source: Literal["greedy", "search"] = "search") -> None:
        relaxed = self.relaxation.bound if self.relaxation is not None else None
        if relaxed is not None:
            bound = max(bound or -math.inf, _points_below(relaxed / self.scale))
        p = Progress(self.objective, bound, elapsed, self.solutions, source)
        self.history.append(p)
        if self.on_progress:
            self.on_progress(p)


def _stop_with(start: Start, stop: StopFlag | None) -> bool:
    """Asked to stop, with a start calendar to return."""
    return start.greedy is not None and stop is not None and stop.is_set()


def _search(built: Built, solver: cp_model.CpSolver, watch: Watch, stop: StopFlag | None, share: float,
            time_limit_s: float) -> cp_model.CpSolverStatus:
    """Run CP-SAT on the model; with a seating ``share``, end at a calendar once past the rest."""
    solver.best_bound_callback = watch.on_bound
    done = threading.Event()
    t0 = watch.t0
    if share:
        # Past its share of the time the search ends as soon as there is a calendar (the
        # greedy one counts): seats are no use without one. (Deterministic runs split the time.)
        calendar_s = time_limit_s * (1 - share)

        def _leave_time_to_seat() -> None:
            if done.wait(max(0.0, calendar_s - (time.perf_counter() - t0))):
                return
            while not done.wait(0.1):
                if watch.objective is not None:
                    solver.stop_search()
                    return
        threading.Thread(target=_leave_time_to_seat, daemon=True).start()
    stop_when_set(solver.stop_search, stop, done)
    watch.search_started = time.perf_counter()
    try:
        return solver.solve(built.model, watch)
    finally:
        done.set()


STATUS: dict[cp_model.CpSolverStatus, Status] = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
    cp_model.UNKNOWN: "UNKNOWN",
}


def solve(
    problem: Problem,
    options: SolveOptions | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    stop: StopFlag | None = None,
    start_from: Schedule | None = None,
    on_calendar: Callable[[Schedule, float], None] | None = None,
) -> Result:
    """Solve ``problem`` and return the best calendar found, with bound and gap.

    Parameters
    ----------
    problem
        A validated problem.
    options
        Time limit, workers, determinism.
    on_progress
        Called at every improving solution and bound, from the solver's thread.
    stop
        Set it from another thread to end the search; the best calendar so far is kept.
    start_from
        A calendar to start from (a published one, or a base scenario's): what still
        breaks no rule is kept as the first calendar, the rest is placed greedily.
    on_calendar
        Called with each better calendar and its objective as it is found (the start, then
        the search's, from the solver's thread), e.g. to keep it safe while the solve runs.
    """
    options = options or SolveOptions()
    t0 = time.perf_counter()
    refusal = ruled_out(problem)
    if refusal is not None:
        return no_calendar_result(problem, "INFEASIBLE", refusal, problem_warnings(problem), options,
                                  time.perf_counter() - t0)
    inst = Instance(problem)
    warnings = problem_warnings(problem)
    refusal = unplaceable(inst)
    if refusal is not None:
        return no_calendar_result(problem, "INFEASIBLE", refusal, warnings, options, time.perf_counter() - t0)
    watch = Watch(on_progress, t0)
    watch.on_calendar = on_calendar
    start = Start()
    if options.hint:
        start = find_start(problem, inst, start_from, on_better=watch.start_from, stop=stop)
        if on_calendar is not None and start.greedy is not None:
            on_calendar(start.greedy, kpis(start.greedy).objective)
    search, start_value = Search(), None
    # Asked to stop with a calendar in hand: no model is built, or no search run.
    if not _stop_with(start, stop):
        built = build(problem, inst=inst)
        start_value = hint_start(built, start, options)
        if not _stop_with(start, stop):
            search = run_search(built, options, watch, stop, seating=options.seat and bool(problem.nominations))
    build_s = (watch.search_started if watch.search_started is not None else time.perf_counter()) - t0
    runtime = time.perf_counter() - t0
    answer = choose_calendar(search, start, start_value)
    if answer is None:
        result = no_calendar_result(problem, search.status, no_calendar(problem, inst, search.status, options),
                                    warnings, options, runtime)
        result.build_s, result.first_solution_s = build_s, watch.first
        return result
    first = round(watch.first, 3) if watch.first is not None else None
    schedule = answer.schedule
    schedule.solver = solver_report(answer, warnings, options, runtime, first, watch.solutions)
    if schedule.unscheduled and options.explain:
        explain_left_out(schedule, time_limit_s=options.time_limit_s, deterministic=options.deterministic)
    if problem.nominations and options.seat:
        seat_participants(schedule, options, stop, t0)
        cancel_thin_editions(schedule, options, stop, t0)
        runtime = time.perf_counter() - t0
        if not options.deterministic:
            schedule.solver.runtime_s = round(runtime, 3)
    asked = stop is not None and stop.is_set()
    cancelled = asked and time.perf_counter() - t0 < CANCELLED_BEFORE * options.time_limit_s
    if options.backups and schedule.editions and not cancelled:
        schedule.backups = backups(schedule, time_limit_s=BACKUPS_LIMIT_S)
    return Result(schedule, round(runtime, 3), first, build_s, watch.history)


# ------------------------------------------------------------------------------ the steps


@dataclass(frozen=True)
class Refusal:
    """Why there is no calendar: the diagnosis lines and, where known, the input facts behind them."""

    diagnosis: list[str]
    causes: list[Cause] = field(default_factory=list)


def ruled_out(problem: Problem) -> Refusal | None:
    """What the data alone rule out (the doctor's blocking findings), found before any model; else None."""
    impossible = blocking(doctor(problem))
    if not impossible:
        return None
    return Refusal([f.line() for f in impossible], as_causes(impossible))


def unplaceable(inst: Instance) -> Refusal | None:
    """The mandatory editions with no start day, room and team at all; else None."""
    blocked = [p for p in inst.plans if not p.options and p.edition.mandatory]
    if not blocked:
        return None
    return Refusal([f"{p.id} cannot be scheduled: {p.why_no_option}" for p in blocked])


@dataclass(frozen=True)
class Start:
    """What the search starts from."""

    greedy: Schedule | None = None  # the best start calendar that breaks no hard rule, if one does
    hint: Schedule | None = None  # the search's hint: that calendar, else the plain earliest fit


def find_start(problem: Problem, inst: Instance, start_from: Schedule | None = None, *,
               on_better: Callable[[float], None] | None = None, stop: StopFlag | None = None) -> Start:
    """The best of the greedy calendars (kept from ``start_from`` where it still holds).

    ``on_better`` gets each better start's objective (the checker's) as it is found.
    """
    greedy, hint = best_start(problem, inst, start_from, on_better=on_better, stop=stop)
    return Start(greedy, hint)


def hint_start(built: Built, start: Start, options: SolveOptions) -> float | None:
    """Give ``start`` to the search as its hint, completed to every variable when it can be.

    Returns CP-SAT's objective of the greedy start, in points, when it completed the hint
    to the start's exact value; else None.
    """
    if start.hint is None:
        return None
    add_hint(built, start.hint)
    # Completing the hint takes seconds on large programmes: give it a share of the limit.
    completion = complete_hint(built, max(5.0, options.time_limit_s / 10), deterministic=options.deterministic)
    if not completion.complete and options.deterministic:
        # OR-Tools 9.15 aborts the process ("Check failed: heuristics.fixed_search !=
        # nullptr") when interleaved search has a hint and finds the model infeasible
        # while loading it. A hint that cannot be completed is no calendar: drop it.
        built.model.clear_hints()
    return completion.objective if start.greedy is not None else None


@dataclass(frozen=True)
class Search:
    """What CP-SAT's search gave: its status, its calendar, and its own figures in points."""

    status: Status = "UNKNOWN"  # UNKNOWN too when no search ran
    schedule: Schedule | None = None
    objective: float | None = None  # CP-SAT's objective value of ``schedule``
    bound: float | None = None  # CP-SAT's best bound as it reported it; None when not finite or no search


# A programme of more editions than this (where CP-SAT's max_lp is not the full subsolver: MAX_LP_EDITIONS)
# has the bound of its model's whole linear relaxation (scheduler/relaxation.py) proved in a thread
# beside the search, and reported when above CP-SAT's own. On the RTCM year it proves 5,158.3, below
# max_lp's 5,160.1; on three centres 15,706.9 against 14,767 from CP-SAT at 60 s; on ten centres 48,633
# (bench/RESULTS.md, "The bound of the whole linear relaxation").
RELAXATION_FROM_EDITIONS = MAX_LP_EDITIONS


def run_search(built: Built, options: SolveOptions, watch: Watch, stop: StopFlag | None, *,
               seating: bool = False) -> Search:
    """CP-SAT's search on ``built`` within what is left of the time limit, less the seating's share if any;
    on a large programme, the bound of the model's linear relaxation proved beside it."""
    # With nominations, part of the time limit is kept for seating them (scheduler/allocation.py);
    # deterministic runs split the time, others end the search early (see _search).
    share = ALLOCATION_SHARE if seating else 0.0
    watch.scale, watch.built = built.scale, built
    if options.deterministic or len(built.inst.plans) <= RELAXATION_FROM_EDITIONS:
        return _run_search(built, options, watch, stop, share)
    deadline = watch.t0 + options.time_limit_s * (1 - share)
    relaxation = watch.relaxation = RelaxationBound(built.model.proto, deadline, stop).start()
    try:
        search = _run_search(built, options, watch, stop, share)
    finally:
        relaxation.cancel()  # its solve stops at the deadline anyway; before it, it proves what it has
    relaxed = relaxation.result()
    if relaxed is None:
        return search
    bound = _points_below(relaxed / built.scale)
    if search.bound is not None and search.bound >= bound:
        return search
    watch.emit(bound, time.perf_counter() - watch.t0)
    return replace(search, bound=bound)


def _points_below(points: float) -> float:
    """``points`` to the hundredth, rounded down: a bound stays a bound."""
    return math.floor(points * 100 + 1e-9) / 100


def _run_search(built: Built, options: SolveOptions, watch: Watch, stop: StopFlag | None, share: float) -> Search:
    large = (len(built.inst.plans) > PARTS_FROM_EDITIONS
             or sum(len(plan.options) for plan in built.inst.plans) > PARTS_FROM_OPTIONS)
    if not options.deterministic and not share and (options.by_parts or (options.by_parts is None and large)):
        by_parts = _search_in_parts(built, options, watch, stop)
        if by_parts is not None:
            return by_parts
    if options.deterministic:
        solver = _solver(options, options.time_limit_s * (1 - share), editions=len(built.inst.plans))
        code = _search(built, solver, watch, stop, 0.0, options.time_limit_s)
        return searched(built, solver, code, options.relative_gap)
    # The limit is the whole solve's: the search gets what the setup and the model left of it
    # (none when they used it all: the start calendar is then the answer).
    left = options.time_limit_s - (time.perf_counter() - watch.t0)
    search_end = watch.t0 + options.time_limit_s * (1 - share)  # then the seating's share, if any
    polish_s = POLISH_SHARE * (search_end - time.perf_counter())
    if options.by_parts is False or len(built.inst.plans) > POLISH_EDITIONS or polish_s < PART_LIMIT_S:
        polish_s = 0.0
    whole_s = search_end - time.perf_counter() - polish_s if polish_s else left
    solver = _solver(options, max(0.0, whole_s), editions=len(built.inst.plans))
    code = _search(built, solver, watch, stop, share, options.time_limit_s)
    whole = searched(built, solver, code, options.relative_gap)
    if not polish_s or code not in (cp_model.FEASIBLE, cp_model.UNKNOWN) or (stop is not None and stop.is_set()):
        return whole
    if code == cp_model.FEASIBLE:
        values, objective = list(solver.response_proto.solution), solver.objective_value
    else:  # no calendar of its own yet (a short limit, a busy machine): the parts start from the start's
        hinted = _hinted(built)
        if hinted is None:
            return whole
        values, objective = hinted, objective_of(built.model.proto, hinted)
    return _polish(built, whole, solver, values, objective, search_end, options, watch, stop)


def _hinted(built: Built) -> list[int] | None:
    """The model's hint as a full assignment (the start calendar completed); None when it is not one."""
    proto = built.model.proto
    hint = proto.solution_hint
    if len(hint.vars) != len(proto.variables):
        return None
    values = [0] * len(proto.variables)
    for i, v in zip(hint.vars, hint.values, strict=True):
        values[i] = v
    return values


# A programme searched whole, of at most POLISH_EDITIONS editions, gives the last three quarters of
# its search to the search by parts (scheduler/parts.py) from the whole search's best calendar,
# unless the whole search proved it optimal; when that share holds at least one part's search
# (PART_LIMIT_S). On the RTCM year (71 editions, 60 s, 2 workers; bench/results/polish_trials.json,
# medians) the whole search alone ends at 5,385.4 points (3 runs); three quarters to the parts at
# 5,201.7 (6 runs, 5,195.7-5,219.0, the best calendars known), half at 5,240.7. CP-SAT's own
# neighbourhoods stall there, while a window of about 20 editions is searched to its optimum in its
# 5 s; the windows' cuts moving every other round matter: without, three quarters gave 5,319.9
# (5 runs, 5,205.2-5,331.4). The whole search's first 15 s prove its bound (5,160.1, against 5,163.6
# after 60 s), which stays the bound reported. On three centres (213 editions) the whole search's
# own first calendar comes at 13 s and it improves to the end: three quarters to the parts ended at
# 17,607.8, a quarter at 17,274.4, the whole search alone at 17,315.
POLISH_SHARE = 0.75
POLISH_EDITIONS = 120


def _parts_from(built: Built, values: list[int], objective: float, deadline: float, bound: float | None,
                options: SolveOptions, watch: Watch, stop: StopFlag | None) -> PartsOutcome:
    """The search by parts (``scheduler/parts.py``) from ``values`` (of ``objective``, in the model's
    units) until ``deadline``; each better calendar reported with ``bound`` (points)."""

    def better(found: list[int], objective: float) -> None:
        watch.found(objective / built.scale, bound, lambda: extract(built, Values(found)))

    def part_solver(limit_s: float) -> cp_model.CpSolver:
        # The engine's own settings. (With one round of presolve and no symmetry search, a
        # part's presolve is faster, but CP-SAT 9.15 crashed in 8 of 15 runs on ten centres; with its
        # own settings, in none of 4: bench/results/parts_trials.json.)
        return _solver(options, max(0.0, limit_s), editions=PART_EDITIONS)

    return search_by_parts(built.model, built.v.editions, values, objective, deadline, part_solver,
                           on_better=better, stop=stop)


def _polish(built: Built, whole: Search, solver: cp_model.CpSolver, values: list[int], objective: float,
            deadline: float, options: SolveOptions, watch: Watch, stop: StopFlag | None) -> Search:
    """The search by parts until ``deadline`` from ``values`` (of ``objective``, in the model's units):
    the best calendar of the whole search (``solver``, whose outcome is ``whole``), or the start when
    it found none; ``whole`` when no part improves on it."""
    raw_bound = solver.best_objective_bound / built.scale  # as the whole search reported it
    outcome = _parts_from(built, values, objective, deadline, raw_bound if math.isfinite(raw_bound) else None,
                          options, watch, stop)
    if not outcome.improved:
        return whole
    return Search("FEASIBLE", extract(built, Values(outcome.values)), round(outcome.objective / built.scale, 2),
                  whole.bound)


def _search_in_parts(built: Built, options: SolveOptions, watch: Watch, stop: StopFlag | None) -> Search | None:
    """The search of a large programme by parts (``scheduler/parts.py``), from the completed hint;
    None when the hint is not a complete calendar (the whole model is then searched). No part proves
    a bound on the whole: the bound is the linear relaxation's (``run_search``)."""
    values = _hinted(built)
    if values is None:
        return None
    watch.search_started = time.perf_counter()
    outcome = _parts_from(built, values, objective_of(built.model.proto, values), watch.t0 + options.time_limit_s,
                          None, options, watch, stop)
    return Search("FEASIBLE", extract(built, Values(outcome.values)), round(outcome.objective / built.scale, 2))


def objective_of(proto: Any, values: list[int]) -> float:
    """The model's objective (its own units, as CP-SAT reports it) at a full assignment."""
    obj = proto.objective
    raw = sum(c * values[v] for v, c in zip(obj.vars, obj.coeffs, strict=True)) + obj.offset
    return raw * obj.scaling_factor if obj.scaling_factor else raw


def searched(built: Built, solver: cp_model.CpSolver, code: cp_model.CpSolverStatus,
             gap_limit: float = 0.0) -> Search:
    """The outcome of a solve of ``built``, in CP-SAT's own figures (points, to the hundredth).

    CP-SAT says OPTIMAL too when it stops within the relative gap asked for (``gap_limit``);
    that calendar is reported FEASIBLE, OPTIMAL being kept for a proof. With no gap allowed,
    OPTIMAL is a proof even when the bound CP-SAT reports lags behind (as an interleaved search
    on one worker may leave it): the bound is then the objective.
    """
    status = STATUS.get(code, "UNKNOWN")
    raw_bound = solver.best_objective_bound / built.scale
    bound = round(raw_bound, 2) if math.isfinite(raw_bound) else None
    if status not in ("OPTIMAL", "FEASIBLE"):
        return Search(status, bound=bound)
    objective = round(solver.objective_value / built.scale, 2)
    if status == "OPTIMAL" and (bound is None or bound < objective):
        if gap_limit > 0:
            status = "FEASIBLE"
        else:
            bound = objective
    return Search(status, extract(built, solver), objective, bound)


START_KEPT = ("the search found no better calendar than its greedy start in the time limit (it breaks no "
              "hard rule); allow more time for a better one")


@dataclass(frozen=True)
class Answer:
    """The calendar a solve returns, with the solver's figures for it (points)."""

    status: Status
    schedule: Schedule
    objective: float
    source: ObjectiveSource
    bound: float  # 0 when CP-SAT proved none: no penalty is negative
    warnings: list[str] = field(default_factory=list)


def choose_calendar(search: Search, start: Start, start_value: float | None = None) -> Answer | None:
    """The search's calendar, or the greedy start when the search found none in time or a worse one.

    The two are compared by the checker's figures. The start's objective is ``start_value``
    (CP-SAT's value of it) when there is one, else the checker's. None when there is no
    calendar: the search's status says why.
    """
    greedy = start.greedy
    bound = search.bound if search.bound is not None else 0.0
    if search.schedule is not None and search.objective is not None and (
            greedy is None or kpis(greedy).objective >= kpis(search.schedule).objective):
        return Answer(search.status, search.schedule, search.objective, "search", bound)
    if greedy is None or search.status not in ("OPTIMAL", "FEASIBLE", "UNKNOWN"):
        return None
    # No calendar from the search in time (large programmes on small machines), or one worse
    # than its start (it stopped before matching an incomplete hint): the greedy calendar
    # breaks no hard rule, better that than none.
    if start_value is not None:
        return Answer("FEASIBLE", greedy, start_value, "start", bound, [START_KEPT])
    return Answer("FEASIBLE", greedy, kpis(greedy).objective, "checker", bound, [START_KEPT])


def no_calendar(problem: Problem, inst: Instance, status: Status, options: SolveOptions) -> Refusal:
    """Why the search gave no calendar: the facts that leave none, or the time it lacked."""
    if status == "INFEASIBLE" and options.explain:
        return Refusal(*why_infeasible(problem, inst, options))
    if status == "UNKNOWN":
        return Refusal([f"no calendar found within {options.time_limit_s:g} s; allow more time"])
    return Refusal([])


def solver_report(answer: Answer, warnings: list[str], options: SolveOptions, runtime_s: float,
                  first_solution_s: float | None, solutions: int) -> SolverReport:
    """The report a planner reads: status, the solver's figures, penalties record by record, warnings."""
    wall = not options.deterministic  # wall-clock figures would make deterministic JSON differ
    return SolverReport(
        status=answer.status,
        objective=answer.objective,
        objective_source=answer.source,
        bound=answer.bound,
        gap=calendar_gap(answer.objective, answer.bound),
        runtime_s=round(runtime_s, 3) if wall else None,
        first_solution_s=first_solution_s if wall else None,
        solutions=solutions,
        workers=options.workers,
        time_limit_s=options.time_limit_s,
        deterministic=options.deterministic,
        penalties=kpis(answer.schedule).penalties,
        warnings=[*warnings, *answer.warnings],
        breakdown=penalty_breakdown(answer.schedule),
    )


CANCEL_ROUNDS = 2  # seatings redone after cancelling editions short of their minimum


def cancel_thin_editions(schedule: Schedule, options: SolveOptions, stop: StopFlag | None, t0: float) -> None:
    """Cancel the optional editions the seating leaves below their minimum of participants, as a
    planner cancels a course too few come to, and seat the nominees again.

    The calendar's estimate of who can come counts every nominee free in the edition's months;
    the seating may still find fewer (a prerequisite they cannot take in time, say). An edition
    is cancelled only when fewer requests than its minimum are open to it whatever the seats
    (never for a seating cut short by its time limit), when it is optional and not pinned, and
    when the calendar without it breaks no hard rule it did not already break; then the solver's
    figures are those of the calendar as it ends (its objective recomputed by the checker,
    against the same bound).
    """
    p = schedule.problem
    report = schedule.solver
    assert report is not None
    under = RULES["edition_under_minimum"].evaluate
    assert under is not None
    for _ in range(CANCEL_ROUNDS):
        short = {c.edition: c.message for c in under(Reading(schedule)) if c.edition}
        if not short:
            return
        broken = len(check_calendar(schedule))
        could = open_requests(schedule)
        cancelled = []
        for eid, why in short.items():
            ed = p.edition_by_id[eid]
            if ed.mandatory or eid in p.pin_by_edition or could[eid] >= ed.item.min_participants:
                continue  # a longer seating could fill it: only editions short whatever the seats go
            trial = schedule.model_copy(update={"editions": [e for e in schedule.editions if e.edition != eid]})
            if len(check_calendar(trial)) > broken:
                continue
            schedule.editions = trial.editions
            schedule.unscheduled.append(UnscheduledEdition(
                edition=eid, topic=ed.topic.id, number=ed.number, mandatory=False,
                reason=f"cancelled: {why}, and only {could[eid]} nominees can sit it (free in its months, "
                       "in a mode it offers, following its language, with their prerequisites in time)"))
            cancelled.append(eid)
        if not cancelled:
            return
        schedule.allocations = [a for a in schedule.allocations if a.edition not in cancelled]
        seat_participants(schedule, options, stop, t0)
        k = kpis(schedule)
        report.objective, report.objective_source = k.objective, "checker"
        report.status = "FEASIBLE" if report.status == "OPTIMAL" else report.status
        report.gap = relative_gap(report.objective, report.bound)
        report.penalties, report.breakdown = k.penalties, penalty_breakdown(schedule)


def seat_participants(schedule: Schedule, options: SolveOptions, stop: StopFlag | None, t0: float) -> None:
    """Allocate the nominees to the calendar's editions within what is left of the time limit."""
    limit = options.time_limit_s * ALLOCATION_SHARE
    if not options.deterministic:  # wall-clock leftovers would make deterministic runs differ
        limit = max(limit, options.time_limit_s - (time.perf_counter() - t0))
    outcome = allocate(schedule, time_limit_s=limit, workers=options.workers,
                       deterministic=options.deterministic, seed=options.seed, stop=stop)
    schedule.allocations = outcome.allocations
    schedule.unplaced = outcome.unplaced
    assert schedule.solver is not None
    schedule.solver.allocation = outcome.report


def no_calendar_result(problem: Problem, status: Status, refusal: Refusal, warnings: list[str],
                       options: SolveOptions, runtime_s: float) -> Result:
    """The result without a calendar: every edition left out, the status and why."""
    left = [
        UnscheduledEdition(edition=e.id, topic=e.topic.id, number=e.number, mandatory=e.mandatory,
                           reason="no calendar found")
        for e in problem.editions
    ]
    report = SolverReport(status=status, runtime_s=None if options.deterministic else round(runtime_s, 3),
                          workers=options.workers, time_limit_s=options.time_limit_s,
                          deterministic=options.deterministic, diagnosis=refusal.diagnosis,
                          warnings=warnings, causes=refusal.causes)
    return Result(Schedule(problem=problem, editions=[], unscheduled=left, solver=report),
                  runtime_s=round(runtime_s, 3))


def add_hint(built: Built, schedule: Schedule) -> None:
    """Suggest a calendar (e.g. the greedy one) as the solver's starting point."""
    inst = built.inst
    tindex = {t.id: i for i, t in enumerate(inst.trainers)}
    rindex = {r.id: i for i, (_, r) in enumerate(inst.rooms)}
    model = built.model
    for ev in built.v.editions:
        se = schedule.by_edition.get(ev.plan.id)
        option = None
        if se is not None and se.start in inst.cal.index:
            option = (inst.cal.index[se.start], len(se.days))
        if option not in ev.plan.options:
            se, option = None, None
        model.add_hint(ev.present, se is not None)
        for o, x in zip(ev.plan.options, ev.choose, strict=True):
            model.add_hint(x, o == option)
        if se is None or option is None:
            continue
        model.add_hint(ev.start, option[0])
        if not isinstance(ev.length, int):
            model.add_hint(ev.length, option[1])
        room = rindex.get(se.room) if se.room else None
        for r, b in ev.room.items():
            model.add_hint(b, r == room)
        if len(ev.mode) > 1:
            for mode, b in ev.mode.items():
                model.add_hint(b, mode == se.mode)
        team = {tindex[t] for t in se.trainers if t in tindex}
        for t, b in ev.teaches.items():
            model.add_hint(b, t in team)
        standing = {tindex[t] for t in se.standbys if t in tindex}
        for t, b in ev.standby.items():
            model.add_hint(b, t in standing)
        sessions = {g.slot: g for g in se.guests}
        for gv in ev.guests:
            given = sessions.get(gv.slot.id)
            who = tindex.get(given.person) if given else None
            for t, b in gv.gives.items():
                model.add_hint(b, t == who)
            if given is not None and who in gv.gives and given.day in inst.cal.index:
                model.add_hint(gv.day, inst.cal.index[given.day])


@dataclass(frozen=True)
class Completion:
    """How completing a hint went."""

    complete: bool  # the search starts from a calendar
    objective: float | None = None  # CP-SAT's exact objective of the hinted calendar, in points


def complete_hint(built: Built, time_limit_s: float = 5.0, *, deterministic: bool = False) -> Completion:
    """Extend a hint on the decisions to every variable, so the solver starts from a calendar.

    A quick solve with the hinted decisions fixed fills in the derived variables (loads,
    peaks, overlaps); a complete, feasible hint is the solver's first solution at once.
    When that solve is optimal, its objective is CP-SAT's exact value of the hinted calendar.
    A deterministic solve limits it in deterministic time, so that the machine's load never
    decides whether the start is kept.
    """
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = 1
    if deterministic:
        prm.max_deterministic_time = time_limit_s
    else:
        prm.max_time_in_seconds = time_limit_s
    prm.fix_variables_to_their_hinted_value = True
    prm.cp_model_probing_level = 0
    code = solver.solve(built.model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Completion(False)
    model = built.model
    values = solver.response_proto.solution
    model.clear_hints()
    model.proto.solution_hint.vars.extend(range(len(values)))
    model.proto.solution_hint.values.extend(values)
    # Only an optimal completion has every penalty at its floor: the calendar's own value.
    exact = code == cp_model.OPTIMAL and built.model.has_objective()
    return Completion(True, round(solver.objective_value / built.scale, 2) if exact else None)


def extract(built: Built, solver: cp_model.CpSolver | cp_model.CpSolverSolutionCallback | Values) -> Schedule:
    """The calendar of a solver's solution (at the end of a search, or in its solution callback)."""
    inst, v = built.inst, built.v
    placed: list[ScheduledEdition] = []
    left: list[UnscheduledEdition] = []
    for ev in v.editions:
        ed = ev.plan.edition
        if not solver.boolean_value(ev.present):
            left.append(UnscheduledEdition(
                edition=ed.id, topic=ed.topic.id, number=ed.number, mandatory=ed.mandatory,
                reason=ev.plan.why_no_option or "left out: the calendar is better without it "
                "(its trainers, rooms or dates serve other editions at a lower penalty)",
            ))
            continue
        s, d = next(o for o, x in zip(ev.plan.options, ev.choose, strict=True) if solver.boolean_value(x))
        room = next((r for r, b in ev.room.items() if solver.boolean_value(b)), None)
        mode = next(m for m, b in ev.mode.items() if solver.boolean_value(b))
        guests = [GuestSession(slot=gv.slot.id, person=inst.trainers[t].id, day=inst.cal.days[solver.value(gv.day)])
                  for gv in ev.guests for t, b in gv.gives.items() if solver.boolean_value(b)]
        placed.append(ScheduledEdition.place(
            inst.problem, ed, inst.cal.run_days(s, d), inst.rooms[room][1].id if room is not None else None,
            (inst.trainers[t].id for t, b in ev.teaches.items() if solver.boolean_value(b)), guests, mode,
            (inst.trainers[t].id for t, b in ev.standby.items() if solver.boolean_value(b)),
        ))
    placed.sort(key=lambda e: (e.start, e.edition))
    return Schedule(problem=inst.problem, editions=placed, unscheduled=left)


# Hard rules whose removal is tried, one at a time, to explain an infeasible problem.
RELAXABLE = (
    "pinned_edition_kept",
    "budget_within_cap",
    "budget_within_quarter_caps",
    "team_mixed_gender",
    "trainer_days_women_share_year",
    "trainer_days_women_share_module",
    "trainer_days_women_share_month",
    "team_covers_required_organisations",
    "team_includes_a_lead_agency",
    "trainer_month_limit",
    "trainer_year_limit",
    "organisation_quota",
    "prerequisite_finished_first",
    "online_stream_limit",
    "trainer_available",
    "room_open",
    "room_not_double_booked",
    "trainer_not_double_booked",
    "team_size_within_limits",
)


def diagnose(problem: Problem, inst: Instance, options: SolveOptions) -> list[str]:
    """Why no calendar exists: a minimal set of input facts that cannot all hold, with the
    relaxations that would restore one (``scheduler/explain.py``); the single rule whose
    relaxation would help when that explanation does not finish in time."""
    return why_infeasible(problem, inst, options)[0]


def why_infeasible(problem: Problem, inst: Instance, options: SolveOptions) -> tuple[list[str], list[Cause]]:
    """The diagnosis lines and the causes (the facts, with their records) of an infeasible problem."""
    from scheduler.explain import explain_infeasible

    budget = min(25.0, max(5.0, options.time_limit_s / 2))
    explanation = explain_infeasible(problem, time_budget_s=budget, deterministic=options.deterministic)
    if explanation.found:
        return explanation.lines(), explanation.causes()
    lines = relaxed_rules(problem, inst, options)
    if explanation.status == "feasible":  # a hard rule the explain build does not know of
        return [*lines, "(no set of input facts explains it: the cause is a rule the explanation does not "
                        "model)"], []
    return [*lines, f"(a minimal set of facts was not found within {budget:g} s)"], []


def relaxed_rules(problem: Problem, inst: Instance, options: SolveOptions) -> list[str]:
    """Which single hard rule, relaxed, would let a calendar exist."""
    per_try = max(2.0, min(10.0, options.time_limit_s / 4))
    helps, unknown = [], []
    for rule_id in RELAXABLE:
        if rule_id.startswith("trainer_days_women_share_") and getattr(
                problem.targets, rule_id.replace("women_share_", "")).mode != "hard":
            continue  # a target that is not hard adds no constraint to relax
        # Pins also narrow each edition's options, so relaxing them needs an instance without.
        unpinned = Instance(problem, ignore_pins=True) if rule_id == "pinned_edition_kept" else inst
        built = build(problem, frozenset({rule_id}), objective=False, inst=unpinned)
        code = _solver(options, per_try).solve(built.model)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            helps.append(rule_id)
        elif code == cp_model.UNKNOWN:
            unknown.append(rule_id)
    if helps:
        names = "; ".join(f"'{RULES[r].name}'" for r in helps)
        found = [f"no calendar meets every hard rule together; relaxing any one of these would: {names}"]
        for rule_id in helps:
            if rule_id.startswith("trainer_days_women_share_"):
                found += trainer_share_obstacles(problem, rule_id.removeprefix("trainer_days_women_share_"))
        return found
    msg = "no calendar meets every hard rule together, and relaxing any single rule is not enough"
    if unknown:
        msg += f" (not settled in time for: {', '.join(unknown)})"
    return [msg]


def problem_warnings(problem: Problem) -> list[str]:
    """Facts a planner should know that do not stop the solve."""
    out = []
    planned = {i.topic for i in problem.programme}
    for pr in problem.prerequisites:
        if pr.after in planned and pr.before not in planned:
            out.append(f"prerequisite {pr.before}->{pr.after}: {pr.before} is not in the programme; "
                       "participants are assumed to have taken it elsewhere")
    out += [f"{topic}: {why}" for topic, why in problem.lead_agency_softened.items()]
    return out
