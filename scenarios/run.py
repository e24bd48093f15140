"""Solving a base and its what-if scenarios, in parallel processes (:mod:`scenarios.sweep`), and comparing them."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from model.compare import CalendarDiff, KpiRow, diff, kpi_row
from model.formats.files import problem_from_data
from model.problem import Problem
from model.schedule import Schedule
from scenarios.replan import with_baseline
from scenarios.scenario import Scenario, load
from scenarios.sweep import Backend, Stopped, SweepProgress, check_backend, run_sweep, session
from scheduler.solve import SolveOptions, solve
from scheduler.variables import StopFlag


class ScenarioOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    file: str
    description: str = ""
    changes: list[str]
    kpis: KpiRow
    diff: CalendarDiff
    diagnosis: list[str] = Field(default_factory=list)


class Comparison(BaseModel):
    """The base and each scenario: KPIs side by side, and each calendar's difference from the base."""

    model_config = ConfigDict(extra="forbid")

    base: KpiRow
    scenarios: list[ScenarioOutcome]


# Per process, set once: the solve options and the calendar every problem starts from.
_SOLVING: dict[str, Any] = {}


def start_solving(options: dict[str, Any], start_from_json: str | None) -> None:
    """A sweep's per-process setup (:func:`scenarios.sweep.run_sweep`): the options of every solve
    (:class:`SolveOptions` as a dict) and the schedule JSON to start from, if any."""
    _SOLVING.update(options=SolveOptions(**options),
                    start=Schedule.model_validate_json(start_from_json) if start_from_json else None)


def solve_item(problem_json: str) -> str:
    """A sweep's work: a problem's JSON in, its schedule's JSON out (no pickled models cross processes)."""
    problem = problem_from_data(json.loads(problem_json), "scenario")
    return solve(problem, _SOLVING["options"], start_from=_SOLVING["start"]).schedule.model_dump_json()


def solve_all(problems: list[Problem], options: SolveOptions, start_from: Schedule | None = None, *,
              backend: Backend = "local", address: str | None = None,
              on_progress: Callable[[SweepProgress], None] | None = None,
              stop: StopFlag | None = None) -> dict[int, Schedule]:
    """Solve each problem (as many at once as ``options.workers`` allows, two solver threads each) on
    ``backend``; returns the schedules of those solved, by position (all of them unless stopped)."""
    each = per_solve(options, len(problems))
    swept = run_sweep(solve_item, [p.model_dump_json() for p in problems], setup=start_solving,
                      setup_args=(asdict(each), start_from.model_dump_json() if start_from else None),
                      workers=pool_size(options.workers, len(problems)), threads=each.workers, backend=backend,
                      address=address, on_progress=on_progress, stop=stop)
    return {i: Schedule.model_validate_json(r) for i, r in swept.results.items()}


def pool_size(workers: int, jobs: int) -> int:
    """Solves at once: each keeps two solver threads, within the worker budget."""
    return max(1, min(jobs, workers // 2, os.cpu_count() or 1))


def per_solve(options: SolveOptions, jobs: int) -> SolveOptions:
    """The options of each of ``jobs`` solves: all the workers for one at a time, else two threads each."""
    return options if pool_size(options.workers, jobs) == 1 else SolveOptions(**{**asdict(options), "workers": 2})


def run_scenarios(paths: list[str | Path], options: SolveOptions | None = None, *, backend: Backend = "local",
                  address: str | None = None, on_progress: Callable[[SweepProgress], None] | None = None,
                  stop: StopFlag | None = None) -> tuple[Comparison, Schedule, dict[str, Schedule]]:
    """Solve the base once and then every scenario (in parallel), on ``backend``, and compare them.

    Deterministic by default: differences come from the scenarios, not from solver noise, and the
    same on either backend. ``on_progress`` follows the scenarios' solves (:func:`solve_all`). Once
    ``stop`` is set the scenarios not finished are left out of the comparison. Returns the
    comparison, the base schedule and each scenario's schedule by name.

    Raises
    ------
    model.errors.InputError
        For a scenario file that does not load, a bad backend or an unreachable Ray address.
    scenarios.sweep.Stopped
        When ``stop`` was set before the base was solved: nothing to compare.
    """
    options = options or SolveOptions(deterministic=True)
    check_backend(backend, options.workers, address)
    loaded: list[tuple[Path, Scenario, Problem, Problem]] = []
    for p in paths:
        scenario, scenario_base, changed = load(p)
        loaded.append((Path(p), scenario, scenario_base, changed))
    bases = {b.model_dump_json(): b for _, _, b, _ in loaded}
    if len(bases) > 1:
        raise ValueError("scenarios compared together must share one base problem")
    base_problem = next(iter(bases.values()))
    each = per_solve(options, len(loaded))
    with session(backend, address, pool_size(options.workers, len(loaded)) * each.workers):
        # The base in a worker process too, with the options of each scenario's solve.
        based = solve_all([base_problem], each, backend=backend, address=address, stop=stop)
        if not based:
            raise Stopped("stopped while the base was solved: nothing to compare")
        base = based[0]
        problems = [
            with_baseline(changed, base) if scenario.stay_close and base.editions else changed
            for _, scenario, _, changed in loaded
        ]
        schedules = solve_all(problems, options, base if base.editions else None, backend=backend,
                              address=address, on_progress=on_progress, stop=stop)
    outcomes = []
    by_name = {}
    for i, schedule in schedules.items():
        path, scenario = loaded[i][0], loaded[i][1]
        by_name[scenario.name] = schedule
        outcomes.append(ScenarioOutcome(
            name=scenario.name, file=str(path), description=scenario.description,
            changes=[c.describe() for c in scenario.changes],
            kpis=kpi_row(scenario.name, schedule),
            diff=diff(base, schedule) if schedule.editions else CalendarDiff(),
            diagnosis=schedule.solver.diagnosis if schedule.solver else [],
        ))
    return Comparison(base=kpi_row("base", base), scenarios=outcomes), base, by_name
