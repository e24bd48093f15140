"""Compile a problem to CP-SAT, solve it with progress, and return a checked result."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from ortools.sat.python import cp_model

from model.check import OBJECTIVE_SCALE, UNIT_FACTOR, kpis
from model.doctor import as_causes, blocking, doctor
from model.explain import penalty_breakdown
from model.parity import trainer_share_obstacles
from model.problem import Problem
from model.rules import RULES
from model.schedule import Cause, Schedule, ScheduledEdition, SolverReport, Status, UnscheduledEdition
from scheduler.allocation import ALLOCATION_SHARE, allocate
from scheduler.greedy import best_start
from scheduler.instance import Instance
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
    diagnose_infeasible: bool = True
    hint: bool = True  # start from the greedy calendar


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
        return relative_gap(self.objective, self.bound)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    if abs(objective) < 1e-9:
        return 0.0 if abs(bound) < 1e-9 else None
    return max(0.0, (objective - bound) / abs(objective))


@dataclass
class Result:
    """What ``solve`` returns: never an exception for an infeasible or timed-out problem."""

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


def build(problem: Problem, skip: frozenset[str] = frozenset(), *, objective: bool = True,
          inst: Instance | None = None) -> Built:
    """The CP-SAT model of a problem; ``skip`` leaves out hard rules (for diagnosis)."""
    inst = inst or Instance(problem)
    model = cp_model.CpModel()
    v = Variables(model, inst)
    ctx = Context(model, inst, v, skip=skip)
    for rule_id, rule in HARD.items():
        if rule_id not in skip:
            rule(ctx)
    soft: dict[str, cp_model.LinearExprT] = {}
    if objective:
        terms = []
        for rule_id, soft_rule in SOFT.items():
            info = RULES[rule_id]
            assert info.weight_field is not None
            weight = float(getattr(problem.weights, info.weight_field))
            if weight <= 0:
                continue
            expr = soft_rule(ctx)
            soft[rule_id] = expr
            coef = round(weight * OBJECTIVE_SCALE * UNIT_FACTOR.get(rule_id, 1.0))
            terms.append(coef * expr)
        model.minimize(sum(terms))
    return Built(model, inst, v, soft)


def _solver(options: SolveOptions, time_limit: float | None = None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = max(1, options.workers)
    prm.random_seed = options.seed
    prm.log_search_progress = options.log
    prm.relative_gap_limit = options.relative_gap
    # Probing costs seconds of presolve here and buys little: the first calendar comes sooner without.
    prm.cp_model_probing_level = 0
    limit = options.time_limit_s if time_limit is None else time_limit
    if options.deterministic:
        # Deterministic time and interleaved workers: the same problem gives the same answer.
        prm.interleave_search = True
        prm.max_deterministic_time = limit
        prm.max_time_in_seconds = max(limit * 20, 600.0)
    else:
        prm.max_time_in_seconds = limit
    return solver


class _Watch(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_progress: Callable[[Progress], None] | None, t0: float) -> None:
        super().__init__()
        self.on_progress = on_progress
        self.t0 = t0
        self.solutions = 0
        self.first: float | None = None  # the first calendar, greedy or searched
        self.history: list[Progress] = []
        self.objective: float | None = None  # the best calendar's, greedy or searched
        self.search_started: float | None = None

    def start_from(self, objective: float) -> None:
        """A better greedy calendar to start from: report it before the search begins."""
        elapsed = time.perf_counter() - self.t0
        if self.first is None:
            self.first = elapsed
        self.objective = objective
        self.emit(None, elapsed, "greedy")

    def on_solution_callback(self) -> None:
        self.solutions += 1
        elapsed = time.perf_counter() - self.t0
        if self.first is None:
            self.first = elapsed
        found = self.objective_value / OBJECTIVE_SCALE
        self.objective = found if self.objective is None else min(self.objective, found)
        self.emit(self.best_objective_bound / OBJECTIVE_SCALE, elapsed)

    def on_bound(self, bound: float) -> None:
        self.emit(bound / OBJECTIVE_SCALE, time.perf_counter() - self.t0)

    def emit(self, bound: float | None, elapsed: float, source: Literal["greedy", "search"] = "search") -> None:
        p = Progress(self.objective, bound, elapsed, self.solutions, source)
        self.history.append(p)
        if self.on_progress:
            self.on_progress(p)


def _stopped(stop: StopFlag | None) -> bool:
    return stop is not None and stop.is_set()


def _search(built: Built, solver: cp_model.CpSolver, watch: _Watch, stop: StopFlag | None, share: float,
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
    stop_when_set(solver, stop, done)
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
    """
    options = options or SolveOptions()
    t0 = time.perf_counter()
    impossible = blocking(doctor(problem))  # what the data alone rules out, before any model
    if impossible:
        return _empty(problem, "INFEASIBLE", [f.line() for f in impossible], problem_warnings(problem),
                      time.perf_counter() - t0, options, as_causes(impossible))
    inst = Instance(problem)
    warnings = problem_warnings(problem)
    blocked = [p for p in inst.plans if not p.options and p.edition.mandatory]
    if blocked:
        diagnosis = [f"{p.id} cannot be scheduled: {p.why_no_option}" for p in blocked]
        return _empty(problem, "INFEASIBLE", diagnosis, warnings, time.perf_counter() - t0, options)
    watch = _Watch(on_progress, t0)
    greedy: Schedule | None = None  # the best greedy calendar that breaks no hard rule
    hint: Schedule | None = None
    if options.hint:
        greedy, hint = best_start(problem, inst, start_from, on_better=watch.start_from, stop=stop)
    # With nominations, part of the time limit is kept for seating them (scheduler/allocation.py).
    share = ALLOCATION_SHARE if problem.nominations else 0.0
    built: Built | None = None
    solver: cp_model.CpSolver | None = None
    code = cp_model.UNKNOWN
    # Asked to stop with a calendar in hand: no model is built, or no search run.
    if not (greedy is not None and _stopped(stop)):
        built = build(problem, inst=inst)
        if hint is not None:
            add_hint(built, hint)
            # Completing the hint takes seconds on large programmes: give it a share of the limit.
            if not complete_hint(built, max(5.0, options.time_limit_s / 10)) and options.deterministic:
                # OR-Tools 9.15 aborts the process ("Check failed: heuristics.fixed_search !=
                # nullptr") when interleaved search has a hint and finds the model infeasible
                # while loading it. A hint that cannot be completed is no calendar: drop it.
                built.model.clear_hints()
    if built is not None and not (greedy is not None and _stopped(stop)):
        solver = _solver(options, options.time_limit_s * (1 - share) if options.deterministic else None)
        code = _search(built, solver, watch, stop, share if not options.deterministic else 0.0,
                       options.time_limit_s)
    build_s = watch.search_started - t0 if watch.search_started is not None else time.perf_counter() - t0
    status = STATUS.get(code, "UNKNOWN")
    runtime = time.perf_counter() - t0
    # No calendar from the search in time, but the greedy one breaks no hard rule: better
    # that than none (large programmes on small machines).
    fallback = status == "UNKNOWN" and greedy is not None
    if status not in ("OPTIMAL", "FEASIBLE") and not fallback:
        diagnosis = []
        causes: list[Cause] = []
        if status == "INFEASIBLE" and options.diagnose_infeasible:
            diagnosis, causes = why_infeasible(problem, inst, options)
        elif status == "UNKNOWN":
            diagnosis = [f"no calendar found within {options.time_limit_s:g} s; allow more time"]
        result = _empty(problem, status, diagnosis, warnings, runtime, options, causes)
        result.build_s = build_s
        result.first_solution_s = watch.first
        return result
    schedule = greedy if fallback else extract(built, solver)  # type: ignore[arg-type]
    assert schedule is not None
    if not fallback and greedy is not None and kpis(greedy).objective < kpis(schedule).objective:
        # The search stopped before it matched its starting calendar (an incomplete hint):
        # the greedy one is the better answer.
        schedule, fallback = greedy, True
    if fallback:
        status = "FEASIBLE"
        warnings = [*warnings, "the search found no better calendar than its greedy start in the "
                    "time limit (it breaks no hard rule); allow more time for a better one"]
    bound = solver.best_objective_bound / OBJECTIVE_SCALE if solver is not None else math.inf
    if not math.isfinite(bound):
        bound = 0.0  # every soft rule's amount is at least 0
    figures = kpis(schedule)
    objective = figures.objective
    if status == "OPTIMAL":
        bound = min(bound, objective)
    wall = not options.deterministic  # wall-clock figures would make deterministic JSON differ
    first = round(watch.first, 3) if watch.first is not None else None
    schedule.solver = SolverReport(
        status=status,
        objective=objective,
        bound=round(bound, 2),
        gap=relative_gap(objective, bound),
        runtime_s=round(runtime, 3) if wall else None,
        first_solution_s=first if wall else None,
        solutions=watch.solutions,
        workers=options.workers,
        time_limit_s=options.time_limit_s,
        deterministic=options.deterministic,
        penalties=figures.penalties,
        warnings=warnings,
        breakdown=penalty_breakdown(schedule),
    )
    if schedule.unscheduled:
        from scheduler.alternatives import explain_left_out  # it builds on this module

        explain_left_out(schedule, options)
    if problem.nominations:
        _seat_participants(schedule, options, stop, t0)
        runtime = time.perf_counter() - t0
        if wall:
            schedule.solver.runtime_s = round(runtime, 3)
    return Result(schedule, round(runtime, 3), first, build_s, watch.history)


def _seat_participants(schedule: Schedule, options: SolveOptions, stop: StopFlag | None,
                       t0: float) -> None:
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
        team = {tindex[t] for t in se.trainers if t in tindex}
        for t, b in ev.teaches.items():
            model.add_hint(b, t in team)


def complete_hint(built: Built, time_limit_s: float = 5.0) -> bool:
    """Extend a hint on the decisions to every variable, so the solver starts from a calendar.

    A quick solve with the hinted decisions fixed fills in the derived variables (loads,
    peaks, overlaps); a complete, feasible hint is the solver's first solution at once.
    """
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = 1
    prm.max_time_in_seconds = time_limit_s
    prm.fix_variables_to_their_hinted_value = True
    prm.cp_model_probing_level = 0
    if solver.solve(built.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    model = built.model
    values = solver.response_proto.solution
    model.clear_hints()
    model.proto.solution_hint.vars.extend(range(len(values)))
    model.proto.solution_hint.values.extend(values)
    return True


def extract(built: Built, solver: cp_model.CpSolver) -> Schedule:
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
        days = inst.cal.run_days(s, d)
        room = next((r for r, b in ev.room.items() if solver.boolean_value(b)), None)
        trainers = sorted(inst.trainers[t].id for t, b in ev.teaches.items() if solver.boolean_value(b))
        placed.append(ScheduledEdition(
            edition=ed.id, topic=ed.topic.id, number=ed.number, title=ed.topic.title,
            module=ed.topic.module, start=days[0], end=days[-1], days=days, mode=ed.mode,
            venue=inst.rooms[room][0].id if room is not None else None,
            room=inst.rooms[room][1].id if room is not None else None,
            trainers=trainers,
            participants_in_person=ed.item.participants_in_person,
            participants_online=ed.item.participants_online,
        ))
    placed.sort(key=lambda e: (e.start, e.edition))
    return Schedule(problem=inst.problem, editions=placed, unscheduled=left)


def _empty(problem: Problem, status: Status, diagnosis: list[str], warnings: list[str],
           runtime: float, options: SolveOptions, causes: list[Cause] | None = None) -> Result:
    left = [
        UnscheduledEdition(edition=e.id, topic=e.topic.id, number=e.number, mandatory=e.mandatory,
                           reason="no calendar found")
        for e in problem.editions
    ]
    report = SolverReport(status=status, runtime_s=None if options.deterministic else round(runtime, 3),
                          workers=options.workers, time_limit_s=options.time_limit_s,
                          deterministic=options.deterministic, diagnosis=diagnosis, warnings=warnings,
                          causes=causes or [])
    return Result(Schedule(problem=problem, editions=[], unscheduled=left, solver=report),
                  runtime_s=round(runtime, 3))


# Hard rules whose removal is tried, one at a time, to explain an infeasible problem.
RELAXABLE = (
    "pinned_edition_kept",
    "budget_within_cap",
    "team_mixed_gender",
    "trainer_days_women_share_year",
    "trainer_days_women_share_module",
    "trainer_days_women_share_month",
    "team_covers_required_organisations",
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
    return out
